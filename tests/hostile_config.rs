//! Config written to hurt: alias bombs, deep nesting, huge files, deep expressions and cycles.
//! Each is a clear, located error from `check`, quickly and in little memory.

use std::process::Command;

const HEAD: &str = "name: hostile\ndescription: x\nversions: [{name: \"1.0\"}]\n";
const MACHINE: &str =
    "states:\n  done: {final: true}\ntransitions:\n  - {from: idle, on: opened, to: done}\n";

/// Runs `check` on a catalog of one file; exit status and stderr.
fn check(text: &str) -> (Option<i32>, String) {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("hostile.yaml"), text).expect("write config");
    let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(["check", "--catalog"])
        .arg(dir.path())
        .output()
        .expect("plotline runs");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    (output.status.code(), stderr)
}

fn assert_error(text: &str, wanted: &str) {
    let (code, stderr) = check(text);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains(wanted), "no `{wanted}` in:\n{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn an_alias_bomb_is_refused() {
    let mut text = format!("{HEAD}events:\n  opened:\n{MACHINE}examples:\n");
    text.push_str("  a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        text.push_str(&format!("  a{i}: &a{i} [{refs}]\n"));
    }
    assert_error(
        &text,
        "hostile.yaml:1:1: error: repetition limit exceeded (help: YAML aliases here expand",
    );
}

#[test]
fn nesting_ten_thousand_deep_is_refused() {
    let text = format!(
        "{HEAD}events:\n  opened:\n{MACHINE}examples:\n  deep: {}{}\n",
        "[".repeat(10_000),
        "]".repeat(10_000)
    );
    assert_error(
        &text,
        "hostile.yaml:11:135: error: recursion limit exceeded",
    );
}

#[test]
fn a_huge_file_is_refused_before_it_is_read() {
    let mut text = format!("{HEAD}events:\n  opened:\n{MACHINE}examples:\n");
    while text.len() <= 9 << 20 {
        text.push_str("  padding: a line of text that makes the file large, over and over\n");
    }
    assert_error(&text, "a lifecycle file may have at most 8388608");
}

#[test]
fn a_deeply_nested_expression_is_refused() {
    let deep = format!("{}1{}", "(".repeat(5000), ")".repeat(5000));
    let text = format!(
        "{HEAD}events:\n  opened:\n{MACHINE}rules:\n  - {{on: opened, assert: \"{deep} == 1\", message: m}}\n"
    );
    assert_error(
        &text,
        "error: syntax error: expression nested more than 32 deep",
    );
}

#[test]
fn a_long_chain_of_operators_is_refused() {
    for chain in ["-".repeat(100_000) + "1", "not ".repeat(100_000) + "true"] {
        let text = format!(
            "{HEAD}events:\n  opened:\n{MACHINE}rules:\n  - {{on: opened, assert: \"{chain} == 1\", message: m}}\n"
        );
        assert_error(
            &text,
            "error: syntax error: expression has more than 100 operators",
        );
    }
}

#[test]
fn a_cycle_of_property_sets_is_refused() {
    let text = format!(
        "{HEAD}property_sets:\n  a: {{use: [b]}}\n  b: {{use: [a]}}\nevents:\n  opened: {{payload: {{use: [a]}}}}\n{MACHINE}"
    );
    assert_error(&text, "error: property set `a` uses itself (a -> b -> a)");
}
