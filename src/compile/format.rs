//! Native record shapes (`formats:` in a lifecycle file) compiled: which lines have the
//! shape, and where each envelope field is in them. `engine::native` reads lines through them.

use heck::{ToKebabCase, ToLowerCamelCase, ToShoutySnakeCase, ToSnakeCase, ToUpperCamelCase};
use indexmap::IndexMap;
use serde_json::Value;

use super::catalog::Version;
use super::context::{Context, NameKind};
use crate::config::model::{EventCase, FormatDecl, TsFormat};

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
#[derive(Debug, Clone)]
pub struct Format {
    /// Its name.
    pub name: String,
    /// Paths and the strings they must hold.
    pub matches: Vec<(Path, String)>,
    /// The event name.
    pub event: Path,
    /// The prefix the event name must have, and loses.
    pub event_prefix: Option<String>,
    /// Record event names mapped to the lifecycle's.
    pub event_names: IndexMap<String, String>,
    /// The case other names are turned into.
    pub event_case: Option<EventCase>,
    /// The paths of the interaction key, joined with `:`; none: the format's name is the key.
    pub interaction: Vec<Path>,
    /// The timestamp, with [`EVENT_PLACEHOLDER`] for the event name.
    pub ts: Option<Path>,
    /// How the timestamp is written.
    pub ts_format: TsFormat,
    /// The payload.
    pub data: Option<Path>,
    /// The metadata block the widget reported.
    pub metadata: Option<Path>,
    /// The widget version.
    pub version: Option<Path>,
    /// The delivery id (a string or an integer there).
    pub id: Option<Path>,
    /// The version of records that carry none.
    pub default_version: Option<String>,
}

impl Format {
    /// The lifecycle's name for the record's event `name` (its prefix already removed).
    pub fn event_name<'n>(&self, name: &'n str) -> std::borrow::Cow<'n, str> {
        if let Some(mapped) = self.event_names.get(name) {
            return mapped.clone().into();
        }
        match self.event_case {
            None => name.into(),
            Some(EventCase::Snake) => name.to_snake_case().into(),
            Some(EventCase::Camel) => name.to_lower_camel_case().into(),
            Some(EventCase::Pascal) => name.to_upper_camel_case().into(),
            Some(EventCase::Kebab) => name.to_kebab_case().into(),
            Some(EventCase::ScreamingSnake) => name.to_shouty_snake_case().into(),
            Some(EventCase::Lower) => name.to_lowercase().into(),
            Some(EventCase::Upper) => name.to_uppercase().into(),
        }
    }
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

/// Compiles the formats of a lifecycle file, reporting duplicate names, empty paths,
/// misplaced `{event}`s and event names mapped to no event of any version.
pub fn compile_formats(
    ctx: &mut Context,
    decls: &[FormatDecl],
    versions: &[Version],
) -> Vec<Format> {
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
        let interaction: Vec<Path> = (decl.interaction.iter())
            .flat_map(|paths| paths.paths())
            .filter_map(|t| path("interaction", t))
            .collect();
        let ts = decl.ts.as_deref().and_then(|t| path("ts", t));
        let data = decl.data.as_deref().and_then(|t| path("data", t));
        let metadata = decl.metadata.as_deref().and_then(|t| path("metadata", t));
        let version = decl.version.as_deref().and_then(|t| path("version", t));
        let id = decl.id.as_deref().and_then(|t| path("id", t));
        let matches: Vec<(Path, String)> = (decl.matches.iter())
            .filter_map(|(text, wanted)| Some((path("match", text)?, wanted.clone())))
            .collect();
        for (native, mapped) in &decl.event_names {
            let known = versions
                .iter()
                .any(|v| v.event_ids.contains_key(mapped.as_str()));
            if !known {
                let names = versions
                    .iter()
                    .flat_map(|v| v.events.iter().map(|e| e.name.as_str()));
                let said = format!(
                    "`{native}` is mapped to `{mapped}`, which is no event of the lifecycle"
                );
                let path = format!("{at}.event_names.{native}");
                ctx.unknown_name_said(NameKind::Event, mapped, &path, names, Some(said));
                failed = true;
            }
        }
        if let (Some(event), false) = (event, failed) {
            formats.push(Format {
                name: decl.name.clone(),
                matches,
                event,
                event_prefix: decl.event_prefix.clone(),
                event_names: decl.event_names.clone(),
                event_case: decl.event_case,
                interaction,
                ts,
                ts_format: decl.ts_format,
                data,
                metadata,
                version,
                id,
                default_version: decl.default_version.clone(),
            });
        }
    }
    formats
}
