//! The stream's event time, read from its lines' `ts` so that lines whose clock is wrong,
//! fast or slow, cannot move it: what ends quiet interactions (`--quiet-end`).
//!
//! The lines' `ts` are taken in blocks of [`BLOCK`], in the order of the stream. Each full
//! block gives its median `ts`; the time is the greatest median of the last [`RECENT`]
//! blocks' medians so far (none before that many blocks are full). It moves past where most of the stream stands only when more than
//! half the lines of most of the recent blocks do: one visitor's clock an hour fast, a line
//! stamped wrong, even a third of the visitors' clocks an hour fast or an hour slow leave it
//! where the rest of the stream has it. (The greatest `ts` would have ended every quiet
//! interaction an hour early; a low rank of each block, robust to fast clocks, is held back
//! by many slow ones, and then leaps forward.) The time trails the stream by about
//! `RECENT / 2 + 1` blocks of lines.
//!
//! A line's own `ts` also decides whether its interaction ended by quiet before it, when it
//! is later (at the moment it comes, a line an hour fast cannot be told from the first line
//! after an hour without traffic), unless the line's event could only go on from where the
//! interaction rests.
//!
//! Every shard of `--jobs` and `publish` read every line of the stream in its order, so
//! they agree on the time at every line.

/// Lines per block.
pub const BLOCK: usize = 64;

/// How many blocks' medians the time is the median of.
pub const RECENT: usize = 9;

/// Lines the time trails the stream by, at most about: the recent blocks' older half and
/// the block being filled.
pub const TRAIL: usize = (RECENT / 2 + 2) * BLOCK;

/// A [`StreamClock`] as data, for checkpoints.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct SavedClock {
    /// The stream's time (`None`: no block full yet).
    pub time: Option<i64>,
    /// The `ts` of the lines counted of the block being filled, in the order counted.
    pub block: Vec<i64>,
    /// The medians of the last full blocks, oldest first.
    pub recent: Vec<i64>,
}

/// The stream's time, the block being filled and the recent blocks' medians.
#[derive(Debug, Clone)]
pub struct StreamClock {
    /// The `ts` of the block being filled; `counted` of them.
    block: [i64; BLOCK],
    counted: usize,
    /// The medians of the last full blocks, in a ring: `recent_count` of them, the next one
    /// written at `recent_next`.
    recent: [i64; RECENT],
    recent_count: usize,
    recent_next: usize,
    time: Option<i64>,
    /// The time is given from outside ([`StreamClock::follow`]), not counted here.
    given: bool,
}

impl Default for StreamClock {
    fn default() -> Self {
        StreamClock {
            block: [0; BLOCK],
            counted: 0,
            recent: [0; RECENT],
            recent_count: 0,
            recent_next: 0,
            time: None,
            given: false,
        }
    }
}

/// The lower median of `values` (reordered), `None` when there are none.
fn lower_median(values: &mut [i64]) -> Option<i64> {
    let middle = values.len().checked_sub(1)? / 2;
    values.select_nth_unstable(middle);
    values.get(middle).copied()
}

impl StreamClock {
    /// The stream's time now (`None` before [`RECENT`] blocks are full).
    #[inline]
    pub fn time(&self) -> Option<i64> {
        self.time
    }

    /// The stream's time, or before it is known the median of the full blocks' medians, or
    /// before a block is full the median `ts` of the lines counted so far: where a line's
    /// arrival is placed. A guess that runs ahead at the start only makes an interaction's
    /// quiet end later, never earlier.
    pub fn time_or_first_guess(&self) -> Option<i64> {
        let guess = || {
            let mut medians = self.recent;
            let medians = medians.get_mut(..self.recent_count).unwrap_or_default();
            lower_median(medians).or_else(|| {
                let mut first = self.block;
                lower_median(first.get_mut(..self.counted).unwrap_or_default())
            })
        };
        self.time.or_else(guess)
    }

    /// One line of the stream read, with its `ts` if it has one (a line without is not
    /// counted). Whether the time moved.
    #[inline]
    pub fn count(&mut self, ts: Option<i64>) -> bool {
        let Some(ts) = ts.filter(|_| !self.given) else {
            return false;
        };
        if let Some(slot) = self.block.get_mut(self.counted) {
            *slot = ts;
        }
        self.counted += 1;
        if self.counted < BLOCK {
            return false;
        }
        self.close_block()
    }

    /// The block is full: its median joins the recent ones, and the time is their median if
    /// that is later. Whether the time moved.
    #[cold]
    #[inline(never)]
    fn close_block(&mut self) -> bool {
        self.counted = 0;
        let Some(median) = lower_median(&mut self.block) else {
            return false;
        };
        if let Some(slot) = self.recent.get_mut(self.recent_next) {
            *slot = median;
        }
        self.recent_next = (self.recent_next + 1) % RECENT;
        self.recent_count = (self.recent_count + 1).min(RECENT);
        // Until as many blocks as it takes the median of are full, no time.
        if self.recent_count < RECENT {
            return false;
        }
        let mut recent = self.recent;
        let time = lower_median(&mut recent);
        let moved = self.time < time;
        self.time = self.time.max(time);
        moved
    }

    /// What the time will be once a line with `ts` is counted (before it is: a decision
    /// taken then must hold after).
    #[inline]
    pub fn time_after(&self, ts: Option<i64>) -> Option<i64> {
        match ts {
            Some(_) if !self.given && self.counted + 1 == BLOCK => {
                let mut after = self.clone();
                after.count(ts);
                after.time
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
        let block = self.block.get(..self.counted).unwrap_or_default();
        // Oldest first: from the one to be overwritten next, when the ring is full.
        let start = match self.recent_count < RECENT {
            true => 0,
            false => self.recent_next,
        };
        let recent = (0..self.recent_count)
            .filter_map(|n| self.recent.get((start + n) % RECENT).copied())
            .collect();
        SavedClock {
            time: self.time,
            block: block.to_vec(),
            recent,
        }
    }

    /// Back from [`StreamClock::save`]'s data (what does not fit a clock's is cut to size:
    /// the first lines of the block, the latest medians).
    pub fn restore(saved: &SavedClock) -> StreamClock {
        let mut clock = StreamClock {
            time: saved.time,
            ..StreamClock::default()
        };
        for &ts in saved.block.iter().take(BLOCK - 1) {
            clock.count(Some(ts));
        }
        let latest = saved.recent.len().saturating_sub(RECENT);
        for &median in saved.recent.get(latest..).unwrap_or_default() {
            if let Some(slot) = clock.recent.get_mut(clock.recent_next) {
                *slot = median;
            }
            clock.recent_next = (clock.recent_next + 1) % RECENT;
            clock.recent_count += 1;
        }
        clock
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: i64 = 3_600_000;

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

    /// `blocks` blocks of a stream at 100 ms a line, the lines `off(n)` shifted by `shift`.
    fn stream(blocks: usize, shift: i64, off: &dyn Fn(usize) -> bool) -> Vec<i64> {
        (0..blocks * BLOCK)
            .map(|n| n as i64 * 100 + if off(n) { shift } else { 0 })
            .collect()
    }

    #[test]
    fn a_full_block_gives_its_median_and_the_time_the_recent_blocks_median() {
        let blocks = |firsts: &[i64]| -> Vec<i64> {
            firsts
                .iter()
                .flat_map(|&first| shuffled_block(first))
                .collect()
        };
        let firsts: Vec<i64> = (0..RECENT as i64).map(|n| (n * 5) % 9 * 1000).collect();
        let clock = clock_over(&blocks(&firsts));
        assert_eq!(clock.time(), Some(4 * 1000 + BLOCK as i64 / 2 - 1));
        // Not full: none yet.
        assert_eq!(clock_over(&blocks(&firsts)[1..]).time(), None);
        // The next block moves it only as far as the recent median.
        let clock = clock_over(&blocks(&[firsts, vec![99_000]].concat()));
        assert_eq!(clock.time(), Some(5 * 1000 + BLOCK as i64 / 2 - 1));
    }

    #[test]
    fn before_a_block_is_full_the_first_guess_is_the_median_so_far() {
        assert_eq!(StreamClock::default().time_or_first_guess(), None);
        assert_eq!(clock_over(&[5, 1, 9]).time_or_first_guess(), Some(5));
        let clock = clock_over(&shuffled_block(10));
        assert_eq!(clock.time_or_first_guess(), Some(10 + BLOCK as i64 / 2 - 1));
        let clock = clock_over(&[0; RECENT * BLOCK]);
        assert_eq!(clock.time_or_first_guess(), clock.time());
        assert_eq!(clock.time(), Some(0));
    }

    #[test]
    fn a_third_of_the_lines_an_hour_off_either_way_do_not_move_the_time() {
        for shift in [HOUR, -HOUR] {
            // Every third line, however they fall into blocks.
            let ts = stream(40, shift, &|n| n % 3 == 0);
            let mut clock = StreamClock::default();
            for (n, &ts) in ts.iter().enumerate() {
                clock.count(Some(ts));
                let now = n as i64 * 100;
                if let Some(time) = clock.time() {
                    assert!(time <= now, "{shift}: {time} at line {n}");
                    assert!(
                        now - time <= (TRAIL as i64) * 100,
                        "{shift}: {time} at line {n}"
                    );
                }
            }
        }
    }

    #[test]
    fn most_lines_of_most_recent_blocks_move_the_time() {
        // Two blocks in three with most lines an hour fast: the time goes with them.
        let ts = stream(3 * RECENT, HOUR, &|n| {
            !(n / BLOCK).is_multiple_of(3) && !n.is_multiple_of(8)
        });
        assert!(
            clock_over(&ts).time() > Some(HOUR),
            "{:?}",
            clock_over(&ts).time()
        );
        // One block in three: it stays.
        let ts = stream(3 * RECENT, HOUR, &|n| (n / BLOCK).is_multiple_of(3));
        assert!(clock_over(&ts).time() < Some(HOUR));
    }

    #[test]
    fn a_line_without_ts_is_not_counted_and_a_slow_block_holds_the_time() {
        let mut clock = clock_over(&[100; RECENT * BLOCK]);
        for _ in 0..BLOCK {
            clock.count(None);
        }
        let saved = clock.save();
        assert_eq!((saved.time, saved.block.len()), (Some(100), 0));
        let clock = clock_over(&[[100; RECENT * BLOCK], [5; RECENT * BLOCK]].concat());
        assert_eq!(clock.time(), Some(100));
    }

    #[test]
    fn the_time_a_line_brings_is_known_before_it_is_counted() {
        let first = vec![100; (RECENT - 1) * BLOCK];
        let mut clock = clock_over(&[first, shuffled_block(100)[2..].to_vec()].concat());
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
        // Within the first blocks, and once the ring of medians has wrapped.
        for blocks in [1, RECENT - 1, RECENT + 3] {
            let first: Vec<i64> = (0..blocks as i64)
                .flat_map(|b| shuffled_block(b * 90))
                .collect();
            let ts = [first, shuffled_block(50)[..9].to_vec()].concat();
            let mut whole = clock_over(&ts);
            let mut restored = StreamClock::restore(&whole.save());
            assert_eq!(restored.save(), whole.save());
            for block in 0..RECENT as i64 {
                for ts in shuffled_block(block * 1000) {
                    assert_eq!(restored.count(Some(ts)), whole.count(Some(ts)));
                }
            }
            assert_eq!(restored.time(), whole.time());
        }
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
