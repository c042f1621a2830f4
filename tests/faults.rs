//! Fault injection: clean simulated streams of every built-in and fixture lifecycle (those of
//! `fixtures/general` and `fixtures/faults`), one realistic fault injected per chosen
//! interaction, the rest untouched. A verdict is a claim: one lost event costs at most one
//! violation, one bad payload field exactly one (`invalid_payload`, or a rule's where the
//! schema accepts the value), a line delivered twice (with an `id`) none, two events swapped
//! in transit none within `--reorder-window`, and an untouched interaction none.

mod common;

use common::compiled_catalog as catalog;
use std::collections::BTreeMap;
use std::path::Path;

use plotline::compile::Catalog;
use plotline::engine::{Interpreter, Limits, Place, Summary, Violation};
use rand::rngs::SmallRng;
use rand::{Rng, SeedableRng};
use serde_json::Value;

/// The faults injected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fault {
    /// One event of the interaction never arrives.
    Lost,
    /// One payload property of one event gets a value of another type.
    BadField,
    /// One line is delivered again, with its `id`, a little later.
    Duplicate,
    /// Two events of the interaction, under 5 s apart, arrive in each other's place.
    Swapped,
}

const FAULTS: [Fault; 4] = [
    Fault::Lost,
    Fault::BadField,
    Fault::Duplicate,
    Fault::Swapped,
];

/// The reorder window the faulted streams are judged with.
const WINDOW: i64 = 10_000;

/// A clean simulated stream of `lifecycle`, as records.
fn clean_stream(catalog: &Catalog, lifecycle: &str, seed: u64) -> Vec<Value> {
    // Every line carries a delivery id, as at-least-once pipelines give them.
    (common::simulated_lines(catalog, lifecycle, 3000, 0.0, seed)
        .iter()
        .enumerate())
    .map(|(n, line)| {
        let mut record: Value = serde_json::from_str(line).expect("a JSON record");
        record["id"] = Value::from(format!("m-{n}"));
        record
    })
    .collect()
}

/// The interaction a record belongs to.
fn key(record: &Value) -> String {
    format!("{}/{}", record["lifecycle"], record["interaction"])
}

/// Violations by interaction key (lines of no interaction under ""), and the summary, with
/// a reorder window of `window` ms.
fn judge(
    catalog: &Catalog,
    records: &[Value],
    window: i64,
) -> (BTreeMap<String, Vec<String>>, Summary) {
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    interpreter.reorder_within(window);
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut note = |violation: Violation| {
        let key = match (&violation.lifecycle, &violation.interaction) {
            (Some(lifecycle), Some(interaction)) => format!("\"{lifecycle}\"/\"{interaction}\""),
            _ => String::new(),
        };
        let what = format!("{}: {}", violation.kind.name(), violation.message);
        found.entry(key).or_default().push(what);
    };
    for (n, record) in records.iter().enumerate() {
        let place = Place {
            file_index: 0,
            file: "faults",
            line: n as u64 + 1,
        };
        let line = serde_json::to_vec(record).expect("JSON");
        interpreter.line(place, &line, false, &mut note);
    }
    let summary = interpreter.finish(false, &mut note);
    (found, summary)
}

/// Gives a payload property another type; `false` when the event has no property to spoil.
fn spoil_a_field(record: &mut Value, rng: &mut SmallRng) -> bool {
    let Some(data) = record.get_mut("data").and_then(Value::as_object_mut) else {
        return false;
    };
    if data.is_empty() {
        return false;
    }
    let name = data.keys().nth(rng.random_range(0..data.len())).cloned();
    let Some(value) = name.and_then(|name| data.get_mut(&name)) else {
        return false;
    };
    *value = match value {
        Value::String(_) => Value::from(12345),
        Value::Object(_) | Value::Array(_) => Value::from(true),
        _ => Value::from("spoiled"),
    };
    true
}

/// Outcome of one lifecycle's fault run: per fault, (injected, violations over the faulted
/// interactions, the worst interaction, violations without a reorder window).
type Tally = BTreeMap<Fault, (u64, u64, usize, u64)>;

fn run_faults(catalog: &Catalog, lifecycle: &str, seed: u64, tally: &mut Tally) -> Vec<String> {
    let mut rng = SmallRng::seed_from_u64(seed);
    let clean = clean_stream(catalog, lifecycle, seed);
    let (found, summary) = judge(catalog, &clean, 0);
    assert_eq!(
        summary.violations, 0,
        "{lifecycle}: the clean stream: {found:?}"
    );
    let mut lines_of: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, record) in clean.iter().enumerate() {
        lines_of.entry(key(record)).or_default().push(n);
    }
    // Every third interaction gets one fault, the faults in turn.
    let mut records: Vec<Option<Value>> = clean.into_iter().map(Some).collect();
    let mut faulted: BTreeMap<String, Fault> = BTreeMap::new();
    // Lines delivered again: (after which line, the copy).
    let mut again: Vec<(usize, Value)> = Vec::new();
    for (i, (interaction, lines)) in lines_of.iter().enumerate() {
        if i % 3 != 0 {
            continue;
        }
        let fault = FAULTS[(i / 3) % FAULTS.len()];
        let at = lines[rng.random_range(0..lines.len())];
        let made = match fault {
            Fault::Lost => records[at].take().is_some(),
            Fault::BadField => {
                let with_data: Vec<usize> = (lines.iter().copied())
                    .filter(|&n| {
                        let data = records[n].as_ref().and_then(|r| r.get("data"));
                        data.and_then(Value::as_object)
                            .is_some_and(|d| !d.is_empty())
                    })
                    .collect();
                match with_data.get(rng.random_range(0..with_data.len().max(1))) {
                    Some(&n) => records[n]
                        .as_mut()
                        .is_some_and(|record| spoil_a_field(record, &mut rng)),
                    None => false,
                }
            }
            Fault::Duplicate => {
                let later = (at + rng.random_range(0..20)).min(records.len() - 1);
                again.extend(records[at].clone().map(|copy| (later, copy)));
                true
            }
            Fault::Swapped => {
                let pairs: Vec<(usize, usize)> = (lines.windows(2))
                    .map(|pair| (pair[0], pair[1]))
                    .filter(|&(a, b)| {
                        let ts = |n: usize| records[n].as_ref().and_then(|r| r["ts"].as_i64());
                        matches!((ts(a), ts(b)), (Some(x), Some(y)) if y > x && y - x < 5000)
                    })
                    .collect();
                match pairs.get(rng.random_range(0..pairs.len().max(1))) {
                    Some(&(a, b)) => {
                        records.swap(a, b);
                        true
                    }
                    None => false,
                }
            }
        };
        if made {
            faulted.insert(interaction.clone(), fault);
        }
    }
    let duplicates = again.len() as u64;
    let mut stream: Vec<Value> = Vec::new();
    again.sort_by_key(|(after, _)| *after);
    let mut again = again.into_iter().peekable();
    for (n, record) in records.into_iter().enumerate() {
        stream.extend(record);
        while let Some((_, copy)) = again.next_if(|(after, _)| *after == n) {
            stream.push(copy);
        }
    }
    let (unordered, _) = judge(catalog, &stream, 0);
    for (interaction, violations) in &unordered {
        if faulted.get(interaction) == Some(&Fault::Swapped) {
            tally.entry(Fault::Swapped).or_default().3 += violations.len() as u64;
        }
    }
    let (found, summary) = judge(catalog, &stream, WINDOW);
    assert_eq!(
        summary.duplicates, duplicates,
        "{lifecycle}: duplicates counted"
    );
    assert_eq!(
        summary.events,
        stream.len() as u64,
        "{lifecycle}: every line counted once"
    );
    let mut wrong = Vec::new();
    for (interaction, violations) in &found {
        let Some(fault) = faulted.get(interaction) else {
            wrong.push(format!("untouched {interaction}: {violations:?}"));
            continue;
        };
        let entry = tally.entry(*fault).or_default();
        entry.1 += violations.len() as u64;
        entry.2 = entry.2.max(violations.len());
        let right = match fault {
            Fault::Lost => violations.len() <= 1,
            Fault::Duplicate | Fault::Swapped => violations.is_empty(),
            // Exactly one: `invalid_payload` where the schema rejects the value, else a rule
            // that reads it (a value the schema and the rules accept is no fault at all).
            Fault::BadField => {
                violations.len() == 1
                    && ["invalid_payload", "rule_violation"]
                        .iter()
                        .any(|kind| violations[0].starts_with(kind))
            }
        };
        if !right {
            wrong.push(format!("{fault:?} {interaction}: {violations:?}"));
        }
    }
    for fault in faulted.values() {
        tally.entry(*fault).or_default().0 += 1;
    }
    wrong
}

#[test]
fn one_fault_costs_at_most_one_violation_and_untouched_interactions_none() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let catalogs = [
        catalog(None),
        catalog(Some(&fixtures.join("general"))),
        catalog(Some(&fixtures.join("faults"))),
    ];
    let mut tally = Tally::new();
    let mut wrong = Vec::new();
    for catalog in &catalogs {
        for (n, lifecycle) in catalog.lifecycles.iter().enumerate() {
            wrong.extend(run_faults(
                catalog,
                &lifecycle.name,
                17 + n as u64,
                &mut tally,
            ));
        }
    }
    for (fault, (injected, violations, worst, unordered)) in &tally {
        eprintln!(
            "{fault:?}: {injected} injected, {violations} violations, at most {worst} on one \
             interaction ({unordered} violations of swaps without the window)"
        );
    }
    assert!(
        tally.values().all(|(injected, ..)| *injected > 50),
        "{tally:?}"
    );
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// A line of the built-in zendesk_messaging lifecycle (without `event` when `None`).
fn zendesk(interaction: &str, event: Option<&str>, ts: i64) -> Value {
    let mut record = serde_json::json!({"lifecycle": "zendesk_messaging",
                                        "interaction": interaction, "ts": ts});
    if let Some(event) = event {
        record["event"] = event.into();
    }
    record
}

/// The kinds of the violations found on a zendesk_messaging interaction, in order.
fn kinds_on(found: &BTreeMap<String, Vec<String>>, interaction: &str) -> Vec<String> {
    let key = format!("\"zendesk_messaging\"/\"{interaction}\"");
    (found.get(&key).into_iter().flatten())
        .map(|what| what.split(':').next().unwrap_or("").to_owned())
        .collect()
}

/// A state's timeout that only reports, fallen due before an event that shows the stream
/// lost the events leaving that state, is not claimed: they may have come in time.
#[test]
fn a_wait_that_lost_events_may_have_ended_is_not_claimed() {
    let catalog = catalog(None);
    let line = |interaction: &str, event: &str, ts: i64| zendesk(interaction, Some(event), ts);
    let stream = [
        line("lost", "proactiveMessageDisplayed", 1_000),
        line("lost", "proactiveMessageClicked", 5_000),
        // `messagingOpened` lost: the widget may have opened within its 10 s, or not.
        line("lost", "messagingClosed", 65_000),
        line("late", "proactiveMessageDisplayed", 1_000),
        line("late", "proactiveMessageClicked", 5_000),
        // Opened 30 s after the click: the wait did run out.
        line("late", "messagingOpened", 35_000),
        line("late", "messagingClosed", 65_000),
    ];
    let (found, summary) = judge(&catalog, &stream, 0);
    let kinds = |interaction: &str| kinds_on(&found, interaction);
    assert_eq!(kinds("lost"), ["illegal_transition"], "{found:?}");
    assert_eq!(kinds("late"), ["timeout"], "{found:?}");
    assert_eq!(summary.violations, 2);
    assert_eq!(summary.not_checked, 1);
}

/// A line of an open interaction that cannot be judged (its envelope broken, or its event a
/// name the catalog does not know) explains why the next event does not fit: one violation.
#[test]
fn a_line_that_cannot_be_judged_explains_the_next_event() {
    let catalog = catalog(None);
    let line = zendesk;
    let mut stream = Vec::new();
    for (interaction, opened) in [
        ("no-event", None),
        ("misspelt", Some("messagingOpend")),
        ("in-time", Some("messagingOpened")),
    ] {
        stream.push(line(interaction, Some("proactiveMessageDisplayed"), 1_000));
        stream.push(line(interaction, Some("proactiveMessageClicked"), 2_000));
        stream.push(line(interaction, opened, 3_000));
        stream.push(line(interaction, Some("messagingClosed"), 9_000));
    }
    // The next event fits: an unknown event does not excuse a later fault.
    stream.push(line(
        "misspelt-once",
        Some("proactiveMessageDisplayed"),
        1_000,
    ));
    stream.push(line("misspelt-once", Some("messagingOpend"), 2_000));
    stream.push(line(
        "misspelt-once",
        Some("proactiveMessageClicked"),
        3_000,
    ));
    stream.push(line("misspelt-once", Some("conversationStarted"), 4_000));
    let (found, _) = judge(&catalog, &stream, 0);
    let kinds = |interaction: &str| kinds_on(&found, interaction);
    assert_eq!(kinds("no-event"), ["bad_envelope"], "{found:?}");
    assert_eq!(kinds("misspelt"), ["unknown_event"], "{found:?}");
    assert!(kinds("in-time").is_empty(), "{found:?}");
    assert_eq!(
        kinds("misspelt-once"),
        ["unknown_event", "illegal_transition"],
        "{found:?}"
    );
}

/// An event where it is not allowed is taken as a sign that events were lost, and the
/// interaction moves on past them; when the next event fits where it was before instead,
/// the first was a stray, and the interaction goes on from there: one violation, not three.
#[test]
fn a_stray_event_costs_one_violation() {
    let catalog = catalog(None);
    let line = |interaction: &str, event: &str, ts: i64| zendesk(interaction, Some(event), ts);
    let mut stream = Vec::new();
    let stray: &[&str] = &["messagingOpened", "conversationStarted", "messagingClosed"];
    // The event after the stray fits neither place: a second fault, reported.
    let two_faults: &[&str] = &["proactiveMessageClicked", "messagingClosed"];
    for (interaction, after) in [("stray", stray), ("two-faults", two_faults)] {
        stream.push(line(interaction, "proactiveMessageDisplayed", 1_000));
        stream.push(line(interaction, "proactiveMessageClicked", 2_000));
        stream.push(line(interaction, "conversationStarted", 2_500));
        for (n, event) in after.iter().enumerate() {
            stream.push(line(interaction, event, 3_000 + 1_000 * n as i64));
        }
    }
    let (found, _) = judge(&catalog, &stream, 0);
    let count = |interaction: &str| kinds_on(&found, interaction).len();
    assert_eq!(count("stray"), 1, "{found:?}");
    assert_eq!(count("two-faults"), 2, "{found:?}");
}
