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

/// Where a plan comes from (`import --from`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum PlanKind {
    /// JSON Schema files (draft 2020-12, 2019-09, 07, 06, 04), one event's payload each, named
    /// after the file.
    #[cfg_attr(feature = "cli", value(name = "jsonschema"))]
    JsonSchema,
    /// A Segment Protocols tracking plan, as its JSON export (`events`, or `rules.events`).
    Segment,
    /// Snowplow Iglu self-describing schemas (`self`: vendor, name, format, version; a
    /// directory is read through, as Iglu Central lays them out): one lifecycle per vendor,
    /// SchemaVers as versions.
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
    let key = |version: Option<&str>| VersionKey::parse(version.unwrap_or(""));
    let mut versions: Vec<String> = events.iter().filter_map(|e| e.version.clone()).collect();
    versions.sort_by_key(|a| key(Some(a)));
    versions.dedup();
    events.sort_by(|a, b| {
        (a.event.cmp(&b.event))
            .then_with(|| key(a.version.as_deref()).cmp(&key(b.version.as_deref())))
    });
    let mut dropped = Vec::new();
    let mut notes: Vec<(String, Vec<String>)> = Vec::new();
    let mut declared = Map::new();
    // Each event from its first version (`None`: the plan's first), in name order.
    let mut since: Vec<(&str, Option<String>)> = Vec::new();
    for one in events.chunk_by(|a, b| a.event == b.event) {
        let name = one[0].event.as_str();
        let first = (one[0].version.clone()).filter(|v| versions.first() != Some(v));
        let decl = declare(name, one, first.clone(), &mut dropped, &mut notes);
        declared.insert(name.to_owned(), decl);
        since.push((name, first));
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
    file.insert("transitions".into(), any_order(&since));
    // Each once, though several versions of an event lose the same.
    let mut seen = std::collections::HashSet::new();
    dropped.retain(|line| seen.insert(line.clone()));
    let mut seen = std::collections::HashSet::new();
    notes.retain(|note| seen.insert(note.clone()));
    let header = format!(
        "# Imported by `plotline import` from a {}: {} event{}{}.",
        kind.describe(),
        since.len(),
        if since.len() == 1 { "" } else { "s" },
        match dropped.len() {
            0 => String::new(),
            n => format!("; {n} keyword(s) not carried over (marked below)"),
        }
    );
    Imported {
        name: lifecycle.to_owned(),
        yaml: commented(&Value::Object(file), header, notes),
        dropped,
        events: since.len(),
    }
}

/// One event's declaration from its schemas (one per version, oldest first), from version
/// `since` on; what could not be carried over goes to `dropped` and, as comments to put
/// above their path, to `notes`.
fn declare(
    name: &str,
    schemas: &[EventSchema],
    since: Option<String>,
    dropped: &mut Vec<String>,
    notes: &mut Vec<(String, Vec<String>)>,
) -> Value {
    let mut decl = Map::new();
    let mut properties = Map::new();
    let mut additional = None;
    for (index, schema) in schemas.iter().enumerate() {
        let mut lost = Vec::new();
        let (payload, open) = payload(&schema.schema, "", &mut lost);
        if index == 0 {
            if let Some(description) = schema.schema.get("description").and_then(Value::as_str) {
                decl.insert("description".into(), description.into());
            }
            additional = open;
        }
        // Each property from the version that has it on, until the next version of the
        // event that lacks it or says it otherwise.
        let from = schema.version.clone().filter(|_| index > 0);
        let until = (schemas.get(index + 1)).and_then(|next| next.version.clone());
        for (property, spec) in payload {
            add_variant(
                &mut properties,
                property,
                spec,
                from.as_deref(),
                until.as_deref(),
            );
        }
        for (path, keyword, why) in lost {
            let place = format!("{name}{path}");
            dropped.push(format!("{place}: `{keyword}` {why}"));
            // Above the payload's property it is in (or the event).
            let top = (path.trim_start_matches('.').split(['.', '[']).next()).unwrap_or("");
            let at = match top {
                "" => format!("events.{name}"),
                property => format!("events.{name}.payload.properties.{property}"),
            };
            let note = format!("# Not carried over: `{keyword}` at {place} ({why}).");
            notes.push((at, vec![note]));
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
    if let Some(since) = since {
        decl.insert("since".into(), since.into());
    }
    match decl.is_empty() {
        true => Value::Null,
        false => Value::Object(decl),
    }
}

/// Adds a version's declaration of `property` (valid `from` a version `until` another): the
/// earlier variant goes on when it says the same, a new variant stands beside it otherwise.
fn add_variant(
    properties: &mut Map<String, Value>,
    property: String,
    mut spec: Value,
    from: Option<&str>,
    until: Option<&str>,
) {
    let last = properties.get_mut(&property).and_then(|known| match known {
        Value::Array(variants) => variants.last_mut(),
        one => Some(one),
    });
    if let Some(last) = last {
        let mut without = last.clone();
        strip_range(&mut without);
        if without == spec {
            if let Value::Object(last) = last {
                last.remove("until");
                if let Some(until) = until {
                    last.insert("until".into(), until.into());
                }
            }
            return;
        }
    }
    if let Value::Object(map) = &mut spec {
        if let Some(from) = from {
            map.insert("since".into(), from.into());
        }
        if let Some(until) = until {
            map.insert("until".into(), until.into());
        }
    }
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

/// A declaration without the versions it holds for (`since`, `until`).
pub fn strip_range(decl: &mut Value) {
    if let Value::Object(map) = decl {
        map.remove("since");
        map.remove("until");
    }
}

/// Transitions that let the events come in any order: every event starts an interaction
/// and may follow any other, each from the version that has it.
fn any_order(since: &[(&str, Option<String>)]) -> Value {
    let mut by_since: Vec<(&Option<String>, Vec<&str>)> = Vec::new();
    for (name, first) in since {
        match by_since.iter_mut().find(|(s, _)| *s == first) {
            Some((_, list)) => list.push(name),
            None => by_since.push((first, vec![name])),
        }
    }
    let mut transitions = Vec::new();
    for (since, list) in by_since {
        for mut transition in [
            json!({ "from": "idle", "on": list, "to": "active" }),
            json!({ "from": "active", "on": list }),
        ] {
            if let (Some(since), Value::Object(map)) = (since, &mut transition) {
                map.insert("since".into(), since.clone().into());
            }
            transitions.push(transition);
        }
    }
    Value::Array(transitions)
}

/// The file as YAML under the schema line and `header`, each of `notes` above the line of
/// its path (the file's first line when the path is not written).
fn commented(file: &Value, header: String, notes: Vec<(String, Vec<String>)>) -> String {
    let (yaml, written) = yaml_of(file);
    let mut above: Vec<(usize, Vec<String>)> = Vec::new();
    for (path, note) in notes {
        let line = written.get(&path).map_or(1, |at| at.line);
        match above.iter_mut().find(|(l, _)| *l == line) {
            Some((_, lines)) => lines.extend(note),
            None => above.push((line, note)),
        }
    }
    let mut top = vec![
        "# yaml-language-server: $schema=lifecycle-file.schema.json".to_owned(),
        header,
    ];
    if let Some(index) = above.iter().position(|(line, _)| *line == 1) {
        top.extend(above.remove(index).1);
    }
    above.push((1, top));
    insert_above(&yaml, above)
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
