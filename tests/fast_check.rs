//! The compiled payload check against the `jsonschema` crate, record for record: on every
//! payload of a simulated stream and on mutations of each (every property removed, set to each
//! JSON type, and an extra property added), a payload the fast check passes must be valid for
//! `jsonschema`, and every payload `jsonschema` accepts must pass the fast check.

use plotline::compile::fast_check::{DataReads, Outcome};
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
