//! Fuzz target: see `harness::stream`.
#![no_main]

// Each target uses one function of the shared harness.
#[allow(dead_code)]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::stream(data));
