//! Exported schemas in the hands of real clients: ajv (draft 2020-12, strict mode) and
//! python-jsonschema must accept every schema `plotline schema --out` writes, and on a corpus of
//! records (valid ones and mutations of each) their verdicts must equal Plotline's, record for
//! record.
//!
//! The clients are installed by `tests/clients/setup.sh` (which `.ci/run` calls). Without them
//! this test says so and passes, unless `PLOTLINE_CLIENTS=require` (set by `.ci/run`).

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use plotline::simulate::{self, Options};
use serde_json::{json, Map, Value};

const CATALOG_ARGS: [&str; 3] = ["--catalog", "tests/fixtures/general", "--with-builtin"];
/// Simulated records the mutations start from.
const BASE_RECORDS: u64 = 400;

/// The installed clients, or `None` (with a message) when they are not installed.
fn clients() -> Option<(PathBuf, PathBuf)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let python = std::env::var_os("PLOTLINE_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| root.join(".venv/bin/python"));
    let installed = root.join("node_modules/ajv").is_dir() && python.exists();
    let required = std::env::var("PLOTLINE_CLIENTS").as_deref() == Ok("require");
    match (installed, required) {
        (true, _) => Some((root, python)),
        (false, true) => panic!("the clients are not installed: run tests/clients/setup.sh"),
        (false, false) => {
            eprintln!("clients not installed (tests/clients/setup.sh): not checked here");
            None
        }
    }
}

/// Runs a client over the schemas in `dir` (and a corpus); its stdout as verdict lines.
fn judge(command: &mut Command) -> Vec<bool> {
    let output = command.output().expect("client runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "client failed: {stderr}");
    eprint!("{stderr}");
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| line == "1")
        .collect()
}

/// Values on and just past each bound a property's keywords set (numbers, string lengths,
/// item counts), a value breaking its pattern or format, repeated items where they must be
/// unique, and another value than its `const`.
fn at_bounds(property: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    let number = |key: &str| property.get(key).and_then(Value::as_f64);
    for (key, offsets) in [
        ("minimum", [-1.0, 0.0]),
        ("maximum", [0.0, 1.0]),
        ("exclusiveMinimum", [0.0, 0.5]),
        ("exclusiveMaximum", [-0.5, 0.0]),
    ] {
        if let Some(bound) = number(key) {
            for offset in offsets {
                out.push((format!("{key} {offset:+}"), json!(bound + offset)));
            }
        }
    }
    let count = |key: &str| property.get(key).and_then(Value::as_u64);
    for (key, near) in [("minLength", [-1i64, 0]), ("maxLength", [0, 1])] {
        if let Some(bound) = count(key) {
            for offset in near {
                let length = usize::try_from(bound as i64 + offset).unwrap_or(0);
                out.push((format!("{key} {offset:+}"), json!("x".repeat(length))));
            }
        }
    }
    for (key, near) in [("minItems", [-1i64, 0]), ("maxItems", [0, 1])] {
        if let Some(bound) = count(key) {
            for offset in near {
                let length = usize::try_from(bound as i64 + offset).unwrap_or(0);
                let items: Vec<Value> = (0..length)
                    .map(|i| json!({"sku": format!("ABC-{i:04}")}))
                    .collect();
                out.push((format!("{key} {offset:+}"), Value::Array(items)));
            }
        }
    }
    if property.get("pattern").is_some() || property.get("format").is_some() {
        out.push(("off pattern or format".into(), json!("not a match: \u{e9}")));
    }
    if property.get("uniqueItems") == Some(&Value::Bool(true)) {
        out.push((
            "repeated items".into(),
            json!([{"price": 1, "quantity": 1}, {"price": 1, "quantity": 1}]),
        ));
    }
    if let Some(constant) = property.get("const") {
        out.push(("other than const".into(), json!([constant])));
    }
    out
}

/// Mutations of one record, each with what it changes: the record itself, each data
/// property removed, retyped and (where it has listed values) given an unlisted value, an
/// extra property, a missing `data`, and broken envelope fields.
fn mutations(record: &Map<String, Value>, payload: Option<&Value>) -> Vec<(String, Value)> {
    let kinds = [
        json!(null),
        json!(true),
        json!(7),
        json!(1.5),
        json!("s"),
        json!([]),
        json!({}),
    ];
    let mut out = vec![("as simulated".to_string(), Value::Object(record.clone()))];
    let with = |change: &dyn Fn(&mut Map<String, Value>)| {
        let mut changed = record.clone();
        change(&mut changed);
        Value::Object(changed)
    };
    let data = record.get("data").and_then(Value::as_object);
    let mut names: Vec<String> = data
        .map(|d| d.keys().cloned().collect())
        .unwrap_or_default();
    if let Some(Value::Object(properties)) = payload.and_then(|p| p.get("properties")) {
        for name in properties.keys() {
            if !names.contains(name) {
                names.push(name.clone());
            }
        }
    }
    for name in &names {
        let set = |value: Value| {
            with(&|record| {
                let data = record.entry("data").or_insert_with(|| json!({}));
                if let Value::Object(data) = data {
                    data.insert(name.clone(), value.clone());
                }
            })
        };
        out.push((
            format!("{name} removed"),
            with(&|record| {
                if let Some(Value::Object(data)) = record.get_mut("data") {
                    data.remove(name);
                }
            }),
        ));
        for kind in &kinds {
            out.push((format!("{name} = {kind}"), set(kind.clone())));
        }
        let property = payload.and_then(|p| p.pointer(&format!("/properties/{name}")));
        let listed = property.is_some_and(|p| p.get("enum").is_some() || p.get("anyOf").is_some());
        if listed {
            out.push((format!("{name} unlisted"), set(json!(999))));
            out.push((format!("{name} unlisted string"), set(json!("zz"))));
        }
        for (change, value) in property.map(at_bounds).unwrap_or_default() {
            out.push((format!("{name} {change}"), set(value)));
        }
    }
    out.push((
        "extra property".into(),
        with(&|record| {
            let data = record.entry("data").or_insert_with(|| json!({}));
            if let Value::Object(data) = data {
                data.insert("zz_extra".into(), json!(1));
            }
        }),
    ));
    out.push((
        "data removed".into(),
        with(&|record| {
            record.remove("data");
        }),
    ));
    // Top-level fields set to what a record must not hold.
    for (change, key, value) in [
        ("data not an object", "data", json!([1])),
        ("ts a string", "ts", json!("1732435200000")),
        ("ts a float", "ts", json!(1.5)),
        ("unknown event", "event", json!("zz_event")),
        ("interaction a number", "interaction", json!(7)),
    ] {
        let mutated = with(&|record| {
            record.insert(key.into(), value.clone());
        });
        out.push((change.into(), mutated));
    }
    out
}

/// Plotline's verdict on each line of `stream`: valid unless the line has a violation a
/// schema can see (envelope, event name, payload).
fn plotline_verdicts(stream: &Path, lines: usize) -> Vec<bool> {
    let path = stream.to_str().expect("utf-8 path");
    let mut args = vec![
        "validate",
        "--format",
        "json",
        "--allow-incomplete",
        "-j",
        "1",
    ];
    args.extend(CATALOG_ARGS);
    args.push(path);
    let output = common::plotline(&args);
    let report: Value = serde_json::from_slice(&output.stdout).expect("JSON report");
    let mut valid = vec![true; lines];
    for violation in report["violations"].as_array().expect("violations") {
        let kind = violation["kind"].as_str().unwrap_or_default();
        if matches!(
            kind,
            "malformed_line" | "bad_envelope" | "unknown_event" | "invalid_payload"
        ) {
            let line = violation["line"].as_u64().expect("line") as usize;
            valid[line - 1] = false;
        }
    }
    valid
}

#[test]
fn real_clients_accept_the_schemas_and_agree_with_plotline() {
    let Some((root, python)) = clients() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let schemas = dir.path().join("schemas");
    let mut args = vec!["schema", "--out", schemas.to_str().expect("utf-8 path")];
    args.extend(CATALOG_ARGS);
    let output = common::plotline(&args);
    assert!(output.status.success(), "{output:?}");
    let mut exported: BTreeMap<String, Value> = BTreeMap::new();
    for entry in std::fs::read_dir(&schemas).expect("schemas written") {
        let path = entry.expect("entry").path();
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("schema file");
        exported.insert(name, serde_json::from_str(&text).expect("schema JSON"));
    }
    assert_eq!(exported.len(), 11, "{:?}", exported.keys());

    // The corpus: simulated valid records of every lifecycle version, and mutations of each.
    let mut sources = plotline::config::load::builtin_sources();
    sources
        .extend(plotline::config::load::dir_sources(Path::new("tests/fixtures/general")).unwrap());
    let (files, _) = plotline::config::load::parse_all(sources);
    let catalog = plotline::compile::compile(&files).0.expect("compiles");
    let mut corpus = Vec::new();
    for lifecycle in &catalog.lifecycles {
        for version in &lifecycle.versions {
            let file = format!("{}-{}.schema.json", lifecycle.name, version.name);
            let schema = &exported[&file];
            let options = Options {
                events: BASE_RECORDS,
                open: 20,
                violations: 0.0,
                seed: 5,
                lifecycles: vec![lifecycle.name.clone()],
                start_ts: 1_732_435_200_000,
                cut: false,
            };
            let mut stream = Vec::new();
            simulate::simulate(&catalog, &options, &mut stream).expect("simulate");
            let mut seen = std::collections::HashSet::new();
            for line in stream.split(|b| *b == b'\n').filter(|l| !l.is_empty()) {
                let Ok(Value::Object(mut record)) = serde_json::from_slice(line) else {
                    panic!("simulated line is a JSON object");
                };
                record.insert("version".into(), json!(version.name));
                let event = record["event"].as_str().unwrap_or_default().to_string();
                // Mutate each event's records a few times, not hundreds.
                let key = (event.clone(), record.get("data").map(Value::to_string));
                if !seen.insert(key) || seen.len() > 60 {
                    continue;
                }
                let payload = schema.pointer(&format!("/$defs/{event}_data"));
                for (change, mutated) in mutations(&record, payload) {
                    corpus.push((file.clone(), change, mutated));
                }
            }
        }
    }

    // Each record its own interaction, so that one verdict never depends on another record.
    let corpus_path = dir.path().join("corpus.jsonl");
    let stream_path = dir.path().join("stream.jsonl");
    let mut corpus_text = String::new();
    let mut stream_text = String::new();
    for (n, (file, _, record)) in corpus.iter_mut().enumerate() {
        if let Value::Object(map) = record {
            if map.get("interaction").is_some_and(Value::is_string) {
                map.insert("interaction".into(), json!(format!("r{n}")));
            }
        }
        corpus_text += &format!("{}\n", json!({"schema": file, "record": record}));
        stream_text += &format!("{record}\n");
    }
    std::fs::write(&corpus_path, corpus_text).expect("corpus written");
    std::fs::write(&stream_path, stream_text).expect("stream written");

    let ajv = judge(
        Command::new("node")
            .arg(root.join("judge.mjs"))
            .args([&schemas, &corpus_path]),
    );
    let python = judge(
        Command::new(python)
            .arg(root.join("judge.py"))
            .args([&schemas, &corpus_path]),
    );
    let plotline = plotline_verdicts(&stream_path, corpus.len());
    assert_eq!(ajv.len(), corpus.len());
    assert_eq!(python.len(), corpus.len());
    let mut disagreements = Vec::new();
    for (n, (file, change, record)) in corpus.iter().enumerate() {
        if !(ajv[n] == plotline[n] && python[n] == plotline[n]) {
            disagreements.push(format!(
                "line {}: {file}, {change}: plotline {} ajv {} python {}: {record}",
                n + 1,
                plotline[n],
                ajv[n],
                python[n]
            ));
        }
    }
    let valid = plotline.iter().filter(|v| **v).count();
    eprintln!(
        "clients: {} records ({valid} valid), {} disagreements",
        corpus.len(),
        disagreements.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} of {} records judged differently:\n{}",
        disagreements.len(),
        corpus.len(),
        disagreements[..disagreements.len().min(40)].join("\n")
    );
    // The corpus must exercise both verdicts.
    assert!(valid > corpus.len() / 10 && valid < corpus.len() * 9 / 10);
}

/// Runs `tsc --strict --noEmit` over `files` in `dir`; its status and output.
fn tsc(root: &Path, dir: &Path, files: &[&str]) -> (bool, String) {
    let output = Command::new("node")
        .arg(root.join("node_modules/typescript/bin/tsc"))
        .args([
            "--strict",
            "--noEmit",
            "--pretty",
            "false",
            "--target",
            "es2022",
            "--module",
            "es2022",
            "--moduleResolution",
            "bundler",
        ])
        .args(files)
        .current_dir(dir)
        .output()
        .expect("tsc runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

#[test]
fn typescript_declarations_compile_and_type_client_code() {
    let Some((root, _)) = clients() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().to_str().expect("utf-8 path");
    let output = common::plotline(&["types", "--lang", "typescript", "--out", out]);
    assert!(output.status.success(), "{output:?}");
    let mut declarations: Vec<String> = std::fs::read_dir(dir.path())
        .expect("written")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    declarations.sort();
    assert_eq!(declarations.len(), 7, "{declarations:?}");
    for example in ["usage.ts", "misuse.ts"] {
        std::fs::copy(root.join("types").join(example), dir.path().join(example))
            .expect("example copied");
    }
    let mut files: Vec<&str> = declarations.iter().map(String::as_str).collect();
    files.push("usage.ts");
    let (ok, text) = tsc(&root, dir.path(), &files);
    assert!(
        ok && text.trim().is_empty(),
        "usage.ts must type-check:\n{text}"
    );

    let (ok, text) = tsc(&root, dir.path(), &["misuse.ts"]);
    assert!(!ok, "misuse.ts must not type-check");
    let errors: Vec<&str> = text
        .lines()
        .filter(|l| l.starts_with("misuse.ts("))
        .collect();
    assert_eq!(errors.len(), 3, "one error per misuse:\n{text}");
    assert!(
        errors[0].contains("missing the following properties"),
        "{text}"
    );
    assert!(
        errors[1].contains("'\"callback\"' is not assignable"),
        "{text}"
    );
    assert!(
        errors[2].contains("'string' is not assignable to type 'number'"),
        "{text}"
    );
}

/// A stream with every violation kind, and a larger simulated one with many interactions.
fn ci_streams(dir: &Path) -> Vec<String> {
    let simulated = common::plotline(&[
        "simulate",
        "-n",
        "3000",
        "--violations",
        "0.05",
        "--seed",
        "4",
    ]);
    let path = dir.join("simulated.jsonl");
    std::fs::write(&path, &simulated.stdout).expect("written");
    vec![
        "tests/fixtures/streams/every_kind.jsonl".to_owned(),
        path.display().to_string(),
    ]
}

#[test]
fn sarif_reports_are_valid_sarif_2_1_0() {
    let Some((root, python)) = clients() else {
        return;
    };
    let schema = root.join("node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json");
    let dir = tempfile::tempdir().expect("temp dir");
    for stream in ci_streams(dir.path()) {
        let output = common::plotline(&["validate", "--format", "sarif", &stream]);
        assert_eq!(output.status.code(), Some(1));
        let log = dir.path().join("report.sarif");
        std::fs::write(&log, &output.stdout).expect("written");
        // python-jsonschema, with the draft the SARIF schema is written in (draft 4).
        let check = Command::new(&python)
            .arg("-c")
            .arg(
                "import json, sys, jsonschema\n\
                 schema = json.load(open(sys.argv[1])); log = json.load(open(sys.argv[2]))\n\
                 errors = list(jsonschema.Draft4Validator(schema).iter_errors(log))\n\
                 [print(e.json_path, e.message) for e in errors[:5]]\n\
                 print(len(log['runs'][0]['results']))\n\
                 sys.exit(1 if errors else 0)",
            )
            .arg(&schema)
            .arg(&log)
            .output()
            .expect("python runs");
        let said = String::from_utf8_lossy(&check.stdout);
        assert!(
            check.status.success(),
            "{stream}: {said}{}",
            String::from_utf8_lossy(&check.stderr)
        );
        // One result per violation, each under its kind's rule, at its file and line.
        let json = common::plotline(&["validate", "--format", "json", &stream]);
        let report: Value = serde_json::from_slice(&json.stdout).expect("JSON");
        assert_eq!(
            said.trim(),
            report["summary"]["violations"].to_string(),
            "{stream}"
        );
        let sarif: Value = serde_json::from_slice(&output.stdout).expect("JSON");
        let results = sarif["runs"][0]["results"].as_array().expect("results");
        for (result, violation) in results
            .iter()
            .zip(report["violations"].as_array().expect("violations"))
        {
            assert_eq!(result["ruleId"], violation["kind"]);
            let region = &result["locations"][0]["physicalLocation"]["region"];
            assert_eq!(region["startLine"], violation["line"]);
        }
    }
}

#[test]
fn junit_reports_are_read_by_a_junit_parser() {
    let Some((_, python)) = clients() else {
        return;
    };
    let dir = tempfile::tempdir().expect("temp dir");
    for stream in ci_streams(dir.path()) {
        let output = common::plotline(&["validate", "--format", "junit", &stream]);
        assert_eq!(output.status.code(), Some(1));
        let xml = dir.path().join("report.xml");
        std::fs::write(&xml, &output.stdout).expect("written");
        // junitparser reads it; it prints cases, failing cases and failures.
        let read = Command::new(&python)
            .arg("-c")
            .arg(
                "import sys, junitparser\n\
                 xml = junitparser.JUnitXml.fromfile(sys.argv[1])\n\
                 cases = [case for suite in xml for case in suite]\n\
                 failures = [r for case in cases for r in case.result if isinstance(r, junitparser.Failure)]\n\
                 print(len(cases), sum(1 for c in cases if not c.is_passed), len(failures))",
            )
            .arg(&xml)
            .output()
            .expect("python runs");
        assert!(
            read.status.success(),
            "{}",
            String::from_utf8_lossy(&read.stderr)
        );
        let counts: Vec<u64> = String::from_utf8_lossy(&read.stdout)
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        let json = common::plotline(&["validate", "--format", "json", &stream]);
        let report: Value = serde_json::from_slice(&json.stdout).expect("JSON");
        let summary = &report["summary"];
        let violations = report["violations"].as_array().expect("violations");
        // A case per interaction, plus one per line that belongs to none; a failure per
        // violation; every passing case is a valid interaction (a valid one fails when a line
        // after its end names it).
        let lines_alone = violations
            .iter()
            .filter(|v| v["interaction"].is_null() || v["lifecycle"].is_null())
            .count() as u64;
        let [cases, failing, failures] = counts[..] else {
            panic!("{counts:?}");
        };
        assert_eq!(
            failures,
            summary["violations"].as_u64().unwrap_or(0),
            "{stream}"
        );
        let valid = summary["valid_interactions"].as_u64().unwrap_or(0);
        assert!(cases - failing <= valid, "{stream}");
        assert!(cases > failing && failing > 0, "{stream}");
        assert!(
            cases >= summary["interactions"].as_u64().unwrap_or(0) + lines_alone,
            "{stream}"
        );
    }
}
