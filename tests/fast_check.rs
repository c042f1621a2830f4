//! The compiled payload check against the `jsonschema` crate, record for record: on every
//! payload of a simulated stream and on mutations of each (every property removed, set to each
//! JSON type, and an extra property added), a payload the fast check passes must be valid for
//! `jsonschema`, and every payload `jsonschema` accepts must pass the fast check. And a payload
//! is judged by the version its interaction is on, whichever check the reader ran on it.

mod common;

use plotline::compile::fast_check::{DataReads, Outcome};
use plotline::engine::stream::{self, Input};
use plotline::engine::{Interpreter, Limits, Violation};
use plotline::simulate::{self, Options};
use serde_json::{json, Map, Value};

fn mutations(data: &Map<String, Value>) -> Vec<Value> {
    let kinds = [
        json!(null),
        json!(true),
        json!(7),
        json!(1.5),
        json!(2.0),
        json!("s"),
        json!([]),
        json!([1, "a"]),
        json!({}),
        json!({"id": "1"}),
    ];
    let mut out = vec![Value::Object(data.clone())];
    for name in data.keys() {
        let mut removed = data.clone();
        removed.remove(name);
        out.push(Value::Object(removed));
        for kind in &kinds {
            let mut changed = data.clone();
            changed.insert(name.clone(), kind.clone());
            out.push(Value::Object(changed));
        }
    }
    let mut extra = data.clone();
    extra.insert("zz_extra".into(), json!(1));
    out.push(Value::Object(extra));
    out
}

#[test]
fn fast_check_agrees_with_jsonschema() {
    let (files, _) = plotline::config::load_builtin();
    let catalog = plotline::compile::compile(&files).0.expect("compiles");
    let options = Options {
        events: 4000,
        open: 200,
        violations: 0.05,
        seed: 11,
        lifecycles: Vec::new(),
        start_ts: 1_732_435_200_000,
        cut: false,
    };
    let mut stream = Vec::new();
    simulate::simulate(&catalog, &options, &mut stream).expect("simulate");
    let (mut records, mut valid) = (0u64, 0u64);
    for line in stream.split(|b| *b == b'\n') {
        let Ok(record) = serde_json::from_slice::<Value>(line) else {
            continue;
        };
        let (Some(lifecycle), Some(version), Some(event), Some(Value::Object(data))) = (
            record["lifecycle"]
                .as_str()
                .and_then(|n| catalog.lifecycle(n)),
            record["version"].as_str(),
            record["event"].as_str(),
            record.get("data"),
        ) else {
            continue;
        };
        let Some(version) = lifecycle.version_named(version) else {
            continue;
        };
        let Some(&id) = version.event_ids.get(event) else {
            continue;
        };
        let Some(payload) = &version.events[usize::from(id)].payload else {
            continue;
        };
        let fast = payload
            .fast
            .as_ref()
            .expect("every built-in payload has a fast check");
        let reads = &version.events[usize::from(id)].data_reads;
        let mut everything = fast.clone();
        everything.keeping(&DataReads::Everything);
        let text = Value::Object(data.clone()).to_string();
        if let (Outcome::Valid(kept), DataReads::Fields(names)) = (fast.check(&text), reads) {
            // Exactly the properties rules read are kept, with their values.
            for (name, value) in data {
                let kept = kept.get(name).map(|doc| doc.to_value());
                assert_eq!(kept.as_ref(), names.contains(name).then_some(value));
            }
        }
        for instance in mutations(data) {
            let text = instance.to_string();
            let passed = matches!(everything.check(&text), Outcome::Valid(_));
            let authority = payload.validator.is_valid(&instance);
            assert_eq!(passed, authority, "{event}: {text}");
            records += 1;
            valid += u64::from(authority);
        }
    }
    assert!(records > 20_000, "only {records} records");
    assert!(
        valid > 1_000 && valid < records,
        "{valid} of {records} valid"
    );
    println!("{records} records, {valid} valid, all verdicts agree");
}

/// A widget whose `message` carries `n`, an integer in version 1.0 and a string from 2.0 on.
const TWO_VERSIONS: &str = r#"name: w
description: A test widget.
versions: [{name: "1.0"}, {name: "2.0"}]
events:
  opened:
  message:
    payload:
      properties:
        n:
          - {type: integer, required: true, until: "2.0"}
          - {type: string, required: true, since: "2.0"}
  closed:
states:
  open:
  closed: {final: true}
transitions:
  - {from: idle, on: opened, to: open}
  - {from: open, on: message}
  - {from: open, on: closed, to: closed}
"#;

/// An interaction open on one version, sent lines that name another, is judged by its own
/// version, and so is its payload, whichever check the reader ran on it as it read the line.
#[test]
fn a_payload_is_judged_by_the_version_its_interaction_is_on() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("w.yaml"), TWO_VERSIONS).expect("write");
    let catalog = common::compiled_catalog(Some(dir.path()));
    let line = |key: &str, event: &str, version: &str, data: &str| {
        let data = match data {
            "" => String::new(),
            data => format!(r#","data":{data}"#),
        };
        format!(
            r#"{{"lifecycle":"w","interaction":"{key}","event":"{event}","ts":1000,"version":"{version}"{data}}}"#
        )
    };
    let lines = [
        line("a", "opened", "1.0", ""),
        // Begun on 1.0: an integer is valid whatever version the line names.
        line("a", "message", "2.0", r#"{"n":7}"#),
        line("a", "message", "2.0", r#"{"n":"7"}"#),
        line("a", "message", "1.0", r#"{"n":7}"#),
        line("b", "opened", "2.0", ""),
        // Begun on 2.0: a string is.
        line("b", "message", "1.0", r#"{"n":"7"}"#),
        line("b", "message", "1.0", r#"{"n":7}"#),
        line("b", "message", "2.0", r#"{"n":"7"}"#),
    ];
    let input = Input {
        name: "two-versions".into(),
        size: None,
        reader: Box::new(std::io::Cursor::new(lines.join("\n").into_bytes())),
    };
    let limits = Limits::default();
    let mut interpreter = Interpreter::new(&catalog, limits);
    let mut found = Vec::new();
    let mut note = |violation: Violation| {
        found.push((violation.line, violation.kind.name()));
    };
    stream::run(
        &mut interpreter,
        vec![input],
        limits.max_line_bytes,
        None,
        &mut note,
    )
    .expect("reading memory cannot fail");
    assert_eq!(
        found,
        [
            (2, "version_mismatch"),
            (3, "version_mismatch"),
            (3, "invalid_payload"),
            (6, "version_mismatch"),
            (7, "version_mismatch"),
            (7, "invalid_payload"),
        ]
    );
}
