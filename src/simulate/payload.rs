//! Payloads for simulated events: a documented example of the event (from the lifecycle's
//! valid scenarios) with the values no rule reads varied, or, when there is none, a value
//! made from the event's JSON Schema.

use rand::rngs::SmallRng;
use rand::seq::IndexedRandom;
use rand::Rng;
use serde_json::{Map, Value};

use crate::compile::catalog::Payload;
use crate::compile::fast_check::DataReads;

/// Candidates tried for a payload the event's validator accepts.
const ATTEMPTS: usize = 12;

/// A payload the event's schema accepts (as far as a few tries find one), from its documented
/// `examples` and schema, for rules that read `reads`.
pub fn payload(
    rng: &mut SmallRng,
    compiled: &Payload,
    examples: &[Value],
    reads: &DataReads,
) -> Value {
    let mut candidate = Value::Null;
    for _ in 0..ATTEMPTS {
        candidate = attempt(rng, &compiled.schema, examples, reads);
        if compiled.validator.is_valid(&candidate) {
            return candidate;
        }
    }
    // A documented example as it was written, if there is one.
    examples.first().cloned().unwrap_or(candidate)
}

fn attempt(rng: &mut SmallRng, schema: &Value, examples: &[Value], reads: &DataReads) -> Value {
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
    if let Some(value) = schema.get("const") {
        return value.clone();
    }
    let constants = constants(schema);
    if let Some(value) = constants.choose(rng) {
        return value.clone();
    }
    let number = |name: &str| schema.get(name).and_then(Value::as_f64);
    let count = |name: &str| schema.get(name).and_then(Value::as_u64);
    let ty = match schema.get("type") {
        Some(Value::String(ty)) => ty.as_str(),
        Some(Value::Array(types)) => types.first().and_then(Value::as_str).unwrap_or("string"),
        _ => "string",
    };
    match ty {
        "integer" | "number" => {
            let low = number("minimum")
                .or(number("exclusiveMinimum").map(|x| x.floor() + 1.0))
                .unwrap_or(1.0);
            let high = number("maximum")
                .or(number("exclusiveMaximum").map(|x| x.ceil() - 1.0))
                .unwrap_or(low.max(0.0) + 1.0e9);
            let (low, high) = (
                low.ceil() as i64,
                (high.floor() as i64).max(low.ceil() as i64),
            );
            let mut n = rng.random_range(low..=high);
            if let Some(step) = count("multipleOf").filter(|m| *m > 0) {
                let step = i64::try_from(step).unwrap_or(1);
                n = (n / step) * step;
                if n < low {
                    n += step;
                }
            }
            if ty == "number" && schema.get("multipleOf").is_none() && n < high {
                Value::from(n as f64 + f64::from(rng.random_range(1..100_u32)) / 100.0)
            } else {
                Value::from(n)
            }
        }
        "boolean" => Value::Bool(rng.random()),
        "null" => Value::Null,
        "array" if depth < 4 => {
            let items = schema.get("items").cloned().unwrap_or(Value::Null);
            let least = count("minItems").unwrap_or(1).min(8);
            let most = count("maxItems")
                .unwrap_or(least.max(2))
                .clamp(least, least + 2);
            let count = rng.random_range(least..=most);
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
            let text = match schema.get("format").and_then(Value::as_str) {
                Some("email") => format!("visitor{n}@example.com"),
                Some("uri") => format!("https://example.com/page/{n}"),
                Some("uuid") => format!(
                    "{:08x}-{:04x}-4{:03x}-8{:03x}-{:012x}",
                    rng.random::<u32>(),
                    n & 0xffff,
                    n & 0xfff,
                    (n >> 4) & 0xfff,
                    rng.random::<u64>() & 0xffff_ffff_ffff
                ),
                Some("date-time") => {
                    format!("2026-11-{:02}T{:02}:{:02}:00Z", 1 + n % 28, n % 24, n % 60)
                }
                _ => format!("v{n}"),
            };
            let least = count("minLength").unwrap_or(0) as usize;
            let most = count("maxLength").map_or(usize::MAX, |m| m as usize);
            let mut text = text;
            while text.chars().count() < least {
                text.push('x');
            }
            text.chars().take(most).collect::<String>().into()
        }
    }
}
