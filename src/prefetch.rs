//! A hint that memory is about to be read, so that its first read does not wait for it. The
//! hint never faults and changes nothing but timing; on targets without one it is nothing.
//! `soon_at`, under both, holds the crate's only `unsafe` block: the intrinsic takes a pointer.

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
    let first = items.as_ptr().cast::<u8>();
    soon_at(first.wrapping_sub(2 * size_of::<usize>()));
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
