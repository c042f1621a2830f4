//! Replays every fuzz corpus and regression input (`fuzz/corpus/TARGET/`,
//! `fuzz/regressions/TARGET/`) through the fuzz targets' harness, on stable Rust, in every
//! test run: a crash once found stays fixed.

#[path = "../fuzz/fuzz_targets/harness.rs"]
mod harness;

use std::path::Path;

fn replay(target: &str, run: fn(&[u8])) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut replayed = 0;
    for dir in ["corpus", "regressions"] {
        let Ok(entries) = std::fs::read_dir(root.join(dir).join(target)) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let bytes = std::fs::read(entry.path()).expect("read input");
            run(&bytes);
            replayed += 1;
        }
    }
    assert!(replayed > 0, "no inputs for fuzz target `{target}`");
}

#[test]
fn config_corpus() {
    replay("config", harness::config);
}

#[test]
fn dsl_corpus() {
    replay("dsl", harness::dsl);
}

#[test]
fn expr_corpus() {
    replay("expr", harness::expr);
}

#[test]
fn stream_corpus() {
    replay("stream", harness::stream);
}
