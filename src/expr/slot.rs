//! Metadata slot values: what a rule set on a field, kept small because every open
//! interaction holds one per field.

use serde_json::Value;

use super::doc::Doc;
use super::eval::Val;

/// The value of one metadata field of one interaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Slot {
    /// Not set yet: the block shows the field's default.
    #[default]
    Unset,
    /// A boolean.
    Bool(bool),
    /// An integer (timestamps, durations, counters).
    Int(i64),
    /// Anything else (strings, lists, objects, floats, null).
    Json(Box<Doc<'static>>),
    /// Set from a value the stream could not tell ([`Val::Unknown`]): read as unknown,
    /// reported as `null`, never compared.
    Unknown,
}

impl Slot {
    /// What a rule's value stores; an absent value leaves the field unset.
    pub fn from_val(value: &Val<'_>) -> Slot {
        match value {
            Val::Absent => Slot::Unset,
            Val::Unknown => Slot::Unknown,
            Val::Bool(b) => Slot::Bool(*b),
            Val::Int(n) => Slot::Int(*n),
            Val::Str(text) => Slot::Json(Box::new(Doc::Str(text.to_string().into()))),
            Val::Json(doc) => Slot::Json(Box::new(doc.to_static())),
            other => other
                .to_json()
                .map_or(Slot::Unset, |json| Slot::Json(Box::new(Doc::from(json)))),
        }
    }

    /// The value as JSON; `None` when unset, `null` when unknown.
    pub fn to_json(&self) -> Option<Value> {
        match self {
            Slot::Unset => None,
            Slot::Unknown => Some(Value::Null),
            Slot::Bool(b) => Some(Value::Bool(*b)),
            Slot::Int(n) => Some(Value::from(*n)),
            Slot::Json(value) => Some(value.to_value()),
        }
    }

    /// The value for an expression; `None` when unset.
    pub fn to_val(&self) -> Option<Val<'_>> {
        match self {
            Slot::Unset => None,
            Slot::Unknown => Some(Val::Unknown),
            Slot::Bool(b) => Some(Val::Bool(*b)),
            Slot::Int(n) => Some(Val::Int(*n)),
            Slot::Json(value) => Some(Val::from_doc(value)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_every_kind() {
        for json in [
            Value::Bool(false),
            Value::from(-7),
            Value::from(1.5),
            Value::from("x"),
            serde_json::json!({"a": [1]}),
            Value::Null,
        ] {
            let doc = Doc::from(json.clone());
            let slot = Slot::from_val(&Val::from_doc(&doc));
            assert_eq!(slot.to_json(), Some(json));
        }
        assert_eq!(Slot::from_val(&Val::Absent).to_json(), None);
        assert_eq!(Slot::from_val(&Val::Unknown).to_val(), Some(Val::Unknown));
        assert!(std::mem::size_of::<Slot>() <= 16);
    }
}
