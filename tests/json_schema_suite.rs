//! Payload keywords held to the official JSON-Schema-Test-Suite (draft 2020-12, and its
//! `optional/format` files for `format`).
//!
//! Each suite group whose schema a payload property can declare becomes a lifecycle whose three
//! events carry that property, `v`; each test datum becomes a record `{"v": datum}` of each
//! event. The three events take the three paths a payload can take: the compiled fast check
//! keeping nothing (no rule reads the payload), the fast check keeping what a rule reads
//! (`data.v`), and the `jsonschema` validator alone (a rule reads the whole payload). On each,
//! the record must be valid exactly when the suite says so.
//!
//! The suite comes with python-jsonschema's source distribution, which
//! `tests/clients/setup.sh` unpacks into `tests/clients/.suite`.

mod common;

use plotline::compile::{compile, Catalog};
use plotline::config::load;
use plotline::diagnostic::SourceText;
use plotline::engine::{Interpreter, Limits, Place, ViolationKind};
use serde_json::{json, Map, Value};

/// The keyword files, and the format files of the formats Plotline declares.
const FILES: [&str; 22] = [
    "type.json",
    "enum.json",
    "const.json",
    "minimum.json",
    "maximum.json",
    "exclusiveMinimum.json",
    "exclusiveMaximum.json",
    "multipleOf.json",
    "minLength.json",
    "maxLength.json",
    "pattern.json",
    "minItems.json",
    "maxItems.json",
    "uniqueItems.json",
    "required.json",
    "properties.json",
    "additionalProperties.json",
    "items.json",
    "optional/format/date-time.json",
    "optional/format/email.json",
    "optional/format/uri.json",
    "optional/format/uuid.json",
];

/// The events of each group's lifecycle: no rule, a rule reading `data.v`, one reading `data`.
const PATHS: [(&str, &str); 3] = [
    ("n", "fast check keeping nothing"),
    ("r", "fast check keeping what rules read"),
    ("j", "jsonschema validator"),
];

/// The property declaration a top-level suite schema is, and the JSON kind its data must
/// have to be judged: a schema with `properties`, `required` or `additionalProperties` but no
/// `type` applies them to objects only (anything else is valid), which a property declares as
/// `type: object`; so only the suite's objects are its records (likewise `items`, arrays).
fn top_declaration(schema: &Value) -> Option<(Value, Option<&'static str>)> {
    let map = schema.as_object()?;
    if map.contains_key("type") {
        return declaration(schema).map(|decl| (decl, None));
    }
    let implied = if ["properties", "required", "additionalProperties"]
        .iter()
        .any(|k| map.contains_key(*k))
    {
        "object"
    } else if map.contains_key("items") {
        "array"
    } else {
        return declaration(schema).map(|decl| (decl, None));
    };
    let mut typed = map.clone();
    typed.insert("type".into(), Value::String(implied.into()));
    declaration(&Value::Object(typed)).map(|decl| (decl, Some(implied)))
}

/// Whether `data` is of the JSON kind `kind`.
fn is_kind(data: &Value, kind: &str) -> bool {
    match kind {
        "object" => data.is_object(),
        _ => data.is_array(),
    }
}

/// The property declaration (as JSON, which is YAML) a suite schema is, if a property can
/// declare it exactly.
fn declaration(schema: &Value) -> Option<Value> {
    let map = schema.as_object()?;
    let mut decl = Map::new();
    let mut ty = "any";
    for (keyword, value) in map {
        match keyword.as_str() {
            "$schema" | "description" | "required" | "properties" | "items" => {}
            "type" => {
                ty = match value {
                    Value::String(name) => match name.as_str() {
                        "string" | "integer" | "number" | "boolean" | "object" | "array" => name,
                        _ => return None,
                    },
                    _ => return None,
                }
            }
            "enum" => {
                // Labelled, so that an object value is never read as `{value, label}`.
                let values = value.as_array()?.iter().map(|v| json!({"value": v}));
                decl.insert("enum".into(), Value::Array(values.collect()));
            }
            "additionalProperties" if *value == Value::Bool(false) => {
                decl.insert("additional".into(), Value::Bool(false));
            }
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf"
            | "minLength" | "maxLength" | "pattern" | "format" | "minItems" | "maxItems"
            | "uniqueItems" | "const" => {
                decl.insert(keyword.clone(), value.clone());
            }
            _ => return None,
        }
    }
    // `items` and `properties` are declared on arrays and objects only, which a schema
    // without that `type` does not say.
    if let Some(items) = map.get("items") {
        if ty != "array" {
            return None;
        }
        decl.insert("items".into(), declaration(items)?);
    }
    let required: Vec<&str> = match map.get("required") {
        Some(names) => names
            .as_array()?
            .iter()
            .map(Value::as_str)
            .collect::<Option<_>>()?,
        None => Vec::new(),
    };
    if map.contains_key("properties") || !required.is_empty() || decl.contains_key("additional") {
        if ty != "object" {
            return None;
        }
        let mut properties = Map::new();
        for (name, inner) in map
            .get("properties")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            let mut inner = declaration(inner)?;
            if required.contains(&name.as_str()) {
                inner
                    .as_object_mut()?
                    .insert("required".into(), Value::Bool(true));
            }
            properties.insert(name.clone(), inner);
        }
        // A required name without a schema is a property of any type that must be there.
        for name in &required {
            if !properties.contains_key(*name) {
                properties.insert((*name).to_owned(), json!({"type": "any", "required": true}));
            }
        }
        decl.insert("properties".into(), Value::Object(properties));
    }
    decl.insert("type".into(), Value::String(ty.into()));
    Some(Value::Object(decl))
}

/// The lifecycle of one group, compiled; `None` when Plotline refuses the declaration.
fn lifecycle(decl: &Value) -> Option<Catalog> {
    let payload = json!({"properties": {"v": decl}});
    let file = json!({
        "name": "suite",
        "description": "One suite group.",
        "versions": [{"name": "1.0"}],
        "events": {
            "n": {"payload": payload},
            "r": {"payload": payload},
            "j": {"payload": payload},
        },
        "states": {"done": {"final": true}},
        "transitions": [{"from": "idle", "on": ["n", "r", "j"], "to": "done"}],
        "metadata": {"seen": {"type": "boolean"}},
        "rules": [
            {"on": "r", "set": {"seen": "exists(data.v)"}},
            {"on": "j", "set": {"seen": "exists(data)"}},
        ],
    });
    let source = SourceText {
        name: "suite.yaml".into(),
        text: file.to_string(),
    };
    let loaded = load::parse(source).ok()?;
    compile(std::slice::from_ref(&loaded)).0
}

/// Whether Plotline finds the record of `event` with payload `{"v": data}` valid.
fn valid(catalog: &Catalog, event: &str, data: &Value) -> bool {
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    let line = json!({"lifecycle": "suite", "interaction": "i", "event": event, "ts": 1, "data": {"v": data}});
    let place = Place {
        file_index: 0,
        file: "suite",
        line: 1,
    };
    let mut invalid = false;
    interpreter.line(place, line.to_string().as_bytes(), false, &mut |v| {
        invalid |= v.kind == ViolationKind::InvalidPayload;
    });
    !invalid
}

#[test]
fn payload_keywords_agree_with_the_official_suite() {
    let Some(dir) = common::json_schema_suite() else {
        return;
    };
    let mut disagreements = Vec::new();
    let mut covered = Vec::new();
    let mut refused = Vec::new();
    let mut records = 0usize;
    let mut skipped = 0usize;
    for name in FILES {
        let text = std::fs::read_to_string(dir.join(name)).expect("suite file");
        let groups: Vec<Value> = serde_json::from_str(&text).expect("suite JSON");
        let mut declared = 0usize;
        for group in &groups {
            let description = group["description"].as_str().unwrap_or("?");
            let declared_as = top_declaration(&group["schema"]);
            let Some((catalog, kind)) =
                declared_as.and_then(|(decl, kind)| Some((lifecycle(&decl)?, kind)))
            else {
                refused.push(format!("{name}: {description}"));
                continue;
            };
            declared += 1;
            for test in group["tests"].as_array().into_iter().flatten() {
                let expected = test["valid"].as_bool().expect("valid");
                if kind.is_some_and(|kind| !is_kind(&test["data"], kind)) {
                    skipped += 1;
                    continue;
                }
                for (event, path) in PATHS {
                    records += 1;
                    if valid(&catalog, event, &test["data"]) != expected {
                        disagreements.push(format!(
                            "{name} / {description} / {} ({path}): the suite says {}",
                            test["description"].as_str().unwrap_or("?"),
                            if expected { "valid" } else { "invalid" }
                        ));
                    }
                }
            }
        }
        covered.push((name, declared, groups.len()));
    }
    eprintln!(
        "suite: {records} records ({skipped} data of another kind than the implied type left out); groups declared per file: {covered:?}; not declarable: {}",
        refused.len()
    );
    for group in &refused {
        eprintln!("  not declarable: {group}");
    }
    // Every keyword is held to at least one of its groups.
    for (name, declared, _) in &covered {
        assert!(*declared > 0, "no group of {name} could be declared");
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
