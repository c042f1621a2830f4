//! Delivery ids already seen, so that a line delivered twice is not judged twice: exactly
//! per open interaction, and for finished ones (or lines that reached none) in a bounded
//! memory, oldest forgotten first. Ids are kept as 64-bit hashes, the same in every process
//! (checkpoints carry them).

use std::collections::VecDeque;

use thin_vec::ThinVec;

/// The hash of a delivery id, within its interaction.
pub fn id_hash(id: &str) -> u64 {
    let hash = crate::engine::fnv::fnv1a(&[id.as_bytes()]);
    (hash ^ (hash >> 31)).wrapping_mul(0x94d0_49bb_1331_11eb) ^ (hash >> 29)
}

/// The ids seen, by interaction fingerprint.
#[derive(Debug, Default)]
pub struct SeenIds {
    /// The ids of open interactions, all of them.
    open: hashbrown::HashMap<u64, ThinVec<u64>>,
    /// `(interaction, id)` of finished interactions and of lines that reached none.
    past: hashbrown::HashSet<(u64, u64)>,
    /// The same, oldest first.
    order: VecDeque<(u64, u64)>,
    /// How many `past` holds at most.
    capacity: usize,
    /// Ids ever remembered in `past`: the ordinal of the next one.
    inserted: u64,
}

/// The ids seen, as data: `[interaction, id]` of open interactions, `[ordinal, interaction,
/// id]` of the remembered ones, and the ordinal the next remembered one gets.
pub type SavedIds = (Vec<[u64; 2]>, Vec<[u64; 3]>, u64);

impl SeenIds {
    /// A memory of `capacity` ids of finished interactions.
    pub fn new(capacity: usize) -> SeenIds {
        SeenIds {
            capacity,
            ..SeenIds::default()
        }
    }

    /// Whether id `id` was seen for interaction `interaction`.
    pub fn contains(&self, interaction: u64, id: u64) -> bool {
        match self.open.get(&interaction) {
            Some(ids) => ids.contains(&id),
            None => !self.past.is_empty() && self.past.contains(&(interaction, id)),
        }
    }

    /// Notes id `id` of a line of `interaction`, which is open now or not.
    pub fn insert(&mut self, interaction: u64, id: u64, open: bool) {
        match open {
            true => self.open.entry(interaction).or_default().push(id),
            false => self.remember(interaction, id),
        }
    }

    /// An interaction ended: its ids move to the bounded memory.
    pub fn close(&mut self, interaction: u64) {
        if self.open.is_empty() {
            return;
        }
        for id in self.open.remove(&interaction).unwrap_or_default() {
            self.remember(interaction, id);
        }
    }

    fn remember(&mut self, interaction: u64, id: u64) {
        if self.capacity == 0 || !self.past.insert((interaction, id)) {
            return;
        }
        self.order.push_back((interaction, id));
        self.inserted += 1;
        if self.order.len() > self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.past.remove(&old);
            }
        }
    }

    /// The ids of the interactions `keep` keeps (by fingerprint), for checkpoints.
    pub fn save(&self, keep: &dyn Fn(u64) -> bool) -> SavedIds {
        let mut open: Vec<[u64; 2]> = (self.open.iter())
            .filter(|(interaction, _)| keep(**interaction))
            .flat_map(|(interaction, ids)| ids.iter().map(|id| [*interaction, *id]))
            .collect();
        open.sort_unstable();
        let oldest = self.inserted - self.order.len() as u64;
        let past = (self.order.iter().zip(oldest..))
            .filter(|((interaction, _), _)| keep(*interaction))
            .map(|((interaction, id), ordinal)| [ordinal, *interaction, *id])
            .collect();
        (open, past, self.inserted)
    }

    /// The memory `save` saved (parts of it saved at different times, merged: the
    /// remembered ids are put back in the order they were remembered, those forgotten
    /// since left out).
    pub fn restore(capacity: usize, (open, past, inserted): &SavedIds) -> SeenIds {
        let mut seen = SeenIds::new(capacity);
        for [interaction, id] in open {
            seen.insert(*interaction, *id, true);
        }
        let remembered = inserted.saturating_sub(capacity as u64)..*inserted;
        let mut past: Vec<[u64; 3]> = (past.iter())
            .filter(|[ordinal, _, _]| remembered.contains(ordinal))
            .copied()
            .collect();
        past.sort_unstable();
        for [_, interaction, id] in past {
            if seen.past.insert((interaction, id)) {
                seen.order.push_back((interaction, id));
            }
        }
        seen.inserted = *inserted;
        seen
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_exact_while_open_and_bounded_once_finished() {
        let mut seen = SeenIds::new(2);
        seen.insert(1, id_hash("a"), true);
        seen.insert(1, id_hash("b"), true);
        seen.insert(1, id_hash("c"), true);
        assert!(seen.contains(1, id_hash("a")) && !seen.contains(2, id_hash("a")));
        seen.close(1);
        // The memory of finished ones keeps the newest two.
        assert!(!seen.contains(1, id_hash("a")));
        assert!(seen.contains(1, id_hash("b")) && seen.contains(1, id_hash("c")));
        seen.insert(3, id_hash("x"), false);
        assert!(seen.contains(3, id_hash("x")) && !seen.contains(1, id_hash("b")));
        seen.insert(4, id_hash("y"), true);
        // Saved in two parts, merged, restored: the same memory.
        let (odd, even) = (seen.save(&|i| i % 2 == 1), seen.save(&|i| i % 2 == 0));
        let merged = ([odd.0, even.0].concat(), [odd.1, even.1].concat(), odd.2);
        let restored = SeenIds::restore(2, &merged);
        assert_eq!(restored.save(&|_| true), seen.save(&|_| true));
        assert!(restored.contains(4, id_hash("y")) && restored.contains(3, id_hash("x")));
    }
}
