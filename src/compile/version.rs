//! Widget version strings (`9.0.002.06`) and the version ranges of config items.

use std::cmp::Ordering;

/// A parsed version: its dot-separated numeric segments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionKey(Vec<u64>);

impl VersionKey {
    /// Parses `9.0.002.06`. Segments must be numbers; `None` otherwise.
    pub fn parse(text: &str) -> Option<VersionKey> {
        segments(text)
            .collect::<Option<Vec<_>>>()
            .filter(|segments| !segments.is_empty())
            .map(VersionKey)
    }
}

impl Ord for VersionKey {
    /// Segment by segment, missing segments counting as zero: `9.0` == `9.0.0`.
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_segments(&self.0, &other.0)
    }
}

/// Compares two versions' segments, missing segments counting as zero.
fn cmp_segments(a: &[u64], b: &[u64]) -> Ordering {
    let len = a.len().max(b.len());
    (0..len)
        .map(|i| {
            let a = a.get(i).copied().unwrap_or(0);
            let b = b.get(i).copied().unwrap_or(0);
            a.cmp(&b)
        })
        .find(|ordering| ordering.is_ne())
        .unwrap_or(Ordering::Equal)
}

impl PartialOrd for VersionKey {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Which of a lifecycle's versions (by index, oldest first) an item is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Range {
    /// First version index that has the item.
    pub since: usize,
    /// First version index that no longer has it.
    pub until: usize,
}

impl Range {
    /// Whether version `index` has the item.
    pub fn contains(self, index: usize) -> bool {
        self.since <= index && index < self.until
    }
}

/// Picks the version for a widget version: the newest not newer than it, the oldest when it
/// is older than all, the newest when there is none. `None` when `version` does not parse.
pub fn select(keys: &[VersionKey], version: Option<&str>) -> Option<usize> {
    let Some(version) = version else {
        return keys.len().checked_sub(1);
    };
    // Selecting runs on every new interaction: a short version is read onto the stack.
    let mut inline = [0u64; INLINE];
    let parsed;
    let segments = match read_inline(version, &mut inline) {
        Some(segments) => segments,
        None => {
            parsed = VersionKey::parse(version)?;
            parsed.0.as_slice()
        }
    };
    Some(
        keys.iter()
            .rposition(|candidate| cmp_segments(&candidate.0, segments).is_le())
            .unwrap_or(0),
    )
}

/// The most segments [`read_inline`] reads.
const INLINE: usize = 8;

/// The segments of `text` as [`segments`] reads them, written into `inline`; `None` when they
/// are not all numbers or there are more than `inline` holds (then ask [`VersionKey::parse`]).
fn read_inline<'s>(text: &str, inline: &'s mut [u64; INLINE]) -> Option<&'s [u64]> {
    let mut count = 0;
    for segment in text.as_bytes().split(|byte| *byte == b'.') {
        let value = match segment {
            [] => return None,
            digits if digits.iter().all(u8::is_ascii_digit) => {
                digits.iter().try_fold(0u64, |value, digit| {
                    value.checked_mul(10)?.checked_add(u64::from(digit - b'0'))
                })?
            }
            // Spaces, a sign: the way every other version is read. A '.' splits UTF-8 text
            // into UTF-8 pieces.
            other => std::str::from_utf8(other).ok()?.trim().parse().ok()?,
        };
        *inline.get_mut(count)? = value;
        count += 1;
    }
    inline.get(..count)
}

/// The numeric segments of a version text (`None` for one that is not a number).
fn segments(text: &str) -> impl Iterator<Item = Option<u64>> + '_ {
    text.split('.').map(|segment| segment.trim().parse().ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn orders_and_selects() {
        let keys: Vec<VersionKey> = ["9.0", "9.0.002.06"]
            .iter()
            .map(|v| VersionKey::parse(v).unwrap())
            .collect();
        assert!(keys[0] < keys[1]);
        assert_eq!(VersionKey::parse("9.0"), VersionKey::parse("9.0"));
        assert_eq!(select(&keys, None), Some(1));
        assert_eq!(select(&keys, Some("9.0.002.05")), Some(0));
        assert_eq!(select(&keys, Some("9.0.002.06")), Some(1));
        assert_eq!(select(&keys, Some("9.1")), Some(1));
        assert_eq!(select(&keys, Some("8.5")), Some(0));
        assert_eq!(select(&keys, Some("beta")), None);
        assert_eq!(select(&keys, Some("9.x")), None);
        assert_eq!(select(&keys, Some("")), None);
        assert_eq!(select(&keys, Some("9.0.0.0.0")), Some(0));
        assert_eq!(select(&keys, Some(" 9 . 0 . 2 . 6 ")), Some(1));
    }

    /// Every version text selects what comparing its parsed key selects, whether it is read
    /// onto the stack or not.
    #[test]
    fn selecting_reads_a_version_as_parsing_does() {
        let keys: Vec<VersionKey> = ["1", "9.0", "9.0.002.06", "9.0.2.6.0.0.0.0.1"]
            .iter()
            .map(|v| VersionKey::parse(v).unwrap())
            .collect();
        let texts = [
            "9",
            "+9.0",
            "9..0",
            ".9",
            "9.",
            "0009.000",
            "9.0.2.6.0.0.0.0",
            "9.0.2.6.0.0.0.0.1",
            "9.0.2.6.0.0.0.0.0.5",
            "18446744073709551615",
            "18446744073709551616",
            "9.-1",
            "9.0\u{a0}",
            "\u{2003}9.1",
            "٩.0",
            "9.0.002.06",
        ];
        for text in texts {
            let expected = VersionKey::parse(text).map(|key| {
                keys.iter()
                    .rposition(|candidate| *candidate <= key)
                    .unwrap_or(0)
            });
            assert_eq!(select(&keys, Some(text)), expected, "{text:?}");
        }
    }
}
