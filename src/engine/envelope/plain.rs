//! An envelope written plainly, read in one pass over its bytes: the way every writer here
//! writes one (and most others do), without the general JSON reader's work per field.
//!
//! Plainly means: the field names and string values have no escapes, `ts` is an integer,
//! fields other than the envelope's have scalar values, and an object (`data`, `metadata`)
//! is the last field. [`super::ts_of`] finds the same `ts` in such a line, or none (when a
//! string before it holds a bracket). Any line that is not read this way is left to [`super::parse`], whose
//! outcome counts; a line that is read this way gives exactly what `parse` gives.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::borrow::Cow;

use serde_json::value::RawValue;

use super::{Checked, Envelope, Resolve};
use crate::plain_json::{
    after_fixed, integer, is_space, plain_str, plain_string, scalar_end, skip_space,
};

/// The envelope of `text` (a JSON object's text, valid UTF-8 and not nested too deep), its
/// payload checked with the check `resolve` gives for the fields before it; `None` when the
/// line is not written plainly or anything in it is out of the ordinary (a field twice, a
/// payload its check rejects, broken JSON).
#[inline]
pub(super) fn read<'a>(text: &'a str, resolve: &Resolve<'_>) -> Option<Envelope<'a>> {
    let (fields, last) = fields_of(text)?;
    fields.finish(last, resolve)
}

/// The fields of `text` and the object that closes it: read by [`compact`] when it is written
/// that way, else field by field ([`general`]).
#[inline]
fn fields_of(text: &str) -> Option<(Fields<'_>, Last<'_>)> {
    let close = closing_brace(text)?;
    compact(text, close).or_else(|| general(text, close))
}

/// Where the object `text` closes: its last byte but spaces, when that is `}`.
#[inline]
fn closing_brace(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let close = bytes.iter().rposition(|b| !is_space(*b))?;
    (bytes.get(close) == Some(&b'}')).then_some(close)
}

/// The fields of an envelope written compactly in the order writers use:
/// `{"lifecycle":…,"interaction":…,"event":…,"ts":…`, then `"version"` and `"id"` when
/// present (strings), then `"data"` or `"metadata"` when present (an object, the last field),
/// no white space but after the closing brace (at `close`). The names are matched where they
/// must be, not read; any other layout gives `None` (and [`general`] reads it), so what this
/// gives is what [`general`] gives.
#[inline]
fn compact(text: &str, close: usize) -> Option<(Fields<'_>, Last<'_>)> {
    let bytes = text.as_bytes();
    let at = after_fixed(bytes, 0, b"{\"lifecycle\":")?;
    let (lifecycle, at) = plain_str(text, at)?;
    let (interaction, at) = plain_str(text, after_fixed(bytes, at, b",\"interaction\":")?)?;
    let (event, at) = plain_str(text, after_fixed(bytes, at, b",\"event\":")?)?;
    let (ts, mut at) = integer(bytes, after_fixed(bytes, at, b",\"ts\":")?)?;
    let mut fields = Fields {
        lifecycle: Some(lifecycle),
        interaction: Some(interaction),
        event: Some(event),
        ts: Some(ts),
        ..Fields::default()
    };
    if let Some(start) = after_fixed(bytes, at, b",\"version\":") {
        let (version, next) = plain_str(text, start)?;
        (fields.version, at) = (Some(Some(version)), next);
    }
    if let Some(start) = after_fixed(bytes, at, b",\"id\":") {
        let (id, next) = plain_str(text, start)?;
        (fields.id, at) = (Some(Some(id)), next);
    }
    let last = if at == close {
        Last::None
    } else if let Some(start) = after_fixed(bytes, at, b",\"data\":{") {
        Last::Data(text.get(start - 1..close)?)
    } else {
        Last::Metadata(text.get(after_fixed(bytes, at, b",\"metadata\":{")? - 1..close)?)
    };
    Some((fields, last))
}

/// The fields of an envelope written plainly, in any order and spacing, read one by one;
/// `close` is where the object closes.
fn general(text: &str, close: usize) -> Option<(Fields<'_>, Last<'_>)> {
    let bytes = text.as_bytes();
    let open = skip_space(bytes, 0);
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let mut fields = Fields::default();
    let mut at = skip_space(bytes, open + 1);
    let last = loop {
        let (name, after) = plain_string(bytes, at)?;
        at = skip_space(bytes, after);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        let is_null = bytes.get(at..)?.starts_with(b"null");
        let after = match name {
            b"lifecycle" => put(&mut fields.lifecycle, plain_str(text, at)?)?,
            b"interaction" => put(&mut fields.interaction, plain_str(text, at)?)?,
            b"event" => put(&mut fields.event, plain_str(text, at)?)?,
            b"version" if is_null => put(&mut fields.version, (None, at + 4))?,
            b"version" => {
                let (version, after) = plain_str(text, at)?;
                put(&mut fields.version, (Some(version), after))?
            }
            b"id" if is_null => put(&mut fields.id, (None, at + 4))?,
            b"id" => {
                let (id, after) = plain_str(text, at)?;
                put(&mut fields.id, (Some(id), after))?
            }
            b"ts" => put(&mut fields.ts, integer(bytes, at)?)?,
            b"data" | b"metadata" if is_null => {
                let seen = match name {
                    b"data" => &mut fields.data_null,
                    _ => &mut fields.metadata_null,
                };
                put(seen, ((), at + 4))?
            }
            // An object, the last field: it runs to the envelope's closing brace.
            b"data" => break Last::Data(text.get(at..close)?),
            b"metadata" => break Last::Metadata(text.get(at..close)?),
            _ => scalar_end(bytes, at)?,
        };
        at = skip_space(bytes, after);
        match bytes.get(at)? {
            b',' => at = skip_space(bytes, at + 1),
            b'}' if at == close => break Last::None,
            _ => return None,
        }
    };
    Some((fields, last))
}

/// The integer `ts` of a line, found without reading the line: the first `"ts"` in it that
/// follows `{`, `,` or a space and is followed by `:` (a name, not a value), when no `{` or `[`
/// comes before it but the object's own (so it is a name of the object itself: in valid JSON
/// those bytes can be nothing else), and an integer follows, then `,` or `}` (a line cut short
/// within its digits has neither). What orders a line within a reorder window; `None`
/// otherwise.
pub(super) fn ts(bytes: &[u8]) -> Option<i64> {
    let open = skip_space(bytes, 0);
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let body = bytes.get(open + 1..)?;
    // Built once: a searcher's set-up costs more than a short line's search.
    static TS: std::sync::LazyLock<memchr::memmem::Finder<'static>> =
        std::sync::LazyLock::new(|| memchr::memmem::Finder::new(b"\"ts\""));
    let mut from = 0;
    while let Some(found) = TS.find(body.get(from..)?).map(|found| from + found) {
        from = found + 1;
        let before = body.get(..found)?;
        if !before.last().is_none_or(|b| *b == b',' || is_space(*b)) {
            continue;
        }
        let colon = skip_space(body, found + 4);
        if body.get(colon) != Some(&b':') {
            continue;
        }
        // A bracket before it: not (or not surely) a name of the object itself, and no later
        // one is either.
        if memchr::memchr2(b'{', b'[', before).is_some() {
            return None;
        }
        let at = skip_space(body, colon + 1);
        // Followed by what follows a value: in a line cut short, digits may be missing.
        let (ts, after) = integer(body, at)?;
        return matches!(body.get(skip_space(body, after)), Some(b',' | b'}')).then_some(ts);
    }
    None
}

/// The fields read so far.
#[derive(Default)]
#[cfg_attr(test, derive(Debug, PartialEq))]
struct Fields<'a> {
    lifecycle: Option<&'a str>,
    interaction: Option<&'a str>,
    event: Option<&'a str>,
    ts: Option<i64>,
    /// `Some(None)` for `null`.
    version: Option<Option<&'a str>>,
    /// `Some(None)` for `null`.
    id: Option<Option<&'a str>>,
    /// `data: null` was read (the same as no `data`, but a second `data` is a field twice).
    data_null: Option<()>,
    /// `metadata: null` was read.
    metadata_null: Option<()>,
}

/// The object that closes the envelope, as written.
#[cfg_attr(test, derive(Debug, PartialEq))]
enum Last<'a> {
    None,
    Data(&'a str),
    Metadata(&'a str),
}

impl<'a> Fields<'a> {
    /// The envelope, once every field is read and `last` ends it.
    #[inline]
    fn finish(self, last: Last<'a>, resolve: &Resolve<'_>) -> Option<Envelope<'a>> {
        let (Some(lifecycle), Some(interaction), Some(event), Some(ts)) =
            (self.lifecycle, self.interaction, self.event, self.ts)
        else {
            return None;
        };
        let version = self.version.flatten();
        let appendable = self.metadata_null.is_none() && !matches!(last, Last::Metadata(_));
        let (mut data, mut metadata, mut checked) = (None, None, None);
        match last {
            Last::None => {}
            // A field twice: `parse` says so.
            Last::Data(_) if self.data_null.is_some() => return None,
            Last::Metadata(_) if self.metadata_null.is_some() => return None,
            Last::Data(text) => match resolve(lifecycle, interaction, event, version, ts) {
                Some((resolved, seed)) => {
                    let kept = seed.read(text)?;
                    checked = Some(Checked { resolved, kept });
                }
                None => data = Some(object(text)?),
            },
            Last::Metadata(text) => metadata = Some(object(text)?),
        }
        Some(Envelope {
            lifecycle: Cow::Borrowed(lifecycle),
            interaction: Cow::Borrowed(interaction),
            event: Cow::Borrowed(event),
            ts: Some(ts),
            version: version.map(Cow::Borrowed),
            id: self.id.flatten().map(Cow::Borrowed),
            data,
            metadata,
            checked,
            plain: true,
            appendable,
        })
    }
}

/// A slot filled once: the value and the position after it, or `None` the second time.
fn put<T>(slot: &mut Option<T>, (value, after): (T, usize)) -> Option<usize> {
    match slot.replace(value) {
        Some(_) => None,
        None => Some(after),
    }
}

/// An object's text as the payload or metadata (`None` if it is not one object).
fn object(text: &str) -> Option<Cow<'_, RawValue>> {
    let raw: &RawValue = serde_json::from_str(text).ok()?;
    raw.get().starts_with('{').then_some(Cow::Borrowed(raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `fields_of` with `compact` or `general` alone.
    fn read_by(
        reader: for<'t> fn(&'t str, usize) -> Option<(Fields<'t>, Last<'t>)>,
        text: &str,
    ) -> Option<(Fields<'_>, Last<'_>)> {
        reader(text, closing_brace(text)?)
    }

    #[test]
    fn a_compact_envelope_reads_as_the_general_reader_reads_it() {
        let head = r#"{"lifecycle":"m","interaction":"k-1","event":"e","ts":1732435200000"#;
        let compact_lines: Vec<String> = [
            "}",
            r#","version":"9.0.002.06"}"#,
            r#","version":"1","id":"d-7"}"#,
            r#","id":"d-7"}"#,
            r#","version":"9.0","data":{"a":[1,{"b":"c"}],"d":"é"}}"#,
            r#","id":"x","data":{}}"#,
            r#","metadata":{"k":1}}  "#,
            r#","version":"9.0","metadata":{}}"#,
            r#","data":{"a":1}} "#,
        ]
        .iter()
        .map(|tail| format!("{head}{tail}"))
        .collect();
        let mut lines = compact_lines.clone();
        // Near misses: every layout the compact reader must leave to the general one, and
        // broken lines, made by editing the compact ones byte by byte.
        for line in &compact_lines {
            for at in (0..=line.len()).filter(|at| line.is_char_boundary(*at)) {
                let (before, rest) = line.split_at(at);
                lines.push(format!("{before} {rest}"));
                lines.push(format!(
                    "{before}{}",
                    rest.chars().skip(1).collect::<String>()
                ));
                for inserted in [
                    r#","version":null"#,
                    r#","id":"y""#,
                    r#","x":1"#,
                    r#""ts":2,"#,
                ] {
                    lines.push(format!("{before}{inserted}{rest}"));
                }
            }
        }
        lines.extend(
            [
                r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"version":null}"#,
                r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"data":null}"#,
                r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"data":[1]}"#,
                r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1.5}"#,
                r#"{"lifecycle":"m","interaction":"k\u0031","event":"e","ts":1}"#,
                r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"version":"a\"b"}"#,
                r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"version":"2","version":"3"}"#,
                r#"{"interaction":"k","lifecycle":"m","event":"e","ts":1}"#,
                r#"{"lifecycle":"m","interaction":"k","event":"e","ts":1,"data":{"a":1},"metadata":{}}"#,
            ]
            .map(str::to_owned),
        );
        let mut answered = 0;
        for line in &lines {
            let compact = read_by(compact, line);
            if compact.is_some() {
                answered += 1;
                assert_eq!(compact, read_by(general, line), "{line}");
            }
        }
        // The lines written compactly are read so, and so are some of the edited ones (a
        // field inserted where the compact order has it, a trailing space).
        for line in &compact_lines {
            assert!(read_by(compact, line).is_some(), "{line}");
        }
        assert!(answered > compact_lines.len() * 3, "{answered}");
    }
}
