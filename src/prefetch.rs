//! A hint that memory is about to be read, so that its first read does not wait for it. The
//! hint never faults and changes nothing but timing; on targets without one it is nothing.
//! `soon_at`, under both, holds the crate's only `unsafe` block: the intrinsic takes a pointer
//! (the test reads back the header `soon_block` addresses, in one more).

use thin_vec::ThinVec;

/// Bytes of a cache line, the unit [`soon`] asks for.
pub const CACHE_LINE: usize = 64;

/// Asks the processor to bring the cache line holding `value` close, ahead of its first read.
#[inline(always)]
pub fn soon<T>(value: &T) {
    soon_at(value);
}

/// Asks for the block that holds `items`, from its header (the length and capacity, in front
/// of the first item) on. Through a reference, the block would be reached by reading that
/// header: the wait the hint is there to avoid.
#[inline(always)]
pub fn soon_block<T>(items: &ThinVec<T>) {
    soon_at(header_of(items));
}

/// Where the header of the block behind `items` starts: `thin-vec` writes its length and
/// capacity, a word each, right before the first item (items aligned to at most a word, as
/// every block the crate asks for holds). Computed from the address of the first item, which
/// reading the `ThinVec` gives without reading the header.
#[inline(always)]
fn header_of<T>(items: &ThinVec<T>) -> *const u8 {
    items
        .as_ptr()
        .cast::<u8>()
        .wrapping_sub(2 * size_of::<usize>())
}

/// [`soon`] at an address that need not be valid. Nothing is read.
#[inline(always)]
#[allow(unsafe_code)]
fn soon_at<T>(address: *const T) {
    // SAFETY: a prefetch reads nothing into the program and never faults, whatever the
    // address (an invalid one is ignored); it needs SSE, which every x86-64 processor has.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::Slot;

    /// The header `soon_block` asks for is where `thin-vec` keeps it: a metadata block's
    /// length and capacity read back from there (this pins the crate's layout, which the
    /// hint relies on, to a failing test should it change).
    #[test]
    #[allow(unsafe_code)]
    fn a_blocks_header_is_where_the_hint_asks_for_it() {
        let mut block: ThinVec<Slot> = ThinVec::with_capacity(7);
        block.extend([Slot::Unset, Slot::Int(4), Slot::Bool(true)]);
        let header = header_of(&block).cast::<usize>();
        // SAFETY: the header lies in the allocation that holds the items, two aligned words.
        let (length, capacity) = unsafe { (header.read(), header.add(1).read()) };
        assert_eq!((length, capacity), (block.len(), block.capacity()));
        assert_eq!((length, capacity), (3, 7));
    }
}
