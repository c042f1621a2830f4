//! Lines in a native record shape (a catalog's `formats:`) read into envelopes, for lines
//! without a `lifecycle` field.

use std::borrow::Cow;

use serde_json::value::{to_raw_value, RawValue};
use serde_json::Value;

use super::envelope::{Envelope, LineError};
use crate::compile::format::{Format, Path, EVENT_PLACEHOLDER};
use crate::compile::Catalog;

/// The line read through the first of the catalog's formats whose shape it has; `None` when
/// it has none of them (or is not a JSON object).
pub fn read(catalog: &Catalog, line: &[u8]) -> Option<Result<Envelope<'static>, LineError>> {
    let mut formats = catalog.formats().peekable();
    formats.peek()?;
    let record: Value = serde_json::from_slice(line).ok()?;
    formats.find_map(|(lifecycle, format)| read_record(&lifecycle.name, format, &record))
}

/// Adds to the message of a line without a `lifecycle`, and of no native shape, which shapes
/// were tried.
pub fn name_formats(catalog: &Catalog, message: &mut String) {
    let names: Vec<String> = (catalog.formats())
        .map(|(lifecycle, format)| format!("{} ({})", format.name, lifecycle.name))
        .collect();
    if !names.is_empty() {
        message.push_str(&format!(
            "; nor is it a record of a native format: {}",
            names.join(", ")
        ));
    }
}

/// `None` when `record` does not have the shape of `format`; its envelope, or what is wrong
/// with its fields, when it does.
fn read_record(
    lifecycle: &str,
    format: &Format,
    record: &Value,
) -> Option<Result<Envelope<'static>, LineError>> {
    let matched = (format.matches.iter())
        .all(|(path, wanted)| path.get(record).and_then(Value::as_str) == Some(wanted));
    let name = format.event.get(record)?.as_str().filter(|_| matched)?;
    let event = match &format.event_prefix {
        Some(prefix) => name.strip_prefix(prefix.as_str())?,
        None => name,
    };
    let mut problems = Vec::new();
    let interaction = match &format.interaction {
        None => format.name.clone(),
        Some(path) => match path.get(record) {
            Some(Value::String(key)) => key.clone(),
            Some(Value::Number(key)) if key.is_i64() || key.is_u64() => key.to_string(),
            Some(other) => {
                problems.push(format!(
                    "`{}` must be a string or an integer, not {other}",
                    path.text
                ));
                String::new()
            }
            None => {
                problems.push(format!("`{}` is missing", path.text));
                String::new()
            }
        },
    };
    let ts = format.ts.as_ref().and_then(|template| {
        let path = Path {
            text: template.text.replace(EVENT_PLACEHOLDER, event),
            keys: (template.keys.iter())
                .map(|key| key.replace(EVENT_PLACEHOLDER, event))
                .collect(),
        };
        match path.get(record)? {
            Value::Number(ts) if ts.is_i64() => ts.as_i64(),
            // An unset timestamp of a metadata block.
            Value::Bool(false) => None,
            other => {
                problems.push(format!(
                    "`{}` must be an integer (milliseconds), not {other}",
                    path.text
                ));
                None
            }
        }
    });
    let mut object = |path: &Option<Path>| {
        let path = path.as_ref()?;
        let value = path.get(record)?;
        if !value.is_object() {
            problems.push(format!("`{}` must be an object", path.text));
            return None;
        }
        match to_raw_value(value) {
            Ok(raw) => Some(Cow::<RawValue>::Owned(raw)),
            Err(error) => {
                problems.push(error.to_string());
                None
            }
        }
    };
    let (data, metadata) = (object(&format.data), object(&format.metadata));
    let version = match format.version.as_ref().and_then(|path| path.get(record)) {
        None | Some(Value::Null) => None,
        Some(Value::String(version)) => Some(Cow::Owned(version.clone())),
        Some(other) => {
            problems.push(format!("the version must be a string, not {other}"));
            None
        }
    };
    Some(if problems.is_empty() {
        Ok(Envelope {
            lifecycle: Cow::Owned(lifecycle.to_string()),
            interaction: Cow::Owned(interaction),
            event: Cow::Owned(event.to_string()),
            ts,
            version,
            data,
            metadata,
        })
    } else {
        Err(LineError::BadEnvelope {
            message: format!("{} (format `{}`)", problems.join("; "), format.name),
            lifecycle: Some(lifecycle.to_string()),
            interaction: None,
            event: Some(event.to_string()),
            lifecycle_missing: false,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn path(text: &str) -> Path {
        Path {
            text: text.into(),
            keys: text.split('.').map(str::to_string).collect(),
        }
    }

    fn bus() -> Format {
        Format {
            name: "bus".into(),
            matches: vec![(path("app"), "W".into())],
            event: path("event"),
            event_prefix: Some("W.".into()),
            interaction: Some(path("data.id")),
            ts: Some(path("data.metadata.{event}")),
            data: Some(path("data")),
            metadata: Some(path("data.metadata")),
            version: Some(path("v")),
        }
    }

    fn read(record: &Value) -> Option<Result<Envelope<'static>, LineError>> {
        read_record("w", &bus(), record)
    }

    #[test]
    fn records_of_the_shape_are_read_and_others_are_not() {
        let record = json!({"app": "W", "event": "W.opened", "v": "2", "data": {"id": 7, "metadata": {"opened": 5}}});
        let read = read(&record).unwrap().unwrap();
        assert_eq!(
            (read.interaction.as_ref(), read.event.as_ref(), read.ts),
            ("7", "opened", Some(5))
        );
        assert_eq!(read.version.as_deref(), Some("2"));
        assert_eq!(
            read.metadata.map(|m| m.get().to_owned()).as_deref(),
            Some(r#"{"opened":5}"#)
        );
        // Not of the shape: another app, no prefix, no event, not an object at all.
        for other in [
            json!({"app": "X", "event": "W.opened"}),
            json!({"app": "W", "event": "opened"}),
            json!({"app": "W"}),
            json!({"app": "W", "event": 3}),
            json!([1, 2]),
            json!("W.opened"),
        ] {
            assert!(super::read_record("w", &bus(), &other).is_none(), "{other}");
        }
    }

    #[test]
    fn wrong_fields_of_the_shape_are_named() {
        let cases = [
            (json!({"app": "W", "event": "W.a"}), "`data.id` is missing"),
            (
                json!({"app": "W", "event": "W.a", "data": {"id": 1.5}}),
                "`data.id` must be a string or an integer, not 1.5",
            ),
            (
                json!({"app": "W", "event": "W.a", "data": {"id": "k", "metadata": {"a": "x"}}}),
                "`data.metadata.a` must be an integer (milliseconds), not \"x\"",
            ),
            (
                json!({"app": "W", "event": "W.a", "data": {"id": "k", "metadata": [1]}}),
                "`data.metadata` must be an object",
            ),
            (
                json!({"app": "W", "event": "W.a", "v": 2, "data": {"id": "k"}}),
                "the version must be a string, not 2",
            ),
        ];
        for (record, message) in cases {
            let Some(Err(LineError::BadEnvelope {
                message: found,
                event,
                ..
            })) = read(&record)
            else {
                panic!("{record} is a bad envelope");
            };
            assert!(found.starts_with(message), "{found}");
            assert_eq!(event.as_deref(), Some("a"));
        }
        // An unset timestamp (`false`) or none at all leaves the time to the interaction.
        let unset =
            json!({"app": "W", "event": "W.a", "data": {"id": "k", "metadata": {"a": false}}});
        assert_eq!(read(&unset).unwrap().unwrap().ts, None);
    }
}
