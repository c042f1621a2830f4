//! Native record shapes (`formats:` in a lifecycle file) compiled: which lines have the
//! shape, and where each envelope field is in them. `engine::native` reads lines through them.

use serde_json::Value;

use super::context::Context;
use crate::config::model::FormatDecl;

/// What a timestamp path writes for the event name.
pub const EVENT_PLACEHOLDER: &str = "{event}";

/// A dotted path into a JSON record, split into keys.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    /// The path as written.
    pub text: String,
    /// Its keys.
    pub keys: Vec<String>,
}

impl Path {
    /// The value at the path, if the record has one.
    pub fn get<'v>(&self, record: &'v Value) -> Option<&'v Value> {
        self.keys
            .iter()
            .try_fold(record, |value, key| value.get(key))
    }
}

/// A compiled native record shape of one lifecycle (read by `engine::native`).
#[derive(Debug)]
pub struct Format {
    /// Its name.
    pub name: String,
    /// Paths and the strings they must hold.
    pub matches: Vec<(Path, String)>,
    /// The event name.
    pub event: Path,
    /// The prefix the event name must have, and loses.
    pub event_prefix: Option<String>,
    /// The interaction key; `None`: the format's name is the key.
    pub interaction: Option<Path>,
    /// The timestamp, with [`EVENT_PLACEHOLDER`] for the event name.
    pub ts: Option<Path>,
    /// The payload.
    pub data: Option<Path>,
    /// The metadata block the widget reported.
    pub metadata: Option<Path>,
    /// The widget version.
    pub version: Option<Path>,
}

/// A dotted path, or what is wrong with it; `{event}` only where `placeholder` allows it.
fn parse_path(text: &str, placeholder: bool) -> Result<Path, String> {
    let keys: Vec<String> = text.split('.').map(str::to_string).collect();
    if keys.iter().any(String::is_empty) {
        return Err(format!("`{text}` is not a dotted path (`payload.id`)"));
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
pub fn compile_formats(ctx: &mut Context, decls: &[FormatDecl]) -> Vec<Format> {
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
