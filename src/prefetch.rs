//! A hint that memory is about to be read, so that its first read does not wait for it. The
//! hint never faults and changes nothing but timing; on targets without one it is nothing.
//! [`soon_at`] holds the crate's only `unsafe` block: the hint's intrinsic takes a pointer.

/// Bytes of a cache line, the unit [`soon`] asks for.
pub const CACHE_LINE: usize = 64;

/// Asks the processor to bring the cache line holding `value` close, ahead of its first read.
#[inline(always)]
pub fn soon<T>(value: &T) {
    soon_at(value);
}

/// [`soon`] for an address that need not be valid: memory a reference would have to read to
/// reach (a block behind a thin pointer, whose length lives in the block). Nothing is read.
#[inline(always)]
#[allow(unsafe_code)]
pub fn soon_at<T>(address: *const T) {
    // SAFETY: a prefetch reads nothing into the program and never faults, whatever the
    // address (an invalid one is ignored); it needs SSE, which every x86-64 processor has.
    #[cfg(target_arch = "x86_64")]
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>(address.cast());
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = address;
}
