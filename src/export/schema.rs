//! JSON Schema (draft 2020-12) of a lifecycle version's event records.

use serde_json::{json, Map, Value};

use crate::compile::{Lifecycle, Version};
use crate::config::model::FieldType;

/// The schema of the event records of `version` of `lifecycle`.
pub fn record_schema(lifecycle: &Lifecycle, version: &Version) -> Value {
    let mut defs = Map::new();
    let mut branches = Vec::new();
    for event in &version.events {
        let mut properties = Map::new();
        let mut branch_required = Vec::new();
        properties.insert("event".into(), json!({"const": event.name}));
        if let Some(payload) = &event.payload {
            let name = format!("{}_data", event.name);
            let mut schema = payload.schema.clone();
            without_union_types(&mut schema);
            if let (Some(description), Value::Object(map)) = (&event.description, &mut schema) {
                map.entry("description")
                    .or_insert_with(|| json!(description));
            }
            // A payload with required properties needs a payload.
            let required = schema
                .get("required")
                .and_then(Value::as_array)
                .is_some_and(|names| !names.is_empty());
            defs.insert(name.clone(), schema);
            properties.insert("data".into(), json!({"$ref": format!("#/$defs/{name}")}));
            if required {
                branch_required.push("data");
            }
        }
        let mut branch = json!({"properties": properties});
        if !branch_required.is_empty() {
            branch["required"] = json!(branch_required);
        }
        if let (Some(description), Value::Object(map)) = (&event.description, &mut branch) {
            map.insert("description".into(), json!(description));
        }
        branches.push(branch);
    }
    defs.insert("metadata".into(), metadata_schema(version));
    let events: Vec<&str> = version.events.iter().map(|e| e.name.as_str()).collect();
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": format!("urn:plotline:{}:{}", lifecycle.name, version.name),
        "title": format!("{} {} event record", lifecycle.title.as_deref().unwrap_or(&lifecycle.name), version.name),
        "description": lifecycle.description,
        "type": "object",
        "required": ["lifecycle", "interaction", "event", "ts"],
        "properties": {
            "lifecycle": {"const": lifecycle.name},
            "interaction": {"type": "string", "description": "Groups the events of one interaction."},
            "event": {"enum": events},
            "ts": {"type": "integer", "description": "Milliseconds since the Unix epoch."},
            "version": {"type": "string", "description": "Widget version."},
            "data": {"type": "object"},
            "metadata": {"$ref": "#/$defs/metadata"}
        },
        "oneOf": branches,
        "$defs": defs
    })
}

/// Rewrites `"type": [A, B]` as `"anyOf": [{"type": A}, {"type": B}]`, the form strict
/// validators (ajv's strict mode) accept. A node whose values are listed (`enum`, or `anyOf`
/// of `const`s, each already of one of the types) just drops the union.
fn without_union_types(schema: &mut Value) {
    match schema {
        Value::Object(map) => {
            if let Some(Value::Array(types)) = map.get("type") {
                let options: Vec<Value> = types.iter().map(|ty| json!({"type": ty})).collect();
                map.remove("type");
                if !map.contains_key("enum") && !map.contains_key("anyOf") {
                    map.insert("anyOf".into(), Value::Array(options));
                }
            }
            map.iter_mut()
                .filter(|(keyword, _)| !matches!(keyword.as_str(), "enum" | "const"))
                .for_each(|(_, inner)| without_union_types(inner));
        }
        Value::Array(items) => items.iter_mut().for_each(without_union_types),
        _ => {}
    }
}

/// The metadata block: each field of its type, or `false` until set.
fn metadata_schema(version: &Version) -> Value {
    let mut properties = Map::new();
    for field in version.reported_fields() {
        let set = match field.ty {
            FieldType::Boolean => json!({"type": "boolean"}),
            FieldType::Integer | FieldType::Timestamp | FieldType::Duration => {
                json!({"type": "integer"})
            }
            FieldType::Number => json!({"type": "number"}),
            FieldType::String => json!({"type": "string"}),
            FieldType::Array => json!({"type": "array"}),
            FieldType::Object => json!({"type": "object"}),
        };
        let mut schema = if field.ty == FieldType::Boolean {
            set
        } else {
            json!({"anyOf": [set, {"const": field.default}]})
        };
        if let (Some(description), Value::Object(map)) = (&field.description, &mut schema) {
            map.insert("description".into(), json!(description));
        }
        if let (true, Value::Object(map)) = (field.pii, &mut schema) {
            map.insert("writeOnly".into(), json!(true));
        }
        properties.insert(field.name.clone(), schema);
    }
    let names: Vec<&str> = version.reported_fields().map(|f| f.name.as_str()).collect();
    json!({
        "type": "object",
        "description": "The metadata block every event carries; every value is false until the interaction sets it.",
        "properties": properties,
        "required": names,
        "additionalProperties": false
    })
}
