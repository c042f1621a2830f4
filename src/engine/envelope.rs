//! The event envelope: one JSONL line to the fields the interpreter needs.
//!
//! Field values are borrowed from the line where they can be. The envelope is read in two
//! steps so that the two failure kinds stay apart: a line that is not a JSON object is
//! `malformed_line`; an object whose required fields are missing or mistyped is
//! `bad_envelope`.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// One event, as read from a line.
#[derive(Debug)]
pub struct Envelope<'a> {
    /// The lifecycle name.
    pub lifecycle: Cow<'a, str>,
    /// The interaction key.
    pub interaction: Cow<'a, str>,
    /// The event name.
    pub event: Cow<'a, str>,
    /// Milliseconds since the Unix epoch.
    pub ts: i64,
    /// The widget version.
    pub version: Option<Cow<'a, str>>,
    /// The payload.
    pub data: Option<Value>,
    /// The metadata block the widget reported.
    pub metadata: Option<Value>,
}

/// Why a line is not an event.
#[derive(Debug, Clone, PartialEq)]
pub enum LineError {
    /// Not a JSON object.
    Malformed(String),
    /// A JSON object, but its envelope fields are wrong. Names what is known of it.
    BadEnvelope {
        /// What is wrong.
        message: String,
        /// The lifecycle, if readable.
        lifecycle: Option<String>,
        /// The interaction, if readable.
        interaction: Option<String>,
        /// The event, if readable.
        event: Option<String>,
    },
}

#[derive(Deserialize)]
struct Wire<'a> {
    #[serde(borrow, default)]
    lifecycle: Option<&'a RawValue>,
    #[serde(borrow, default)]
    interaction: Option<&'a RawValue>,
    #[serde(borrow, default)]
    event: Option<&'a RawValue>,
    #[serde(borrow, default)]
    ts: Option<&'a RawValue>,
    #[serde(borrow, default)]
    version: Option<&'a RawValue>,
    #[serde(default)]
    data: Option<Value>,
    #[serde(default)]
    metadata: Option<Value>,
}

fn string<'a>(
    raw: Option<&'a RawValue>,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    let Some(raw) = raw else {
        problems.push(format!("`{name}` is missing"));
        return None;
    };
    match serde_json::from_str::<Cow<'a, str>>(raw.get()) {
        Ok(text) => Some(text),
        Err(_) => {
            problems.push(format!("`{name}` must be a string, not {}", raw.get()));
            None
        }
    }
}

/// Reads one non-blank line.
pub fn parse(line: &[u8]) -> Result<Envelope<'_>, LineError> {
    // serde would read a JSON array into the struct field by field: only objects are events.
    if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(LineError::Malformed("not a JSON object".to_owned()));
    }
    let wire: Wire = serde_json::from_slice(line).map_err(|error| {
        LineError::Malformed(if error.is_data() {
            "not a JSON object".to_owned()
        } else {
            format!("not JSON: {error}")
        })
    })?;
    let mut problems = Vec::new();
    let lifecycle = string(wire.lifecycle, "lifecycle", &mut problems);
    let interaction = string(wire.interaction, "interaction", &mut problems);
    let event = string(wire.event, "event", &mut problems);
    let ts = match wire.ts {
        None => {
            problems.push("`ts` is missing".to_owned());
            None
        }
        Some(raw) => match serde_json::from_str::<i64>(raw.get()) {
            Ok(ts) => Some(ts),
            Err(_) => {
                problems.push(format!(
                    "`ts` must be an integer (milliseconds), not {}",
                    raw.get()
                ));
                None
            }
        },
    };
    let version = match wire.version {
        None => None,
        Some(raw) if raw.get() == "null" => None,
        Some(raw) => match serde_json::from_str::<Cow<str>>(raw.get()) {
            Ok(version) => Some(version),
            Err(_) => {
                problems.push(format!("`version` must be a string, not {}", raw.get()));
                None
            }
        },
    };
    if let Some(data) = &wire.data {
        if !data.is_object() && !data.is_null() {
            problems.push("`data` must be an object".to_owned());
        }
    }
    if let Some(metadata) = &wire.metadata {
        if !metadata.is_object() && !metadata.is_null() {
            problems.push("`metadata` must be an object".to_owned());
        }
    }
    match (lifecycle, interaction, event, ts) {
        (Some(lifecycle), Some(interaction), Some(event), Some(ts)) if problems.is_empty() => {
            Ok(Envelope {
                lifecycle,
                interaction,
                event,
                ts,
                version,
                data: wire.data.filter(|data| !data.is_null()),
                metadata: wire.metadata.filter(|metadata| !metadata.is_null()),
            })
        }
        (lifecycle, interaction, event, _) => Err(LineError::BadEnvelope {
            message: problems.join("; "),
            lifecycle: lifecycle.map(Cow::into_owned),
            interaction: interaction.map(Cow::into_owned),
            event: event.map(Cow::into_owned),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tells_malformed_from_bad_envelope() {
        assert!(matches!(
            parse(b"{\"lifecycle\":"),
            Err(LineError::Malformed(_))
        ));
        assert!(matches!(parse(b"[1,2]"), Err(LineError::Malformed(_))));
        assert!(matches!(parse(b"42"), Err(LineError::Malformed(_))));
        let Err(LineError::BadEnvelope { message, .. }) =
            parse(br#"{"lifecycle":"a","interaction":"b","event":"c","ts":1.5}"#)
        else {
            panic!("expected bad envelope");
        };
        assert_eq!(message, "`ts` must be an integer (milliseconds), not 1.5");
        let ok = parse(
            br#"{"lifecycle":"a","interaction":"b\u0041","event":"c","ts":7,"data":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!((ok.interaction.as_ref(), ok.ts), ("bA", 7));
    }
}
