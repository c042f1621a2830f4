//! The event envelope: one JSONL line to the fields the interpreter needs.
//!
//! Field values are borrowed from the line where they can be. The envelope is read in two
//! steps so that the two failure kinds stay apart: a line that is not a JSON object is
//! `malformed_line`; an object whose required fields are missing or mistyped is
//! `bad_envelope`.

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

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
    /// The payload, as it was written (an object); parsed only when something reads it.
    pub data: Option<Cow<'a, RawValue>>,
    /// The metadata block the widget reported (an object), as it was written.
    pub metadata: Option<Cow<'a, RawValue>>,
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
    #[serde(borrow, default)]
    data: Option<&'a RawValue>,
    #[serde(borrow, default)]
    metadata: Option<&'a RawValue>,
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
    match text(raw) {
        Some(text) => Some(text),
        None => {
            problems.push(format!("`{name}` must be a string, not {}", raw.get()));
            None
        }
    }
}

/// The string a raw JSON value holds, borrowed when it has no escapes.
fn text(raw: &RawValue) -> Option<Cow<'_, str>> {
    let json = raw.get();
    match json
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
        Some(_) => serde_json::from_str(json).ok(),
        None => None,
    }
}

/// An object-valued field: `None` when absent or null; a problem when not an object.
fn object<'a>(
    raw: Option<&'a RawValue>,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<Cow<'a, RawValue>> {
    let raw = raw.filter(|raw| raw.get() != "null")?;
    if raw.get().starts_with('{') {
        Some(Cow::Borrowed(raw))
    } else {
        problems.push(format!("`{name}` must be an object"));
        None
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
        Some(raw) => match raw.get().parse::<i64>() {
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
        Some(raw) => match text(raw) {
            Some(version) => Some(version),
            None => {
                problems.push(format!("`version` must be a string, not {}", raw.get()));
                None
            }
        },
    };
    let data = object(wire.data, "data", &mut problems);
    let metadata = object(wire.metadata, "metadata", &mut problems);
    match (lifecycle, interaction, event, ts) {
        (Some(lifecycle), Some(interaction), Some(event), Some(ts)) if problems.is_empty() => {
            Ok(Envelope {
                lifecycle,
                interaction,
                event,
                ts,
                version,
                data,
                metadata,
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
