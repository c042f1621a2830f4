//! What the integration tests share: running the built binary.

// Each test binary uses a part of these.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Runs `plotline ARGS` from the crate root, with the built-in catalog.
pub fn plotline(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PLOTLINE_CATALOG")
        .output()
        .expect("plotline runs")
}

/// Runs `plotline ARGS` with `input` on stdin.
pub fn plotline_with_stdin(args: &[&str], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PLOTLINE_CATALOG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("plotline runs");
    let mut stdin = child.stdin.take().expect("stdin");
    let input = input.to_vec();
    let writer = std::thread::spawn(move || stdin.write_all(&input));
    let output = child.wait_with_output().expect("plotline ends");
    let _ = writer.join();
    output
}

/// Runs a client program, and its output once it has succeeded (its stderr otherwise).
pub fn succeeded(command: &mut Command) -> Output {
    let output = command.output().expect("the client runs");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
