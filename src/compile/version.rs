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
        let len = self.0.len().max(other.0.len());
        (0..len)
            .map(|i| {
                let a = self.0.get(i).copied().unwrap_or(0);
                let b = other.0.get(i).copied().unwrap_or(0);
                a.cmp(&b)
            })
            .find(|ordering| ordering.is_ne())
            .unwrap_or(Ordering::Equal)
    }
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
    // Compared segment by segment as written: selecting runs on every event, so it allocates
    // nothing.
    if !segments(version).all(|segment| segment.is_some()) {
        return None;
    }
    Some(
        keys.iter()
            .rposition(|candidate| candidate.cmp_text(version).is_le())
            .unwrap_or(0),
    )
}

/// The numeric segments of a version text (`None` for one that is not a number).
fn segments(text: &str) -> impl Iterator<Item = Option<u64>> + '_ {
    text.split('.').map(|segment| segment.trim().parse().ok())
}

impl VersionKey {
    /// How this version compares with the version `text`, whose segments are numbers, as
    /// [`Ord`] compares it with `VersionKey::parse(text)`.
    fn cmp_text(&self, text: &str) -> Ordering {
        let mut theirs = segments(text);
        let mut mine = self.0.iter().copied();
        loop {
            let ordering = match (mine.next(), theirs.next()) {
                (None, None) => return Ordering::Equal,
                (a, b) => a.unwrap_or(0).cmp(&b.flatten().unwrap_or(0)),
            };
            if ordering.is_ne() {
                return ordering;
            }
        }
    }
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
}
