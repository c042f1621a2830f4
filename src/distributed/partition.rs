//! Which partition a line belongs to: a fixed function of its lifecycle and interaction
//! ([`fnv1a`], the same in every process and version), so that all events of one interaction are
//! in one partition, in order. Lines without both (not events, native records) go to
//! partition 0, as they go to the first shard of `validate -j N`.

use crate::engine::envelope::key_of;
use crate::engine::fnv::fnv1a;

/// The partition of `line` among `partitions`.
pub fn partition_of(line: &[u8], partitions: u32) -> u32 {
    match key_of(line) {
        Some((lifecycle, interaction)) if partitions > 1 => {
            let hash = fnv1a(&[&lifecycle, &interaction]);
            (hash % u64::from(partitions)) as u32
        }
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::partition_of;

    #[test]
    fn one_interaction_one_partition_and_the_function_never_changes() {
        let a = br#"{"lifecycle":"widget","interaction":"w-1","event":"first","ts":1}"#;
        let b = br#"{"event":"second","ts":2,"interaction":"w-1","lifecycle":"widget"}"#;
        assert_eq!(partition_of(a, 12), partition_of(b, 12));
        // Fixed values (computed apart, in Python): publishers of every version agree.
        assert_eq!(partition_of(a, 12), 1);
        assert_eq!(
            partition_of(br#"{"lifecycle":"x","interaction":"y"}"#, 1000),
            635
        );
        assert_eq!(partition_of(b"not json", 12), 0);
        assert_eq!(partition_of(a, 1), 0);
    }
}
