//! Durations counted into fixed buckets, so that shards add up exactly and a report's size
//! does not grow with the stream.

/// Upper bounds (exclusive, in milliseconds) of the buckets; one more bucket holds longer
/// durations, and one before them negative ones.
pub const BOUNDS: [i64; 21] = [
    0, 10, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000,
    600_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

/// How many durations fell into each bucket, with their least, greatest and total.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Histogram {
    /// By bucket: below `BOUNDS[i]` (and at or above the bound before it); the last counts
    /// the rest.
    pub buckets: [u64; BOUNDS.len() + 1],
    /// Durations counted.
    pub count: u64,
    /// Their sum (saturating).
    pub total: i64,
    /// The least.
    pub min: i64,
    /// The greatest.
    pub max: i64,
}

impl Histogram {
    /// Counts one duration.
    pub fn add(&mut self, ms: i64) {
        let bucket = BOUNDS.partition_point(|&bound| bound <= ms);
        self.buckets[bucket] += 1;
        self.min = if self.count == 0 {
            ms
        } else {
            self.min.min(ms)
        };
        self.max = if self.count == 0 {
            ms
        } else {
            self.max.max(ms)
        };
        self.count += 1;
        self.total = self.total.saturating_add(ms);
    }

    /// Adds another histogram's counts.
    pub fn absorb(&mut self, other: &Histogram) {
        if other.count == 0 {
            return;
        }
        for (mine, theirs) in self.buckets.iter_mut().zip(other.buckets) {
            *mine += theirs;
        }
        self.min = if self.count == 0 {
            other.min
        } else {
            self.min.min(other.min)
        };
        self.max = if self.count == 0 {
            other.max
        } else {
            self.max.max(other.max)
        };
        self.count += other.count;
        self.total = self.total.saturating_add(other.total);
    }

    /// The duration below which `fraction` of the counted ones lie, to the bucket's bound
    /// (`None` when nothing was counted).
    pub fn quantile_bound(&self, fraction: f64) -> Option<i64> {
        let wanted = (self.count as f64 * fraction).ceil().max(1.0) as u64;
        let mut seen = 0;
        for (index, &n) in self.buckets.iter().enumerate() {
            seen += n;
            if n > 0 && seen >= wanted {
                return Some(BOUNDS.get(index).copied().unwrap_or(self.max));
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_fall_into_the_bucket_below_their_bound() {
        let mut histogram = Histogram::default();
        for ms in [-5, 0, 9, 10, 999, 1000, 90_000_000] {
            histogram.add(ms);
        }
        assert_eq!(histogram.buckets[0], 1, "negative");
        assert_eq!(histogram.buckets[1], 2, "0 and 9 are under 10 ms");
        assert_eq!(histogram.buckets[2], 1, "10 is under 50");
        assert_eq!(histogram.buckets[6], 1, "999 is under 1 s");
        assert_eq!(histogram.buckets[7], 1, "1000 is under 2 s");
        assert_eq!(histogram.buckets[BOUNDS.len()], 1, "over a day");
        assert_eq!(
            (histogram.min, histogram.max, histogram.count),
            (-5, 90_000_000, 7)
        );
    }

    #[test]
    fn halves_add_up_to_the_whole() {
        let values = [3, 70, 4000, 4000, 700_000, 12];
        let (mut whole, mut left, mut right) = Default::default();
        for (i, &ms) in values.iter().enumerate() {
            Histogram::add(&mut whole, ms);
            Histogram::add(if i % 2 == 0 { &mut left } else { &mut right }, ms);
        }
        Histogram::absorb(&mut left, &right);
        assert_eq!(left, whole);
        // Sorted: 3, 12, 70, 4000, 4000, 700000; the median is 70, under 100 ms.
        assert_eq!(whole.quantile_bound(0.5), Some(100));
        assert_eq!(whole.quantile_bound(0.9), Some(1_800_000));
        assert_eq!(Histogram::default().quantile_bound(0.5), None);
    }
}
