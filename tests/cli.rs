//! The command line as users run it: exit codes, reports and exported schemas.

use std::path::Path;
use std::process::Output;

mod common;

use common::plotline;

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

const EVERY_KIND: &str = "tests/fixtures/streams/every_kind.jsonl";

#[test]
fn check_passes_on_the_builtin_catalog() {
    let output = plotline(&["check"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    insta::assert_snapshot!("check_builtin", stdout(&output));
}

#[test]
fn json_report_has_every_kind_and_exact_accounting() {
    let output = plotline(&["validate", "--format", "json", EVERY_KIND]);
    assert_eq!(output.status.code(), Some(1));
    let report: serde_json::Value =
        serde_json::from_slice(&output.stdout).expect("one JSON object");
    let summary = &report["summary"];
    let count = |key: &str| summary[key].as_u64().unwrap_or(u64::MAX);
    assert_eq!(
        count("lines"),
        count("blank") + count("events") + count("malformed")
    );
    let input_lines = std::fs::read_to_string(EVERY_KIND).unwrap().lines().count() as u64;
    assert_eq!(count("lines"), input_lines);
    let kinds: Vec<&str> = summary["by_kind"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let all: Vec<&str> = plotline::engine::ViolationKind::ALL
        .iter()
        .map(|k| k.name())
        .collect();
    let mut sorted_all = all.clone();
    sorted_all.sort_unstable();
    assert_eq!(kinds, sorted_all, "every violation kind, and no other");
    assert_eq!(
        report["violations"].as_array().unwrap().len() as u64,
        count("violations")
    );
    insta::assert_json_snapshot!("validate_every_kind_json", report);
}

#[test]
fn text_report_names_file_line_interaction_and_expectation() {
    let output = plotline(&["validate", EVERY_KIND]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!("validate_every_kind_text", stdout(&output));
}

#[test]
fn allow_incomplete_and_clean_streams_exit_zero() {
    let clean = "examples/callback.jsonl";
    let output = plotline(&["validate", clean]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
    let output = plotline(&[
        "validate",
        "--allow-incomplete",
        "--format",
        "json",
        EVERY_KIND,
    ]);
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(report["summary"]["by_kind"].get("incomplete").is_none());
}

#[test]
fn run_writes_one_line_per_event_with_computed_metadata() {
    let output = plotline(&["run", EVERY_KIND]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    // 23 lines: one blank and two malformed ones are not events.
    assert_eq!(text.lines().count(), 20);
    let closed: serde_json::Value = serde_json::from_str(text.lines().nth(5).unwrap()).unwrap();
    assert_eq!(closed["event"], "closed");
    assert_eq!(closed["metadata"]["elapsed"], 2000);
    assert_eq!(closed["metadata"]["form"]["phonenumber"], "+15550100");
}

#[test]
fn usage_and_missing_files_exit_two() {
    assert_eq!(
        plotline(&["validate", "no/such/file.jsonl"]).status.code(),
        Some(2)
    );
    assert_eq!(plotline(&["frobnicate"]).status.code(), Some(2));
    assert_eq!(plotline(&["schema", "callbak"]).status.code(), Some(2));
    assert_eq!(
        plotline(&["validate", "--catalog", "no/such/dir"])
            .status
            .code(),
        Some(2)
    );
}

#[test]
fn exported_schemas_compile_and_accept_the_scenarios_records() {
    for (lifecycle, version) in [
        ("callback", "9.0"),
        ("callback", "9.0.002.06"),
        ("clicktocall", "9.0"),
        ("clicktocall", "9.0.002.06"),
        ("lp_offers", "1.0"),
    ] {
        let output = plotline(&["schema", lifecycle, "--version", version]);
        assert_eq!(output.status.code(), Some(0));
        let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        assert!(jsonschema::meta::is_valid(&schema), "{lifecycle} {version}");
        let validator = jsonschema::draft202012::new(&schema).expect("schema compiles");
        // Records written by `run` over a valid stream conform to the exported schema.
        if lifecycle == "callback" && version == "9.0.002.06" {
            let run = plotline(&["run", "examples/callback.jsonl"]);
            for line in stdout(&run).lines() {
                let record: serde_json::Value = serde_json::from_str(line).unwrap();
                assert!(validator.is_valid(&record), "{line}");
            }
        }
        insta::assert_json_snapshot!(format!("schema_{lifecycle}_{version}"), schema);
    }
}

#[test]
fn config_schema_accepts_every_builtin_lifecycle_file() {
    let output = plotline(&["schema", "--config"]);
    // The copy beside the built-in files (for editors) is the current one.
    let committed =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles/lifecycle-file.schema.json");
    assert!(
        std::fs::read(committed).unwrap() == output.stdout,
        "lifecycles/lifecycle-file.schema.json is stale: run `plotline schema --config --out lifecycles/`"
    );
    let schema: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("config schema compiles");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        // A `.plot` file reads into the same value a YAML file would be.
        let yaml: serde_json::Value = match path.extension().is_some_and(|e| e == "plot") {
            true => serde_json::to_value(plotline::config::plot::read(&text).unwrap().0).unwrap(),
            false => serde_yaml::from_str(&text).unwrap(),
        };
        let errors: Vec<String> = validator
            .iter_errors(&yaml)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{}: {errors:?}", path.display());
    }
    let misspelled = serde_json::json!({"name": "x", "description": "x", "versions": [], "events": {}, "states": {}, "transitions": [], "metdata": {}});
    assert!(!validator.is_valid(&misspelled));
    // A misspelled key is refused at every level, versioned items included.
    let callback: serde_json::Value = serde_yaml::from_str(
        &std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles/callback.yaml"),
        )
        .unwrap(),
    )
    .unwrap();
    for (pointer, key) in [
        ("/events/opened", "sinse"),
        ("/events/submitted/payload/properties/form", "untill"),
        ("/states/submitted", "finall"),
        ("/transitions/0", "too"),
        ("/metadata/form", "defualt"),
        ("/rules/0", "whenn"),
        ("/scenarios/0", "evnts"),
    ] {
        let mut broken = callback.clone();
        let item = broken
            .pointer_mut(pointer)
            .unwrap_or_else(|| panic!("{pointer}"));
        if item.is_null() {
            *item = serde_json::json!({});
        }
        item.as_object_mut()
            .unwrap()
            .insert(key.into(), serde_json::json!("9.0"));
        assert!(
            validator.is_valid(&callback) && !validator.is_valid(&broken),
            "{pointer}/{key}"
        );
    }
}

#[test]
fn typescript_declarations() {
    for (lifecycle, version) in [("callback", "9.0.002.06"), ("lp_offers", "1.0")] {
        let output = plotline(&["types", lifecycle, "--version", version]);
        assert_eq!(output.status.code(), Some(0));
        let text = String::from_utf8(output.stdout).unwrap();
        insta::assert_snapshot!(format!("types_{lifecycle}_{version}"), text);
    }
    let output = plotline(&["types"]);
    assert_eq!(output.status.code(), Some(2));
    let output = plotline(&["types", "lp_ofers"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("did you mean `lp_offers`?"));
}

#[test]
fn version_diffs() {
    // The seeds' ClickToCall versions: `submitted` and `form` arrive in 9.0.002.06.
    for (lifecycle, old, new) in [
        ("clicktocall", "9.0", "9.0.002.06"),
        ("callback", "9.0", "9.0.002.06"),
    ] {
        let output = plotline(&["diff", lifecycle, old, new]);
        assert_eq!(output.status.code(), Some(0));
        let text = String::from_utf8(output.stdout).unwrap();
        insta::assert_snapshot!(format!("diff_{lifecycle}"), text);
    }
    let gate = |args: &[&str]| plotline(args).status.code();
    let versions = ["diff", "clicktocall", "9.0", "9.0.002.06"];
    assert_eq!(
        gate(&[&versions[..], &["--fail-on", "breaking"]].concat()),
        Some(1)
    );
    assert_eq!(
        gate(&["diff", "callback", "9.0", "9.0", "--fail-on", "any"]),
        Some(0)
    );
    assert_eq!(gate(&["diff", "callback", "9.0", "9.1"]), Some(2));
    assert_eq!(gate(&["diff", "callbak", "9.0", "9.0.002.06"]), Some(2));

    let output = plotline(&[&versions[..], &["--format", "json"]].concat());
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let comparison = &report["comparisons"][0];
    assert_eq!(report["format_version"], 1);
    assert_eq!(comparison["from"], "9.0");
    assert_eq!(report["compatibility"], comparison["compatibility"]);
    let changes = comparison["changes"].as_array().unwrap();
    assert!(changes.iter().any(|c| c["part"] == "event"
        && c["name"] == "submitted"
        && c["action"] == "added"
        && c["description"] == "event `submitted` added"
        && c["compatibility"] == "backward"));
    // Every change names its item.
    assert!(changes
        .iter()
        .all(|c| c["name"].as_str().is_some_and(|name| !name.is_empty())));
}

#[test]
fn catalog_diffs() {
    let old = tempfile::tempdir().unwrap();
    let new = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles");
    for name in ["callback.yaml", "lp_offers.yaml"] {
        let text = std::fs::read_to_string(root.join(name)).unwrap();
        std::fs::write(old.path().join(name), &text).unwrap();
        // The new catalog lists one more engagement type.
        let text = text.replace(
            "          - {value: 6, label: Sticky}",
            "          - {value: 6, label: Sticky}\n          - {value: 7, label: Banner}",
        );
        std::fs::write(new.path().join(name), text).unwrap();
    }
    let (old_dir, new_dir) = (old.path().to_str().unwrap(), new.path().to_str().unwrap());
    let args = ["diff", "--catalog", new_dir, "--against", old_dir];
    let output = plotline(&[&args[..], &["--fail-on", "not-backward"]].concat());
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("callback 9.0: full (0 changes)"), "{text}");
    assert!(text.contains("lp_offers 1.0: backward"), "{text}");
    assert!(text.contains("value 7 added"), "{text}");
    assert!(text.ends_with("overall: backward\n"), "{text}");
    let output = plotline(&[&args[..], &["--fail-on", "not-forward"]].concat());
    assert_eq!(output.status.code(), Some(1));
    // Against the built-in catalog, ClickToCall is missing from the directory.
    let output = plotline(&["diff", "--against", old_dir, "--fail-on", "not-backward"]);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("lifecycle `clicktocall` added"), "{text}");
    assert_eq!(output.status.code(), Some(0), "{text}");
}

#[test]
fn native_record_formats() {
    // lpTag.events records built from the seed's documented example payloads, and Genesys bus
    // events of the documented Callback scenario (their metadata blocks as documented).
    for stream in ["lptag", "genesys_bus", "genesys_bus_mismatch"] {
        let path = format!("tests/fixtures/streams/{stream}.jsonl");
        let output = plotline(&["validate", "--format", "json", "-j", "1", &path]);
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        insta::assert_json_snapshot!(format!("native_{stream}"), report);
        // Native lines are never split across threads apart from their interaction.
        let sharded = plotline(&["validate", "--format", "json", "-j", "3", &path]);
        assert_eq!(output.stdout, sharded.stdout);
    }
    // Records as they come: event names by a table or a case rule, ISO 8601 and seconds
    // timestamps, a default version, and keys joined from several paths so that two shapes
    // of one vendor make one interaction.
    for stream in ["analytics_track", "chat_vendor"] {
        let path = format!("tests/fixtures/streams/{stream}.jsonl");
        let catalog = ["--catalog", "tests/fixtures/general"];
        let output = plotline(&[&["validate", "--format", "json", &path][..], &catalog].concat());
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        insta::assert_json_snapshot!(format!("native_{stream}"), report);
        let run = plotline(&[&["run", &path][..], &catalog].concat());
        let events: Vec<serde_json::Value> = String::from_utf8_lossy(&run.stdout)
            .lines()
            .map(|line| serde_json::from_str(line).unwrap())
            .collect();
        insta::assert_json_snapshot!(format!("native_{stream}_run"), events);
    }
    let output = plotline(&["run", "tests/fixtures/streams/genesys_bus.jsonl"]);
    assert_eq!(output.status.code(), Some(0));
    let first = String::from_utf8(output.stdout).unwrap();
    let first: serde_json::Value = serde_json::from_str(first.lines().nth(1).unwrap()).unwrap();
    assert_eq!(first["metadata"]["opened"], 1732435201000_i64);
    assert_eq!(first["metadata"], first["data"]["metadata"]);
}

#[test]
fn a_line_delivered_twice_with_its_id_is_counted_not_judged_again() {
    let lines = [
        r#"{"id":"a1","lifecycle":"callback","interaction":"d1","event":"ready","ts":1000}"#,
        r#"{"id":"a2","lifecycle":"callback","interaction":"d1","event":"opened","ts":2000}"#,
        r#"{"id":"a2","lifecycle":"callback","interaction":"d1","event":"opened","ts":2000}"#,
        r#"{"id":"a3","lifecycle":"callback","interaction":"d1","event":"cancelled","ts":3000}"#,
        r#"{"id":"a4","lifecycle":"callback","interaction":"d1","event":"closed","ts":4000}"#,
        // After the end: still a duplicate, not `after_end`.
        r#"{"id":"a4","lifecycle":"callback","interaction":"d1","event":"closed","ts":4000}"#,
        // The same id in another interaction is another delivery.
        r#"{"id":"a1","lifecycle":"callback","interaction":"d2","event":"ready","ts":1000}"#,
        // Without an id, a repeated line is judged again.
        r#"{"lifecycle":"callback","interaction":"d2","event":"ready","ts":1000}"#,
    ];
    let stream = lines.join("\n") + "\n";
    let text = common::plotline_with_stdin(&["validate", "--allow-incomplete"], stream.as_bytes());
    let said = stdout(&text);
    assert!(
        said.contains("2 duplicate deliveries not judged again"),
        "{said}"
    );
    assert!(
        said.contains("1 violation (illegal_transition 1)"),
        "{said}"
    );
    let json = common::plotline_with_stdin(
        &["validate", "--allow-incomplete", "--format", "json"],
        stream.as_bytes(),
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    let summary = &report["summary"];
    assert_eq!(summary["lines"], 8);
    assert_eq!(summary["events"], 8);
    assert_eq!(summary["duplicates"], 2);
    assert_eq!(summary["violations"], 1);
    assert_eq!(report["violations"][0]["line"], 8);
}

#[test]
fn the_name_of_the_output_file_chooses_the_format_when_none_is_given() {
    let dir = tempfile::tempdir().expect("temp dir");
    let written = |name: &str, args: &[&str]| {
        let path = dir.path().join(name);
        let path = path.to_str().expect("UTF-8");
        let output = plotline(&[args, &["-o", path]].concat());
        assert!(matches!(output.status.code(), Some(0 | 1)), "{output:?}");
        std::fs::read_to_string(path).expect("written")
    };
    let validate = ["validate", EVERY_KIND];
    assert!(written("report.JSON", &validate).contains("\"by_kind\""));
    assert!(written("report.sarif.json", &validate).contains("\"version\":\"2.1.0\""));
    assert!(written("report.sarif", &validate).contains("\"version\":\"2.1.0\""));
    assert!(written("report.xml", &validate).starts_with("<?xml"));
    assert!(written("report.html", &validate).starts_with("<!doctype html>"));
    assert!(written("report.log", &validate).contains(" lines: "));
    // `--format` has the last word.
    let text = written("report.json", &["validate", "--format", "text", EVERY_KIND]);
    assert!(text.contains(" lines: ") && !text.contains("\"by_kind\""));
    let graph = ["graph", "callback"];
    assert!(written("callback.svg", &graph).starts_with("<svg"));
    assert!(written("callback.dot", &graph).starts_with("digraph"));
    assert!(written("callback.gv", &graph).starts_with("digraph"));
    assert!(written("callback.scxml", &graph).contains("<scxml"));
    assert!(written("callback.mmd", &graph).starts_with("stateDiagram-v2"));
}

#[cfg(unix)]
#[test]
fn an_interrupted_run_leaves_the_old_output_and_no_temporary_file() {
    use std::io::Write as _;
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("report.json");
    std::fs::write(&out, "old").expect("written");
    for signal in ["-INT", "-TERM"] {
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_plotline"))
            .args(["validate", "--format", "json", "-o"])
            .arg(&out)
            .current_dir(env!("CARGO_MANIFEST_DIR"))
            .env_remove("PLOTLINE_CATALOG")
            .stdin(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .expect("starts");
        let mut stdin = child.stdin.take().expect("stdin");
        stdin
            .write_all(b"{\"lifecycle\":\"callback\",\"interaction\":\"a\",\"event\":\"ready\",\"ts\":1}\n")
            .expect("written");
        // The temporary file is there while the stream is read.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        let temporaries = || {
            std::fs::read_dir(dir.path())
                .expect("listed")
                .filter_map(Result::ok)
                .filter(|e| e.file_name().to_string_lossy().starts_with(".plotline-"))
                .count()
        };
        while temporaries() == 0 {
            assert!(std::time::Instant::now() < deadline, "no temporary file");
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let killed = std::process::Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(killed.success());
        let output = child.wait_with_output().expect("it ends");
        drop(stdin);
        assert_eq!(output.status.code(), Some(130), "{signal}");
        assert_eq!(std::fs::read_to_string(&out).expect("read"), "old");
        assert_eq!(temporaries(), 0, "{signal}: the temporary file is gone");
    }
}

#[test]
fn personal_values_are_masked_unless_asked_and_marked_in_schemas() {
    let stream = concat!(
        r#"{"lifecycle":"intercom_messenger","interaction":"a","event":"boot","ts":1,"version":"1.0","data":{"app_id":"x","email":"ada.lovelace-at-example"}}"#,
        "\n",
        r#"{"lifecycle":"callback","interaction":"c","event":"ready","ts":1,"version":"9.0.002.06","metadata":{"form":{"phonenumber":"+15550100"}}}"#,
        "\n"
    );
    let masked = common::plotline_with_stdin(
        &["validate", "--allow-incomplete", "--format", "json"],
        stream.as_bytes(),
    );
    let text = String::from_utf8_lossy(&masked.stdout);
    assert!(text.contains("a personal value (not shown)"), "{text}");
    assert!(
        text.contains("`form` differs from the computed value (personal"),
        "{text}"
    );
    assert!(
        !text.contains("ada.lovelace") && !text.contains("+15550100"),
        "{text}"
    );
    let shown = common::plotline_with_stdin(
        &[
            "validate",
            "--allow-incomplete",
            "--format",
            "json",
            "--show-pii",
        ],
        stream.as_bytes(),
    );
    let text = String::from_utf8_lossy(&shown.stdout);
    assert!(
        text.contains("ada.lovelace") && text.contains("+15550100"),
        "{text}"
    );
    let schema = plotline(&["schema", "callback", "--version", "9.0.002.06"]);
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).expect("JSON");
    let defs = &schema["$defs"];
    assert_eq!(
        defs["submitted_data"]["properties"]["form"]["writeOnly"],
        true
    );
    assert_eq!(defs["metadata"]["properties"]["form"]["writeOnly"], true);
}
