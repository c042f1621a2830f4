//! Fuzz target: see `harness::dsl`.
#![no_main]

// Each target uses one function of the shared harness.
#[allow(dead_code)]
mod harness;

libfuzzer_sys::fuzz_target!(|data: &[u8]| harness::dsl(data));
