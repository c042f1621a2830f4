//! The event envelope: one JSONL line to the fields the interpreter needs.
//!
//! Field values are borrowed from the line where they can be. The envelope is read in two
//! steps so that the two failure kinds stay apart: a line that is not a JSON object is
//! `malformed_line`; an object whose required fields are missing or mistyped is
//! `bad_envelope`.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::value::RawValue;

use super::chunks::Line;
use crate::compile::catalog::EventId;
#[cfg(doc)]
use crate::compile::fast_check::FastCheck;
use crate::compile::fast_check::PayloadSeed;
use crate::expr::doc::Doc;
use crate::plain_json::{after_fixed, plain_str, plain_string, skip_space};

mod plain;

/// One event, as read from a line.
#[derive(Debug)]
pub struct Envelope<'a> {
    /// The lifecycle name.
    pub lifecycle: Cow<'a, str>,
    /// The interaction key.
    pub interaction: Cow<'a, str>,
    /// The event name.
    pub event: Cow<'a, str>,
    /// Milliseconds since the Unix epoch; `None` for a native record without a timestamp
    /// (the event then takes its interaction's last one).
    pub ts: Option<i64>,
    /// The widget version.
    pub version: Option<Cow<'a, str>>,
    /// The delivery id: a line whose id its interaction already saw is a duplicate delivery,
    /// not judged again.
    pub id: Option<Cow<'a, str>>,
    /// The payload, as it was written (an object); parsed only when something reads it.
    pub data: Option<Cow<'a, RawValue>>,
    /// The metadata block the widget reported (an object), as it was written.
    pub metadata: Option<Cow<'a, RawValue>>,
    /// The payload as its compiled check kept it, when the reader checked it on the way
    /// ([`parse_checking`]); `data` is then `None`.
    pub checked: Option<Checked<'a>>,
    /// Read by the plain reader ([`parse_checking`]): [`ts_of`] finds its `ts` or none.
    pub plain: bool,
    /// Read by the plain reader, which found no `metadata` key (and every key written
    /// without escapes): the line's own text takes a metadata block appended as it is
    /// ([`Step::annotate`](crate::engine::Step::annotate)).
    pub appendable: bool,
}

/// A payload the reader checked while reading it: valid for the check it was resolved to.
#[derive(Debug)]
pub struct Checked<'a> {
    /// Where the event was found, and by which check its payload passed.
    pub resolved: Resolved,
    /// The properties the event's rules read.
    pub kept: Doc<'a>,
}

/// What the interpreter found for the fields read before `data`, handed back so that it need
/// not look them up again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Resolved {
    /// The check that ran: the address of the event's [`FastCheck`].
    pub check: usize,
    /// The lifecycle's index in the catalog.
    pub lifecycle: usize,
    /// The version of the interaction, when it was open.
    pub existing: Option<usize>,
    /// The interaction was open but had ended by quiet (its event begins another).
    pub quiet: bool,
    /// The version that judges the event.
    pub version: usize,
    /// The event's id in that version.
    pub event: EventId,
}

/// Given the lifecycle, interaction, event, version and `ts` read before `data`, where the
/// interpreter would find the event and the compiled check of its payload, if it has one.
pub type Resolve<'r> =
    dyn Fn(&str, &str, &str, Option<&str>, i64) -> Option<(Resolved, PayloadSeed<'r>)> + 'r;

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
        /// The object has no `lifecycle` field at all: it may be a native record.
        lifecycle_missing: bool,
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
    id: Option<&'a RawValue>,
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

/// An optional string field: `None` when absent or null; a problem when not a string.
fn optional_string<'a>(
    raw: Option<&'a RawValue>,
    name: &str,
    problems: &mut Vec<String>,
) -> Option<Cow<'a, str>> {
    let raw = raw.filter(|raw| raw.get() != "null")?;
    let found = text(raw);
    if found.is_none() {
        problems.push(format!("`{name}` must be a string, not {}", raw.get()));
    }
    found
}

/// The string a raw JSON value holds, borrowed when it has no escapes.
fn text(raw: &RawValue) -> Option<Cow<'_, str>> {
    let json = raw.get();
    match json
        .strip_prefix('"')
        .and_then(|rest| rest.strip_suffix('"'))
    {
        Some(inner) if !inner.bytes().any(|b| b == b'\\') => Some(Cow::Borrowed(inner)),
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

/// The `ts` of an envelope line, read without reading the line: the integer value of a
/// `ts` field that comes before any field whose value is an object or array, every name
/// before it plain. This orders a line within a reorder window; a line without one (a native
/// record, a malformed line, an envelope written otherwise) is judged as it arrives.
pub fn ts_of(line: &[u8]) -> Option<i64> {
    plain::ts(line)
}

/// The longest lifecycle, interaction, event, version or delivery id an envelope may name, in
/// bytes: longer ones are a bad envelope (memory kept per interaction stays bounded).
pub const MAX_NAME_BYTES: usize = 1024;

impl Envelope<'_> {
    /// A bad envelope when the interaction is empty (it would group every such line of the
    /// lifecycle into one interaction) or a name is over [`MAX_NAME_BYTES`], naming the field
    /// (and only the start of the value).
    pub fn names_usable(&self) -> Result<(), LineError> {
        let short = |name: &str| name.len() <= MAX_NAME_BYTES;
        let optional = |name: &Option<Cow<'_, str>>| name.as_deref().is_none_or(short);
        if (1..=MAX_NAME_BYTES).contains(&self.interaction.len())
            && short(&self.lifecycle)
            && short(&self.event)
            && optional(&self.version)
            && optional(&self.id)
        {
            return Ok(());
        }
        let kept = |text: &str| short(text).then(|| text.to_owned());
        let bad = |message| LineError::BadEnvelope {
            message,
            lifecycle: kept(&self.lifecycle),
            interaction: kept(&self.interaction),
            event: kept(&self.event),
            lifecycle_missing: false,
        };
        if self.interaction.is_empty() {
            return Err(bad(
                "`interaction` is empty: it names no interaction".to_owned()
            ));
        }
        let fields = [
            ("lifecycle", Some(&self.lifecycle)),
            ("interaction", Some(&self.interaction)),
            ("event", Some(&self.event)),
            ("version", self.version.as_ref()),
            ("id", self.id.as_ref()),
        ];
        for (name, value) in fields {
            let Some(value) = value.filter(|v| v.len() > MAX_NAME_BYTES) else {
                continue;
            };
            let start: String = value.chars().take(32).collect();
            return Err(bad(format!(
                "`{name}` is {} bytes (`{start}...`), over the limit of {MAX_NAME_BYTES}",
                value.len()
            )));
        }
        Ok(())
    }
}

/// Reads one non-blank line.
pub fn parse(line: &[u8]) -> Result<Envelope<'_>, LineError> {
    parse_text(text_of(line.into())?)
}

/// [`parse`], once the line is known to be an object's text.
fn parse_text(text: &str) -> Result<Envelope<'_>, LineError> {
    let wire: Wire = serde_json::from_str(text).map_err(|error| wire_error(text, &error))?;
    from_wire(wire)
}

/// Reads one non-blank line like [`parse`], checking its payload on the way when the line is
/// written plainly (`envelope/plain.rs`: the way writers write envelopes) and `resolve` has a
/// compiled check for its fields: the payload is then read once, not skipped and read again.
/// Anything out of the ordinary (the check fails, a field comes twice, the JSON is broken) is
/// read again by [`parse`], so the outcome is always [`parse`]'s.
#[inline]
pub fn parse_checking<'a>(
    line: impl Into<Line<'a>>,
    resolve: &Resolve<'_>,
) -> Result<Envelope<'a>, LineError> {
    let text = text_of(line.into())?;
    match plain::read(text, resolve) {
        Some(envelope) => Ok(envelope),
        None => parse_text(text),
    }
}

/// The line as text, once it is known to be a JSON object's, valid UTF-8 and not nested too
/// deep.
fn text_of(line: Line<'_>) -> Result<&str, LineError> {
    let Line { bytes: line, text } = line;
    // serde would read a JSON array into the struct field by field: only objects are events.
    if line.iter().find(|b| !b.is_ascii_whitespace()) != Some(&b'{') {
        return Err(LineError::Malformed(not_an_object(line)));
    }
    // Checked with its chunk (UTF-8 and depth both), or here (by the vector check; the
    // standard one finds where it fails): the text's strings need no further UTF-8 checks.
    if let Some(text) = text {
        return Ok(text);
    }
    let line =
        simdutf8::basic::from_utf8(line).map_err(|_| LineError::Malformed(invalid_utf8(line)))?;
    if nested_deeper_than(line.as_bytes(), MAX_DEPTH) {
        return Err(LineError::Malformed(format!(
            "JSON nested deeper than {MAX_DEPTH} levels"
        )));
    }
    Ok(line)
}

/// What a line that does not start as a JSON object is.
#[cold]
fn not_an_object(line: &[u8]) -> String {
    if looks_utf16(line) {
        return UTF16.to_owned();
    }
    let Ok(text) = std::str::from_utf8(line) else {
        return invalid_utf8(line);
    };
    let text = text.trim_start();
    // A member's key and its colon: a line of an object written over several lines.
    let member = || {
        text.get(1..)
            .and_then(|rest| rest.split_once('"'))
            .is_some_and(|(_, after)| after.trim_start().starts_with(':'))
    };
    match text.as_bytes().first() {
        Some(b'[') => format!("not a JSON object but an array{ONE_PER_LINE}"),
        Some(b']' | b'}') => {
            format!("not a JSON object: the end of one written over several lines{ONE_PER_LINE}")
        }
        Some(b'"') if member() => {
            format!("not a JSON object: a member of one written over several lines{ONE_PER_LINE}")
        }
        _ => "not a JSON object".to_owned(),
    }
}

/// What a stream written as JSON of another shape (an array, objects over several lines)
/// is told, with the line that shows it.
const ONE_PER_LINE: &str = " (events are read one JSON object per line)";

/// Where a line that is not UTF-8 stops being it.
#[cold]
fn invalid_utf8(line: &[u8]) -> String {
    let valid = std::str::from_utf8(line)
        .err()
        .map_or(0, |error| error.valid_up_to());
    format!("not JSON: invalid UTF-8 at byte {}", valid + 1)
}

/// Every line of a UTF-16 file is malformed, and saying so names the fix, where "not a JSON
/// object" or a syntax error at column 2 would hide it.
const UTF16: &str = "not JSON: the text looks UTF-16 encoded (a JSONL stream is UTF-8)";

/// Whether a line has UTF-16's byte-order mark, or begins as ASCII written in UTF-16 does: a
/// zero byte beside every other byte (never in JSON text, where a control character must be
/// escaped; a line of zero bytes alone, as a crash leaves in a log file, is not UTF-16).
fn looks_utf16(line: &[u8]) -> bool {
    let head = line.get(..64).unwrap_or(line);
    let zero_at = |parity| head.iter().skip(parity).step_by(2).all(|byte| *byte == 0);
    let none_at = |parity| head.iter().skip(parity).step_by(2).all(|byte| *byte != 0);
    line.starts_with(&[0xFF, 0xFE])
        || line.starts_with(&[0xFE, 0xFF])
        || (head.len() >= 4 && (zero_at(0) && none_at(1) || zero_at(1) && none_at(0)))
}

/// What a line (`text`) that serde could not read as a [`Wire`] is.
#[cold]
fn wire_error(text: &str, error: &serde_json::Error) -> LineError {
    if error.is_data() {
        // The only data error an object can give here: a repeated envelope field.
        let message = error.to_string();
        let message = message.split(" at line ").next().unwrap_or_default();
        LineError::BadEnvelope {
            message: message.to_owned(),
            lifecycle: None,
            interaction: None,
            event: None,
            lifecycle_missing: false,
        }
    } else if looks_utf16(text.as_bytes()) {
        LineError::Malformed(UTF16.to_owned())
    } else if error.is_eof() {
        // Cut short, or the first line of an object written over several.
        LineError::Malformed(format!(
            "not JSON: {error}: the line ends before its object does{ONE_PER_LINE}"
        ))
    } else if item_of_an_array(text) {
        LineError::Malformed(format!(
            "not JSON: a comma after the object, as between the items of an array{ONE_PER_LINE}"
        ))
    } else {
        LineError::Malformed(format!("not JSON: {error}"))
    }
}

/// Whether `text` is a JSON object and a comma after it, as an array written an item a line
/// has its items.
fn item_of_an_array(text: &str) -> bool {
    text.trim_end()
        .strip_suffix(',')
        .is_some_and(|object| serde_json::from_str::<serde::de::IgnoredAny>(object).is_ok())
}

/// The envelope of what was read, its fields checked.
fn from_wire(wire: Wire<'_>) -> Result<Envelope<'_>, LineError> {
    let mut problems = Vec::new();
    let lifecycle_missing = wire.lifecycle.is_none();
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
    let version = optional_string(wire.version, "version", &mut problems);
    let id = optional_string(wire.id, "id", &mut problems);
    let data = object(wire.data, "data", &mut problems);
    let metadata = object(wire.metadata, "metadata", &mut problems);
    match (lifecycle, interaction, event, ts) {
        (Some(lifecycle), Some(interaction), Some(event), Some(ts)) if problems.is_empty() => {
            Ok(Envelope {
                lifecycle,
                interaction,
                event,
                ts: Some(ts),
                version,
                id,
                data,
                metadata,
                checked: None,
                plain: false,
                appendable: false,
            })
        }
        (lifecycle, interaction, event, _) => Err(LineError::BadEnvelope {
            message: problems.join("; "),
            lifecycle: lifecycle.map(Cow::into_owned),
            interaction: interaction.map(Cow::into_owned),
            event: event.map(Cow::into_owned),
            lifecycle_missing,
        }),
    }
}

/// A line's lifecycle and interaction, as bytes.
pub type LineKey<'a> = (Cow<'a, [u8]>, Cow<'a, [u8]>);

/// The lifecycle and interaction of a line, read as cheaply as possible: what `--jobs` shards
/// by. Whenever [`parse`] reads the line as an event, this gives the two strings' bytes; for
/// other lines it may give anything (they touch no interaction).
pub fn key_of(line: &[u8]) -> Option<LineKey<'_>> {
    scan_key(line).or_else(|| {
        #[derive(Deserialize)]
        struct Key<'a> {
            #[serde(borrow)]
            lifecycle: Cow<'a, str>,
            #[serde(borrow)]
            interaction: Cow<'a, str>,
        }
        let key: Key = serde_json::from_slice(line).ok()?;
        Some((bytes_of(key.lifecycle), bytes_of(key.interaction)))
    })
}

/// A string's bytes.
fn bytes_of(text: Cow<'_, str>) -> Cow<'_, [u8]> {
    match text {
        Cow::Borrowed(text) => Cow::Borrowed(text.as_bytes()),
        Cow::Owned(text) => Cow::Owned(text.into_bytes()),
    }
}

/// Scans the top-level keys of an object for `lifecycle` and `interaction` with plain string
/// values (no escapes), stopping as soon as both are found. `None` when unsure.
fn scan_key(line: &[u8]) -> Option<LineKey<'_>> {
    if let Some(key) = compact_key(line) {
        return Some(key);
    }
    let mut at = skip_space(line, 0);
    if line.get(at) != Some(&b'{') {
        return None;
    }
    let (mut lifecycle, mut interaction): (Option<&[u8]>, Option<&[u8]>) = (None, None);
    loop {
        at = skip_space(line, at + 1);
        // The two keys looked for are recognized without scanning for their end.
        let rest = line.get(at..).unwrap_or_default();
        let (wanted, after) = if rest.starts_with(LIFECYCLE_KEY) {
            (Some(&mut lifecycle), at + LIFECYCLE_KEY.len())
        } else if rest.starts_with(INTERACTION_KEY) {
            (Some(&mut interaction), at + INTERACTION_KEY.len())
        } else {
            (None, plain_string(line, at)?.1)
        };
        at = skip_space(line, after);
        if line.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(line, at + 1);
        at = match wanted {
            Some(slot) => {
                let (value, after) = plain_string(line, at)?;
                *slot = Some(value);
                after
            }
            None => skip_value(line, at)?,
        };
        if let (Some(lifecycle), Some(interaction)) = (lifecycle, interaction) {
            return Some((Cow::Borrowed(lifecycle), Cow::Borrowed(interaction)));
        }
        at = skip_space(line, at);
        if line.get(at) != Some(&b',') {
            return None;
        }
    }
}

/// The two keys of a line's key, as they are written.
const LIFECYCLE_KEY: &[u8] = b"\"lifecycle\"";
const INTERACTION_KEY: &[u8] = b"\"interaction\"";

/// The key of a line that starts the way writers usually write one, compact and in the
/// documented order: `{"lifecycle":"…","interaction":"…"` (plain strings). `None` otherwise.
fn compact_key(line: &[u8]) -> Option<LineKey<'_>> {
    let (lifecycle, at) = plain_string(line, after_fixed(line, 0, b"{\"lifecycle\":")?)?;
    let (interaction, _) = plain_string(line, after_fixed(line, at, b",\"interaction\":")?)?;
    Some((Cow::Borrowed(lifecycle), Cow::Borrowed(interaction)))
}

/// [`compact_key`] of a line of valid UTF-8 text, as text: the cheapest look at a line's
/// key, for hints that may miss.
#[inline]
pub(crate) fn compact_key_text(text: &str) -> Option<(&str, &str)> {
    let line = text.as_bytes();
    let (lifecycle, at) = plain_str(text, after_fixed(line, 0, b"{\"lifecycle\":")?)?;
    let (interaction, _) = plain_str(text, after_fixed(line, at, b",\"interaction\":")?)?;
    Some((lifecycle, interaction))
}

/// The deepest nesting of arrays and objects a line may have, anywhere in it (the line's own
/// object is the first level): the limit of the JSON parser that reads payloads, applied to
/// every part of the line so that what is accepted does not depend on what is read.
pub const MAX_DEPTH: usize = 128;

/// Whether `line` surely nests arrays and objects no more than `limit` deep: it has no more
/// than `limit` bytes, or no more than `limit` opening brackets.
pub(crate) fn surely_within_depth(line: &[u8], limit: usize) -> bool {
    if line.len() <= limit {
        return true;
    }
    // `{` and `[` are the only bytes that `| 0x20` maps to `{`. Counted in chunks whose count
    // fits a byte, this compiles to vector code: cheaper on short lines than a search per
    // bracket.
    let opening: usize = line
        .chunks(128)
        .map(|chunk| {
            let in_chunk: u8 = chunk.iter().map(|&b| u8::from(b | 0x20 == b'{')).sum();
            usize::from(in_chunk)
        })
        .sum();
    opening <= limit
}

/// Whether the JSON text `line` nests arrays and objects more than `limit` deep (brackets in
/// strings do not count). A line [`surely_within_depth`] is not scanned.
fn nested_deeper_than(line: &[u8], limit: usize) -> bool {
    if surely_within_depth(line, limit) {
        return false;
    }
    let (mut depth, mut at) = (0usize, 0usize);
    while let Some(found) = line.get(at..).and_then(|rest| {
        rest.iter()
            .position(|b| matches!(b, b'"' | b'{' | b'[' | b'}' | b']'))
    }) {
        at += found;
        match line.get(at) {
            Some(b'"') => match skip_string(line, at) {
                Some(end) => {
                    at = end;
                    continue;
                }
                None => return false,
            },
            Some(b'{' | b'[') => {
                depth += 1;
                if depth > limit {
                    return true;
                }
            }
            _ => depth = depth.saturating_sub(1),
        }
        at += 1;
    }
    false
}

/// The position after the string at `at` (which holds its opening quote).
fn skip_string(line: &[u8], at: usize) -> Option<usize> {
    let mut end = at + 1;
    loop {
        end += memchr::memchr2(b'"', b'\\', line.get(end..)?)?;
        if line.get(end) == Some(&b'"') {
            return Some(end + 1);
        }
        end += 2;
    }
}

/// The position after the JSON value at `at` (syntax is checked only as far as nesting).
fn skip_value(line: &[u8], mut at: usize) -> Option<usize> {
    let mut depth = 0usize;
    loop {
        match *line.get(at)? {
            b'"' => at = skip_string(line, at)?,
            b'{' | b'[' => {
                depth += 1;
                at += 1;
            }
            b'}' | b']' => {
                depth = depth.checked_sub(1)?;
                at += 1;
            }
            _ if depth == 0 => {
                let scalar_end = line
                    .get(at..)?
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'));
                return Some(at + scalar_end.unwrap_or(line.len() - at));
            }
            _ => at += 1,
        }
        if depth == 0 {
            return Some(at);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A check that keeps `n` of `{"n": <integer>}` (and rejects anything else), asked for
    /// lifecycle `l` only; the calls counted.
    fn checking(line: &str) -> (Result<Envelope<'_>, LineError>, usize) {
        use crate::compile::fast_check::{DataReads, FastCheck};
        let schema = serde_json::json!({
            "type": "object",
            "properties": {"n": {"type": "integer"}},
            "required": ["n"],
            "additionalProperties": false
        });
        let mut check = FastCheck::compile(&schema).expect("in the subset");
        check.keeping(&DataReads::Fields(vec!["n".to_owned()]));
        let check = Box::leak(Box::new(check));
        let calls = std::cell::Cell::new(0);
        let resolve = |lifecycle: &str, _: &str, _: &str, _: Option<&str>, _: i64| {
            calls.set(calls.get() + 1);
            let resolved = Resolved {
                check: 7,
                lifecycle: 0,
                existing: None,
                quiet: false,
                version: 0,
                event: 0,
            };
            (lifecycle == "l").then(|| (resolved, check.seed()))
        };
        let read = parse_checking(line.as_bytes(), &resolve);
        (read, calls.get())
    }

    #[test]
    fn a_payload_checked_on_the_way_is_read_once_and_anything_unusual_is_read_again() {
        // Written plainly, a valid payload: checked by the reader, not kept as text.
        let (read, calls) = checking(
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"x":"y","data":{"n":5}}"#,
        );
        let envelope = read.expect("an event");
        assert_eq!(calls, 1);
        assert!(envelope.data.is_none());
        let checked = envelope.checked.expect("checked");
        assert_eq!(checked.resolved.check, 7);
        assert_eq!(
            checked.kept.get("n").map(Doc::to_value),
            Some(serde_json::json!(5))
        );
        // Each of these is read by `parse`, which keeps the payload as text (or says what is
        // wrong), exactly as without the reader's check.
        for line in [
            // the check rejects it
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":{"n":"x"}}"#,
            // no check for this lifecycle
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"data":{"n":5}}"#,
            // `data` before the fields, or not last
            r#"{"data":{"n":5},"lifecycle":"l","interaction":"k","event":"e","ts":1}"#,
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":{"n":5},"x":[1]}"#,
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":{"n":5},"metadata":{}}"#,
            // `version` after `data`: the check was chosen without it
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":{"n":5},"version":"2"}"#,
            // a field twice, broken JSON after the payload, a payload that is no object
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":{"n":5},"ts":2}"#,
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":{"n":5},"#,
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":[5]}"#,
            r#"{"lifecycle":"l","interaction":"k","event":"e","ts":1,"data":null}"#,
            // fields the reader takes as they are written, or leaves to `parse`
            r#"{"lifecycle":"m","interaction":"k\u0031","event":"e","ts":1,"version":null}"#,
            r#"{"lif\u0065cycle":"m","interaction":"k","event":"e","ts":-0,"version":"1.0"}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"version":2}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1.5}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1e3}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":99999999999999999999}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":"1"}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"metadata":[1]}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"metadata":null,"data":{}}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"metadata":{"a":1}}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"data":"x"}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"ts":1}"#,
            r#"{"lifecycle":"m","interaction":"k","event":"e","event":"e","ts":1}"#,
            r#"{"interaction":"k","event":"e","ts":1}"#,
            r#"{"lifecycle":1,"interaction":"k","event":"e","ts":1}"#,
            r#"{"lifecycle":"m","interaction":null,"event":"e","ts":1}"#,
            r#"{"lifecycle":"m","interaction":"k","ts":1}"#,
        ] {
            let (read, _) = checking(line);
            if let Ok(read) = &read {
                assert!(read.checked.is_none(), "{line}");
            }
            let read = read.map(|envelope| Envelope {
                plain: false,
                appendable: false,
                ..envelope
            });
            let plain = parse(line.as_bytes());
            assert_eq!(format!("{read:?}"), format!("{plain:?}"), "{line}");
        }
    }

    #[test]
    fn the_ts_of_a_line_is_read_from_its_first_plain_fields() {
        let cases: [(&str, Option<i64>); 17] = [
            (r#"{"event":"ts","ts":4}"#, Some(4)),
            (r#"{"t":"t","tts":1,"ts":3,"b":"{"}"#, Some(3)),
            (r#"{"ts":2,"data":[{"ts":1}]}"#, Some(2)),
            (r#"{"event": "ts", "ts" :5}"#, Some(5)),
            (r#"{"a":"{","ts":6}"#, None),
            (
                r#"{"lifecycle":"l","interaction":"k","event":"e","ts":17,"data":{"ts":3}}"#,
                Some(17),
            ),
            (r#" { "ts" : -5 , "lifecycle" : "l" } "#, Some(-5)),
            (
                r#"{"id":"a","version":null,"n":1.5,"ok":true,"ts":9}"#,
                Some(9),
            ),
            // After an object, escaped, not an integer, missing, not an object: none.
            (r#"{"data":{"a":1},"ts":17}"#, None),
            (r#"{"t\u0073":17}"#, None),
            (r#"{"ts":1.5}"#, None),
            (r#"{"ts":"17"}"#, None),
            (r#"{"lifecycle":"l"}"#, None),
            (r#"[{"ts":1}]"#, None),
            // Cut short: within its digits, or right after them.
            (r#"{"lifecycle":"l","ts":1732"#, None),
            (r#"{"lifecycle":"l","ts":1732 "#, None),
            (r#"{"lifecycle":"l","ts":1732 ,"e"#, Some(1732)),
        ];
        for (line, ts) in cases {
            assert_eq!(super::ts_of(line.as_bytes()), ts, "{line}");
        }
    }

    #[test]
    fn a_line_read_plainly_reads_as_parse_reads_it() {
        let no_check = |_: &str, _: &str, _: &str, _: Option<&str>, _: i64| None;
        // (line, whether it is read plainly); lifecycle `m` has no compiled check, so the
        // payload stays text and the two readings can be compared whole.
        let head = r#""lifecycle":"m","interaction":"k","event":"e""#;
        let cases: Vec<(String, bool)> = [
            (r#"{HEAD,"ts":1}"#, true),
            (r#"  { "ts" : -0 ,"version" : null, HEAD } "#, true),
            (r#"{"ts":1,"version":"9.0","data":null,"metadata":null,HEAD}"#, true),
            (r#"{HEAD,"ts":1,"s":"é","t":true,"f":false,"z":null,"n":-1.5E+3,"o":0,"p":0.25e-1}"#, true),
            (r#"{HEAD,"ts":1,"version":"2","data" : {"a":[1,{"b":"\u0041"}]} }"#, true),
            (r#"{HEAD,"ts":9223372036854775807,"metadata":{"a":1}}"#, true),
            (r#"{HEAD,"ts":1,"data":null,"metadata":{"a":1}}"#, true),
            (r#"{HEAD,"ts":1,"data":{}}"#, true),
            (r#"{HEAD,"ts":1,"data":{"metadata":{"a":"\u0041"}}}"#, true),
            (r#"{HEAD,"ts":1,"id":"m-1","data":{}}"#, true),
            (r#"{"id":null,HEAD,"ts":1}"#, true),
            (r#"{HEAD,"ts":1,"id":7}"#, false),
            (r#"{HEAD,"ts":1,"id":"a","id":"b"}"#, false),
            (r#"{HEAD,"ts":1,"id":"a\u0062"}"#, false),
            // Left to `parse`: what it accepts in other ways, and what it refuses.
            (r#"{HEAD,"ts":1,"x":[1]}"#, false),
            (r#"{HEAD,"ts":1,"x":{"a":1}}"#, false),
            (r#"{HEAD,"ts":1,"x":"a\"b"}"#, false),
            (r#"{"lifecycle":"m","interaction":"k\u0031","event":"e","ts":1}"#, false),
            // a tab and another control character as they are (JSON wants them escaped)
            (r#"{"lifecycle":"m","interaction":"kTAB","event":"e","ts":1}"#, false),
            (r#"{HEAD,"ts":1,"x":"CTL"}"#, false),
            (r#"{HEAD,"ts":1,"data":{"a":1},"metadata":{}}"#, false),
            (r#"{HEAD,"ts":1,"data":null,"data":{"a":1}}"#, false),
            (r#"{HEAD,"ts":1,"metadata":null,"metadata":{"a":1}}"#, false),
            (r#"{HEAD,"ts":1,"data":[1]}"#, false),
            (r#"{HEAD,"ts":1,"data":{"a":1}"#, false),
            (r#"{HEAD,"ts":1,"data":{"a":1}}}"#, false),
            (r#"{HEAD,"ts":1,"data":{"a":}}"#, false),
            (r#"{HEAD,"ts":1,"lifecycle":"m"}"#, false),
            (r#"{HEAD,"ts":1,"ts":1}"#, false),
            (r#"{HEAD,"ts":1,"version":1}"#, false),
            (r#"{HEAD,"ts":1,"version":nul}"#, false),
            (r#"{HEAD}"#, false),
            (r#"{}"#, false),
            // a form feed is no JSON white space
            (r#"FF{HEAD,"ts":1}"#, false),
            (r#"{HEAD,"ts":1,}"#, false),
            (r#"{HEAD,"ts":1 "x":1}"#, false),
        ]
        .iter()
        .map(|(line, plainly)| {
            let line = line.replace("HEAD", head).replace("TAB", "\t");
            let line = line.replace("CTL", "\u{1f}");
            (line.replace("FF", "\u{c}"), *plainly)
        })
        .chain(
            // Numbers: `ts` takes an integer, another field any JSON number.
            [
                "0", "-0", "7", "-12", "01", "-", "1.", ".5", "1.5", "1e3", "1e", "1e+", "-1E-2",
                "+1", "0x1", "1_000", "99999999999999999999", "tru", "true1", "nulll",
                "-9223372036854775808", "9223372036854775807", "9223372036854775808",
                "999999999999999999", "-999999999999999999", "1000000000000000000",
            ]
            .iter()
            .flat_map(|number| {
                let json = serde_json::from_str::<serde_json::Value>(number).is_ok();
                let integer = json && number.parse::<i64>().is_ok();
                [
                    (format!(r#"{{{head},"ts":{number}}}"#), integer),
                    (format!(r#"{{{head},"ts":1,"x":{number}}}"#), json),
                ]
            }),
        )
        .collect();
        for (line, plainly) in &cases {
            let text = text_of(line.as_bytes().into());
            // Text its chunk checked reads as the same bytes checked here.
            assert_eq!(
                text.as_ref().ok(),
                text_of(line.as_str().into()).as_ref().ok()
            );
            let read = text.ok().and_then(|text| plain::read(text, &no_check));
            assert_eq!(read.is_some(), *plainly, "{line}");
            let parsed = parse(line.as_bytes());
            if let Some(mut read) = read {
                // What `ts_of` finds, without parsing, is the `ts` read (or nothing).
                let found = ts_of(line.as_bytes());
                assert!(found.is_none() || found == read.ts, "{line}");
                // No `metadata` key, as a JSON reader finds the keys.
                let keys = serde_json::from_str::<serde_json::Map<String, serde_json::Value>>(line);
                assert_eq!(
                    read.appendable,
                    !keys.expect("an object").contains_key("metadata"),
                    "{line}"
                );
                read.plain = false;
                read.appendable = false;
                assert_eq!(
                    format!("{:?}", Ok::<_, LineError>(read)),
                    format!("{parsed:?}"),
                    "{line}"
                );
            }
            let (checked, _) = checking(line);
            let checked = checked.map(|envelope| Envelope {
                plain: false,
                appendable: false,
                ..envelope
            });
            assert_eq!(format!("{checked:?}"), format!("{parsed:?}"), "{line}");
        }
    }

    #[test]
    fn nesting_is_limited_anywhere_in_the_line() {
        let nested = |depth: usize, inner: &str| {
            let data = format!("{}{inner}{}", "[".repeat(depth), "]".repeat(depth));
            format!(r#"{{"lifecycle":"l","interaction":"k","event":"e","ts":1,"x":{data}}}"#)
        };
        // The line's object is the first level.
        assert!(parse(nested(127, "").as_bytes()).is_ok());
        for line in [nested(128, ""), nested(150_000, "")] {
            let Err(LineError::Malformed(message)) = parse(line.as_bytes()) else {
                panic!("too deep");
            };
            assert_eq!(message, "JSON nested deeper than 128 levels");
            // Handed over as text, it is checked all the same.
            let no_check = |_: &str, _: &str, _: &str, _: Option<&str>, _: i64| None;
            let Err(LineError::Malformed(message)) = parse_checking(line.as_str(), &no_check)
            else {
                panic!("too deep as text");
            };
            assert_eq!(message, "JSON nested deeper than 128 levels");
        }
        // Brackets inside strings (escaped quotes too) are text, not nesting.
        let text = format!(r#""\"{}""#, "[{".repeat(200));
        assert!(parse(nested(1, &text).as_bytes()).is_ok());
        assert!(!nested_deeper_than(nested(127, &text).as_bytes(), 128));
        assert!(nested_deeper_than(nested(128, &text).as_bytes(), 128));
    }

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
        assert_eq!((ok.interaction.as_ref(), ok.ts), ("bA", Some(7)));
    }

    #[test]
    fn a_line_that_is_no_utf8_text_says_what_it_is() {
        let malformed = |line: &[u8]| match parse(line) {
            Err(LineError::Malformed(message)) => message,
            other => panic!("{other:?}"),
        };
        let event = r#"{"lifecycle":"a","interaction":"b","event":"c","ts":1}"#;
        let utf16: Vec<u8> = event.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let with_mark = [&[0xFF, 0xFE][..], &utf16].concat();
        // A UTF-16 file cut at its line feeds: the zero byte after each starts the next line.
        let next_line = [&[0][..], &utf16].concat();
        for line in [&utf16, &with_mark, &next_line] {
            assert_eq!(malformed(line), UTF16, "{line:?}");
        }
        assert_eq!(malformed(b"\0\0\0\0\0\0"), "not a JSON object");
        assert_eq!(malformed(b"\xe9t\xe9"), "not JSON: invalid UTF-8 at byte 1");
        assert_eq!(malformed(b"ok \xff"), "not JSON: invalid UTF-8 at byte 4");
        assert_eq!(malformed(b"42"), "not a JSON object");
        assert_eq!(malformed(br#""a text""#), "not a JSON object");
        assert_eq!(
            malformed(b"{\"lifecycle\":\xff}"),
            "not JSON: invalid UTF-8 at byte 14"
        );
    }

    #[test]
    fn json_of_another_shape_is_told_to_write_an_object_a_line() {
        let malformed = |line: &str| match parse(line.as_bytes()) {
            Err(LineError::Malformed(message)) => message,
            other => panic!("{other:?}"),
        };
        let event = r#"{"lifecycle":"a","interaction":"b","event":"c","ts":1}"#;
        let said = |what: &str| format!("{what} (events are read one JSON object per line)");
        let array = said("not a JSON object but an array");
        assert_eq!(malformed(&format!("[{event}, {event}]")), array);
        assert_eq!(malformed("  ["), array);
        let item = said("not JSON: a comma after the object, as between the items of an array");
        assert_eq!(malformed(&format!("  {event} , ")), item);
        // Over several lines: the start, a member, the end.
        assert_eq!(
            malformed("{"),
            said("not JSON: EOF while parsing an object at line 1 column 1: the line ends before its object does")
        );
        let member = said("not a JSON object: a member of one written over several lines");
        assert_eq!(malformed(r#"  "lifecycle": "a","#), member);
        assert_eq!(malformed(r#""ts" :1"#), member);
        let end = said("not a JSON object: the end of one written over several lines");
        assert_eq!(malformed("  },"), end);
        assert_eq!(malformed("]"), end);
        // Other broken objects are said as the reader says them.
        assert_eq!(
            malformed(&format!("{event},x")),
            "not JSON: trailing characters at line 1 column 55"
        );
        assert_eq!(
            malformed(&format!("{event},,")),
            "not JSON: trailing characters at line 1 column 55"
        );
    }

    #[test]
    fn key_of_agrees_with_parse() {
        let lines: [&str; 10] = [
            r#"{"lifecycle":"a","interaction":"b","event":"c","ts":1}"#,
            r#"{"lifecycle":"l","interaction":"k\"q","event":"e","ts":2}"#,
            r#"{"lifecycle":"l\u0041","interaction":"k","event":"e","ts":2}"#,
            r#"{"lifecycle":"l","interaction":"","event":"e","ts":2,"data":{"a":"\\"}}"#,
            r#"{ "data" : {"x":[1,{"interaction":"no"}],"s":"q\"}"} , "ts":1, "event":"c", "interaction" : "i\u0041", "lifecycle":"l"}"#,
            r#"{"n":-1.5e3,"t":true,"lifecycle":"l","x":null,"interaction":"k","event":"e","ts":2}"#,
            r#"{"lif\u0065cycle":"l","interaction":"k","event":"e","ts":2}"#,
            r#"{"interaction":"k","lifecycle":"l","event":"e","ts":2,"data":{"a":"\\"}}"#,
            r#"  {"lifecycle":"l","interaction":"k\"q","event":"e","ts":2}"#,
            r#"{"lifecycle":"l","interaction":"é","event":"e","ts":2}"#,
        ];
        for line in lines.map(str::as_bytes) {
            let event = parse(line).expect("an event");
            let (lifecycle, interaction) = key_of(line).expect("a key");
            assert_eq!(
                (lifecycle.as_ref(), interaction.as_ref()),
                (event.lifecycle.as_bytes(), event.interaction.as_bytes()),
                "{}",
                String::from_utf8_lossy(line)
            );
        }
        assert_eq!(key_of(b"[1]"), None);
        assert_eq!(key_of(b"{}"), None);
    }
}
