//! JSON written plainly, read straight from its bytes: white space, strings without escapes,
//! integers and the extent of numbers. What the envelope reader and the payload walk share;
//! anything less plain is theirs to leave to the general JSON reader.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use wide::u8x16;

use crate::short_eq;

/// Whether `byte` is JSON's white space.
pub fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\r')
}

/// The position of the first byte from `at` on that is not white space.
pub fn skip_space(line: &[u8], mut at: usize) -> usize {
    while line.get(at).is_some_and(|b| is_space(*b)) {
        at += 1;
    }
    at
}

/// The position after `written` when the bytes at `at` are `written`: a name (with its
/// quotes, colon and the comma before it) matched where a compact writer puts it.
#[inline]
pub fn after(bytes: &[u8], at: usize, written: &[u8]) -> Option<usize> {
    short_eq::starts_with(bytes.get(at..)?, written).then_some(at + written.len())
}

/// [`after`] for bytes known when compiling (a name of the envelope, `true`): compared inline
/// in a word or two, without [`short_eq`]'s dispatch on the length.
#[inline(always)]
pub fn after_fixed<const N: usize>(bytes: &[u8], at: usize, written: &[u8; N]) -> Option<usize> {
    (bytes.get(at..)?.first_chunk::<N>()? == written).then_some(at + N)
}

/// A string without escapes (or control characters, which JSON does not allow in one) at
/// `at`: its bytes and the position after its closing quote.
#[inline]
pub fn plain_string(line: &[u8], at: usize) -> Option<(&[u8], usize)> {
    let end = string_end(line, at)?;
    Some((line.get(at + 1..end)?, end + 1))
}

/// [`plain_string`] in valid UTF-8 text: the string's text and the position after it.
#[inline]
pub fn plain_str(text: &str, at: usize) -> Option<(&str, usize)> {
    let end = string_end(text.as_bytes(), at)?;
    // The string's bytes lie between two quotes of valid UTF-8 text.
    Some((text.get(at + 1..end)?, end + 1))
}

/// The position of the closing quote of the string without escapes at `at`.
#[inline]
fn string_end(line: &[u8], at: usize) -> Option<usize> {
    if line.get(at) != Some(&b'"') {
        return None;
    }
    let start = at + 1;
    let end = start + string_stop(line.get(start..)?)?;
    (line.get(end) == Some(&b'"')).then_some(end)
}

/// Where the first `"`, `\` or control character of `bytes` is: where a string without
/// escapes stops. Sixteen bytes at a time in a vector (SSE2 on x86-64, SIMD128 on
/// WebAssembly, NEON on Arm; plain words where there are none), then eight in a word, then
/// the last few one by one.
#[inline]
pub fn string_stop(bytes: &[u8]) -> Option<usize> {
    let mut at = 0;
    while let Some(sixteen) = bytes.get(at..).and_then(<[u8]>::first_chunk::<16>) {
        let found = vector_stops(sixteen);
        if found != 0 {
            return Some(at + found.trailing_zeros() as usize);
        }
        at += 16;
    }
    if let Some(eight) = bytes.get(at..).and_then(<[u8]>::first_chunk::<8>) {
        let found = word_stops(u64::from_le_bytes(*eight));
        if found != 0 {
            return Some(at + (found.trailing_zeros() / 8) as usize);
        }
        at += 8;
    }
    let tail = bytes.get(at..)?;
    (tail
        .iter()
        .position(|&b| matches!(b, b'"' | b'\\') || b < 0x20))
    .map(|found| at + found)
}

/// A bit for each of sixteen bytes that ends a string without escapes, the first byte's
/// lowest.
#[inline]
fn vector_stops(sixteen: &[u8; 16]) -> u32 {
    let bytes = u8x16::new(*sixteen);
    let quote = bytes.simd_eq(u8x16::splat(b'"'));
    let backslash = bytes.simd_eq(u8x16::splat(b'\\'));
    // Below 0x20: raised to at least 0x1F, it is 0x1F.
    let control = bytes.max(u8x16::splat(0x1F)).simd_eq(u8x16::splat(0x1F));
    (quote | backslash | control).to_bitmask()
}

/// The high bit of each of eight bytes that ends a string without escapes, and maybe of bytes
/// after the first such one (never before it).
#[inline]
fn word_stops(word: u64) -> u64 {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // Each byte below `limit` (at most 128), and maybe bytes after the first such one.
    let below = |word: u64, limit: u8| word.wrapping_sub(ONES * u64::from(limit)) & !word & HIGH;
    let matching = |word: u64, byte: u8| below(word ^ (ONES * u64::from(byte)), 1);
    matching(word, b'"') | matching(word, b'\\') | below(word, 0x20)
}

/// The position after the string without escapes, number, `true`, `false` or `null` at
/// `at`.
pub fn scalar_end(bytes: &[u8], at: usize) -> Option<usize> {
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
pub fn integer(bytes: &[u8], at: usize) -> Option<(i64, usize)> {
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
/// sum of so few can overflow: every timestamp in milliseconds is one). Up to sixteen digits
/// are found and summed a word at a time, without a loop; longer numbers, and numbers in the
/// last bytes of a line, eight digits at a time while eight follow, then one by one.
#[inline]
fn digits(bytes: &[u8], at: usize) -> (usize, Option<i64>) {
    if let Some(low) = word_at(bytes, at) {
        if let Some(count) = digits_before_stop(low) {
            return (count, Some(leading_digits_value(low, count)));
        }
        if let Some(high) = word_at(bytes, at + 8) {
            if let Some(count) = digits_before_stop(high) {
                let scale = POWERS_OF_TEN.get(count).copied().unwrap_or_default();
                let value =
                    eight_digits_value(low - ZEROS) * scale + leading_digits_value(high, count);
                return (8 + count, Some(value));
            }
        }
    }
    digits_in_words(bytes, at)
}

/// The eight bytes at `at` as a word, the first in its lowest byte.
#[inline]
fn word_at(bytes: &[u8], at: usize) -> Option<u64> {
    let eight = bytes.get(at..)?.first_chunk::<8>()?;
    Some(u64::from_le_bytes(*eight))
}

/// Every byte `'0'`.
const ZEROS: u64 = 0x3030_3030_3030_3030;

/// `10^n` for `n` below eight (how many digits may follow a word of eight).
const POWERS_OF_TEN: [i64; 8] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000];

/// How many digits `word` starts with, when fewer than eight.
#[inline]
fn digits_before_stop(word: u64) -> Option<usize> {
    let stops = not_digits(word);
    (stops != 0).then_some((stops.trailing_zeros() / 8) as usize)
}

/// The bytes of `word` that are not ASCII digits, each as a nonzero byte (a byte above the
/// first such one may be marked wrongly: only the first counts).
fn not_digits(word: u64) -> u64 {
    const HIGH_NIBBLES: u64 = 0xF0F0_F0F0_F0F0_F0F0;
    // A digit's high nibble is 3, and still 3 with 6 added. Adding 6 carries into the next
    // byte only from a byte of 0xFA or more, which is not a digit.
    ((word & HIGH_NIBBLES) ^ ZEROS)
        | ((word.wrapping_add(0x0606_0606_0606_0606) & HIGH_NIBBLES) ^ ZEROS)
}

/// The number the first `count` bytes of `word` (digits, the first in the lowest byte; fewer
/// than eight) write.
fn leading_digits_value(word: u64, count: usize) -> i64 {
    if count == 0 {
        return 0;
    }
    // The digits moved to the top of the word, zeros below them: the same number. Bytes
    // above the digits (subtracting from which may borrow upward only) are shifted out.
    eight_digits_value(word.wrapping_sub(ZEROS) << (8 * (8 - count)))
}

/// [`digits`] eight at a time while eight follow, then one by one.
fn digits_in_words(bytes: &[u8], at: usize) -> (usize, Option<i64>) {
    let mut value = 0i64;
    let mut end = at;
    // A whole word only while the digits so far and its eight stay within 18.
    while end - at <= 10 {
        let Some(word) = word_at(bytes, end) else {
            break;
        };
        if not_digits(word) != 0 {
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
pub fn number_end(bytes: &[u8], at: usize) -> Option<usize> {
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
    use super::*;

    #[test]
    fn after_fixed_is_after() {
        let text = br#"{"a":null,"ab":true,"abc":nul"#;
        for at in 0..=text.len() + 1 {
            for cut in [0, 1, 5, text.len()] {
                let bytes = text.get(..text.len() - cut).unwrap_or_default();
                assert_eq!(after_fixed(bytes, at, b"null"), after(bytes, at, b"null"));
                assert_eq!(
                    after_fixed(bytes, at, b",\"ab\":"),
                    after(bytes, at, b",\"ab\":")
                );
                assert_eq!(after_fixed(bytes, at, b""), after(bytes, at, b""));
            }
        }
        assert_eq!(after_fixed(text, 5, b"null"), Some(9));
    }

    #[test]
    fn string_stop_finds_the_first() {
        let is_stop = |b: &u8| matches!(b, b'"' | b'\\') || *b < 0x20;
        for length in 0..40 {
            for at in 0..=length {
                for (stop, other) in [(b'"', b'\\'), (b'\\', 0x1f), (0x1f, b'"'), (0, b'"')] {
                    // Bytes that differ from the stops by one bit or carry, then a stop at
                    // `at` (none when `at == length`), then another stop.
                    let filler = [b'!', b'#', b'[', b']', b' ', 0x7f, 0x80, 0xa2, 0xdc];
                    let mut bytes: Vec<u8> = filler.iter().copied().cycle().take(length).collect();
                    if let Some(byte) = bytes.get_mut(at) {
                        *byte = stop;
                    }
                    bytes.push(other);
                    let expected = bytes.iter().position(is_stop);
                    assert_eq!(string_stop(&bytes), expected, "{length} {at} {stop}");
                }
            }
        }
    }

    #[test]
    fn digits_are_counted_and_summed_as_one_by_one() {
        // The reference: one digit at a time.
        let reference = |bytes: &[u8]| {
            let count = bytes.iter().take_while(|b| b.is_ascii_digit()).count();
            let text = std::str::from_utf8(bytes.get(..count).unwrap_or_default());
            let text = text.unwrap_or_default();
            (
                count,
                (count <= 18).then(|| text.parse::<i64>().unwrap_or(0)),
            )
        };
        // Bytes just outside the digits, one that carries when 6 is added, white space.
        let after = b"/:.,}\xfa\xff\x00 ";
        for count in 0..=24 {
            for &stop in after {
                // Enough after the stop (or not) for sixteen bytes to be read at once.
                for trailing in [&b""[..], b"7", b"12345678", b"\xff9", b"0123456789012345"] {
                    let mut bytes: Vec<u8> =
                        b"9081726354".iter().copied().cycle().take(count).collect();
                    bytes.push(stop);
                    bytes.extend_from_slice(trailing);
                    for at in [0, 1] {
                        let mut shifted = vec![b'x'; at];
                        shifted.extend_from_slice(&bytes);
                        let expected = reference(&bytes);
                        assert_eq!(digits(&shifted, at), expected, "{bytes:?} at {at}");
                    }
                }
            }
        }
    }

    #[test]
    fn integers_are_read_exactly_to_the_ends_of_i64() {
        let read = |text: &str| integer(text.as_bytes(), 0).map(|(value, _)| value);
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
        assert_eq!(integer(b"12,", 0), Some((12, 2)));
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
