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

use serde::de::DeserializeSeed;
use serde_json::value::RawValue;

use super::{is_space, plain_string, skip_space, Checked, Envelope, Resolve};

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
                        let mut deserializer = serde_json::Deserializer::from_str(text);
                        let kept = seed.deserialize(&mut deserializer).ok()?;
                        deserializer.end().ok()?;
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
    let (bytes, after) = plain_string(text.as_bytes(), at)?;
    // The string's bytes lie between two quotes of valid UTF-8 text.
    let inner = text.get(at + 1..at + 1 + bytes.len())?;
    Some((Cow::Borrowed(inner), after))
}

/// An object's text as the payload or metadata (`None` if it is not one object).
fn object(text: &str) -> Option<Cow<'_, RawValue>> {
    let raw: &RawValue = serde_json::from_str(text).ok()?;
    raw.get().starts_with('{').then_some(Cow::Borrowed(raw))
}

/// The position after the string, number, `true`, `false` or `null` at `at`.
fn scalar_end(bytes: &[u8], at: usize) -> Option<usize> {
    let rest = bytes.get(at..)?;
    match rest.first()? {
        b'"' => plain_string(bytes, at).map(|(_, after)| after),
        b't' if rest.starts_with(b"true") => Some(at + 4),
        b'f' if rest.starts_with(b"false") => Some(at + 5),
        b'n' if rest.starts_with(b"null") => Some(at + 4),
        _ => number_end(bytes, at),
    }
}

/// The JSON number at `at` when it is an integer that fits an `i64` (anything else is left
/// to `parse`, which says what is wrong with it), and the position after it.
fn integer(bytes: &[u8], at: usize) -> Option<(i64, usize)> {
    let negative = bytes.get(at) == Some(&b'-');
    let start = at + usize::from(negative);
    let (count, short) = digits(bytes, start);
    let end = start + count;
    let value = match short {
        Some(magnitude) if negative => -magnitude,
        Some(magnitude) => magnitude,
        // Longer ones (sign included) may not fit: the standard reader says.
        None => std::str::from_utf8(bytes.get(at..end)?)
            .ok()?
            .parse()
            .ok()?,
    };
    let leading_zero = bytes.get(start) == Some(&b'0') && end > start + 1;
    if end == start || leading_zero || matches!(bytes.get(end), Some(b'.' | b'e' | b'E')) {
        return None;
    }
    Some((value, end))
}

/// How many ASCII digits come from `at` on, and their value when there are at most 18 (no
/// sum of so few can overflow: every timestamp in milliseconds is one). Eight digits at a
/// time, in a word, while eight follow.
fn digits(bytes: &[u8], at: usize) -> (usize, Option<i64>) {
    const ZEROS: u64 = 0x3030_3030_3030_3030;
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    let mut value = 0i64;
    let mut end = at;
    // A whole word only while the digits so far and its eight stay within 18.
    while end - at <= 10 {
        let Some(word) = bytes.get(end..end + 8) else {
            break;
        };
        let mut eight = [0u8; 8];
        eight.copy_from_slice(word);
        let word = u64::from_le_bytes(eight);
        // Every byte 0x30..=0x39: its high nibble 3, and still 3 with 6 added.
        let all_digits = word & HIGH_NIBBLES == ZEROS
            && word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES == ZEROS;
        if !all_digits {
            break;
        }
        value = value * 100_000_000 + eight_digits_value(word - ZEROS);
        end += 8;
    }
    while let Some(digit) = bytes.get(end).filter(|b| b.is_ascii_digit()) {
        if end - at < 18 {
            value = value * 10 + i64::from(digit - b'0');
        }
        end += 1;
    }
    let count = end - at;
    (count, (count <= 18).then_some(value))
}

/// The number eight digit values (0 to 9, one per byte, the first digit in the lowest byte)
/// make: pairs, then fours, then the eight, each step one multiplication.
fn eight_digits_value(word: u64) -> i64 {
    let pairs = (word.wrapping_mul(10) + (word >> 8)) & 0x00FF_00FF_00FF_00FF;
    let fours = (pairs.wrapping_mul(100) + (pairs >> 16)) & 0x0000_FFFF_0000_FFFF;
    let eight = fours.wrapping_mul(10_000) + (fours >> 32);
    (eight & 0xFFFF_FFFF) as i64
}

/// The position after the JSON number at `at`: `-`, an integer part without leading zeros,
/// then maybe a fraction and an exponent.
fn number_end(bytes: &[u8], at: usize) -> Option<usize> {
    let digits = |from: usize| {
        let count = bytes.get(from..).map_or(0, |rest| {
            rest.iter().take_while(|b| b.is_ascii_digit()).count()
        });
        (count > 0).then_some(from + count)
    };
    let start = at + usize::from(bytes.get(at) == Some(&b'-'));
    let mut end = digits(start)?;
    if bytes.get(start) == Some(&b'0') && end > start + 1 {
        return None;
    }
    if bytes.get(end) == Some(&b'.') {
        end = digits(end + 1)?;
    }
    if matches!(bytes.get(end), Some(b'e' | b'E')) {
        let sign = usize::from(matches!(bytes.get(end + 1), Some(b'+' | b'-')));
        end = digits(end + 1 + sign)?;
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    #[test]
    fn integers_are_read_exactly_to_the_ends_of_i64() {
        let read = |text: &str| super::integer(text.as_bytes(), 0).map(|(value, _)| value);
        assert_eq!(read("1732435200059,"), Some(1_732_435_200_059));
        assert_eq!(read("-42}"), Some(-42));
        assert_eq!(read("0"), Some(0));
        assert_eq!(read("999999999999999999"), Some(999_999_999_999_999_999));
        assert_eq!(read("-999999999999999999"), Some(-999_999_999_999_999_999));
        assert_eq!(read("9223372036854775807"), Some(i64::MAX));
        assert_eq!(read("-9223372036854775808"), Some(i64::MIN));
        assert_eq!(read("9223372036854775808"), None, "over i64");
        assert_eq!(read("-9223372036854775809"), None);
        for not in ["01", "1.5", "1e3", "-", "", "x"] {
            assert_eq!(read(not), None, "{not}");
        }
        assert_eq!(super::integer(b"12,", 0), Some((12, 2)));
        assert_eq!(read("1732435200059}"), Some(1_732_435_200_059));
        assert_eq!(read("12345678"), Some(12_345_678));
        assert_eq!(read("1234567890123456,"), Some(1_234_567_890_123_456));
        assert_eq!(read("12345678901234567"), Some(12_345_678_901_234_567));
        assert_eq!(read("98765432:"), Some(98_765_432));
        assert_eq!(read("9876543/"), Some(9_876_543));
        assert_eq!(read("1234567a"), Some(1_234_567));
        assert_eq!(read("12345678901234567890123"), None, "over i64");
        for (text, value) in [("00000000", None), ("1234567.5", None), ("-0", Some(0))] {
            assert_eq!(read(text), value, "{text}");
        }
    }
}
