//! `validate --format html` in a real browser: headless Chromium (Debian's, driven by
//! playwright-core from `tests/clients/setup.sh`) opens the report of a known stream; there is
//! no console error and no request leaves the file; the summary, the violation kinds, each
//! lifecycle version's funnel and the counts on its state diagram are those the stream itself
//! gives (counted here from its lines); the example filter works; without JavaScript the
//! essentials still show. The report's size stays bounded as the stream grows.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;

use common::{plotline, succeeded};
use serde_json::Value;

/// A clean simulated Callback stream, then one interaction that breaks the rules on purpose:
/// `ready`, `opened`, then `completed` (not allowed in `opened`; the interaction is taken to
/// be in `completed` all the same), and nothing more (so it is incomplete, in `completed`).
fn stream(dir: &Path) -> (PathBuf, Vec<Value>) {
    let simulated = plotline(&["simulate", "-l", "callback", "-n", "1500", "--seed", "21"]);
    assert_eq!(simulated.status.code(), Some(0));
    let mut lines: Vec<Value> = String::from_utf8(simulated.stdout)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("simulated lines are JSON"))
        .collect();
    let last_ts = lines
        .iter()
        .filter_map(|l| l["ts"].as_i64())
        .max()
        .expect("ts");
    let version = lines[0]["version"].clone();
    for (i, event) in ["ready", "opened", "completed"].into_iter().enumerate() {
        lines.push(serde_json::json!({
            "lifecycle": "callback", "interaction": "provoked-1", "event": event,
            "ts": last_ts + 1000 * (i as i64 + 1), "version": version,
        }));
    }
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    let path = dir.join("stream.jsonl");
    std::fs::write(&path, text).expect("written");
    (path, lines)
}

#[test]
fn the_report_shows_the_streams_own_numbers_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let Some(browser) = common::playwright_chromium() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let (path, lines) = stream(dir.path());
    let html = dir.path().join("report.html");
    let input = path.to_str().expect("UTF-8 path");
    let out = html.to_str().expect("UTF-8 path");
    let run = plotline(&["validate", input, "--format", "html", "-o", out]);
    assert_eq!(run.status.code(), Some(1), "the provoked violations exit 1");
    let json = plotline(&["validate", input, "--format", "json"]);
    let report: Value = serde_json::from_slice(&json.stdout).expect("JSON report");

    let shot = dir.path().join("report.png");
    let output = succeeded(
        Command::new("node")
            .arg(root.join("report_page.cjs"))
            .arg(&html)
            .arg(&shot)
            .arg("provoked-1")
            .env("PLOTLINE_CHROMIUM", browser)
            .current_dir(&root),
    );
    let page: Value = serde_json::from_slice(&output.stdout).expect("the page script's JSON");
    assert_eq!(
        page["errors"],
        serde_json::json!([]),
        "console errors or requests"
    );
    let png = std::fs::read(&shot).expect("a screenshot");
    assert!(png.starts_with(b"\x89PNG") && png.len() > 10_000);

    // The summary cards are the JSON report's summary.
    let seen = &page["seen"];
    let summary = &report["summary"];
    for (card, field) in [
        ("lines", "lines"),
        ("events", "events"),
        ("interactions", "interactions"),
        ("valid interactions", "valid_interactions"),
        ("violations", "violations"),
        ("malformed lines", "malformed"),
    ] {
        assert_eq!(seen["summary"][card], summary[field], "{card}");
    }
    assert_eq!(seen["summary"]["lines"], lines.len());
    assert_eq!(
        seen["kinds"],
        serde_json::json!({"illegal_transition": 1, "incomplete": 1})
    );

    // Per version: counted from the stream's own lines. In Callback each event leads to the
    // state of its name, and a clean interaction has each event at most once.
    // (The simulated lines name the lifecycle versions exactly.)
    let versions = seen["versions"].as_array().expect("versions");
    assert_eq!(versions.len(), 2, "both Callback versions");
    for section in versions {
        let name = section["version"].as_str().expect("version");
        let mine: Vec<&Value> = lines.iter().filter(|l| l["version"] == name).collect();
        let mut had: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        let mut events: BTreeMap<&str, u64> = BTreeMap::new();
        for line in &mine {
            let (event, id) = (
                line["event"].as_str().unwrap(),
                line["interaction"].as_str().unwrap(),
            );
            had.entry(event).or_default().insert(id);
            had.entry("idle").or_default().insert(id);
            *events.entry(event).or_default() += 1;
        }
        let provoked = mine.iter().any(|l| l["interaction"] == "provoked-1");
        let funnel = section["funnel"].as_array().expect("funnel");
        assert_eq!(funnel[0]["state"], "idle");
        for row in funnel {
            let state = row["state"].as_str().expect("state");
            let expected = had.get(state).map_or(0, BTreeSet::len) as u64;
            assert_eq!(row["reached"], expected, "{name}: funnel at {state}");
        }
        // Every edge into a state carries the events of its name that were taken.
        let mut into: BTreeMap<&str, u64> = BTreeMap::new();
        for edge in section["edges"].as_array().expect("edges") {
            assert_eq!(edge["drawn"], true);
            *into.entry(edge["to"].as_str().unwrap()).or_default() +=
                edge["count"].as_u64().unwrap();
        }
        for (state, taken) in into {
            let mut expected = events.get(state).copied().unwrap_or(0);
            if provoked && state == "completed" {
                // Its `completed` took no transition.
                expected -= 1;
            }
            assert_eq!(taken, expected, "{name}: edges into {state}");
        }
        // The provoked violations are marked where they happened: the illegal event in
        // `opened`, the end of the stream in `completed`.
        for state in section["states"].as_array().expect("states") {
            assert_eq!(state["box"], true);
            let expected = match (provoked, state["state"].as_str()) {
                (true, Some("opened" | "completed")) => 1,
                _ => 0,
            };
            assert_eq!(state["violations"], expected, "{name}: {state}");
        }
        // Paths of interactions that ended well apart from the others: the provoked one
        // (with violations) only among the others; together at most every interaction.
        let tables = section["paths"].as_array().expect("path tables");
        let sum = |title: &str| -> Option<u64> {
            let table = tables.iter().find(|t| t["title"] == title)?;
            Some(
                table["counts"]
                    .as_array()?
                    .iter()
                    .filter_map(Value::as_u64)
                    .sum(),
            )
        };
        let valid = sum("Paths of finished, valid interactions").unwrap_or(0);
        let others = sum("Other paths").unwrap_or(0);
        assert!(valid > 0, "{name}: {tables:?}");
        assert_eq!(others > 0, provoked, "{name}: {tables:?}");
        assert!(valid + others <= had["idle"].len() as u64);
        // The funnel never climbs.
        let reached: Vec<u64> = funnel
            .iter()
            .filter_map(|r| r["reached"].as_u64())
            .collect();
        assert!(
            reached.windows(2).all(|w| w[1] <= w[0]),
            "{name}: {reached:?}"
        );
    }
    // Every violation kind's bar starts at the same place.
    let bars: Vec<f64> = (seen["bars"].as_array().expect("bars").iter())
        .filter_map(Value::as_f64)
        .collect();
    assert_eq!(bars.len(), 2);
    assert!(
        bars.windows(2).all(|w| (w[0] - w[1]).abs() < 0.5),
        "{bars:?}"
    );

    // The filter leaves the provoked interaction's two examples.
    assert_eq!(page["filterShown"], true);
    assert_eq!(page["visibleRows"], 2);
    assert_eq!(page["visibleGroups"], 2);
    // Without JavaScript: no filter, the rest there.
    let plain = &page["withoutScript"];
    assert_eq!(plain["filterShown"], false);
    assert_eq!(plain["summaryShown"], true);
    assert_eq!(plain["funnels"], versions.len());
    assert_eq!(plain["diagrams"], versions.len());
}

#[test]
fn the_report_is_built_from_aggregates_and_stays_small() {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut sizes = Vec::new();
    for events in ["2000", "40000"] {
        let stream = dir.path().join(format!("{events}.jsonl"));
        let simulated = plotline(&[
            "simulate",
            "-n",
            events,
            "--seed",
            "4",
            "--violations",
            "0.05",
        ]);
        std::fs::write(&stream, simulated.stdout).expect("written");
        let html = dir.path().join(format!("{events}.html"));
        let run = plotline(&[
            "validate",
            stream.to_str().unwrap(),
            "--format",
            "html",
            "-o",
            html.to_str().unwrap(),
        ]);
        assert_eq!(run.status.code(), Some(1));
        let text = std::fs::read_to_string(&html).expect("report");
        assert!(
            !text.contains("http://") || !text.contains("src=\"http"),
            "nothing fetched"
        );
        assert!(!text.contains("<script src") && !text.contains("<link"));
        sizes.push(text.len());
    }
    // Twenty times the events, and the page grows by its counts' digits and a few more paths
    // and examples at most: never with the rows.
    assert!(
        sizes[1] < sizes[0] * 2,
        "report sizes {sizes:?} grow with the stream"
    );
    assert!(sizes[1] < 400_000, "{sizes:?}");
}
