//! `plotline infer` round trips: for every built-in and fixture lifecycle, a clean simulated
//! stream is drafted into a lifecycle that checks without a warning and validates that stream
//! with 0 violations; the order it learned is compared with the hand-written one (which event
//! may follow which: precision and recall, printed); and on a second stream with violations
//! injected, the draft finds the interactions that break its order, types or events.

mod common;

use common::compiled_catalog as catalog;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use plotline::compile::catalog::Version;
use plotline::compile::Catalog;
use plotline::config::load;
use plotline::engine::{Interpreter, Limits, Place, Violation, ViolationKind};
use plotline::infer::{Options, Recorder};

/// A simulated stream of one lifecycle (4,000 events), as lines.
fn stream(catalog: &Catalog, lifecycle: &str, violations: f64, seed: u64) -> Vec<String> {
    common::simulated_lines(catalog, lifecycle, 4000, violations, seed)
}

/// Violations by interaction, with their kinds.
fn judge(catalog: &Catalog, lines: &[String]) -> BTreeMap<String, BTreeSet<ViolationKind>> {
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    let mut found: BTreeMap<String, BTreeSet<ViolationKind>> = BTreeMap::new();
    let mut note = |violation: Violation| {
        let key = violation.interaction.clone().unwrap_or_default();
        found.entry(key).or_default().insert(violation.kind);
    };
    for (n, line) in lines.iter().enumerate() {
        let place = Place {
            file_index: 0,
            file: "stream",
            line: n as u64 + 1,
        };
        interpreter.line(place, line.as_bytes(), false, &mut note);
    }
    interpreter.finish(false, &mut note);
    found
}

/// Which event may follow which (`^` before the first), as the machine of `version` allows:
/// every event that enters a reachable state paired with every event that leaves it.
fn follows(version: &Version) -> BTreeSet<(String, String)> {
    let name = |event: usize| version.events[event].name.clone();
    let mut entered: BTreeMap<u16, BTreeSet<String>> = BTreeMap::new();
    entered
        .entry(version.initial)
        .or_default()
        .insert("^".to_owned());
    let mut pairs = BTreeSet::new();
    let mut changed = true;
    while changed {
        changed = false;
        for (state, before) in entered.clone() {
            for event in 0..version.events.len() {
                let Ok(id) = u16::try_from(event) else {
                    continue;
                };
                for target in version.targets(state, id) {
                    for first in &before {
                        pairs.insert((first.clone(), name(event)));
                    }
                    changed |= entered.entry(target).or_default().insert(name(event));
                }
            }
        }
    }
    pairs
}

/// The pairs one stream shows, interaction by interaction.
fn shown(lines: &[String]) -> BTreeSet<(String, String)> {
    let mut last: BTreeMap<String, String> = BTreeMap::new();
    let mut pairs = BTreeSet::new();
    for line in lines {
        let record: serde_json::Value = serde_json::from_str(line).expect("JSON");
        let key = record["interaction"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let event = record["event"].as_str().unwrap_or_default().to_owned();
        let before = last
            .insert(key, event.clone())
            .unwrap_or_else(|| "^".to_owned());
        pairs.insert((before, event));
    }
    pairs
}

/// The type each hand-written payload property has (its variants' types), by event and
/// property, with those of the property sets it uses.
fn written_types(
    files: &[load::LoadedFile],
    lifecycle: &str,
) -> BTreeMap<(String, String), BTreeSet<String>> {
    let mut types = BTreeMap::new();
    let sets: BTreeMap<&String, &plotline::config::model::PayloadDecl> = files
        .iter()
        .flat_map(|f| f.model.property_sets.iter())
        .collect();
    for file in files.iter().filter(|f| f.model.name == lifecycle) {
        for (event, decl) in &file.model.events {
            let Some(payload) = decl.0.payload.as_ref() else {
                continue;
            };
            let used = payload.uses.iter().filter_map(|set| sets.get(set).copied());
            for properties in std::iter::once(payload).chain(used).map(|p| &p.properties) {
                for (property, spec) in properties {
                    let names = spec
                        .variants()
                        .iter()
                        .map(|v| format!("{:?}", v.ty).to_lowercase());
                    types
                        .entry((event.clone(), property.clone()))
                        .or_insert_with(BTreeSet::new)
                        .extend(names);
                }
            }
        }
    }
    types
}

/// How the draft's payload types compare with the hand-written ones: equal, narrower (an
/// integer where a number was written: only integers occurred), and the mismatches.
fn compare_types(
    files: &[load::LoadedFile],
    lifecycle: &str,
    yaml: &str,
) -> (usize, usize, Vec<String>) {
    let written = written_types(files, lifecycle);
    let draft: serde_json::Value = serde_yaml::from_str(yaml).expect("the draft's YAML");
    let (mut same, mut narrower, mut wrong) = (0, 0, Vec::new());
    let Some(events) = draft["events"].as_object() else {
        return (same, narrower, wrong);
    };
    for (event, decl) in events {
        let payload = &decl["payload"];
        let mut properties: Vec<(&String, &serde_json::Value)> = Vec::new();
        if let Some(own) = payload["properties"].as_object() {
            properties.extend(own);
        }
        for set in payload["use"].as_array().into_iter().flatten() {
            let set = set.as_str().unwrap_or_default();
            if let Some(shared) = draft["property_sets"][set]["properties"].as_object() {
                properties.extend(shared);
            }
        }
        for (property, decl) in properties {
            let Some(types) = written.get(&(event.clone(), property.clone())) else {
                continue;
            };
            let learned = decl["type"].as_str().unwrap_or_default();
            let within = |written: &str| match written {
                "any" => true,
                "number" => learned == "integer",
                "alphanumeric" => ["string", "integer", "number"].contains(&learned),
                _ => false,
            };
            if types.contains(learned) {
                same += 1;
            } else if types.iter().any(|t| within(t)) {
                narrower += 1;
            } else {
                wrong.push(format!(
                    "{lifecycle} {event}.{property}: learned {learned}, written {types:?}"
                ));
            }
        }
    }
    (same, narrower, wrong)
}

#[test]
fn drafts_validate_their_recordings_and_find_the_same_order() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/general");
    let mut failures = Vec::new();
    for (catalog, files) in [
        (catalog(None), load::load_builtin().0),
        (catalog(Some(&fixtures)), load::load_dir(&fixtures).0),
    ] {
        for (n, lifecycle) in catalog.lifecycles.iter().enumerate() {
            let name = &lifecycle.name;
            let clean = stream(&catalog, name, 0.0, 31 + n as u64);
            let mut recorder = Recorder::new(Options::default());
            for line in &clean {
                recorder.line(line.as_bytes());
            }
            let drafts = recorder.finish();
            assert_eq!(drafts.len(), 1, "{name}");
            let draft = &drafts[0];
            assert!(draft.set_aside.is_empty(), "{name}: {:?}", draft.set_aside);
            let (inferred, diagnostics) =
                plotline::compile::compile_sources(vec![plotline::diagnostic::SourceText {
                    name: format!("{name}.yaml"),
                    text: draft.yaml.clone(),
                }]);
            let inferred = inferred.unwrap_or_else(|| panic!("{name}: {diagnostics:?}"));
            assert!(
                diagnostics.is_empty(),
                "{name}: the draft checks with {diagnostics:?}\n{}",
                draft.yaml
            );
            let found = judge(&inferred, &clean);
            if !found.is_empty() {
                failures.push(format!("{name}: the recording gives {found:?}"));
            }
            // Payload types against the hand-written ones, on every property that occurred.
            let (same, narrower, wrong) = compare_types(&files, name, &draft.yaml);
            eprintln!("{name}: payload types {same} equal, {narrower} narrower (only part of the type occurred)");
            failures.extend(wrong);
            // The order learned against the hand-written one, version by version.
            let learned = &inferred.lifecycles[0];
            for version in &lifecycle.versions {
                let drafted = learned
                    .find_version(&version.name)
                    .unwrap_or(&learned.versions[0]);
                let (truth, guess) = (follows(version), follows(drafted));
                let right = truth.intersection(&guess).count() as f64;
                let (precision, recall) = (right / guess.len() as f64, right / truth.len() as f64);
                let covered = truth.is_subset(&shown(&clean));
                eprintln!(
                    "{name} {}: precision {precision:.2}, recall {recall:.2} ({} pairs written, \
                     {} learned{})",
                    version.name,
                    truth.len(),
                    guess.len(),
                    if covered {
                        ""
                    } else {
                        "; the stream did not take every one"
                    }
                );
                if covered && (precision < 0.9 || recall < 0.9) {
                    failures.push(format!(
                        "{name} {}: precision {precision:.2}, recall {recall:.2}",
                        version.name
                    ));
                }
            }
            // Injected faults the draft can know of: order, types, unknown events.
            let faulty = stream(&catalog, name, 0.05, 71 + n as u64);
            let knowable = [
                ViolationKind::IllegalTransition,
                ViolationKind::InvalidPayload,
                ViolationKind::UnknownEvent,
            ];
            let truth: BTreeSet<String> = (judge(&catalog, &faulty).into_iter())
                .filter(|(key, kinds)| {
                    !key.is_empty() && kinds.iter().any(|k| knowable.contains(k))
                })
                .map(|(key, _)| key)
                .collect();
            let flagged = judge(&inferred, &faulty);
            let caught = truth
                .iter()
                .filter(|key| flagged.contains_key(*key))
                .count();
            let share = caught as f64 / truth.len().max(1) as f64;
            eprintln!(
                "{name}: {caught} of {} interactions with an injected fault found ({share:.2})",
                truth.len()
            );
            if share < 0.9 {
                failures.push(format!(
                    "{name}: found {share:.2} of the faulty interactions"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A small recording written by hand: a chat whose `message` repeats, an optional `rated`
/// step, a `channel` with a few repeated values, a uuid, a property new in 2.0, and one
/// interaction that does something once only.
fn chat_recording() -> Vec<String> {
    let mut lines = Vec::new();
    let mut ts = 1_750_000_000_000i64;
    for n in 0..16 {
        let version = if n < 8 { "1.0" } else { "2.0" };
        let key = format!("c{n}");
        let mut event = |event: &str, data: serde_json::Value| {
            ts += 1500;
            lines.push(
                serde_json::json!({"lifecycle": "chat", "interaction": key, "event": event,
                    "ts": ts, "version": version, "data": data})
                .to_string(),
            );
        };
        let channel = ["web", "app", "web"][n % 3];
        let mut opened = serde_json::json!({"channel": channel,
            "session": format!("4f6f7d2e-8c1b-4a53-9f60-0c2d3e4f5a{n:02}")});
        if version == "2.0" {
            opened["locale"] = "en".into();
        }
        event("opened", opened);
        for m in 0..(n % 4) {
            event("message", serde_json::json!({"length": 10 + m}));
        }
        if (n / 4) % 2 == 0 {
            event("rated", serde_json::json!({"stars": 1 + n % 5}));
        }
        if n == 15 {
            event("escalated", serde_json::json!({}));
        }
        event("closed", serde_json::json!({}));
    }
    lines
}

#[test]
fn a_small_recording_makes_a_readable_draft() {
    // k = 2: twelve interactions are too few for the default to tell a loop.
    let mut recorder = Recorder::new(Options {
        min_support: 2,
        k: 2,
        ..Options::default()
    });
    for line in chat_recording() {
        recorder.line(line.as_bytes());
    }
    let drafts = recorder.finish();
    let draft = &drafts[0];
    // Sequences one interaction alone took: c7's fourth step and c15's fifth.
    assert_eq!(
        draft.set_aside,
        [
            "c15: `escalated` after [opened, message, message, message] was taken by 1 \
             interaction(s), below --min-support 2",
            "c7: `closed` after [opened, message, message, message] was taken by 1 \
             interaction(s), below --min-support 2"
        ]
    );
    insta::assert_snapshot!(draft.yaml);
}

#[test]
fn native_records_are_read_through_the_catalogs_formats() {
    let builtin = catalog(None);
    let mut recorder = Recorder::new(Options::default()).with_formats_of(&builtin);
    let stream = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/streams/lptag.jsonl");
    let text = std::fs::read_to_string(stream).unwrap();
    for line in text.lines() {
        recorder.line(line.as_bytes());
    }
    let (lines, skipped) = (recorder.lines, recorder.not_events);
    let drafts = recorder.finish();
    let names: Vec<(&str, u64)> = drafts.iter().map(|d| (d.name.as_str(), d.events)).collect();
    // LP_OFFERS records (`lpTag.events`), read as the built-in `lptag` format reads them.
    assert_eq!(
        names,
        [("lp_offers", 10)],
        "{lines} lines, {skipped} skipped"
    );
    assert_eq!((lines, skipped), (12, 2));
}

#[test]
fn a_key_quiet_for_longer_than_quiet_end_begins_another_interaction() {
    // Visitor v comes back two hours later with the same key: as `validate` (--quiet-end 1h)
    // sees it, two visits, not one that goes on after `closed`.
    let line = |n: i64, event: &str, ts: i64| {
        serde_json::json!({"lifecycle": "visit", "interaction": format!("v{n}"), "event": event, "ts": ts})
            .to_string()
    };
    let mut lines = Vec::new();
    for n in 0..10 {
        lines.push(line(n, "opened", n * 1000));
        lines.push(line(n, "closed", n * 1000 + 500));
    }
    lines.push(line(0, "opened", 2 * 3_600_000));
    lines.push(line(0, "closed", 2 * 3_600_000 + 500));
    let draft = |quiet_end: i64| {
        let mut recorder = Recorder::new(Options {
            quiet_end,
            ..Options::default()
        });
        for line in &lines {
            recorder.line(line.as_bytes());
        }
        recorder.finish().remove(0)
    };
    let split = draft(3_600_000);
    assert_eq!(
        (split.interactions, split.transitions),
        (11, 2),
        "{}",
        split.yaml
    );
    // Kept as one, `opened` would follow `closed`.
    let joined = draft(0);
    assert_eq!(joined.interactions, 10);
    assert!(
        joined.yaml.contains("- from: closed\n  on: opened\n"),
        "{}",
        joined.yaml
    );
    assert!(
        !split.yaml.contains("on: opened\n  to: closed"),
        "{}",
        split.yaml
    );
}
