//! `simulate` makes streams the catalog accepts (and, on request, each violation kind), and
//! `validate --jobs N` reports exactly what one thread reports.

mod common;

use common::plotline;

fn simulated(dir: &tempfile::TempDir, name: &str, args: &[&str]) -> String {
    let output = plotline(&[&["simulate"], args].concat());
    assert_eq!(output.status.code(), Some(0));
    let path = dir.path().join(name);
    std::fs::write(&path, &output.stdout).expect("write stream");
    path.display().to_string()
}

fn json_report(args: &[&str]) -> serde_json::Value {
    let output = plotline(&[&["validate", "--format", "json"], args].concat());
    serde_json::from_slice(&output.stdout).expect("a JSON report")
}

#[test]
fn a_clean_simulated_stream_has_no_violation() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stream = simulated(&dir, "clean.jsonl", &["-n", "20000", "--open", "300"]);
    let report = json_report(&["--allow-incomplete", &stream]);
    let summary = &report["summary"];
    assert_eq!(summary["events"], 20000);
    assert_eq!(summary["violations"], 0, "{:#}", report["violations"][0]);
    assert!(summary["interactions"].as_u64().unwrap_or(0) > 3000);
}

#[test]
fn injected_violations_cover_every_kind() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["-n", "30000", "--open", "300", "--violations", "0.03"];
    let stream = simulated(&dir, "dirty.jsonl", &args);
    let report = json_report(&[&stream]);
    let by_kind = report["summary"]["by_kind"].as_object().expect("by_kind");
    for kind in plotline::engine::ViolationKind::ALL {
        assert!(
            by_kind.get(kind.name()).and_then(|n| n.as_u64()) > Some(0),
            "no {} in {by_kind:?}",
            kind.name()
        );
    }
    let again = simulated(&dir, "again.jsonl", &args);
    assert_eq!(std::fs::read(&stream).ok(), std::fs::read(&again).ok());
}

#[test]
fn jobs_do_not_change_the_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = ["-n", "40000", "--open", "2000", "--violations", "0.02"];
    let stream = simulated(&dir, "jobs.jsonl", &args);
    let fixture = "tests/fixtures/streams/every_kind.jsonl";
    for format in ["json", "text"] {
        let run = |jobs: &str| {
            let output = plotline(&["validate", "--format", format, "-j", jobs, &stream, fixture]);
            assert_eq!(output.status.code(), Some(1));
            output.stdout
        };
        let single = run("1");
        assert!(single.len() > 10_000);
        for jobs in ["2", "3", "8"] {
            assert!(
                run(jobs) == single,
                "{format} report differs with -j {jobs}"
            );
        }
    }
}
