//! Payload values as rules read them: a JSON tree that borrows its strings from the event's
//! text, so reading a valid payload needs no `serde_json::Value` and few allocations.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Serialize, Serializer};
use serde_json::{Map, Number, Value};

use crate::short_eq;

/// A JSON value borrowing from the text it was read from.
#[derive(Debug, Clone, PartialEq)]
pub enum Doc<'a> {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A number.
    Number(Number),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Doc<'a>>),
    /// An object's members in text order (a repeated key: the last one counts).
    Object(Vec<(Cow<'a, str>, Doc<'a>)>),
}

impl<'a> Doc<'a> {
    /// The member `name` of an object.
    #[inline]
    pub fn get(&self, name: &str) -> Option<&Doc<'a>> {
        match self {
            Doc::Object(members) => members
                .iter()
                .rev()
                .find(|(key, _)| short_eq::same_str(key, name))
                .map(|(_, value)| value),
            _ => None,
        }
    }

    /// The value as a `serde_json::Value`.
    pub fn to_value(&self) -> Value {
        match self {
            Doc::Null => Value::Null,
            Doc::Bool(b) => Value::Bool(*b),
            Doc::Number(n) => Value::Number(n.clone()),
            Doc::Str(s) => Value::String(s.to_string()),
            Doc::Array(items) => Value::Array(items.iter().map(Doc::to_value).collect()),
            Doc::Object(members) => {
                let mut map = Map::new();
                for (key, value) in members {
                    map.insert(key.to_string(), value.to_value());
                }
                Value::Object(map)
            }
        }
    }
}

impl Doc<'_> {
    /// An owned copy, equal to `Doc::from(self.to_value())` (a repeated key keeps its first
    /// place and its last value) but made without building the `Value`.
    pub fn to_static(&self) -> Doc<'static> {
        match self {
            Doc::Null => Doc::Null,
            Doc::Bool(b) => Doc::Bool(*b),
            Doc::Number(n) => Doc::Number(n.clone()),
            Doc::Str(s) => Doc::Str(Cow::Owned(s.to_string())),
            Doc::Array(items) => Doc::Array(items.iter().map(Doc::to_static).collect()),
            // Repeated keys are looked for member by member: a large object takes the long way.
            Doc::Object(members) if members.len() > 32 => Doc::from(self.to_value()),
            Doc::Object(members) => {
                let mut owned: Vec<(Cow<'static, str>, Doc<'static>)> =
                    Vec::with_capacity(members.len());
                for (key, value) in members {
                    let value = value.to_static();
                    match owned.iter_mut().find(|(seen, _)| seen == key) {
                        Some((_, earlier)) => *earlier = value,
                        None => owned.push((Cow::Owned(key.to_string()), value)),
                    }
                }
                Doc::Object(owned)
            }
        }
    }
}

/// Written member by member, in text order, without building a `Value`: the same text as
/// [`Doc::to_value`] gives for any doc without a repeated key (every doc made by
/// [`Doc::to_static`] or from a `Value`; a repeated key read as written is written twice).
impl Serialize for Doc<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Doc::Null => serializer.serialize_unit(),
            Doc::Bool(b) => serializer.serialize_bool(*b),
            Doc::Number(n) => n.serialize(serializer),
            Doc::Str(s) => serializer.serialize_str(s),
            Doc::Array(items) => serializer.collect_seq(items),
            Doc::Object(members) => serializer.collect_map(members.iter().map(|(k, v)| (k, v))),
        }
    }
}

impl From<Value> for Doc<'static> {
    fn from(value: Value) -> Self {
        match value {
            Value::Null => Doc::Null,
            Value::Bool(b) => Doc::Bool(b),
            Value::Number(n) => Doc::Number(n),
            Value::String(s) => Doc::Str(Cow::Owned(s)),
            Value::Array(items) => Doc::Array(items.into_iter().map(Doc::from).collect()),
            Value::Object(map) => Doc::Object(
                map.into_iter()
                    .map(|(key, value)| (Cow::Owned(key), Doc::from(value)))
                    .collect(),
            ),
        }
    }
}

impl<'de> Deserialize<'de> for Doc<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(DocVisitor)
    }
}

struct DocVisitor;

impl<'de> Visitor<'de> for DocVisitor {
    type Value = Doc<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Doc<'de>, E> {
        Ok(Doc::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Doc<'de>, E> {
        Ok(Doc::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Doc<'de>, E> {
        Ok(Doc::Number(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Doc<'de>, E> {
        Ok(Doc::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Doc<'de>, E> {
        Ok(Number::from_f64(v).map_or(Doc::Null, Doc::Number))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Doc<'de>, E> {
        Ok(Doc::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Doc<'de>, E> {
        Ok(Doc::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Doc<'de>, E> {
        Ok(Doc::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Doc<'de>, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Doc::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Doc<'de>, A::Error> {
        let mut members = Vec::new();
        while let Some(key) = map.next_key_seed(KeySeed)? {
            members.push((key, map.next_value()?));
        }
        Ok(Doc::Object(members))
    }
}

/// An object key, borrowed from the text when it has no escapes.
pub struct KeySeed;

impl<'de> DeserializeSeed<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_serde_json_reads() {
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615], "b\n": "x\u00e9", "c": {"d": null},
                       "e": true, "a": "last"}"#;
        let doc: Doc = serde_json::from_str(text).expect("valid JSON");
        let value: Value = serde_json::from_str(text).expect("valid JSON");
        assert_eq!(doc.to_value(), value);
        assert_eq!(Doc::from(value.clone()).to_value(), value);
        assert_eq!(doc.to_static(), Doc::from(value.clone()));
        let many = (0..40)
            .map(|i| format!(r#""k{}": {i}"#, i % 30))
            .collect::<Vec<_>>();
        let many = format!("{{{}}}", many.join(","));
        // Past 32 members the copy goes through `Value`, with the same outcome.
        let many: Doc = serde_json::from_str(&many).expect("valid JSON");
        let Doc::Object(members) = many.to_static() else {
            panic!("an object");
        };
        assert_eq!(members.len(), 30);
        let first = (Cow::Borrowed("k0"), Doc::Number(30.into()));
        assert_eq!(members.first(), Some(&first));
        assert_eq!(doc.get("a"), Some(&Doc::Str("last".into())));
        assert!(matches!(doc.get("e"), Some(Doc::Bool(true))));
        let Some(Doc::Str(borrowed)) = doc.get("a") else {
            panic!("a string");
        };
        assert!(matches!(borrowed, Cow::Borrowed(_)));
    }

    #[test]
    fn writes_what_its_value_writes() {
        let text = r#"{"a": [1, -2, 3.5, 18446744073709551615], "b\n": "x\u00e9\"", "c": {"d": null},
                       "e": true, "f": [], "g": {}, "a": "last"}"#;
        let doc: Doc = serde_json::from_str(text).expect("valid JSON");
        let owned = doc.to_static();
        let written = serde_json::to_string(&owned).expect("written");
        assert_eq!(
            written,
            serde_json::to_string(&doc.to_value()).expect("written")
        );
        assert_eq!(
            serde_json::from_str::<Value>(&written).expect("JSON"),
            doc.to_value()
        );
    }
}
