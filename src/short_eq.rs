//! Equality of short byte strings (names, keys, enum values, ids) in a few inline word
//! compares. `==` on slices calls the C library's `memcmp`, whose call, dispatch and vector
//! set-up cost more than the compare itself for the few bytes an event's names hold; every
//! event line compares about ten such strings.

/// A name looked up in a hash map of owned strings (`String`, `CompactString`): hashed as the
/// string it stands for is, compared by [`same`].
#[derive(Hash)]
pub struct Key<'a>(pub &'a str);

impl<K: AsRef<str>> hashbrown::Equivalent<K> for Key<'_> {
    #[inline]
    fn equivalent(&self, key: &K) -> bool {
        same_str(self.0, key.as_ref())
    }
}

/// Whether `a` and `b` hold the same bytes.
#[inline]
pub fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && same_length(a, b)
}

/// [`same`] for strings.
#[inline]
pub fn same_str(a: &str, b: &str) -> bool {
    same(a.as_bytes(), b.as_bytes())
}

/// What is left of `text` after `prefix`, if `text` starts with it.
#[inline]
pub fn strip_prefix<'t>(text: &'t str, prefix: &str) -> Option<&'t str> {
    let head = text.as_bytes().get(..prefix.len())?;
    // Equal bytes end where `prefix` ends: on a character boundary of `text`.
    same_length(head, prefix.as_bytes()).then(|| text.get(prefix.len()..))?
}

/// Whether `bytes` starts with `prefix`.
#[inline]
pub fn starts_with(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|head| same_length(head, prefix))
}

/// Whether two slices of one length hold the same bytes: up to 64 bytes a word at a time,
/// the last word read back from the end (overlapping the one before); longer ones by `==`.
/// Up to 16 bytes (most names) the two words are compared together, without a branch
/// between them that the processor could guess wrong.
#[inline]
fn same_length(a: &[u8], b: &[u8]) -> bool {
    let n = a.len();
    // Cut to `a`'s length, `b` is known to be as long: no read below is checked again.
    let Some(b) = b.get(..n) else {
        return false;
    };
    match n {
        0 => true,
        1..=3 => {
            // The first, middle and last bytes cover every byte of up to three.
            let differ = |i: usize| a.get(i).copied().unwrap_or(0) ^ b.get(i).copied().unwrap_or(0);
            differ(0) | differ(n / 2) | differ(n - 1) == 0
        }
        4..=7 => differ_word::<4>(a, b, 0) | differ_word::<4>(a, b, n - 4) == 0,
        8..=16 => differ_word::<8>(a, b, 0) | differ_word::<8>(a, b, n - 8) == 0,
        17..=64 => {
            let mut at = 0;
            while at + 8 < n {
                if differ_word::<8>(a, b, at) != 0 {
                    return false;
                }
                at += 8;
            }
            differ_word::<8>(a, b, n - 8) == 0
        }
        _ => a == b,
    }
}

/// The bits in which the `N` bytes of `a` and `b` at `at` differ, each read as one word (`N`
/// is 4 or 8); a word past the end of either reads as zero.
#[inline]
fn differ_word<const N: usize>(a: &[u8], b: &[u8], at: usize) -> u64 {
    let word = |s: &[u8]| {
        let bytes = s.get(at..).and_then(<[u8]>::first_chunk::<N>);
        let mut wide = [0u8; 8];
        if let (Some(bytes), Some(low)) = (bytes, wide.get_mut(..N)) {
            low.copy_from_slice(bytes);
        }
        u64::from_ne_bytes(wide)
    };
    word(a) ^ word(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn agrees_with_slice_equality_at_every_length_and_position() {
        for n in 0..80usize {
            let a: Vec<u8> = (0..n).map(|i| b'a' + (i % 26) as u8).collect();
            assert!(same(&a, &a.clone()), "length {n}");
            for flip in 0..n {
                let mut b = a.clone();
                b[flip] ^= 0x20;
                assert!(!same(&a, &b), "length {n}, byte {flip} differs");
                assert!(!starts_with(&[b.as_slice(), b"xyz"].concat(), &a));
            }
            assert!(!same(&a, &a[..n.saturating_sub(1)]) || n == 0);
            assert!(starts_with(&[a.as_slice(), b"xyz"].concat(), &a));
        }
    }

    proptest::proptest! {
        #[test]
        fn agrees_with_the_standard_library(
            a in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..100),
            flips in proptest::collection::vec((0usize..100, 1u8..=255), 0..3),
            cut in 0usize..110,
        ) {
            let mut b = a.clone();
            for (at, bits) in flips {
                if let Some(byte) = b.get_mut(at) {
                    *byte ^= bits;
                }
            }
            proptest::prop_assert_eq!(same(&a, &b), a == b);
            let prefix = b.get(..cut.min(b.len())).unwrap_or_default();
            proptest::prop_assert_eq!(starts_with(&a, prefix), a.starts_with(prefix));
        }
    }

    #[test]
    fn keys_find_what_their_strings_find() {
        let names = ["short", "a-name-longer-than-sixteen-bytes"];
        let owned: hashbrown::HashMap<String, usize> = (names.iter().enumerate())
            .map(|(at, name)| (name.to_string(), at))
            .collect();
        let compact: hashbrown::HashMap<compact_str::CompactString, usize> =
            (names.iter().enumerate())
                .map(|(at, name)| ((*name).into(), at))
                .collect();
        for (at, name) in names.iter().enumerate() {
            assert_eq!(owned.get(&Key(name)), Some(&at));
            assert_eq!(compact.get(&Key(name)), Some(&at));
        }
        assert_eq!(owned.get(&Key("shor")), None);
        assert_eq!(compact.get(&Key("shorT")), None);
    }

    #[test]
    fn prefixes() {
        assert_eq!(strip_prefix("prefixed", "pre"), Some("fixed"));
        assert_eq!(strip_prefix("pre", "prefixed"), None);
        assert_eq!(strip_prefix("é-x", "é"), Some("-x"));
        assert_eq!(strip_prefix("abc", ""), Some("abc"));
        assert!(starts_with(b"\"name\":1", b"\"name\":"));
        assert!(!starts_with(b"\"nam", b"\"name\":"));
    }
}
