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

/// Whether a tool the test hands Plotline's output to is there; panics when it is missing and
/// required (`PLOTLINE_CLIENTS=require`, as `.ci/run` sets), says so otherwise.
pub fn present(name: &str, found: bool) -> bool {
    let required = std::env::var("PLOTLINE_CLIENTS").as_deref() == Ok("require");
    match (found, required) {
        (true, _) => true,
        (false, true) => panic!("{name} is not installed (.ci/run installs it)"),
        (false, false) => {
            eprintln!("skipped: {name} is not installed");
            false
        }
    }
}

/// Chromium's full path, from `PLOTLINE_CHROMIUM` or the `PATH`.
pub fn chromium() -> Option<std::path::PathBuf> {
    if let Some(path) = std::env::var_os("PLOTLINE_CHROMIUM") {
        return Some(std::path::PathBuf::from(path));
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// Chromium to drive with playwright-core (both from `tests/clients/setup.sh` and Debian): the
/// browser's path, or `None` when either is missing (said, or a panic where they are required).
pub fn playwright_chromium() -> Option<std::path::PathBuf> {
    let clients = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let driver = clients.join("node_modules/playwright-core").is_dir();
    let browser = chromium();
    if !present("playwright-core (tests/clients/setup.sh)", driver)
        || !present("Chromium", browser.is_some())
    {
        return None;
    }
    browser
}

/// The JSON-Schema-Test-Suite's draft 2020-12 directory, which `tests/clients/setup.sh`
/// unpacks: `None` (said on stderr) when it is missing and not required.
pub fn json_schema_suite() -> Option<std::path::PathBuf> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/clients/.suite/tests/draft2020-12");
    let required = std::env::var("PLOTLINE_CLIENTS").as_deref() == Ok("require");
    match (dir.is_dir(), required) {
        (true, _) => Some(dir),
        (false, true) => panic!("the test suite is not installed: run tests/clients/setup.sh"),
        (false, false) => {
            eprintln!(
                "JSON-Schema-Test-Suite not installed (tests/clients/setup.sh): not checked here"
            );
            None
        }
    }
}

/// The built-in catalog (`None`) or a directory's, compiled; panics on any error.
pub fn compiled_catalog(dir: Option<&std::path::Path>) -> plotline::compile::Catalog {
    use plotline::config::load;
    let (files, errors) = match dir {
        None => load::load_builtin(),
        Some(dir) => load::load_dir(dir),
    };
    assert!(errors.is_empty(), "{errors:?}");
    let (catalog, diagnostics) = plotline::compile::compile(&files);
    catalog.unwrap_or_else(|| panic!("{diagnostics:?}"))
}

/// A simulated stream of `events` lines of one lifecycle (40 interactions open at a time,
/// `violations` of them faulty), as lines.
pub fn simulated_lines(
    catalog: &plotline::compile::Catalog,
    lifecycle: &str,
    events: u64,
    violations: f64,
    seed: u64,
) -> Vec<String> {
    let options = plotline::simulate::Options {
        events,
        open: 40,
        violations,
        seed,
        lifecycles: vec![lifecycle.to_owned()],
        start_ts: 1_750_000_000_000,
        cut: false,
    };
    let mut out = Vec::new();
    plotline::simulate::simulate(catalog, &options, &mut out).expect("simulated");
    let text = String::from_utf8(out).expect("UTF-8");
    text.lines().map(str::to_owned).collect()
}
