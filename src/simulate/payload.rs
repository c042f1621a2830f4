//! Payloads for simulated events: a documented example of the event (from the lifecycle's
//! valid scenarios) with the values no rule reads varied, or, when there is none, a value
//! made from the event's JSON Schema.

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{Map, Value};

use crate::compile::fast_check::DataReads;

/// A payload for an event with schema `schema`, documented `examples` and rules that read
/// `reads`.
pub fn payload(rng: &mut SmallRng, schema: &Value, examples: &[Value], reads: &DataReads) -> Value {
    let Some(example) = examples.choose(rng) else {
        return from_schema(rng, schema, 0);
    };
    let mut value = example.clone();
    let (Value::Object(map), Some(properties)) = (&mut value, schema.get("properties")) else {
        return value;
    };
    for (name, property) in properties.as_object().into_iter().flatten() {
        let read = match reads {
            DataReads::Nothing => false,
            DataReads::Fields(names) => names.contains(name),
            DataReads::Everything => true,
        };
        if !read && map.contains_key(name) && is_scalar(property) {
            map.insert(name.clone(), from_schema(rng, property, 1));
        }
    }
    value
}

fn is_scalar(schema: &Value) -> bool {
    !matches!(
        schema.get("type").and_then(Value::as_str),
        Some("object" | "array")
    )
}

/// The values a schema allows by `enum` or `anyOf` of `const`s.
fn constants(schema: &Value) -> Vec<Value> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return values.clone();
    }
    match schema.get("anyOf") {
        Some(Value::Array(options)) => options
            .iter()
            .filter_map(|option| option.get("const").cloned())
            .collect(),
        _ => Vec::new(),
    }
}

/// A value valid for the (Plotline-written) schema `schema`.
pub fn from_schema(rng: &mut SmallRng, schema: &Value, depth: usize) -> Value {
    let constants = constants(schema);
    if let Some(value) = constants.choose(rng) {
        return value.clone();
    }
    let ty = match schema.get("type") {
        Some(Value::String(ty)) => ty.as_str(),
        Some(Value::Array(types)) => types.first().and_then(Value::as_str).unwrap_or("string"),
        _ => "string",
    };
    match ty {
        "integer" => Value::from(rng.random_range(1..1_000_000_000_i64)),
        "number" => Value::from(f64::from(rng.random_range(0..100_000_u32)) / 100.0),
        "boolean" => Value::Bool(rng.random()),
        "null" => Value::Null,
        "array" if depth < 4 => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let count = rng.random_range(1..3);
            Value::Array(
                (0..count)
                    .map(|_| from_schema(rng, &items, depth + 1))
                    .collect(),
            )
        }
        "object" if depth < 4 => {
            let required: Vec<&str> = schema
                .get("required")
                .and_then(Value::as_array)
                .map(|names| names.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let mut map = Map::new();
            for (name, property) in schema
                .get("properties")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                if required.contains(&name.as_str()) || rng.random_bool(0.5) {
                    map.insert(name.clone(), from_schema(rng, property, depth + 1));
                }
            }
            Value::Object(map)
        }
        "array" => Value::Array(Vec::new()),
        "object" => Value::Object(Map::new()),
        _ => {
            let n: u32 = rng.random_range(0..1_000_000);
            Value::String(format!("v{n}"))
        }
    }
}
