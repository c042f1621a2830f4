//! Lines in a native record shape (a catalog's `formats:`) read into envelopes, for lines
//! without a `lifecycle` field.

use std::borrow::Cow;

use serde_json::value::{to_raw_value, RawValue};
use serde_json::Value;

use super::envelope::{Envelope, LineError};
use crate::compile::format::{Format, Path, EVENT_PLACEHOLDER};
use crate::compile::Catalog;
use crate::config::model::TsFormat;

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
/// with its fields, when it does. A record that holds what the shape's `match:` asks for has
/// the shape: without an event name it is a bad envelope, not another shape's record.
fn read_record(
    lifecycle: &str,
    format: &Format,
    record: &Value,
) -> Option<Result<Envelope<'static>, LineError>> {
    let matched = (format.matches.iter())
        .all(|(path, wanted)| path.get(record).and_then(Value::as_str) == Some(wanted));
    if !matched {
        return None;
    }
    let name = match format.event.get(record) {
        Some(Value::String(name)) => name,
        found if !format.matches.is_empty() => {
            let problem = match found {
                None => format!("`{}` (the event name) is missing", format.event.text),
                Some(other) => format!(
                    "`{}` (the event name) must be a string, not {other}",
                    format.event.text
                ),
            };
            return Some(Err(bad_envelope(lifecycle, format, vec![problem], None)));
        }
        _ => return None,
    };
    let name = match &format.event_prefix {
        Some(prefix) => name.strip_prefix(prefix.as_str())?,
        None => name,
    };
    let event = format.event_name(name).into_owned();
    let mut problems = Vec::new();
    let interaction = interaction_key(format, record, &mut problems);
    // A bad envelope still names its interaction when the key paths gave it.
    let key_found = problems.is_empty();
    let ts = format.ts.as_ref().and_then(|template| {
        let path = Path {
            text: template.text.replace(EVENT_PLACEHOLDER, &event),
            keys: (template.keys.iter())
                .map(|key| key.replace(EVENT_PLACEHOLDER, &event))
                .collect(),
        };
        match path.get(record)? {
            // An unset timestamp of a metadata block.
            Value::Bool(false) => None,
            value => match timestamp(value, format.ts_format) {
                Some(ts) => Some(ts),
                None => {
                    problems.push(format!(
                        "`{}` must be {}, not {value}",
                        path.text,
                        ts_form(format.ts_format)
                    ));
                    None
                }
            },
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
        None | Some(Value::Null) => format.default_version.clone().map(Cow::Owned),
        Some(Value::String(version)) => Some(Cow::Owned(version.clone())),
        Some(other) => {
            problems.push(format!("the version must be a string, not {other}"));
            None
        }
    };
    let id = match format.id.as_ref().and_then(|path| path.get(record)) {
        None | Some(Value::Null) => None,
        Some(Value::String(id)) => Some(Cow::Owned(id.clone())),
        Some(Value::Number(id)) if id.is_i64() || id.is_u64() => Some(Cow::Owned(id.to_string())),
        Some(other) => {
            problems.push(format!(
                "the id must be a string or an integer, not {other}"
            ));
            None
        }
    };
    if !problems.is_empty() {
        let mut bad = bad_envelope(lifecycle, format, problems, Some(event));
        if let (
            LineError::BadEnvelope {
                interaction: named, ..
            },
            true,
        ) = (&mut bad, key_found)
        {
            *named = Some(interaction);
        }
        return Some(Err(bad));
    }
    Some(Ok(Envelope {
        lifecycle: Cow::Owned(lifecycle.to_string()),
        interaction: Cow::Owned(interaction),
        event: Cow::Owned(event),
        ts,
        version,
        id,
        data,
        metadata,
        checked: None,
        plain: false,
        appendable: false,
    }))
}

/// The interaction key: the values at the shape's key paths joined with `:` (the shape's
/// name when it has none); each missing or ill-typed value is a problem.
fn interaction_key(format: &Format, record: &Value, problems: &mut Vec<String>) -> String {
    if format.interaction.is_empty() {
        return format.name.clone();
    }
    let mut key = String::new();
    for (index, path) in format.interaction.iter().enumerate() {
        if index > 0 {
            key.push(':');
        }
        match path.get(record) {
            Some(Value::String(part)) => key.push_str(part),
            Some(Value::Number(part)) if part.is_i64() || part.is_u64() => {
                key.push_str(&part.to_string())
            }
            Some(other) => problems.push(format!(
                "`{}` must be a string or an integer, not {other}",
                path.text
            )),
            None => problems.push(format!("`{}` is missing", path.text)),
        }
    }
    key
}

/// Milliseconds since the epoch from a timestamp written in `form`; `None` when it is not
/// written so (or is out of range).
fn timestamp(value: &Value, form: TsFormat) -> Option<i64> {
    match (form, value) {
        (TsFormat::Milliseconds, Value::Number(ms)) => ms.as_i64(),
        (TsFormat::Seconds, Value::Number(seconds)) => match seconds.as_i64() {
            Some(whole) => whole.checked_mul(1000),
            None => {
                let ms = (seconds.as_f64()? * 1000.0).round();
                // Within what an i64 holds exactly enough to convert without saturating.
                (ms.is_finite() && ms.abs() < 9.0e18).then_some(ms as i64)
            }
        },
        (TsFormat::Microseconds, Value::Number(us)) => us.as_i64().map(|us| us.div_euclid(1000)),
        (TsFormat::Iso8601, Value::String(text)) => text
            .parse::<jiff::Timestamp>()
            .ok()
            .map(|ts| ts.as_millisecond()),
        _ => None,
    }
}

/// How a timestamp of `form` is written, for messages.
fn ts_form(form: TsFormat) -> &'static str {
    match form {
        TsFormat::Milliseconds => "an integer (milliseconds)",
        TsFormat::Seconds => "a number (seconds, ts_format: seconds)",
        TsFormat::Microseconds => "an integer (microseconds, ts_format: microseconds)",
        TsFormat::Iso8601 => {
            "ISO 8601 text with an offset, as 2024-11-24T08:00:00Z (ts_format: iso8601)"
        }
    }
}

/// A bad envelope of `format`, naming it.
fn bad_envelope(
    lifecycle: &str,
    format: &Format,
    problems: Vec<String>,
    event: Option<String>,
) -> LineError {
    LineError::BadEnvelope {
        message: format!("{} (format `{}`)", problems.join("; "), format.name),
        lifecycle: Some(lifecycle.to_string()),
        interaction: None,
        event,
        lifecycle_missing: false,
    }
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
            event_names: Default::default(),
            event_case: None,
            interaction: vec![path("data.id")],
            ts: Some(path("data.metadata.{event}")),
            ts_format: TsFormat::Milliseconds,
            data: Some(path("data")),
            metadata: Some(path("data.metadata")),
            version: Some(path("v")),
            id: None,
            default_version: None,
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
        // Not of the shape: another app, no prefix, not an object at all.
        for other in [
            json!({"app": "X", "event": "W.opened"}),
            json!({"app": "W", "event": "opened"}),
            json!([1, 2]),
            json!("W.opened"),
        ] {
            assert!(super::read_record("w", &bus(), &other).is_none(), "{other}");
        }
        // Of the shape by its `match:`, without an event name: a bad envelope naming it.
        for (record, message) in [
            (
                json!({"app": "W"}),
                "`event` (the event name) is missing (format `bus`)",
            ),
            (
                json!({"app": "W", "event": 3}),
                "`event` (the event name) must be a string, not 3 (format `bus`)",
            ),
        ] {
            let Some(Err(LineError::BadEnvelope { message: found, .. })) =
                super::read_record("w", &bus(), &record)
            else {
                panic!("{record} is a bad envelope");
            };
            assert_eq!(found, message);
        }
    }

    #[test]
    fn names_keys_times_and_versions_as_records_write_them() {
        let mut format = bus();
        format.event_prefix = None;
        format.event_names = [("Order Completed".to_owned(), "paid".to_owned())].into();
        format.event_case = Some(crate::config::model::EventCase::Snake);
        format.interaction = vec![path("s"), path("w")];
        format.ts = Some(path("at"));
        format.default_version = Some("2.0".into());
        let read_as = |record: Value, form: TsFormat| {
            let format = Format {
                ts_format: form,
                ..format.clone()
            };
            super::read_record("w", &format, &record).unwrap()
        };
        let record = json!({"app": "W", "event": "Order Completed", "s": "a", "w": 7, "at": "2024-11-24T08:00:00.250+01:00"});
        let envelope = read_as(record, TsFormat::Iso8601).unwrap();
        assert_eq!(
            (envelope.event.as_ref(), envelope.interaction.as_ref()),
            ("paid", "a:7")
        );
        assert_eq!(envelope.ts, Some(1_732_431_600_250));
        assert_eq!(envelope.version.as_deref(), Some("2.0"));
        let record = json!({"app": "W", "event": "MessageSent", "s": "a", "w": "b", "at": 1732435200.25, "v": "1.0"});
        let envelope = read_as(record, TsFormat::Seconds).unwrap();
        assert_eq!(envelope.event, "message_sent");
        assert_eq!(envelope.ts, Some(1_732_435_200_250));
        assert_eq!(envelope.version.as_deref(), Some("1.0"));
        let record =
            json!({"app": "W", "event": "a", "s": "a", "w": 1, "at": 1_732_435_200_250_999_i64});
        let envelope = read_as(record, TsFormat::Microseconds).unwrap();
        assert_eq!(envelope.ts, Some(1_732_435_200_250));
        // A timestamp in another form, or a missing key part: a bad envelope naming the shape.
        for (record, form, message) in [
            (json!({"app": "W", "event": "a", "s": "a", "w": 1, "at": 1732435200000_i64}), TsFormat::Iso8601,
             "`at` must be ISO 8601 text with an offset, as 2024-11-24T08:00:00Z (ts_format: iso8601), not 1732435200000 (format `bus`)"),
            (json!({"app": "W", "event": "a", "s": "a", "w": 1, "at": "2024-11-24 08:00"}), TsFormat::Iso8601,
             "`at` must be ISO 8601 text with an offset, as 2024-11-24T08:00:00Z (ts_format: iso8601), not \"2024-11-24 08:00\" (format `bus`)"),
            (json!({"app": "W", "event": "a", "s": "a", "w": 1, "at": "1732435200"}), TsFormat::Seconds,
             "`at` must be a number (seconds, ts_format: seconds), not \"1732435200\" (format `bus`)"),
            (json!({"app": "W", "event": "a", "s": "a", "at": 1}), TsFormat::Milliseconds,
             "`w` is missing (format `bus`)"),
        ] {
            let Err(LineError::BadEnvelope { message: found, .. }) = read_as(record, form) else {
                panic!("a bad envelope");
            };
            assert_eq!(found, message);
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
                interaction,
                ..
            })) = read(&record)
            else {
                panic!("{record} is a bad envelope");
            };
            assert!(found.starts_with(message), "{found}");
            assert_eq!(event.as_deref(), Some("a"));
            // The interaction is named when its key paths gave it.
            let keyed = record["data"]["id"].as_str();
            assert_eq!(interaction.as_deref(), keyed, "{record}");
        }
        // An unset timestamp (`false`) or none at all leaves the time to the interaction.
        let unset =
            json!({"app": "W", "event": "W.a", "data": {"id": "k", "metadata": {"a": false}}});
        assert_eq!(read(&unset).unwrap().unwrap().ts, None);
    }
}
