//! Interactions a timeout ended when an event came after it fell due, with when it fell due:
//! a later event of theirs stamped before then is not claimed to come after their end. By
//! that event's clock they had not ended; the one that ended them may have been stamped late
//! (a clock an hour fast fires every timeout of an hour or less).
//!
//! A valid stream ends nothing this way (an event after its interaction's end is a
//! violation), so the memory is small: bounded, the oldest forgotten first, saved with
//! checkpoints.

use std::collections::VecDeque;

/// What of the finished-interaction memory this one may take: a sixty-fourth.
const SHARE_OF_FINISHED: usize = 64;

/// When the timeout that ended each remembered interaction fell due, by fingerprint.
#[derive(Debug, Default)]
pub struct EndedByTimeout {
    due: hashbrown::HashMap<u64, i64>,
    order: VecDeque<u64>,
    capacity: usize,
}

impl EndedByTimeout {
    /// Room for a share of `remember_finished` interactions.
    pub fn new(remember_finished: usize) -> Self {
        EndedByTimeout {
            capacity: remember_finished.div_ceil(SHARE_OF_FINISHED),
            ..EndedByTimeout::default()
        }
    }

    /// The interaction `fingerprint` was ended by a timeout that fell due at `due`.
    pub fn note(&mut self, fingerprint: u64, due: i64) {
        if self.capacity == 0 {
            return;
        }
        if self.due.insert(fingerprint, due).is_none() {
            self.order.push_back(fingerprint);
        }
        while self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.due.remove(&old);
            }
        }
    }

    /// Whether an event with `ts` of the finished interaction `fingerprint` is stamped before
    /// the timeout that ended it fell due.
    #[inline]
    pub fn stamped_before_end(&self, fingerprint: u64, ts: Option<i64>) -> bool {
        !self.due.is_empty()
            && ts.is_some_and(|ts| self.due.get(&fingerprint).is_some_and(|&due| ts < due))
    }

    /// Those `keep` keeps, oldest first: `[fingerprint, due]`.
    pub fn save(&self, keep: &dyn Fn(u64) -> bool) -> Vec<(u64, i64)> {
        (self.order.iter())
            .filter(|fingerprint| keep(**fingerprint))
            .filter_map(|fingerprint| Some((*fingerprint, *self.due.get(fingerprint)?)))
            .collect()
    }

    /// Back from [`EndedByTimeout::save`]'s data (parts saved apart, each oldest first).
    pub fn restore(&mut self, saved: &[(u64, i64)]) {
        for &(fingerprint, due) in saved {
            self.note(fingerprint, due);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_stamped_before_the_end_is_told_apart() {
        let mut ended = EndedByTimeout::new(64 * 2);
        assert!(!ended.stamped_before_end(1, Some(0)));
        ended.note(1, 1_000);
        assert!(ended.stamped_before_end(1, Some(999)));
        assert!(!ended.stamped_before_end(1, Some(1_000)));
        assert!(!ended.stamped_before_end(1, None));
        assert!(!ended.stamped_before_end(2, Some(0)));
        // Bounded: the oldest goes first.
        ended.note(2, 5);
        ended.note(3, 5);
        assert!(!ended.stamped_before_end(1, Some(0)));
        assert_eq!(ended.save(&|_| true), [(2, 5), (3, 5)]);
        let mut restored = EndedByTimeout::new(64 * 2);
        restored.restore(&ended.save(&|fingerprint| fingerprint == 3));
        assert!(restored.stamped_before_end(3, Some(4)));
        assert!(!restored.stamped_before_end(2, Some(4)));
    }
}
