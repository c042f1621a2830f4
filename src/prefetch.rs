//! A hint that memory is about to be read, so that its first read does not wait for it. The
//! hint takes a reference, never faults and changes nothing but timing; on targets without
//! one it is nothing.

/// Bytes of a cache line, the unit [`soon`] asks for.
pub const CACHE_LINE: usize = 64;

/// Asks the processor to bring the cache line holding `value` close, ahead of its first read.
#[inline(always)]
pub fn soon<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    safe_arch::prefetch_t0(value);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
