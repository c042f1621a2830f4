//! `plotline import` on tracking plans as their projects publish them (`tests/fixtures/import`:
//! a Segment tracking plan export, Iglu Central schemas) and on the JSON-Schema-Test-Suite's
//! schemas: each written file checks without a diagnostic, judges payloads as the plan does,
//! and is held to a snapshot.

mod common;

use std::path::{Path, PathBuf};

use plotline::compile::{compile_sources, Catalog};
use plotline::diagnostic::SourceText;
use plotline::engine::{Interpreter, Limits, Place, Violation, ViolationKind};
use plotline::infer::import::{import, Imported, PlanFile, PlanKind};
use serde_json::{json, Value};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/import")
}

/// Every file under `dir`, sorted, as plan files.
fn plan_files(dir: &Path) -> Vec<PlanFile> {
    let mut paths = Vec::new();
    let mut pending = vec![dir.to_owned()];
    while let Some(path) = pending.pop() {
        match path.is_dir() {
            true => pending.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path())),
            false => paths.push(path),
        }
    }
    paths.sort();
    (paths.into_iter())
        .map(|path| PlanFile {
            name: path
                .strip_prefix(fixtures())
                .unwrap_or(&path)
                .display()
                .to_string(),
            json: serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap(),
        })
        .collect()
}

/// The one lifecycle the plan under `fixtures/DIR` imports as (named NAME).
fn one_lifecycle(kind: PlanKind, dir: &str, name: &str) -> Imported {
    let files = plan_files(&fixtures().join(dir));
    let mut imported = import(kind, &files, name).expect("imported");
    assert_eq!(imported.len(), 1, "one lifecycle: {imported:?}");
    imported.remove(0)
}

/// The imported file compiled: it must give no diagnostic at all.
fn compiled(imported: &Imported) -> Catalog {
    let (catalog, diagnostics) = compile_sources(vec![SourceText {
        name: format!("{}.yaml", imported.name),
        text: imported.yaml.clone(),
    }]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}\n{}", imported.yaml);
    catalog.expect("compiled")
}

/// The kinds of violation one event of `lifecycle` with `data` (and `version`) gets.
fn verdict(
    catalog: &Catalog,
    lifecycle: &str,
    event: &str,
    version: &str,
    data: Value,
) -> Vec<ViolationKind> {
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    let line = json!({"lifecycle": lifecycle, "interaction": "i", "event": event, "ts": 1,
        "version": version, "data": data});
    let mut kinds = Vec::new();
    let place = Place {
        file_index: 0,
        file: "plan",
        line: 1,
    };
    let bytes = line.to_string();
    interpreter.line(place, bytes.as_bytes(), false, &mut |v: Violation| {
        kinds.push(v.kind)
    });
    interpreter.finish(false, &mut |v: Violation| kinds.push(v.kind));
    kinds
}

#[test]
fn a_segment_tracking_plan_becomes_a_catalog_of_its_events() {
    let shop = &one_lifecycle(PlanKind::Segment, "segment", "shop");
    assert!(shop.dropped.is_empty(), "{:?}", shop.dropped);
    let catalog = compiled(shop);
    let order = json!({"order_id": "o-1", "revenue": 12.5,
        "products": [{"sku": "s-1", "position": 3, "price": 2.5}]});
    assert_eq!(
        verdict(&catalog, "shop", "Order Completed", "1.0", order),
        []
    );
    // `order_id` is required; a product's position is an integer.
    let no_id = json!({"revenue": 12.5});
    assert_eq!(
        verdict(&catalog, "shop", "Order Completed", "1.0", no_id),
        [ViolationKind::InvalidPayload]
    );
    let position = json!({"order_id": "o-1", "products": [{"position": 2.5}]});
    assert_eq!(
        verdict(&catalog, "shop", "Order Completed", "1.0", position),
        [ViolationKind::InvalidPayload]
    );
    insta::assert_snapshot!(shop.yaml);
}

#[test]
fn iglu_schemas_become_a_vendor_catalog_with_schemaver_versions() {
    let snowplow = &one_lifecycle(PlanKind::Iglu, "iglu", "");
    assert_eq!(snowplow.name, "com_snowplowanalytics_snowplow");
    let catalog = compiled(snowplow);
    let name = snowplow.name.as_str();
    // `label` is required in 1-0-0 and not in 1-0-1; `additionalProperties: false` holds.
    assert_eq!(
        verdict(&catalog, name, "button_click", "1.0.0", json!({})),
        [ViolationKind::InvalidPayload]
    );
    assert_eq!(
        verdict(&catalog, name, "button_click", "1.0.1", json!({})),
        []
    );
    assert_eq!(
        verdict(
            &catalog,
            name,
            "button_click",
            "1.0.1",
            json!({"label": "OK", "colour": "red"})
        ),
        [ViolationKind::InvalidPayload]
    );
    assert_eq!(
        verdict(
            &catalog,
            name,
            "link_click",
            "1.0.1",
            json!({"targetUrl": "https://example.com"})
        ),
        []
    );
    assert_eq!(
        verdict(
            &catalog,
            name,
            "link_click",
            "1.0.1",
            json!({"targetUrl": ""})
        ),
        [ViolationKind::InvalidPayload]
    );
    assert_eq!(
        verdict(
            &catalog,
            name,
            "focus_form",
            "1.0.0",
            json!({"formId": "f", "elementId": "e", "nodeName": "FORM", "value": null})
        ),
        [ViolationKind::InvalidPayload]
    );
    // What the format cannot say is listed: `null` beside a type.
    assert_eq!(snowplow.dropped.len(), 7, "{:?}", snowplow.dropped);
    assert!(snowplow
        .dropped
        .iter()
        .all(|d| d.ends_with("`type` `null` allowed: written as any type")));
    insta::assert_snapshot!(snowplow.yaml);
}

#[test]
fn json_schema_files_judge_objects_as_the_suite_says() {
    let Some(dir) = common::json_schema_suite() else {
        return;
    };
    // The suite's object schemas, one file (one event) per group.
    let mut files = Vec::new();
    let mut cases = Vec::new();
    for name in [
        "properties.json",
        "required.json",
        "additionalProperties.json",
        "type.json",
        "enum.json",
        "maxLength.json",
        "minimum.json",
    ] {
        let groups: Vec<Value> =
            serde_json::from_str(&std::fs::read_to_string(dir.join(name)).unwrap()).unwrap();
        for (n, group) in groups.iter().enumerate() {
            let schema = &group["schema"];
            if schema.get("type") != Some(&json!("object")) && schema.get("properties").is_none() {
                continue;
            }
            let event = format!("{}_{n}", name.trim_end_matches(".json"));
            files.push(PlanFile {
                name: format!("{event}.json"),
                json: schema.clone(),
            });
            cases.push((
                event,
                group["tests"].as_array().cloned().unwrap_or_default(),
            ));
        }
    }
    let imported = import(PlanKind::JsonSchema, &files, "suite").expect("imported");
    let catalog = compiled(&imported[0]);
    let lossy: Vec<&str> = imported[0]
        .dropped
        .iter()
        .filter_map(|d| d.split('.').next())
        .collect();
    let (mut checked, mut agreed) = (0, 0);
    for (event, tests) in &cases {
        if lossy
            .iter()
            .any(|l| l.split(':').next() == Some(event.as_str()))
        {
            continue;
        }
        for test in tests {
            let data = &test["data"];
            // Only objects can be payloads.
            if !data.is_object() {
                continue;
            }
            checked += 1;
            let valid = verdict(&catalog, "suite", event, "1.0", data.clone()).is_empty();
            if valid == test["valid"].as_bool().unwrap() {
                agreed += 1;
            } else {
                eprintln!("{event}: {} gives valid={valid}", test["description"]);
            }
        }
    }
    eprintln!(
        "{} suite groups imported, {checked} object tests, {agreed} agree; not carried over: {:?}",
        files.len(),
        imported[0].dropped
    );
    assert!(checked > 20, "{checked}");
    assert_eq!(agreed, checked);
    insta::assert_snapshot!(imported[0].yaml);
}

#[test]
fn a_plans_payloads_and_a_recordings_order_make_one_lifecycle() {
    use plotline::infer::{planned_payloads, Options, Recorder};
    let files = plan_files(&fixtures().join("iglu"));
    let plan = import(PlanKind::Iglu, &files, "").expect("imported");
    let plan: Vec<Value> = plan
        .iter()
        .map(|p| serde_yaml::from_str(&p.yaml).unwrap())
        .collect();
    let mut recorder = Recorder::new(Options {
        payloads: planned_payloads(&plan),
        ..Options::default()
    });
    // Forms are focused, then a button clicked, then a link followed: the plan says none of it.
    let mut lines = Vec::new();
    for n in 0..20 {
        let events = [
            (
                "focus_form",
                json!({"formId": "f", "elementId": "e", "nodeName": "INPUT", "value": null}),
            ),
            ("button_click", json!({"label": "Send"})),
            (
                "link_click",
                json!({"targetUrl": "https://example.com/next"}),
            ),
        ];
        for (k, (event, data)) in events.into_iter().enumerate() {
            let line = json!({"lifecycle": "site", "interaction": format!("v{n}"), "event": event,
                "ts": 1_000 * (n * 3 + k as i64), "version": "1.0.1", "data": data});
            lines.push(line.to_string());
        }
    }
    for line in &lines {
        recorder.line(line.as_bytes());
    }
    let drafts = recorder.finish();
    let draft = &drafts[0];
    assert!(draft.yaml.contains("additional: false"), "{}", draft.yaml);
    let (catalog, diagnostics) = compile_sources(vec![SourceText {
        name: "site.yaml".into(),
        text: draft.yaml.clone(),
    }]);
    assert!(diagnostics.is_empty(), "{diagnostics:?}\n{}", draft.yaml);
    let catalog = catalog.expect("compiled");
    // The plan's payload rules hold (the recording never showed an extra property or an
    // unknown node), and the order is the recording's.
    let extra = json!({"formId": "f", "elementId": "e", "nodeName": "FORM", "value": "x"});
    assert_eq!(
        verdict(&catalog, "site", "focus_form", "1.0.1", extra)[0],
        ViolationKind::InvalidPayload
    );
    let mut interpreter = Interpreter::new(&catalog, Limits::default());
    let mut found = Vec::new();
    for (n, line) in lines.iter().enumerate() {
        let place = Place {
            file_index: 0,
            file: "recording",
            line: n as u64 + 1,
        };
        interpreter.line(place, line.as_bytes(), false, &mut |v: Violation| {
            found.push(v.kind)
        });
    }
    let out_of_order = json!({"lifecycle": "site", "interaction": "w", "event": "link_click",
        "ts": 99_000, "version": "1.0.1", "data": {"targetUrl": "https://example.com"}});
    let place = Place {
        file_index: 0,
        file: "recording",
        line: 99,
    };
    interpreter.line(
        place,
        out_of_order.to_string().as_bytes(),
        false,
        &mut |v: Violation| found.push(v.kind),
    );
    assert_eq!(found, [ViolationKind::IllegalTransition]);
}

#[test]
fn a_plan_file_past_the_size_bound_is_refused_by_name_unread() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("plan.json");
    // Sparse: no disk taken. Read whole, it would only fail later, as "not JSON".
    let file = std::fs::File::create(&path).expect("create");
    file.set_len((64 << 20) + 1).expect("set length");
    let output = common::plotline(&["import", "--from", "segment", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(
        said.contains("plan.json is larger than 67108864 bytes"),
        "{said}"
    );
}
