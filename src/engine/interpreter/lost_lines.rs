//! Lines no one could judge (malformed, a bad envelope, an unknown event) that may have been a
//! step of their interaction, remembered until it is judged again.
//!
//! Such a line explains the interaction's next event judged (if that event does not fit, it
//! resynchronizes quietly), or its resting where it cannot end. An open interaction is marked
//! unsure at once; these are the others: interactions not begun yet (at position 0: the first
//! event judged is explained), and, for a line without `ts` that a reorder window judged on
//! arrival, interactions whose events that came before it may still be judged after it (each
//! marked `lost_after`): it explains the first that came after it.

use compact_str::CompactString;
use serde::{Deserialize, Serialize};

use crate::short_eq::Key;

/// Counters by a few bytes of the key: most keys are ruled out without being hashed.
const NEAR_SLOTS: usize = 4096;

/// Remembered up to a 64th as many as finished interactions are (16,384 by default).
const SHARE_OF_FINISHED: usize = 64;

/// The lines lost, by lifecycle and interaction.
#[derive(Debug)]
pub(super) struct LostLines {
    /// Per lifecycle id: the interaction's key, where its latest lost line was (packed).
    at: Vec<hashbrown::HashMap<CompactString, u64>>,
    /// How many keys remembered have each [`near`] value.
    near: Box<[u32]>,
    len: usize,
    /// At most this many (more are not remembered).
    capacity: usize,
}

/// A line lost, saved by name: its lifecycle, its interaction, where it was.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SavedLostLine {
    /// The interaction's lifecycle.
    pub lifecycle: String,
    /// The interaction.
    pub interaction: String,
    /// Where the line was, packed as positions are (0: judged in order, it explains the next
    /// event judged).
    pub at: u64,
}

/// A few bytes of `key` (its length, its last two bytes) mixed into a counter's index.
fn near(key: &str) -> usize {
    let bytes = key.as_bytes();
    let from_end = |back: usize| {
        let at = bytes.len().checked_sub(back);
        usize::from(at.and_then(|at| bytes.get(at)).copied().unwrap_or(0))
    };
    (bytes.len().wrapping_mul(0x9e37)
        ^ from_end(1).wrapping_mul(0x2c1b)
        ^ from_end(2).wrapping_mul(0x3d5))
        % NEAR_SLOTS
}

impl LostLines {
    /// Room for lines of `lifecycles` lifecycles, in proportion to the `finished`
    /// interactions remembered.
    pub(super) fn new(lifecycles: usize, finished: usize) -> LostLines {
        LostLines {
            at: (0..lifecycles).map(|_| hashbrown::HashMap::new()).collect(),
            near: vec![0; NEAR_SLOTS].into_boxed_slice(),
            len: 0,
            capacity: finished / SHARE_OF_FINISHED,
        }
    }

    /// Remembers one of the interaction `key` of lifecycle `lifecycle` at `at`; `false`
    /// when there is no room.
    pub(super) fn note(&mut self, lifecycle: usize, key: &str, at: u64) -> bool {
        let Some(map) = self.at.get_mut(lifecycle) else {
            return false;
        };
        if let Some(held) = map.get_mut(&Key(key)) {
            *held = at;
            return true;
        }
        if self.len >= self.capacity {
            return false;
        }
        map.insert(CompactString::from(key), at);
        if let Some(count) = self.near.get_mut(near(key)) {
            *count += 1;
        }
        self.len += 1;
        true
    }

    /// For the interaction's event at `at`: `Some(true)` when a line of it was lost before
    /// (forgotten now: it explains this event), `Some(false)` when one was lost after (it
    /// came later, judged earlier), `None` when none was.
    #[inline]
    pub(super) fn before(&mut self, lifecycle: usize, key: &str, at: u64) -> Option<bool> {
        if self.len == 0 || self.near.get(near(key)).is_none_or(|count| *count == 0) {
            return None;
        }
        let lost = *self.at.get(lifecycle)?.get(&Key(key))?;
        if lost < at {
            self.forget(lifecycle, key);
        }
        Some(lost < at)
    }

    /// Forgets the one of the interaction `key`, if any.
    pub(super) fn forget(&mut self, lifecycle: usize, key: &str) {
        let map = self.at.get_mut(lifecycle);
        if map.and_then(|map| map.remove(&Key(key))).is_some() {
            if let Some(count) = self.near.get_mut(near(key)) {
                *count -= 1;
            }
            self.len -= 1;
        }
    }

    /// Those of the interactions `keep` keeps (by lifecycle name and key), by name.
    pub(super) fn save(
        &self,
        names: &[&str],
        keep: &dyn Fn(&str, &str) -> bool,
    ) -> Vec<SavedLostLine> {
        let mut saved = Vec::new();
        for (map, lifecycle) in self.at.iter().zip(names) {
            for (key, at) in map {
                if keep(lifecycle, key) {
                    saved.push(SavedLostLine {
                        lifecycle: (*lifecycle).to_owned(),
                        interaction: key.to_string(),
                        at: *at,
                    });
                }
            }
        }
        saved.sort_unstable_by(|a, b| {
            (&a.lifecycle, &a.interaction).cmp(&(&b.lifecycle, &b.interaction))
        });
        saved
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_lost_explains_the_first_event_after_it_once() {
        let mut lost = LostLines::new(2, 2 * SHARE_OF_FINISHED);
        assert_eq!(lost.before(0, "a", 5), None);
        assert!(lost.note(0, "a", 10));
        assert!(lost.note(1, "a", 0));
        // Full: a third is not remembered, a second of one remembered moves it.
        assert!(!lost.note(0, "b", 3));
        assert!(lost.note(0, "a", 12));
        assert_eq!(lost.before(0, "b", 20), None);
        assert_eq!(lost.before(0, "a", 11), Some(false));
        assert_eq!(lost.before(0, "a", 13), Some(true));
        assert_eq!(lost.before(0, "a", 14), None);
        assert_eq!(lost.before(1, "a", 1), Some(true));
        assert_eq!(lost.len, 0);
        assert!(lost.near.iter().all(|count| *count == 0));
    }
}
