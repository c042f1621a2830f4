//! Tracking plans from other tools as lifecycle files (`plotline import`): JSON Schema files
//! (draft 2020-12, 2019-09, 07, 06, 04), a Segment Protocols tracking plan (its JSON export),
//! and Snowplow Iglu self-describing schemas. A plan says what each event carries, not in
//! which order events come: the lifecycle written lets them come in any order. What the file
//! format cannot say is listed as comments above the property and in [`Imported::dropped`].

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use crate::compile::version::VersionKey;
use crate::config::convert::insert_above;
use crate::config::source_map::SourceMap;

/// Where a plan comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// JSON Schema files, one event's payload each (named after the file).
    JsonSchema,
    /// A Segment Protocols tracking plan export (`events`, or `rules.events`).
    Segment,
    /// Iglu self-describing schemas (`self`: vendor, name, format, version).
    Iglu,
}

/// One file of a plan: its name (a path) and its JSON.
pub struct PlanFile {
    /// The file's name, for messages (and a JSON Schema event's name).
    pub name: String,
    /// Its content.
    pub json: Value,
}

/// A lifecycle file written from a plan.
#[derive(Debug)]
pub struct Imported {
    /// The lifecycle name.
    pub name: String,
    /// The file, as YAML.
    pub yaml: String,
    /// What could not be carried over: `event.path: keyword` and why.
    pub dropped: Vec<String>,
    /// Events written.
    pub events: usize,
}

/// One event's payload schema, in the version that has it.
struct EventSchema {
    event: String,
    version: Option<String>,
    schema: Value,
}

/// The lifecycles a plan makes (one, or one per Iglu vendor), or what is wrong with a file.
pub fn import(kind: PlanKind, files: &[PlanFile], name: &str) -> Result<Vec<Imported>, String> {
    let mut lifecycles: BTreeMap<String, Vec<EventSchema>> = BTreeMap::new();
    for file in files {
        for (lifecycle, schema) in events_of(kind, file, name)? {
            lifecycles.entry(lifecycle).or_default().push(schema);
        }
    }
    Ok((lifecycles.into_iter())
        .map(|(lifecycle, events)| write(&lifecycle, events, kind))
        .collect())
}

/// The events one file describes, each with its lifecycle.
fn events_of(
    kind: PlanKind,
    file: &PlanFile,
    name: &str,
) -> Result<Vec<(String, EventSchema)>, String> {
    let json = &file.json;
    match kind {
        PlanKind::JsonSchema => {
            let stem = std::path::Path::new(&file.name)
                .file_stem()
                .map_or(file.name.clone(), |stem| {
                    stem.to_string_lossy().into_owned()
                });
            let stem = stem.strip_suffix(".schema").unwrap_or(&stem).to_owned();
            Ok(vec![(
                name.to_owned(),
                EventSchema {
                    event: stem,
                    version: None,
                    schema: json.clone(),
                },
            )])
        }
        PlanKind::Segment => {
            let events = (json.get("events").or_else(|| json.pointer("/rules/events")))
                .and_then(Value::as_array)
                .ok_or_else(|| {
                    format!(
                        "{}: no `events` (nor `rules.events`) list: is it a Segment tracking plan export?",
                        file.name
                    )
                })?;
            let mut found = Vec::new();
            for event in events {
                let event_name = (event.get("name").and_then(Value::as_str))
                    .ok_or_else(|| format!("{}: an event without a `name`", file.name))?;
                // The payload is the rules' `properties.properties`; context and traits are
                // the call's, not the event's.
                let rules = event.get("rules").cloned().unwrap_or(Value::Null);
                let mut schema = rules
                    .pointer("/properties/properties")
                    .cloned()
                    .unwrap_or_else(|| json!({ "type": "object" }));
                if let (Some(description), Value::Object(map)) = (
                    event.get("description").and_then(Value::as_str),
                    &mut schema,
                ) {
                    map.entry("description").or_insert(description.into());
                }
                let version = event.get("version").and_then(|v| match v {
                    Value::Number(n) => Some(n.to_string()),
                    Value::String(s) => Some(s.clone()),
                    _ => None,
                });
                found.push((
                    name.to_owned(),
                    EventSchema {
                        event: event_name.to_owned(),
                        version,
                        schema,
                    },
                ));
            }
            Ok(found)
        }
        PlanKind::Iglu => {
            let field = |key: &str| {
                (json
                    .pointer(&format!("/self/{key}"))
                    .and_then(Value::as_str))
                .ok_or_else(|| {
                    format!(
                        "{}: no `self.{key}`: is it a self-describing schema?",
                        file.name
                    )
                })
            };
            let (vendor, event, version) = (field("vendor")?, field("name")?, field("version")?);
            // SchemaVer MODEL-REVISION-ADDITION, as a version Plotline compares.
            let version = version.replace('-', ".");
            let lifecycle = match name {
                "" => vendor.replace(['.', '-'], "_"),
                name => name.to_owned(),
            };
            Ok(vec![(
                lifecycle,
                EventSchema {
                    event: event.to_owned(),
                    version: Some(version),
                    schema: json.clone(),
                },
            )])
        }
    }
}

/// The lifecycle file of one plan's events.
fn write(lifecycle: &str, mut events: Vec<EventSchema>, kind: PlanKind) -> Imported {
    let mut versions: Vec<String> = events.iter().filter_map(|e| e.version.clone()).collect();
    versions.sort_by(|a, b| VersionKey::parse(a).cmp(&VersionKey::parse(b)));
    versions.dedup();
    events.sort_by(|a, b| {
        (a.event.cmp(&b.event)).then_with(|| {
            VersionKey::parse(a.version.as_deref().unwrap_or(""))
                .cmp(&VersionKey::parse(b.version.as_deref().unwrap_or("")))
        })
    });
    let mut dropped = Vec::new();
    let mut notes: Vec<(String, Vec<String>)> = Vec::new();
    let mut declared = Map::new();
    let mut names: Vec<String> = Vec::new();
    for event in &events {
        if !names.contains(&event.event) {
            names.push(event.event.clone());
        }
    }
    for name in &names {
        let versions_of: Vec<&EventSchema> = events.iter().filter(|e| &e.event == name).collect();
        let mut decl = Map::new();
        let mut properties = Map::new();
        let mut additional = None;
        for (index, schema) in versions_of.iter().enumerate() {
            let mut lost = Vec::new();
            let payload = payload(&schema.schema, "", &mut lost);
            if index == 0 {
                if let Some(description) = schema.schema.get("description").and_then(Value::as_str)
                {
                    decl.insert("description".into(), description.into());
                }
                additional = payload.1;
            }
            // Each property from the version that has it on, until the next version of the
            // event that lacks it or says it otherwise.
            let since = schema.version.clone().filter(|_| index > 0);
            let until = versions_of
                .get(index + 1)
                .and_then(|next| next.version.clone());
            for (property, mut spec) in payload.0 {
                let same = properties.get(&property).and_then(|known: &Value| {
                    let last = known.as_array().and_then(|v| v.last()).unwrap_or(known);
                    let mut without = last.clone();
                    if let Value::Object(map) = &mut without {
                        map.remove("since");
                        map.remove("until");
                    }
                    (without == spec).then_some(())
                });
                if same.is_some() {
                    // Still the same: the earlier variant goes on.
                    if let Some(variant) = last_variant(properties.get_mut(&property)) {
                        variant.remove("until");
                        if let Some(until) = &until {
                            variant.insert("until".into(), until.clone().into());
                        }
                    }
                    continue;
                }
                if let Value::Object(map) = &mut spec {
                    if let Some(since) = &since {
                        map.insert("since".into(), since.clone().into());
                    }
                    if let Some(until) = &until {
                        map.insert("until".into(), until.clone().into());
                    }
                }
                // In its place: a new variant beside the earlier ones.
                match properties.get_mut(&property) {
                    None => {
                        properties.insert(property, spec);
                    }
                    Some(Value::Array(variants)) => variants.push(spec),
                    Some(one) => {
                        let first = one.take();
                        *one = Value::Array(vec![first, spec]);
                    }
                }
            }
            for (path, keyword, why) in lost {
                let place = format!("{name}{}", path);
                dropped.push(format!("{place}: `{keyword}` {why}"));
                // Above the payload's property it is in (or the event).
                let top = path
                    .trim_start_matches('.')
                    .split(['.', '['])
                    .next()
                    .unwrap_or("");
                let at = match top {
                    "" => format!("events.{name}"),
                    property => format!("events.{name}.payload.properties.{property}"),
                };
                notes.push((
                    at,
                    vec![format!(
                        "# Not carried over: `{keyword}` at {place} ({why})."
                    )],
                ));
            }
        }
        let mut payload = Map::new();
        if !properties.is_empty() {
            payload.insert("properties".into(), Value::Object(properties));
        }
        if let Some(additional) = additional {
            payload.insert("additional".into(), additional.into());
        }
        if !payload.is_empty() {
            decl.insert("payload".into(), Value::Object(payload));
        }
        let first = versions_of.first().and_then(|e| e.version.clone());
        if let Some(first) = first.filter(|v| versions.first() != Some(v)) {
            decl.insert("since".into(), first.into());
        }
        declared.insert(
            name.clone(),
            match decl.is_empty() {
                true => Value::Null,
                false => Value::Object(decl),
            },
        );
    }
    let mut file = Map::new();
    file.insert("name".into(), lifecycle.into());
    file.insert(
        "description".into(),
        format!(
            "Imported by `plotline import` from a {}: its events in any order.",
            kind.describe()
        )
        .into(),
    );
    file.insert("versions".into(), versions_list(&versions));
    file.insert("events".into(), Value::Object(declared));
    file.insert("states".into(), json!({ "active": { "may_end": true } }));
    // Any order: every event starts an interaction and may follow any other, each from the
    // version that has it.
    let mut by_since: Vec<(Option<String>, Vec<&String>)> = Vec::new();
    for name in &names {
        let first = (events.iter().find(|e| &e.event == name)).and_then(|e| e.version.clone());
        let since = first.filter(|v| versions.first() != Some(v));
        match by_since.iter_mut().find(|(s, _)| *s == since) {
            Some((_, list)) => list.push(name),
            None => by_since.push((since, vec![name])),
        }
    }
    let mut transitions = Vec::new();
    for (since, list) in by_since {
        for mut transition in [
            json!({ "from": "idle", "on": list, "to": "active" }),
            json!({ "from": "active", "on": list }),
        ] {
            if let (Some(since), Value::Object(map)) = (&since, &mut transition) {
                map.insert("since".into(), since.clone().into());
            }
            transitions.push(transition);
        }
    }
    file.insert("transitions".into(), Value::Array(transitions));
    // Each once, though several versions of an event lose the same.
    let mut seen = std::collections::HashSet::new();
    dropped.retain(|line| seen.insert(line.clone()));
    notes.retain(|note| seen.insert(format!("{note:?}")));
    let (yaml, written) = yaml_of(&Value::Object(file));
    let mut above: Vec<(usize, Vec<String>)> = Vec::new();
    for (path, note) in notes {
        let line = written.get(&path).map_or(1, |at| at.line);
        match above.iter_mut().find(|(l, _)| *l == line) {
            Some((_, lines)) => lines.extend(note),
            None => above.push((line, note)),
        }
    }
    let mut header = vec![
        "# yaml-language-server: $schema=lifecycle-file.schema.json".to_owned(),
        format!(
            "# Imported by `plotline import` from a {}: {} event{}{}.",
            kind.describe(),
            names.len(),
            if names.len() == 1 { "" } else { "s" },
            match dropped.len() {
                0 => String::new(),
                n => format!("; {n} keyword(s) not carried over (marked below)"),
            }
        ),
    ];
    if let Some((1, lines)) = above.iter().find(|(line, _)| *line == 1) {
        header.extend(lines.clone());
    }
    above.retain(|(line, _)| *line != 1);
    above.push((1, header));
    Imported {
        name: lifecycle.to_owned(),
        yaml: insert_above(&yaml, above),
        dropped,
        events: names.len(),
    }
}

/// The `versions` list of a file: the versions given, or one (a lifecycle has at least one).
pub fn versions_list(versions: &[String]) -> Value {
    match versions {
        [] => json!([{ "name": "1.0" }]),
        versions => versions.iter().map(|v| json!({ "name": v })).collect(),
    }
}

/// A lifecycle file's YAML (`key:` for a declaration with nothing to say, as people write
/// it) and where each of its paths stands, for comments above them.
pub fn yaml_of(file: &Value) -> (String, SourceMap) {
    let yaml = (serde_yaml::to_string(file).unwrap_or_default()).replace(": null\n", ":\n");
    let written = SourceMap::build(&yaml);
    (yaml, written)
}

/// The last declaration of a property (the property itself, or its last variant).
fn last_variant(spec: Option<&mut Value>) -> Option<&mut Map<String, Value>> {
    match spec? {
        Value::Array(variants) => variants.last_mut()?.as_object_mut(),
        Value::Object(map) => Some(map),
        _ => None,
    }
}

impl PlanKind {
    fn describe(self) -> &'static str {
        match self {
            PlanKind::JsonSchema => "set of JSON Schema files",
            PlanKind::Segment => "Segment tracking plan",
            PlanKind::Iglu => "set of Iglu schemas",
        }
    }
}

/// Keywords that only annotate (nothing to check, nothing lost).
const ANNOTATIONS: [&str; 13] = [
    "$supersedes",
    "$schema",
    "$id",
    "id",
    "title",
    "examples",
    "default",
    "$comment",
    "self",
    "readOnly",
    "deprecated",
    "description",
    "$defs",
];

/// A payload schema's properties as declarations, and `additional` when it says; what it
/// cannot carry goes to `lost` as `(path, keyword, why)`.
fn payload(
    schema: &Value,
    prefix: &str,
    lost: &mut Vec<(String, String, String)>,
) -> (Map<String, Value>, Option<bool>) {
    let Some(map) = schema.as_object() else {
        return (Map::new(), None);
    };
    let required: Vec<&str> = (map.get("required").and_then(Value::as_array))
        .map(|list| list.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut properties = Map::new();
    if let Some(declared) = map.get("properties").and_then(Value::as_object) {
        for (name, schema) in declared {
            let mut decl = property(schema, &format!("{prefix}.{name}"), lost);
            if required.contains(&name.as_str()) {
                decl.insert("required".into(), true.into());
            }
            properties.insert(name.clone(), Value::Object(decl));
        }
    }
    for keyword in map.keys() {
        let known = ["type", "properties", "required", "additionalProperties"];
        if !known.contains(&keyword.as_str()) && !ANNOTATIONS.contains(&keyword.as_str()) {
            lost.push((
                prefix.to_owned(),
                keyword.clone(),
                "Plotline has no such keyword".into(),
            ));
        }
    }
    (properties, additional(map, prefix, lost))
}

/// `additionalProperties` as `additional` (a schema for the others is lost).
fn additional(
    map: &Map<String, Value>,
    path: &str,
    lost: &mut Vec<(String, String, String)>,
) -> Option<bool> {
    match map.get("additionalProperties")? {
        Value::Bool(allowed) => Some(*allowed),
        _ => {
            lost.push((
                path.to_owned(),
                "additionalProperties".into(),
                "a schema for the other properties: they are allowed".into(),
            ));
            None
        }
    }
}

/// One property's declaration.
fn property(
    schema: &Value,
    path: &str,
    lost: &mut Vec<(String, String, String)>,
) -> Map<String, Value> {
    let mut decl = Map::new();
    let Some(map) = schema.as_object() else {
        if schema == &Value::Bool(false) {
            let why = "a property that must be absent (the schema `false`)";
            lost.push((path.to_owned(), "false".into(), why.into()));
        }
        decl.insert("type".into(), "any".into());
        return decl;
    };
    decl.insert("type".into(), type_of(map, path, lost).into());
    let mut lose =
        |keyword: &str, why: &str| lost.push((path.to_owned(), keyword.to_owned(), why.to_owned()));
    for (keyword, value) in map {
        match keyword.as_str() {
            "type" | "required" | "properties" | "additionalProperties" | "items" => {}
            "description" => {
                decl.insert(keyword.clone(), value.clone());
            }
            "enum" | "const" | "minimum" | "maximum" | "multipleOf" | "minLength" | "maxLength"
            | "pattern" | "minItems" | "maxItems" | "uniqueItems" => {
                decl.insert(keyword.clone(), value.clone());
            }
            "exclusiveMinimum" | "exclusiveMaximum" if value.is_number() => {
                decl.insert(keyword.clone(), value.clone());
            }
            "exclusiveMinimum" | "exclusiveMaximum" => lose(keyword, "draft-04's boolean form"),
            "format" => match value.as_str() {
                Some(format @ ("date-time" | "email" | "uri" | "uuid")) => {
                    decl.insert(keyword.clone(), format.into());
                }
                _ => lose(keyword, "a format Plotline does not check"),
            },
            other if ANNOTATIONS.contains(&other) => {}
            _ => lose(keyword, "Plotline has no such keyword"),
        }
    }
    if let Some(items) = map.get("items") {
        match items {
            Value::Object(_) => {
                decl.insert(
                    "items".into(),
                    Value::Object(property(items, &format!("{path}[]"), lost)),
                );
            }
            _ => lost.push((
                path.to_owned(),
                "items".into(),
                "a list of item schemas (a tuple)".into(),
            )),
        }
    }
    if let Some(declared) = map.get("properties").and_then(Value::as_object) {
        let object = json!({ "properties": declared, "required": map.get("required").cloned().unwrap_or(json!([])) });
        let (properties, _) = payload(&object, path, lost);
        decl.insert("properties".into(), Value::Object(properties));
    }
    if let Some(allowed) = additional(map, path, lost) {
        decl.insert("additional".into(), allowed.into());
    }
    decl
}

/// The declaration's type from `type` (a list: one type and `null`, or several).
fn type_of(
    map: &Map<String, Value>,
    path: &str,
    lost: &mut Vec<(String, String, String)>,
) -> &'static str {
    let names: Vec<&str> = match map.get("type") {
        Some(Value::String(one)) => vec![one.as_str()],
        Some(Value::Array(list)) => list.iter().filter_map(Value::as_str).collect(),
        _ if map.contains_key("properties") => vec!["object"],
        _ => return "any",
    };
    let without_null: Vec<&str> = names.iter().copied().filter(|n| *n != "null").collect();
    if without_null.len() < names.len() {
        lost.push((
            path.to_owned(),
            "type".into(),
            "`null` allowed: written as any type".into(),
        ));
        return "any";
    }
    match without_null.as_slice() {
        [one] => match *one {
            "string" => "string",
            "integer" => "integer",
            "number" => "number",
            "boolean" => "boolean",
            "object" => "object",
            "array" => "array",
            _ => "any",
        },
        [a, b]
            if [*a, *b].contains(&"string")
                && ([*a, *b].contains(&"integer") || [*a, *b].contains(&"number")) =>
        {
            "alphanumeric"
        }
        _ => {
            lost.push((
                path.to_owned(),
                "type".into(),
                "several types: written as any type".into(),
            ));
            "any"
        }
    }
}
