//! A hint that memory is about to be read, so that its first read does not wait for it. The
//! hint takes a reference, never faults and changes nothing but timing; on targets without
//! one it is nothing.

/// Asks the processor to bring the cache line holding `value` close, ahead of its first read.
#[inline(always)]
pub fn soon<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    safe_arch::prefetch_t0(value);
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
