//! `validate --coverage`: what a stream covers of each lifecycle version, the same for every
//! `-j N`, in text and JSON, and a CI gate (`--fail-below`).

mod common;

use common::plotline;
use serde_json::Value;

fn json(args: &[&str]) -> Value {
    let output = plotline(&[&["validate", "--coverage", "--format", "json"], args].concat());
    serde_json::from_slice(&output.stdout).expect("a JSON report")
}

#[test]
fn a_documented_callback_interaction_covers_its_path() {
    let report = json(&["examples/callback.jsonl"]);
    let coverage = &report["coverage"];
    assert_eq!(
        (
            coverage["transitions_taken"].as_u64(),
            coverage["transitions_declared"].as_u64()
        ),
        (Some(6), Some(9))
    );
    assert_eq!(coverage["percent"], 66.7);
    let version = &coverage["versions"][0];
    assert_eq!(
        (version["lifecycle"].as_str(), version["version"].as_str()),
        (Some("callback"), Some("9.0.002.06"))
    );
    let taken: Vec<(String, u64)> = version["transitions"]
        .as_array()
        .expect("transitions")
        .iter()
        .map(|t| {
            (
                format!(
                    "{} -{}-> {}",
                    t["from"].as_str().unwrap_or(""),
                    t["event"].as_str().unwrap_or(""),
                    t["to"].as_str().unwrap_or("")
                ),
                t["taken"].as_u64().unwrap_or(9),
            )
        })
        .collect();
    assert!(
        taken.contains(&("submitted -completed-> completed".to_owned(), 1)),
        "{taken:?}"
    );
    assert!(
        taken.contains(&("opened -cancelled-> cancelled".to_owned(), 0)),
        "{taken:?}"
    );
    // The stream is the documented `submitted` scenario, event for event.
    let scenarios = version["scenarios"].as_array().expect("scenarios");
    let occurred: Vec<&str> = scenarios
        .iter()
        .filter(|s| s["interactions"] == 1)
        .filter_map(|s| s["name"].as_str())
        .collect();
    assert_eq!(occurred, ["submitted"]);
    // The report with coverage keeps to the report's schema.
    let schema: Value =
        serde_json::from_slice(&plotline(&["schema", "--report"]).stdout).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a schema");
    assert!(
        validator.is_valid(&report),
        "{:?}",
        validator
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect::<Vec<_>>()
    );
}

#[test]
fn guards_timeouts_and_states_are_counted_and_jobs_do_not_change_them() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stream = dir.path().join("s.jsonl");
    let simulated = plotline(&[
        "simulate",
        "-n",
        "20000",
        "--open",
        "500",
        "--seed",
        "3",
        "--violations",
        "0.02",
    ]);
    std::fs::write(&stream, &simulated.stdout).expect("written");
    let stream = stream.to_str().expect("UTF-8");
    let one = json(&["-j", "1", stream]);
    for jobs in ["2", "5"] {
        assert_eq!(
            json(&["-j", jobs, stream])["coverage"],
            one["coverage"],
            "-j {jobs}"
        );
    }
    let versions = one["coverage"]["versions"].as_array().expect("versions");
    let zendesk = versions
        .iter()
        .find(|v| v["lifecycle"] == "zendesk_messaging")
        .expect("zendesk");
    // Both outcomes of the reopening guard happen in a stream this long, and the timeouts.
    let guards = zendesk["guards"].as_array().expect("guards");
    let reopen = guards
        .iter()
        .find(|g| g["guard"] == "meta.conversations > 0")
        .expect("guard");
    assert!(
        reopen["held"].as_u64() > Some(0) && reopen["did_not_hold"].as_u64() > Some(0),
        "{reopen}"
    );
    let fired: Vec<&str> = zendesk["timeouts"]
        .as_array()
        .expect("timeouts")
        .iter()
        .filter(|t| t["count"].as_u64() > Some(0))
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert_eq!(fired, ["prompted", "opening"]);
    // Every state entry but the initial one follows a transition or a timeout into it.
    for version in versions {
        let events: u64 = version["events"]
            .as_array()
            .expect("events")
            .iter()
            .filter_map(|e| e["count"].as_u64())
            .sum();
        let taken: u64 = version["transitions"]
            .as_array()
            .expect("transitions")
            .iter()
            .filter_map(|t| t["taken"].as_u64())
            .sum();
        assert!(taken <= events, "{version}");
    }
    // The text form says the same numbers.
    let text = plotline(&["validate", "--coverage", "-j", "3", stream]);
    let text = String::from_utf8_lossy(&text.stdout);
    let line = format!(
        "coverage: {} of {} transitions taken ({}%)",
        one["coverage"]["transitions_taken"],
        one["coverage"]["transitions_declared"],
        one["coverage"]["percent"]
    );
    assert!(text.contains(&line), "{line}\n{text}");
}

#[test]
fn fail_below_is_a_ci_gate() {
    let code = |args: &[&str]| {
        plotline(&[&["validate"], args, &["examples/callback.jsonl"]].concat())
            .status
            .code()
    };
    assert_eq!(code(&["--fail-below", "60"]), Some(0));
    assert_eq!(code(&["--fail-below", "70"]), Some(1));
    assert_eq!(code(&["--fail-below", "callback=66"]), Some(0));
    assert_eq!(code(&["--fail-below", "callback=67"]), Some(1));
    assert_eq!(code(&["--fail-below", "150"]), Some(2));
    let said = plotline(&["validate", "--fail-below", "90", "examples/callback.jsonl"]);
    let said = String::from_utf8_lossy(&said.stderr);
    assert!(
        said.contains("coverage below the bar: 66.7% of the transitions taken, under 90%"),
        "{said}"
    );
}
