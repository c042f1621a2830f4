//! The bindings in the hands of their real users: the Python module, built with maturin into
//! the clients' virtual environment (`tests/clients/setup.sh`), and the npm package, built by
//! `bindings/build.sh` and run by Node's test runner and in headless Chromium, give the report
//! `plotline validate --format json` gives for the same lines, byte for byte.

mod common;

use std::path::Path;
use std::process::Command;

use common::{plotline, present, succeeded};

#[test]
fn the_python_package_judges_as_the_cli_does_and_type_checks() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = root.join("tests/clients/.venv");
    let maturin = venv.join("bin/maturin");
    if !present("maturin (tests/clients/setup.sh)", maturin.is_file()) {
        return;
    }
    // Its own target directory: the one `cargo test` holds is locked while tests run.
    succeeded(
        Command::new(&maturin)
            .args(["develop", "--quiet", "-m", "bindings/python/Cargo.toml"])
            .env("VIRTUAL_ENV", &venv)
            .env("CARGO_TARGET_DIR", root.join("target/bindings"))
            .current_dir(root),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let (cases, schema) = what_the_cli_says(dir.path());
    let output = succeeded(
        Command::new(venv.join("bin/pytest"))
            .args([
                "-q",
                "-p",
                "no:cacheprovider",
                "tests/clients/test_binding.py",
            ])
            .env("PLOTLINE_CASES", &cases)
            .env("PLOTLINE_SCHEMA", &schema)
            .current_dir(root),
    );
    let said = String::from_utf8_lossy(&output.stdout);
    eprintln!("pytest: {}", said.lines().last().unwrap_or_default());
    assert!(said.contains(" passed"), "{said}");
    assert!(!said.contains("failed"), "{said}");
    // The stubs hold a typed user to the package's shapes, and the example runs.
    succeeded(
        Command::new(venv.join("bin/mypy"))
            .args([
                "--strict",
                "--no-incremental",
                "tests/clients/typed_example.py",
            ])
            .current_dir(root),
    );
    let ran = succeeded(
        Command::new(venv.join("bin/python"))
            .arg("tests/clients/typed_example.py")
            .current_dir(root),
    );
    assert_eq!(
        String::from_utf8_lossy(&ran.stdout).trim(),
        "callback clicktocall intercom_messenger lp_offers zendesk_messaging True ['incomplete'] 1"
    );
}

/// The cases file of [`cases_with_cli_reports`], and `plotline schema`'s schema of a callback
/// version, both written to `dir`.
fn what_the_cli_says(dir: &Path) -> (std::path::PathBuf, std::path::PathBuf) {
    let cases = dir.join("cases.json");
    std::fs::write(&cases, cases_with_cli_reports(dir)).expect("written");
    let schema = dir.join("schema.json");
    let cli = plotline(&["schema", "callback", "--version", "9.0.002.06"]);
    std::fs::write(&schema, &cli.stdout).expect("written");
    (cases, schema)
}

/// The streams every binding is held to: each fixture stream, the example, and a simulated
/// stream of 20,000 lines with violations, that one with and without a reorder window; each
/// with the CLI's report written to `dir`. The cases as JSON: stream, options, catalog
/// directory (none: the built-in one), report file.
fn cases_with_cli_reports(dir: &Path) -> String {
    let simulated = dir.join("simulated.jsonl");
    let output = plotline(&[
        "simulate",
        "-n",
        "20000",
        "--violations",
        "0.02",
        "--seed",
        "7",
    ]);
    std::fs::write(&simulated, &output.stdout).expect("written");
    let simulated = simulated.to_str().expect("UTF-8").to_owned();
    let mut cases: Vec<(String, Vec<&str>, Option<&str>)> = Vec::new();
    for entry in std::fs::read_dir("tests/fixtures/streams").expect("fixtures") {
        let path = entry.expect("entry").path();
        let general = path.ends_with("chat_vendor.jsonl");
        let catalog = general.then_some("tests/fixtures/general");
        cases.push((path.to_str().expect("UTF-8").to_owned(), vec![], catalog));
    }
    cases.sort();
    cases.push(("examples/callback.jsonl".to_owned(), vec![], None));
    cases.push((simulated.clone(), vec![], None));
    cases.push((simulated, vec!["--reorder-window", "10s"], None));
    let mut json = Vec::new();
    for (index, (stream, flags, catalog)) in cases.iter().enumerate() {
        let mut args = vec!["validate", "--format", "json"];
        args.extend(flags);
        if let Some(catalog) = catalog {
            args.extend(["--catalog", catalog]);
        }
        args.push(stream);
        let report = plotline(&args);
        assert!(!report.stdout.is_empty(), "{stream}");
        let expected = dir.join(format!("report-{index}.json"));
        std::fs::write(&expected, &report.stdout).expect("written");
        let options = match flags.as_slice() {
            [_, window] => serde_json::json!({ "reorderWindow": window }),
            _ => serde_json::json!({}),
        };
        json.push(serde_json::json!({
            "stream": stream, "options": options, "catalog": catalog, "expected": expected,
        }));
    }
    serde_json::to_string(&json).expect("JSON")
}

/// Builds the npm package (`bindings/build.sh npm`, which installs what it needs once), or
/// says why it cannot be built here.
fn npm_package(root: &Path) -> Option<std::path::PathBuf> {
    let node = Command::new("node").arg("--version").output().is_ok();
    if !present("node", node) {
        return None;
    }
    succeeded(
        Command::new("bindings/build.sh")
            .arg("npm")
            .current_dir(root),
    );
    Some(root.join("target/npm/plotline"))
}

#[test]
fn the_npm_package_judges_as_the_cli_does_under_node_and_in_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let Some(package) = npm_package(root) else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (cases, schema) = what_the_cli_says(dir.path());
    let output = succeeded(
        Command::new("node")
            .args(["--test", "tests/clients/wasm.test.mjs"])
            .env("PLOTLINE_NPM", &package)
            .env("PLOTLINE_CASES", &cases)
            .env("PLOTLINE_SCHEMA", &schema)
            .current_dir(root),
    );
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(said.contains("# fail 0"), "{said}");
    assert!(!said.contains("# pass 0"), "{said}");
    let counts: Vec<&str> = (said.lines())
        .filter(|l| l.starts_with("# ") && !l.starts_with("# Subtest"))
        .collect();
    eprintln!("node --test: {}", counts.join(", "));

    // The same package in a page of headless Chromium, and the inspector in it.
    let Some(browser) = common::playwright_chromium() else {
        return;
    };
    let output = succeeded(
        Command::new("node")
            .arg("tests/clients/wasm_page.cjs")
            .args([&package, &cases])
            .env("PLOTLINE_CHROMIUM", browser)
            .current_dir(root),
    );
    let page: serde_json::Value = serde_json::from_slice(&output.stdout).expect("the page's JSON");
    let listed: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&cases).expect("cases")).expect("JSON");
    let listed = listed.as_array().expect("cases");
    assert_eq!(page["reports"].as_array().map(Vec::len), Some(listed.len()));
    let reports = page["reports"].as_array().expect("reports");
    let judged = listed
        .iter()
        .zip(reports)
        .filter(|(_, report)| !report.is_null());
    assert!(judged.clone().count() >= listed.len() - 1);
    for (case, report) in judged {
        let expected = std::fs::read_to_string(case["expected"].as_str().expect("file"));
        assert_eq!(
            report.as_str(),
            Some(expected.expect("report").as_str()),
            "{case}"
        );
    }
    // Each violation a collapsed group in the console, as it happened; the overlay counts.
    let groups: Vec<&str> = (page["console"].as_array().expect("console").iter())
        .filter(|message| message["type"] == "startGroupCollapsed")
        .filter_map(|message| message["text"].as_str())
        .collect();
    assert_eq!(
        groups,
        [
            "plotline: illegal_transition in callback/c1: `completed` is not allowed in state `opened`",
            "plotline: illegal_transition in callback/c1: `opened` is not allowed in state `completed`",
            "plotline: incomplete in callback/c1: the stream ended with the interaction in state `opened`",
        ]
    );
    assert_eq!(page["finished"]["violations"], 3);
    assert_eq!(
        page["overlay"],
        "Plotline: 4 events, 3 violations (illegal_transition 2, incomplete 1)"
    );
}
