//! What the payloads of one event looked like: each property's JSON types, how often it was
//! there, its values while they are few, and the string formats every value had; written as
//! the lifecycle file's property declarations.

use std::collections::BTreeMap;

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

/// A few distinct values that repeat make an enum: at most this many distinct values...
pub const ENUM_MOST_VALUES: usize = 10;
/// ...each seen this many times on average (so one-off values such as ids never do).
pub const ENUM_REPEATS: u64 = 3;

/// The string formats checked, in the order they are preferred when several fit every value.
const FORMATS: [&str; 4] = ["uuid", "date-time", "email", "uri"];

/// The checks of the formats `FORMATS` names, built once.
pub struct FormatChecks(Vec<jsonschema::Validator>);

impl Default for FormatChecks {
    /// The checks, as JSON Schema's `format` asserts them.
    fn default() -> FormatChecks {
        let checks = FORMATS.iter().filter_map(|format| {
            jsonschema::options()
                .should_validate_formats(true)
                .build(&json!({ "format": format }))
                .ok()
        });
        FormatChecks(checks.collect())
    }
}

impl FormatChecks {
    /// Which formats `text` has, one bit per format.
    fn of(&self, text: &str, among: u8) -> u8 {
        let value = Value::String(text.to_owned());
        (self.0.iter().enumerate())
            .filter(|(bit, check)| among & (1 << bit) != 0 && check.is_valid(&value))
            .fold(0, |formats, (bit, _)| formats | (1 << bit))
    }
}

/// The values seen in one place of the payloads.
#[derive(Debug, Clone, Default)]
pub struct Shape {
    /// Values seen here (for a property: occurrences of the property).
    pub count: u64,
    nulls: u64,
    bools: u64,
    ints: u64,
    floats: u64,
    strings: u64,
    arrays: u64,
    objects: u64,
    /// The formats every string had so far (one bit each).
    formats: u8,
    /// The distinct strings or integers and how often, until there are too many.
    values: Option<BTreeMap<String, (Value, u64)>>,
    /// The least and greatest number.
    bounds: Option<(f64, f64)>,
    /// Array elements, all together.
    items: Option<Box<Shape>>,
    /// Object properties, in the order first seen.
    properties: IndexMap<String, Shape>,
}

impl Shape {
    /// Counts one value.
    pub fn add(&mut self, value: &Value, formats: &FormatChecks) {
        if self.count == 0 {
            self.formats = u8::MAX;
            self.values = Some(BTreeMap::new());
        }
        self.count += 1;
        match value {
            Value::Null => self.nulls += 1,
            Value::Bool(_) => self.bools += 1,
            Value::Number(number) => {
                match number.is_i64() || number.is_u64() {
                    true => {
                        self.ints += 1;
                        self.remember(value);
                    }
                    false => self.floats += 1,
                }
                if let Some(x) = number.as_f64() {
                    let (low, high) = self.bounds.unwrap_or((x, x));
                    self.bounds = Some((low.min(x), high.max(x)));
                }
            }
            Value::String(text) => {
                self.strings += 1;
                if self.formats != 0 {
                    self.formats = formats.of(text, self.formats);
                }
                self.remember(value);
            }
            Value::Array(items) => {
                self.arrays += 1;
                let shape = self.items.get_or_insert_with(Box::default);
                for item in items {
                    shape.add(item, formats);
                }
            }
            Value::Object(map) => self.add_object(map, formats),
        }
    }

    /// Counts one object (a payload, or an object inside one).
    pub fn add_object(&mut self, map: &Map<String, Value>, formats: &FormatChecks) {
        if self.count == 0 {
            self.formats = u8::MAX;
        }
        self.objects += 1;
        for (name, value) in map {
            self.properties
                .entry(name.clone())
                .or_default()
                .add(value, formats);
        }
    }

    fn remember(&mut self, value: &Value) {
        let Some(values) = self.values.as_mut() else {
            return;
        };
        let key = value.to_string();
        if let Some((_, seen)) = values.get_mut(&key) {
            *seen += 1;
        } else if values.len() < ENUM_MOST_VALUES {
            values.insert(key, (value.clone(), 1));
        } else {
            self.values = None;
        }
    }

    /// How many objects were counted here.
    pub fn objects(&self) -> u64 {
        self.objects
    }

    /// The properties seen, by name.
    pub fn properties(&self) -> &IndexMap<String, Shape> {
        &self.properties
    }

    /// The declaration of the values seen here: its type and what else every value had.
    pub fn declaration(&self, bounds: bool) -> Map<String, Value> {
        let mut decl = Map::new();
        let kinds = [
            self.nulls,
            self.bools,
            self.ints,
            self.floats,
            self.strings,
            self.arrays,
            self.objects,
        ];
        let only = |wanted: &[usize]| {
            (kinds.iter().enumerate()).all(|(kind, &n)| n == 0 || wanted.contains(&kind))
        };
        let ty = match () {
            _ if self.count == 0 || self.nulls > 0 => "any",
            _ if only(&[1]) => "boolean",
            _ if only(&[2]) => "integer",
            _ if only(&[2, 3]) => "number",
            _ if only(&[4]) => "string",
            _ if only(&[2, 4]) => "alphanumeric",
            _ if only(&[5]) => "array",
            _ if only(&[6]) => "object",
            _ => "any",
        };
        decl.insert("type".into(), ty.into());
        let enumerable = matches!(ty, "string" | "integer");
        let values = self.values.as_ref().filter(|values| {
            enumerable && !values.is_empty() && self.count >= ENUM_REPEATS * values.len() as u64
        });
        if let Some(values) = values {
            let list = values.values().map(|(value, _)| value.clone()).collect();
            decl.insert("enum".into(), Value::Array(list));
        } else if ty == "string" {
            let format =
                (FORMATS.iter().enumerate()).find(|(bit, _)| self.formats & (1 << bit) != 0);
            if let Some((_, format)) = format {
                decl.insert("format".into(), (*format).into());
            }
        }
        if let (true, "integer" | "number", Some((low, high))) = (bounds, ty, self.bounds) {
            decl.insert("minimum".into(), number(low));
            decl.insert("maximum".into(), number(high));
        }
        match ty {
            "array" => {
                let items = match &self.items {
                    Some(items) if items.count > 0 => items.declaration(bounds),
                    _ => Map::from_iter([("type".to_owned(), Value::from("any"))]),
                };
                decl.insert("items".into(), Value::Object(items));
            }
            "object" if !self.properties.is_empty() => {
                decl.insert(
                    "properties".into(),
                    Value::Object(self.property_declarations(bounds, |_| None)),
                );
            }
            _ => {}
        }
        decl
    }

    /// The declarations of the properties seen in these objects, each `required` when every
    /// object had it; `extra` adds to one by name (its versions).
    pub fn property_declarations(
        &self,
        bounds: bool,
        extra: impl Fn(&str) -> Option<Map<String, Value>>,
    ) -> Map<String, Value> {
        (self.properties.iter())
            .map(|(name, shape)| {
                let mut decl = shape.declaration(bounds);
                if shape.count == self.objects {
                    decl.insert("required".into(), true.into());
                }
                decl.extend(extra(name).unwrap_or_default());
                (name.clone(), Value::Object(decl))
            })
            .collect()
    }
}

/// A bound as JSON: an integer when it is one.
fn number(x: f64) -> Value {
    match x.fract() == 0.0 && x.abs() < 9.0e15 {
        true => Value::from(x as i64),
        false => Value::from(x),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape_of(values: &[Value]) -> Shape {
        let formats = FormatChecks::default();
        let mut shape = Shape::default();
        for value in values {
            shape.add(value, &formats);
        }
        shape
    }

    #[test]
    fn types_widen_as_values_differ() {
        let decl = |values: &[Value]| shape_of(values).declaration(false)["type"].clone();
        assert_eq!(decl(&[json!(1), json!(2)]), "integer");
        assert_eq!(decl(&[json!(1), json!(2.5)]), "number");
        assert_eq!(decl(&[json!("a"), json!(2)]), "alphanumeric");
        assert_eq!(decl(&[json!("a"), json!(null)]), "any");
        assert_eq!(decl(&[json!(true), json!([])]), "any");
    }

    #[test]
    fn a_few_repeated_values_make_an_enum_and_one_offs_do_not() {
        let repeated: Vec<Value> = (0..9).map(|i| json!(["a", "b", "c"][i % 3])).collect();
        let decl = shape_of(&repeated).declaration(false);
        assert_eq!(decl["enum"], json!(["a", "b", "c"]));
        let ids: Vec<Value> = (0..30).map(|i| json!(format!("id-{i}"))).collect();
        assert!(!shape_of(&ids).declaration(false).contains_key("enum"));
    }

    #[test]
    fn a_format_every_value_has_is_kept() {
        let ids = [
            json!("4f6f7d2e-8c1b-4a53-9f60-0c2d3e4f5a6b"),
            json!("0e3c1a2b-5d6e-4f70-8192-a3b4c5d6e7f8"),
        ];
        assert_eq!(shape_of(&ids).declaration(false)["format"], "uuid");
        let mixed = [ids[0].clone(), json!("not a uuid")];
        assert!(!shape_of(&mixed).declaration(false).contains_key("format"));
    }
}
