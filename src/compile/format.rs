//! Native record shapes (`formats:` in a lifecycle file) compiled into readers: which lines
//! have the shape, and where each envelope field is in them.

use serde_json::Value;

use super::context::Context;
use crate::config::model::FormatDecl;

/// What a timestamp path writes for the event name.
const EVENT_PLACEHOLDER: &str = "{event}";

/// A dotted path into a JSON record, split into keys.
#[derive(Debug, Clone, PartialEq)]
struct Path {
    text: String,
    keys: Vec<String>,
}

impl Path {
    fn get<'v>(&self, record: &'v Value) -> Option<&'v Value> {
        self.keys
            .iter()
            .try_fold(record, |value, key| value.get(key))
    }
}

/// A compiled native record shape of one lifecycle.
#[derive(Debug, Clone)]
pub struct Format {
    /// Its name.
    pub name: String,
    /// The lifecycle its records belong to.
    pub lifecycle: String,
    matches: Vec<(Path, String)>,
    event: Path,
    event_prefix: Option<String>,
    interaction: Option<Path>,
    ts: Option<Path>,
    data: Option<Path>,
    metadata: Option<Path>,
    version: Option<Path>,
}

/// The envelope fields of a record read through a [`Format`].
#[derive(Debug, Clone, PartialEq)]
pub struct NativeRecord {
    /// The lifecycle.
    pub lifecycle: String,
    /// The interaction key.
    pub interaction: String,
    /// The event name.
    pub event: String,
    /// The timestamp, when the record has one.
    pub ts: Option<i64>,
    /// The widget version.
    pub version: Option<String>,
    /// The payload (an object).
    pub data: Option<Value>,
    /// The metadata block the widget reported (an object).
    pub metadata: Option<Value>,
}

/// A record of a format whose fields are wrong; the names known of it.
#[derive(Debug, Clone, PartialEq)]
pub struct NativeError {
    /// What is wrong.
    pub message: String,
    /// The lifecycle.
    pub lifecycle: String,
    /// The event, when read.
    pub event: Option<String>,
}

impl Format {
    /// `None` when `record` does not have this shape; the envelope fields or what is wrong
    /// with them when it does.
    pub fn read(&self, record: &Value) -> Option<Result<NativeRecord, NativeError>> {
        let matched = self
            .matches
            .iter()
            .all(|(path, wanted)| path.get(record).and_then(Value::as_str) == Some(wanted));
        let name = self.event.get(record)?.as_str().filter(|_| matched)?;
        let event = match &self.event_prefix {
            Some(prefix) => name.strip_prefix(prefix.as_str())?,
            None => name,
        };
        let mut problems = Vec::new();
        let interaction = match &self.interaction {
            None => self.name.clone(),
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
        let ts = self.ts.as_ref().and_then(|template| {
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
            let value = path.as_ref()?.get(record)?;
            if value.is_object() {
                Some(value.clone())
            } else {
                let text = path.as_ref().map_or("", |p| p.text.as_str());
                problems.push(format!("`{text}` must be an object"));
                None
            }
        };
        let (data, metadata) = (object(&self.data), object(&self.metadata));
        let version = match self.version.as_ref().and_then(|path| path.get(record)) {
            None | Some(Value::Null) => None,
            Some(Value::String(version)) => Some(version.clone()),
            Some(other) => {
                problems.push(format!("the version must be a string, not {other}"));
                None
            }
        };
        Some(if problems.is_empty() {
            Ok(NativeRecord {
                lifecycle: self.lifecycle.clone(),
                interaction,
                event: event.to_string(),
                ts,
                version,
                data,
                metadata,
            })
        } else {
            Err(NativeError {
                message: format!("{} (format `{}`)", problems.join("; "), self.name),
                lifecycle: self.lifecycle.clone(),
                event: Some(event.to_string()),
            })
        })
    }
}

/// A dotted path, or what is wrong with it; `{event}` only where `placeholder` allows it.
fn parse_path(text: &str, placeholder: bool) -> Result<Path, String> {
    let keys: Vec<String> = text.split('.').map(str::to_string).collect();
    if keys.iter().any(String::is_empty) {
        return Err(format!(
            "`{text}` is not a dotted path (`eventData.contextId`)"
        ));
    }
    if !placeholder && text.contains(EVENT_PLACEHOLDER) {
        return Err(format!("`{EVENT_PLACEHOLDER}` may only be used in `ts`"));
    }
    Ok(Path {
        text: text.to_string(),
        keys,
    })
}

/// Compiles the formats of a lifecycle file, reporting duplicate names, empty paths and
/// misplaced `{event}`s.
pub fn compile_formats(ctx: &mut Context, lifecycle: &str, decls: &[FormatDecl]) -> Vec<Format> {
    let mut formats = Vec::new();
    for (index, decl) in decls.iter().enumerate() {
        let at = format!("formats[{index}]");
        if decls
            .iter()
            .take(index)
            .any(|other| other.name == decl.name)
        {
            let message = format!("format `{}` is declared twice", decl.name);
            ctx.error(&format!("{at}.name"), message, None);
        }
        let mut failed = false;
        let mut path = |field: &str, text: &str| match parse_path(text, field == "ts") {
            Ok(path) => Some(path),
            Err(message) => {
                ctx.error(&format!("{at}.{field}"), message, None);
                failed = true;
                None
            }
        };
        let event = path("event", &decl.event);
        let interaction = decl
            .interaction
            .as_deref()
            .and_then(|t| path("interaction", t));
        let ts = decl.ts.as_deref().and_then(|t| path("ts", t));
        let data = decl.data.as_deref().and_then(|t| path("data", t));
        let metadata = decl.metadata.as_deref().and_then(|t| path("metadata", t));
        let version = decl.version.as_deref().and_then(|t| path("version", t));
        let matches: Vec<(Path, String)> = (decl.matches.iter())
            .filter_map(|(text, wanted)| Some((path("match", text)?, wanted.clone())))
            .collect();
        if let (Some(event), false) = (event, failed) {
            formats.push(Format {
                name: decl.name.clone(),
                lifecycle: lifecycle.to_string(),
                matches,
                event,
                event_prefix: decl.event_prefix.clone(),
                interaction,
                ts,
                data,
                metadata,
                version,
            });
        }
    }
    formats
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
            lifecycle: "w".into(),
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

    #[test]
    fn records_of_the_shape_are_read_and_others_are_not() {
        let format = bus();
        let record = json!({"app": "W", "event": "W.opened", "v": "2", "data": {"id": 7, "metadata": {"opened": 5}}});
        let read = format.read(&record).unwrap().unwrap();
        assert_eq!(
            (read.interaction.as_str(), read.event.as_str(), read.ts),
            ("7", "opened", Some(5))
        );
        assert_eq!(read.version.as_deref(), Some("2"));
        assert_eq!(read.metadata, Some(json!({"opened": 5})));
        // Not of the shape: another app, no prefix, no event, not an object at all.
        for other in [
            json!({"app": "X", "event": "W.opened"}),
            json!({"app": "W", "event": "opened"}),
            json!({"app": "W"}),
            json!({"app": "W", "event": 3}),
            json!([1, 2]),
            json!("W.opened"),
        ] {
            assert!(format.read(&other).is_none(), "{other}");
        }
    }

    #[test]
    fn wrong_fields_of_the_shape_are_named() {
        let format = bus();
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
            let error = format.read(&record).unwrap().unwrap_err();
            assert!(error.message.starts_with(message), "{}", error.message);
            assert_eq!(error.event.as_deref(), Some("a"));
        }
        // An unset timestamp (`false`) or none at all leaves the time to the interaction.
        let unset =
            json!({"app": "W", "event": "W.a", "data": {"id": "k", "metadata": {"a": false}}});
        assert_eq!(format.read(&unset).unwrap().unwrap().ts, None);
    }
}
