//! The GitHub Action (`action.yml`): its step's script run with its inputs set the way a runner
//! sets them (each input in the step's `env`, with `GITHUB_ACTION_PATH`, `RUNNER_TEMP`,
//! `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`), Plotline already installed where the script
//! installs it.

mod common;

use std::path::Path;
use std::process::{Command, Output};

use common::plotline;

/// The step's `env` in `action.yml`: input names to variables, as the runner maps them.
fn step_env() -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("action.yml")).expect("action.yml");
    let action: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let steps = action["runs"]["steps"].as_sequence().expect("steps");
    assert_eq!(steps.len(), 1);
    let env = steps[0]["env"].as_mapping().expect("env");
    let mut mapped = Vec::new();
    for (variable, value) in env {
        let value = value.as_str().expect("a string");
        let input = value
            .strip_prefix("${{ inputs.")
            .and_then(|rest| rest.strip_suffix(" }}"))
            .expect("an input");
        assert!(
            action["inputs"][input].is_mapping(),
            "`{input}` is no input"
        );
        mapped.push((
            input.to_owned(),
            variable.as_str().expect("name").to_owned(),
        ));
    }
    // Every input reaches the script.
    let inputs = action["inputs"].as_mapping().expect("inputs").len();
    assert_eq!(mapped.len(), inputs);
    mapped
}

/// Runs the step with `inputs` (the rest at their defaults), in a runner's temp directory.
fn run_step(runner: &Path, inputs: &[(&str, &str)]) -> (Output, String, String) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(root.join("action.yml")).expect("action.yml");
    let action: serde_yaml::Value = serde_yaml::from_str(&text).expect("YAML");
    let output_file = runner.join("output");
    let summary_file = runner.join("summary");
    let _ = std::fs::remove_file(&output_file);
    let _ = std::fs::remove_file(&summary_file);
    let mut command = Command::new("bash");
    command
        .arg(root.join(".github/action/run.sh"))
        .current_dir(root)
        .env("GITHUB_ACTION_PATH", root)
        .env("RUNNER_TEMP", runner)
        .env("GITHUB_OUTPUT", &output_file)
        .env("GITHUB_STEP_SUMMARY", &summary_file)
        .env_remove("PLOTLINE_CATALOG");
    for (input, variable) in step_env() {
        let given = inputs
            .iter()
            .find(|(name, _)| *name == input)
            .map(|(_, v)| *v);
        let default = action["inputs"][input.as_str()]["default"]
            .as_str()
            .unwrap_or("");
        command.env(variable, given.unwrap_or(default));
    }
    let output = command.output().expect("bash runs");
    let read = |path: &Path| std::fs::read_to_string(path).unwrap_or_default();
    (output, read(&output_file), read(&summary_file))
}

#[test]
fn the_action_writes_sarif_says_what_it_found_and_fails_as_validate_does() {
    let runner = tempfile::tempdir().expect("temp dir");
    // Plotline installed where the script installs it (the build under test, not a second one).
    let bin = runner.path().join("plotline/bin");
    std::fs::create_dir_all(&bin).expect("made");
    std::fs::copy(env!("CARGO_BIN_EXE_plotline"), bin.join("plotline")).expect("copied");
    let sarif = runner.path().join("out.sarif");
    let sarif = sarif.to_str().expect("UTF-8");

    // Violations: exit 1, the SARIF written, its count in the outputs and the summary.
    let streams = "examples/*.jsonl\ntests/fixtures/streams/every_kind.jsonl";
    let (output, outputs, summary) =
        run_step(runner.path(), &[("streams", streams), ("sarif", sarif)]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    let cli = plotline(&[
        "validate",
        "--format",
        "json",
        "examples/callback.jsonl",
        "tests/fixtures/streams/every_kind.jsonl",
    ]);
    let cli: serde_json::Value = serde_json::from_slice(&cli.stdout).expect("JSON");
    let violations = cli["summary"]["violations"].as_u64().expect("count");
    assert!(violations > 0);
    assert!(
        outputs.contains(&format!("violations={violations}\n")),
        "{outputs}"
    );
    assert!(outputs.contains(&format!("sarif={sarif}\n")), "{outputs}");
    let log: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(sarif).expect("SARIF")).expect("JSON");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert_eq!(results.len() as u64, violations);
    assert!(
        summary.contains(&format!("2 stream(s), {violations} violation(s)")),
        "{summary}"
    );

    // A clean stream passes; under a coverage bar it fails, naming the bar.
    let clean = [("streams", "examples/callback.jsonl"), ("sarif", sarif)];
    let (output, outputs, _) = run_step(runner.path(), &clean);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(outputs.contains("violations=0\n"), "{outputs}");
    let barred = [clean[0], clean[1], ("fail-below", "callback=100")];
    let (output, _, _) = run_step(runner.path(), &barred);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{said}");
    assert!(said.contains("coverage below the bar: callback:"), "{said}");

    // Another catalog; a pattern that matches nothing is an error, not a pass.
    let general = [
        ("streams", "tests/fixtures/streams/chat_vendor.jsonl"),
        ("catalog", "tests/fixtures/general"),
        ("sarif", sarif),
    ];
    let (output, outputs, _) = run_step(runner.path(), &general);
    assert_eq!(
        output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(outputs.contains("violations=3\n"), "{outputs}");
    let (output, _, _) = run_step(runner.path(), &[("streams", "nowhere/*.jsonl")]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{said}");
    assert!(
        said.contains("no stream matches `nowhere/*.jsonl`"),
        "{said}"
    );
}
