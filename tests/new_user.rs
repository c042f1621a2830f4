//! What a new user meets: closed pipes, honest defaults, the conventions of well-loved CLIs.

use std::process::{Command, Output, Stdio};

mod common;

use common::plotline;

const EVERY_KIND: &str = "tests/fixtures/streams/every_kind.jsonl";

/// Runs `plotline ARGS` with a stderr whose reader has already gone, so that every write to
/// it fails with a broken pipe.
fn with_closed_stderr(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PLOTLINE_CATALOG")
        .stdin(Stdio::null())
        .stderr(writer)
        .output()
        .expect("plotline runs")
}

#[test]
fn a_closed_stderr_never_panics_nor_costs_the_output_or_the_exit_code() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("out.jsonl");
    let out = out.to_str().expect("a UTF-8 path");
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).expect("a directory");
    std::fs::write(bad.join("x.yaml"), "lifecycle: x\nstates: [a\n").expect("written");
    let bad = bad.to_str().expect("a UTF-8 path");
    let cases: &[(&[&str], i32)] = &[
        (&["run", EVERY_KIND, "-o", out], 1),
        (&["validate", EVERY_KIND], 1),
        (&["validate", "no/such/file.jsonl"], 2),
        (&["check"], 0),
        (&["check", "--catalog", bad], 2),
        (&["simulate", "-n", "20"], 0),
        (&["schema", "nosuch"], 2),
        (&["types", "nosuch"], 2),
        (&["diff", "callback", "1", "2"], 2),
        (&["list", "--catalog", bad], 2),
        (&["validate", "--no-such-flag"], 2),
    ];
    for (args, code) in cases {
        let output = with_closed_stderr(args);
        assert_eq!(output.status.code(), Some(*code), "plotline {args:?}");
    }
    // The events of `run` were written in full: what it prints with a stderr that works.
    let written = std::fs::read(out).expect("run wrote its output file");
    assert_eq!(written, plotline(&["run", EVERY_KIND]).stdout);
    assert_eq!(String::from_utf8_lossy(&written).lines().count(), 20);
    // Usage errors go to stderr too.
    assert_eq!(
        plotline(&["validate", "--no-such-flag"]).status.code(),
        Some(2)
    );
}
