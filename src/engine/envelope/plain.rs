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
use crate::plain_json::{integer, is_space, plain_str, plain_string, scalar_end, skip_space};

/// The envelope of `text` (a JSON object's text, valid UTF-8 and not nested too deep), its
/// payload checked with the check `resolve` gives for the fields before it; `None` when the
/// line is not written plainly or anything in it is out of the ordinary (a field twice, a
/// payload its check rejects, broken JSON).
#[inline]
pub(super) fn read<'a>(text: &'a str, resolve: &Resolve<'_>) -> Option<Envelope<'a>> {
    let bytes = text.as_bytes();
    // Where the object closes: its last byte but spaces.
    let close = bytes.iter().rposition(|b| !is_space(*b))?;
    if bytes.get(close) != Some(&b'}') {
        return None;
    }
    let open = skip_space(bytes, 0);
    if bytes.get(open) != Some(&b'{') {
        return None;
    }
    let mut fields = Fields::default();
    let mut at = skip_space(bytes, open + 1);
    // One place builds the envelope: it is built where the caller keeps it.
    let last = loop {
        let (name, after) = plain_string(bytes, at)?;
        at = skip_space(bytes, after);
        if bytes.get(at) != Some(&b':') {
            return None;
        }
        at = skip_space(bytes, at + 1);
        let is_null = bytes.get(at..)?.starts_with(b"null");
        let after = match name {
            b"lifecycle" => put(&mut fields.lifecycle, string(text, at)?)?,
            b"interaction" => put(&mut fields.interaction, string(text, at)?)?,
            b"event" => put(&mut fields.event, string(text, at)?)?,
            b"version" if is_null => put(&mut fields.version, (None, at + 4))?,
            b"version" => {
                let (version, after) = string(text, at)?;
                put(&mut fields.version, (Some(version), after))?
            }
            b"id" if is_null => put(&mut fields.id, (None, at + 4))?,
            b"id" => {
                let (id, after) = string(text, at)?;
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
    fields.finish(last, resolve)
}

/// The integer `ts` of a line, found without reading the line: the first `"ts"` in it that
/// follows `{`, `,` or a space and is followed by `:` (a name, not a value), when no `{` or `[`
/// comes before it but the object's own (so it is a name of the object itself: in valid JSON
/// those bytes can be nothing else), and an integer follows. What orders a line within a
/// reorder window; `None` otherwise.
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
        return integer(body, at).map(|(ts, _)| ts);
    }
    None
}

/// The fields read so far.
#[derive(Default)]
struct Fields<'a> {
    lifecycle: Option<Cow<'a, str>>,
    interaction: Option<Cow<'a, str>>,
    event: Option<Cow<'a, str>>,
    ts: Option<i64>,
    /// `Some(None)` for `null`.
    version: Option<Option<Cow<'a, str>>>,
    /// `Some(None)` for `null`.
    id: Option<Option<Cow<'a, str>>>,
    /// `data: null` was read (the same as no `data`, but a second `data` is a field twice).
    data_null: Option<()>,
    /// `metadata: null` was read.
    metadata_null: Option<()>,
}

/// The object that closes the envelope, as written.
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
        let (mut data, mut metadata, mut checked) = (None, None, None);
        match last {
            Last::None => {}
            // A field twice: `parse` says so.
            Last::Data(_) if self.data_null.is_some() => return None,
            Last::Metadata(_) if self.metadata_null.is_some() => return None,
            Last::Data(text) => {
                match resolve(&lifecycle, &interaction, &event, version.as_deref(), ts) {
                    Some((resolved, seed)) => {
                        let kept = seed.read(text)?;
                        checked = Some(Checked { resolved, kept });
                    }
                    None => data = Some(object(text)?),
                }
            }
            Last::Metadata(text) => metadata = Some(object(text)?),
        }
        Some(Envelope {
            lifecycle,
            interaction,
            event,
            ts: Some(ts),
            version,
            id: self.id.flatten(),
            data,
            metadata,
            checked,
            plain: true,
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

/// A string without escapes at `at`, and the position after it.
fn string(text: &str, at: usize) -> Option<(Cow<'_, str>, usize)> {
    plain_str(text, at).map(|(inner, after)| (Cow::Borrowed(inner), after))
}

/// An object's text as the payload or metadata (`None` if it is not one object).
fn object(text: &str) -> Option<Cow<'_, RawValue>> {
    let raw: &RawValue = serde_json::from_str(text).ok()?;
    raw.get().starts_with('{').then_some(Cow::Borrowed(raw))
}
