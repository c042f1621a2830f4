//! Personal values (`pii: true` fields) masked in a metadata block the interpreter wrote,
//! without building the block: its entries are read as they were written, and only the
//! personal ones are looked at.

use std::fmt;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, Serializer};
use serde_json::value::RawValue;
use serde_json::Value;

use crate::compile::catalog::Field;

/// `block` with the value of each personal field of `fields` that is set (neither its
/// default nor `null`) replaced by `masked`; `None` when nothing was masked (or the block is
/// no JSON object).
pub fn masked(block: &RawValue, fields: &[Field], masked: &str) -> Option<Box<RawValue>> {
    let Entries(entries) = serde_json::from_str(block.get()).ok()?;
    let hidden: Vec<bool> = (entries.iter())
        .map(|(name, value)| {
            fields.iter().any(|field| {
                field.pii && field.name == *name && {
                    let value = serde_json::from_str::<Value>(value.get()).unwrap_or_default();
                    value != field.default && !value.is_null()
                }
            })
        })
        .collect();
    if !hidden.contains(&true) {
        return None;
    }
    let block = Masked {
        entries: &entries,
        hidden: &hidden,
        masked,
    };
    // Written by serde_json from values it read: JSON, with no need to check it again.
    serde_json::value::to_raw_value(&block).ok()
}

/// A block's entries in order, each value as it was written.
struct Entries<'a>(Vec<(String, &'a RawValue)>);

impl<'de> Deserialize<'de> for Entries<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Reading;
        impl<'de> Visitor<'de> for Reading {
            type Value = Entries<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a metadata block (a JSON object)")
            }
            fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Entries<'de>, M::Error> {
                let mut entries = Vec::with_capacity(map.size_hint().unwrap_or(8));
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(Entries(entries))
            }
        }
        deserializer.deserialize_map(Reading)
    }
}

/// The entries written again, the hidden ones' values replaced.
struct Masked<'a> {
    entries: &'a [(String, &'a RawValue)],
    hidden: &'a [bool],
    masked: &'a str,
}

impl Serialize for Masked<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for ((name, value), hidden) in self.entries.iter().zip(self.hidden) {
            match hidden {
                true => map.serialize_entry(name, self.masked)?,
                false => map.serialize_entry(name, value)?,
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::value::RawValue;
    use serde_json::{json, Value};

    use super::masked;
    use crate::compile::catalog::Field;
    use crate::config::model::FieldType;

    fn field(name: &str, default: Value, pii: bool) -> Field {
        Field {
            name: name.to_owned(),
            ty: FieldType::String,
            written_key: format!("\"{name}\":"),
            default,
            description: None,
            internal: false,
            pii,
        }
    }

    fn block(text: &str) -> Box<RawValue> {
        RawValue::from_string(text.to_owned()).expect("JSON")
    }

    #[test]
    fn only_set_personal_values_are_hidden_and_the_rest_keeps_its_text_and_order() {
        let fields = [
            field("contact", json!(false), true),
            field("phone", json!(null), true),
            field("count", json!(false), false),
        ];
        let shown = block(r#"{"count":1.50,"contact":{"name":"Ada"},"phone":"+1 555"}"#);
        let hidden = masked(&shown, &fields, "(hidden)").expect("masked");
        assert_eq!(
            hidden.get(),
            r#"{"count":1.50,"contact":"(hidden)","phone":"(hidden)"}"#
        );
        // At their defaults, or `null`, they say nothing personal: nothing to mask.
        let unset = block(r#"{"count":1,"contact":false,"phone":null}"#);
        assert!(masked(&unset, &fields, "(hidden)").is_none());
        // No personal field set at all, or no object: left as it is.
        assert!(masked(&block(r#"{"count":2}"#), &fields, "(hidden)").is_none());
        assert!(masked(&block("[1]"), &fields, "(hidden)").is_none());
    }
}
