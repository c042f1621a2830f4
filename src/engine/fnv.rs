//! FNV-1a, 64 bits: a hash that is the same in every process and version, for what outlives
//! one run (fingerprints in checkpoints, partitions shared by publishers, publication ids).
//! Parts are separated by a byte no UTF-8 text holds, so `("ab", "c")` and `("a", "bc")`
//! differ.

/// FNV-1a over `parts`, each followed but the last by the separator `0xff`.
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for (index, part) in parts.iter().enumerate() {
        if index > 0 {
            hash = (hash ^ 0xff).wrapping_mul(0x0100_0000_01b3);
        }
        for &byte in *part {
            hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
        }
    }
    hash
}

#[cfg(test)]
mod tests {
    #[test]
    fn parts_are_separated() {
        assert_ne!(super::fnv1a(&[b"ab", b"c"]), super::fnv1a(&[b"a", b"bc"]));
        assert_eq!(super::fnv1a(&[]), 0xcbf2_9ce4_8422_2325);
    }
}
