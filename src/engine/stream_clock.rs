//! The stream's event time, read from its lines' `ts` so that a few lines whose clock is
//! wrong cannot move it: what ends quiet interactions (`--quiet-end`).
//!
//! The lines' `ts` are taken in blocks of [`BLOCK`], in the order of the stream; each full
//! block gives the `ts` a quarter of its lines are below, and the time is the greatest of
//! those. A block moves the time past where most of the stream stands only when more than
//! three quarters of its lines do: one visitor's clock an hour fast, a line stamped wrong,
//! even a third of the visitors' clocks an hour fast leave the time where the rest of the
//! stream has it, while the greatest `ts` would have ended every quiet interaction an hour
//! early. A clock running slow can only hold one block back. The time trails the stream by
//! one or two blocks of lines.
//!
//! A line's own interaction still goes by the line's own `ts` (whether it ended by quiet
//! before it): at the moment it comes, a line an hour fast cannot be told from the first line
//! after an hour without traffic.
//!
//! Every shard of `--jobs` and `publish` read every line of the stream in its order, so
//! they agree on the time at every line.

/// Lines per block.
pub const BLOCK: usize = 32;

/// How many of a block's lowest `ts` are kept: the greatest of them is what the block gives.
const LOWEST: usize = BLOCK / 4;

/// A [`StreamClock`] as data, for checkpoints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedClock {
    /// The stream's time (`None`: no block full yet).
    pub time: Option<i64>,
    /// Lines counted of the block being filled.
    pub counted: usize,
    /// The lowest `ts` of those, in increasing order (at most a quarter of a block).
    pub lowest: Vec<i64>,
}

/// The stream's time and the block being filled.
#[derive(Debug, Clone)]
pub struct StreamClock {
    /// The lowest `ts` of the block being filled, in increasing order (`i64::MAX` where
    /// fewer were counted).
    lowest: [i64; LOWEST],
    /// Lines counted of the block being filled.
    counted: usize,
    time: Option<i64>,
    /// The time is given from outside ([`StreamClock::follow`]), not counted here.
    given: bool,
}

impl Default for StreamClock {
    fn default() -> Self {
        StreamClock {
            lowest: [i64::MAX; LOWEST],
            counted: 0,
            time: None,
            given: false,
        }
    }
}

impl StreamClock {
    /// The stream's time now (`None` before a block is full).
    #[inline]
    pub fn time(&self) -> Option<i64> {
        self.time
    }

    /// One line of the stream read, with its `ts` if it has one (a line without is not
    /// counted). Whether the time moved.
    #[inline]
    pub fn count(&mut self, ts: Option<i64>) -> bool {
        let Some(ts) = ts.filter(|_| !self.given) else {
            return false;
        };
        // A stream roughly in `ts` order keeps most lines after a block's first ones out at
        // the first comparison.
        if ts < self.lowest[LOWEST - 1] {
            self.keep(ts);
        }
        self.counted += 1;
        if self.counted < BLOCK {
            return false;
        }
        let time = self.time.max(Some(self.lowest[LOWEST - 1]));
        let moved = self.time < time;
        *self = StreamClock {
            time,
            ..StreamClock::default()
        };
        moved
    }

    /// `ts` among the lowest kept, the greatest dropped: each place takes what sorting `ts`
    /// in would put there, without a branch (a line of an unordered stream goes anywhere).
    #[inline]
    fn keep(&mut self, ts: i64) {
        let old = self.lowest;
        self.lowest[0] = old[0].min(ts);
        for at in 1..LOWEST {
            self.lowest[at] = old[at].min(old[at - 1].max(ts));
        }
    }

    /// What the time will be once a line with `ts` is counted (before it is: a decision
    /// taken then must hold after).
    #[inline]
    pub fn time_after(&self, ts: Option<i64>) -> Option<i64> {
        match ts {
            Some(ts) if !self.given && self.counted + 1 == BLOCK => {
                // The block's lowest quarter's greatest, with `ts` among them.
                let [.., second, greatest] = self.lowest;
                self.time.max(Some(greatest.min(ts.max(second))))
            }
            _ => self.time,
        }
    }

    /// The time is `time` from now on, as another reader of the whole stream counted it (a
    /// worker's publisher); lines are no longer counted here.
    pub fn follow(&mut self, time: Option<i64>) {
        self.given = true;
        self.time = self.time.max(time);
    }

    /// Its state as data.
    pub fn save(&self) -> SavedClock {
        let kept = self
            .lowest
            .get(..self.counted.min(LOWEST))
            .unwrap_or_default();
        SavedClock {
            time: self.time,
            counted: self.counted,
            lowest: kept.to_vec(),
        }
    }

    /// Back from [`StreamClock::save`]'s data (what does not fit a clock's is cut to size).
    pub fn restore(saved: &SavedClock) -> StreamClock {
        let mut clock = StreamClock {
            time: saved.time,
            counted: saved.counted.min(BLOCK - 1),
            ..StreamClock::default()
        };
        let mut lowest = saved.lowest.clone();
        lowest.sort_unstable();
        lowest.truncate(clock.counted.min(LOWEST));
        if let Some(slots) = clock.lowest.get_mut(..lowest.len()) {
            slots.copy_from_slice(&lowest);
        }
        clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clock_over(ts: &[i64]) -> StreamClock {
        let mut clock = StreamClock::default();
        for &ts in ts {
            clock.count(Some(ts));
        }
        clock
    }

    /// `BLOCK` values from `first` on, in a shuffled order.
    fn shuffled_block(first: i64) -> Vec<i64> {
        (0..BLOCK as i64)
            .map(|n| first + (n * 7) % BLOCK as i64)
            .collect()
    }

    #[test]
    fn a_full_block_gives_the_ts_a_quarter_of_its_lines_are_below() {
        let clock = clock_over(&shuffled_block(10));
        assert_eq!(clock.time(), Some(10 + LOWEST as i64 - 1));
        // Not full: the time stays.
        assert_eq!(clock_over(&shuffled_block(10)[1..]).time(), None);
    }

    #[test]
    fn lines_far_ahead_move_the_time_only_when_most_of_a_block_is() {
        let hour = 3_600_000;
        let block = |fast: &dyn Fn(usize) -> bool| -> Vec<i64> {
            (0..BLOCK)
                .map(|n| n as i64 * 100 + if fast(n) { hour } else { 0 })
                .collect()
        };
        // Every third line an hour fast; then three quarters of a block.
        let mut clock = clock_over(&block(&|n| n % 3 == 0));
        for ts in block(&|n| n < 3 * BLOCK / 4) {
            clock.count(Some(ts));
        }
        assert!(clock.time() < Some(hour), "{clock:?}");
        // More than three quarters of a block fast: that block moves it.
        for ts in block(&|n| n % 8 != 0) {
            clock.count(Some(ts));
        }
        assert!(clock.time() >= Some(hour), "{clock:?}");
    }

    #[test]
    fn a_line_without_ts_is_not_counted_and_a_slow_block_holds_the_time() {
        let mut clock = clock_over(&[100; BLOCK]);
        for _ in 0..BLOCK {
            clock.count(None);
        }
        let saved = clock.save();
        assert_eq!((saved.time, saved.counted), (Some(100), 0));
        let clock = clock_over(&[[100; BLOCK], [5; BLOCK]].concat());
        assert_eq!(clock.time(), Some(100));
    }

    #[test]
    fn each_block_gives_what_sorting_it_gives_and_the_time_is_known_a_line_ahead() {
        // Blocks of `ts` in every kind of order (a simple generator: no dependency).
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |spread: u64| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % spread) as i64
        };
        let mut clock = StreamClock::default();
        let mut expected = None;
        for round in 0..500_i64 {
            let spread = [3, 50, 1 << 40][round as usize % 3];
            let block: Vec<i64> = (0..BLOCK as i64)
                .map(|n| round * 1000 + if round % 4 == 0 { n } else { next(spread) })
                .collect();
            let mut sorted = block.clone();
            sorted.sort_unstable();
            expected = expected.max(Some(sorted[LOWEST - 1]));
            let (last, before) = block.split_last().expect("a block");
            for &ts in before {
                assert!(!clock.count(Some(ts)));
            }
            let after = clock.time_after(Some(*last));
            clock.count(Some(*last));
            assert_eq!(clock.time(), expected, "round {round}");
            assert_eq!(after, expected, "round {round}");
        }
    }

    #[test]
    fn the_time_a_line_brings_is_known_before_it_is_counted() {
        let mut clock = clock_over(&shuffled_block(100)[2..]);
        assert_eq!(clock.time_after(Some(1)), None);
        clock.count(Some(1));
        let after = clock.time_after(Some(2));
        assert!(after.is_some());
        assert_eq!(clock.time(), None);
        assert!(clock.count(Some(2)));
        assert_eq!(clock.time(), after);
        assert_eq!(clock.time_after(Some(1 << 40)), after);
    }

    #[test]
    fn saved_and_restored_it_counts_on_alike() {
        let mut whole = clock_over(&[shuffled_block(5), shuffled_block(50)[..9].to_vec()].concat());
        let mut restored = StreamClock::restore(&whole.save());
        assert_eq!(restored.save(), whole.save());
        for ts in shuffled_block(100) {
            assert_eq!(restored.count(Some(ts)), whole.count(Some(ts)));
        }
        assert_eq!(restored.time(), whole.time());
    }

    #[test]
    fn a_followed_time_is_not_counted_over() {
        let mut clock = StreamClock::default();
        clock.follow(Some(500));
        for _ in 0..BLOCK {
            clock.count(Some(9_999));
        }
        assert_eq!(clock.time(), Some(500));
    }
}
