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
    // Every interaction begun is finished: no `--allow-incomplete` needed.
    let report = json_report(&[&stream]);
    let summary = &report["summary"];
    let events = summary["events"].as_u64().unwrap_or(0);
    assert!((19_950..=20_000).contains(&events), "{events} events");
    assert_eq!(summary["violations"], 0, "{:#}", report["violations"][0]);
    assert!(summary["interactions"].as_u64().unwrap_or(0) > 3000);
}

#[test]
fn simulate_and_validate_agree_out_of_the_box() {
    for (args, lines, interactions) in [
        (
            &["-n", "5"][..],
            "5 lines",
            "1 interaction (every one finished)",
        ),
        (
            &["-n", "2000", "--open", "2000", "--seed", "7"],
            "",
            "(every one finished)",
        ),
    ] {
        let simulated = plotline(&[&["simulate"], args].concat());
        let said = String::from_utf8_lossy(&simulated.stderr);
        assert!(
            said.contains(lines) && said.contains(interactions),
            "{said}"
        );
        let stream = String::from_utf8_lossy(&simulated.stdout);
        let count = stream.lines().count();
        assert!(
            said.starts_with(&format!("simulated {count} line")),
            "{said}"
        );
        let validated = common::plotline_with_stdin(&["validate"], &simulated.stdout);
        let report = String::from_utf8_lossy(&validated.stdout);
        assert_eq!(validated.status.code(), Some(0), "{report}");
        assert!(report.contains("; 0 violations"), "{report}");
    }
    // `--cut` keeps the interactions then in progress open, and says how many.
    let cut = plotline(&["simulate", "-n", "50", "--open", "20", "--cut"]);
    assert_eq!(String::from_utf8_lossy(&cut.stdout).lines().count(), 50);
    let said = String::from_utf8_lossy(&cut.stderr).into_owned();
    let open: u64 = said
        .split(" left open")
        .next()
        .and_then(|head| head.rsplit('(').next())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{said}"));
    let validated = common::plotline_with_stdin(&["validate", "--format", "json"], &cut.stdout);
    let report: serde_json::Value = serde_json::from_slice(&validated.stdout).expect("JSON");
    assert_eq!(report["summary"]["by_kind"]["incomplete"], open, "{said}");
}

#[test]
fn each_violation_kind_is_altered_equally_often_as_far_as_lines_fit() {
    let output = plotline(&[
        "simulate",
        "-n",
        "100000",
        "--seed",
        "7",
        "--violations",
        "0.01",
    ]);
    let said = String::from_utf8_lossy(&output.stderr).into_owned();
    let altered = said
        .split("altered: ")
        .nth(1)
        .expect("altered")
        .split(';')
        .next();
    let counts: Vec<u64> = (altered.unwrap_or_default().split(", "))
        .filter_map(|item| item.rsplit(' ').next()?.parse().ok())
        .collect();
    // Kinds that fit some line of the built-in catalog: all but (at most) none.
    assert_eq!(counts.len(), 13, "{said}");
    let (low, high) = (counts.iter().min(), counts.iter().max());
    assert!(low >= Some(&50) && high <= Some(&120), "{said}");
    // With one lifecycle, the kinds that fit no line are named, not silently missing.
    let output = plotline(&[
        "simulate",
        "-n",
        "20000",
        "-l",
        "callback",
        "--violations",
        "0.01",
    ]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("; no line fitted: ") && said.contains("rule_violation"),
        "{said}"
    );
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

#[test]
fn quiet_interactions_end_the_same_on_every_shard_count() {
    let dir = tempfile::tempdir().expect("temp dir");
    let args = [
        "-n",
        "20000",
        "--open",
        "500",
        "--violations",
        "0.02",
        "--seed",
        "3",
    ];
    let stream = simulated(&dir, "quiet.jsonl", &args);
    // A quiet period short enough that many interactions rest past it.
    for window in ["0", "2s"] {
        let run = |quiet: &str, jobs: &str| {
            let options = ["--quiet-end", quiet, "--reorder-window", window, "-j", jobs];
            let output =
                plotline(&[&["validate", "--format", "json"], &options[..], &[&stream]].concat());
            assert_eq!(output.status.code(), Some(1));
            output.stdout
        };
        let single = run("3s", "1");
        for jobs in ["2", "3"] {
            assert!(
                run("3s", jobs) == single,
                "report differs with -j {jobs} (window {window})"
            );
        }
        // Interactions did end by quiet: their later events began others.
        let kept: serde_json::Value = serde_json::from_slice(&run("0", "1")).expect("JSON");
        let ended: serde_json::Value = serde_json::from_slice(&single).expect("JSON");
        let interactions = |report: &serde_json::Value| report["summary"]["interactions"].as_u64();
        assert!(
            interactions(&ended) > interactions(&kept),
            "window {window}"
        );
    }
}

#[test]
fn an_interaction_resting_where_it_may_end_ends_after_the_quiet_period() {
    let dir = tempfile::tempdir().expect("temp dir");
    let hour = 3_600_000;
    let line = |lifecycle: &str, key: &str, event: &str, ts: i64| {
        format!(
            r#"{{"lifecycle":"{lifecycle}","interaction":"{key}","event":"{event}","ts":{ts}}}"#
        )
    };
    // Other traffic moves the stream's time on: a widget opened every 10 s for two hours.
    let others = 720;
    let traffic = |from: usize| {
        (from..others).map(move |n| {
            let key = format!("other-{n}");
            line(
                "zendesk_messaging",
                &key,
                "messagingOpened",
                n as i64 * 10_000,
            )
        })
    };
    let stream = |traffic: Vec<String>| -> String {
        let lines = [
            // `open` may end (nothing due there): after an hour and more of quiet it has ended.
            vec![line("zendesk_messaging", "z", "messagingOpened", 0)],
            // `opened` may not end: it waits however long it takes.
            vec![
                line("callback", "c", "ready", 0),
                line("callback", "c", "opened", 1),
            ],
            traffic,
            vec![line("callback", "c", "started", 2 * hour + 1)],
            // `messagingClosed` now begins another interaction, which it cannot.
            vec![line(
                "zendesk_messaging",
                "z",
                "messagingClosed",
                2 * hour + 2,
            )],
        ];
        lines.concat().join("\n") + "\n"
    };
    let path = dir.path().join("quiet.jsonl");
    std::fs::write(&path, stream(traffic(0).collect())).expect("write stream");
    let path = path.display().to_string();
    let report = |quiet: &str| json_report(&["--quiet-end", quiet, "--allow-incomplete", &path]);
    let ended = report("1h");
    assert_eq!(ended["summary"]["interactions"], 3 + others, "{ended:#}");
    assert_eq!(ended["summary"]["violations"], 1, "{ended:#}");
    let violation = &ended["violations"][0];
    assert_eq!(violation["line"], 5 + others);
    assert_eq!(violation["kind"], "illegal_transition");
    assert_eq!(
        violation["message"],
        "`messagingClosed` cannot start an interaction"
    );
    // Not quiet long enough, or never ended by quiet: one interaction, no violation.
    for quiet in ["3h", "0"] {
        let kept = report(quiet);
        assert_eq!(
            kept["summary"]["interactions"],
            2 + others,
            "--quiet-end {quiet}"
        );
        assert_eq!(
            kept["summary"]["violations"], 0,
            "--quiet-end {quiet}: {kept:#}"
        );
    }
    // Too little traffic to read the stream's time from, only the event's own `ts` says two
    // hours passed: as a line stamped two hours late would. `messagingClosed` cannot begin
    // an interaction and goes on from where `z` rests, so it does.
    std::fs::write(&path, stream(traffic(others - 1).collect())).expect("write stream");
    let alone = report("1h");
    assert_eq!(alone["summary"]["interactions"], 3, "{alone:#}");
    assert_eq!(alone["summary"]["violations"], 0, "{alone:#}");
    // An event that can begin one begins another interaction, as the `ts` says.
    let lines = [
        line("zendesk_messaging", "z", "messagingOpened", 0),
        line("zendesk_messaging", "z", "messagingOpened", 2 * hour),
    ];
    std::fs::write(&path, lines.join("\n") + "\n").expect("write stream");
    let again = report("1h");
    assert_eq!(again["summary"]["interactions"], 2, "{again:#}");
    assert_eq!(again["summary"]["violations"], 0, "{again:#}");
}

#[test]
fn memory_follows_the_interactions_in_progress() {
    use plotline::engine::{Interpreter, Limits, Place};
    let (files, errors) = plotline::config::load_builtin();
    assert!(errors.is_empty(), "{errors:?}");
    let catalog = plotline::compile::compile(&files)
        .0
        .expect("the catalog compiles");
    let mut open_at_end = Vec::new();
    for quiet_end in [0, 60_000] {
        let limits = Limits {
            quiet_end,
            ..Limits::default()
        };
        let mut interpreter = Interpreter::new(&catalog, limits);
        // A widget opened every second for ten hours, never used again.
        for n in 0..36_000_i64 {
            let line = format!(
                r#"{{"lifecycle":"zendesk_messaging","interaction":"z{n}","event":"messagingOpened","ts":{}}}"#,
                n * 1000
            );
            let place = Place {
                file_index: 0,
                file: "-",
                line: n as u64 + 1,
            };
            interpreter.line(place, line.as_bytes(), false, &mut |v| panic!("{v:?}"));
        }
        open_at_end.push(interpreter.open_interactions());
        let summary = interpreter.finish(false, &mut |v| panic!("{v:?}"));
        assert_eq!(summary.valid_interactions, 36_000);
    }
    assert_eq!(open_at_end[0], 36_000);
    // A minute's worth, an eighth of it more before it is looked for, and the lines the
    // stream's time trails by (the median of recent blocks of them), one a second.
    let trail = plotline::engine::stream_clock::TRAIL;
    assert!(
        (60..=70 + trail).contains(&open_at_end[1]),
        "{open_at_end:?}"
    );
}

#[test]
fn a_widget_whose_order_hangs_on_guards_and_timeouts_simulates_clean() {
    let dir = tempfile::tempdir().expect("temp dir");
    let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/faults");
    let args = ["--catalog", fixtures, "-n", "3000", "--open", "100"];
    let stream = simulated(&dir, "calls.jsonl", &args);
    let text = std::fs::read_to_string(&stream).expect("the stream");
    // `accepted` is allowed only under a guard; a plan resting in `ringing` (left only by
    // its timeout, which a stream that ends soon never reaches) is not kept.
    assert!(text.contains(r#""event":"accepted""#));
    let report = json_report(&["--catalog", fixtures, &stream]);
    let summary = &report["summary"];
    assert!(summary["events"].as_u64().unwrap_or(0) > 2900, "{summary}");
    assert_eq!(summary["violations"], 0, "{:#}", report["violations"][0]);
}

#[test]
fn a_lifecycle_no_clean_plan_is_found_for_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let lifecycle = r#"name: parked
description: Its only ending rests where a deadline still runs, so no plan runs clean.
versions: [{name: "1.0"}]
events: {begun: , done: }
states: {working: {}, resting: {may_end: true}, over: {final: true}}
transitions:
  - {from: idle, on: begun, to: working}
  - {from: working, on: done, to: resting}
deadlines:
  - {from: begun, within: 1h, violation: not over within an hour}
scenarios:
  - {name: rests, description: Begun and done., events: [begun, done]}
"#;
    std::fs::write(dir.path().join("parked.yaml"), lifecycle).expect("write");
    let catalog = dir.path().display().to_string();
    let alone = plotline(&["simulate", "--catalog", &catalog, "-n", "100"]);
    let said = String::from_utf8_lossy(&alone.stderr);
    assert_eq!(alone.status.code(), Some(2), "{said}");
    assert!(alone.stdout.is_empty());
    assert!(
        said.contains("warning: `parked` 1.0: no interaction made")
            && said.contains("the last: timeout: not over within an hour"),
        "{said}"
    );
    // Beside lifecycles that can be simulated, the stream is made of theirs, as long as asked.
    let args = [
        "simulate",
        "--catalog",
        &catalog,
        "--with-builtin",
        "-n",
        "2000",
    ];
    let mixed = plotline(&args);
    let said = String::from_utf8_lossy(&mixed.stderr);
    assert_eq!(mixed.status.code(), Some(0), "{said}");
    assert!(
        said.contains("warning: `parked` 1.0: no interaction made"),
        "{said}"
    );
    assert!(said.contains("simulated 19"), "{said}");
}
