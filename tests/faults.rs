//! Fault injection: clean simulated streams of every built-in and fixture lifecycle (those of
//! `fixtures/general` and `fixtures/faults`), one realistic fault injected per chosen
//! interaction, the rest untouched. A verdict is a claim: one lost event costs at most one
//! violation, one bad payload field exactly one (`invalid_payload`, or a rule's where the
//! schema accepts the value), a line cut short in transit (its interaction still readable)
//! one `malformed_line` and nothing on its interaction, a line delivered twice (with an `id`)
//! none, two events swapped in transit none within `--reorder-window`, and an untouched
//! interaction none.

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
    /// One line is cut short somewhere after its lifecycle and interaction.
    Truncated,
    /// One line is delivered again, with its `id`, a little later.
    Duplicate,
    /// Two events of the interaction, under 5 s apart, arrive in each other's place.
    Swapped,
}

const FAULTS: [Fault; 5] = [
    Fault::Lost,
    Fault::BadField,
    Fault::Truncated,
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
    lines: &[Vec<u8>],
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
    for (n, line) in lines.iter().enumerate() {
        let place = Place {
            file_index: 0,
            file: "faults",
            line: n as u64 + 1,
        };
        interpreter.line(place, line, false, &mut note);
    }
    let summary = interpreter.finish(false, &mut note);
    (found, summary)
}

/// [`judge`] on records, as they come, without a reorder window.
fn judge_records(catalog: &Catalog, records: &[Value]) -> (BTreeMap<String, Vec<String>>, Summary) {
    let lines: Vec<Vec<u8>> = records.iter().map(text).collect();
    judge(catalog, &lines, 0)
}

/// A record's line.
fn text(record: &Value) -> Vec<u8> {
    serde_json::to_vec(record).expect("JSON")
}

/// A record's line cut short somewhere after its `interaction`, as a line lost in part in
/// transit.
fn cut_short(record: &Value, rng: &mut SmallRng) -> Vec<u8> {
    let mut line = text(record);
    let name = serde_json::to_string(&record["interaction"]).expect("JSON");
    let after_key = (line.windows(name.len()))
        .position(|window| window == name.as_bytes())
        .map_or(line.len() - 1, |at| at + name.len());
    line.truncate(rng.random_range(after_key..line.len()));
    line
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
    let clean_lines: Vec<Vec<u8>> = clean.iter().map(text).collect();
    let (found, summary) = judge(catalog, &clean_lines, 0);
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
    // Lines cut short: which, and what is left of it.
    let mut cut: BTreeMap<usize, Vec<u8>> = BTreeMap::new();
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
            Fault::Truncated => match &records[at] {
                Some(record) => {
                    cut.insert(at, cut_short(record, &mut rng));
                    true
                }
                None => false,
            },
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
    let truncated = cut.len();
    let mut stream: Vec<Vec<u8>> = Vec::new();
    again.sort_by_key(|(after, _)| *after);
    let mut again = again.into_iter().peekable();
    for (n, record) in records.into_iter().enumerate() {
        match cut.remove(&n) {
            Some(left) => stream.push(left),
            None => stream.extend(record.as_ref().map(text)),
        }
        while let Some((_, copy)) = again.next_if(|(after, _)| *after == n) {
            stream.push(text(&copy));
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
        (summary.events + summary.malformed, summary.malformed),
        (stream.len() as u64, truncated as u64),
        "{lifecycle}: every line counted once"
    );
    let mut wrong = Vec::new();
    for (interaction, violations) in &found {
        if interaction.is_empty() {
            // The lines cut short, each said once, as lines of no interaction.
            let malformed = (violations.iter())
                .filter(|v| v.starts_with("malformed_line"))
                .count();
            if malformed != truncated || violations.len() != truncated {
                wrong.push(format!("{truncated} lines cut short: {violations:?}"));
            }
            continue;
        }
        let Some(fault) = faulted.get(interaction) else {
            wrong.push(format!("untouched {interaction}: {violations:?}"));
            continue;
        };
        let entry = tally.entry(*fault).or_default();
        entry.1 += violations.len() as u64;
        entry.2 = entry.2.max(violations.len());
        let right = match fault {
            Fault::Lost => violations.len() <= 1,
            Fault::Truncated | Fault::Duplicate | Fault::Swapped => violations.is_empty(),
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

/// A zendesk record of `interaction` with `event`, stamped `ts`.
fn zendesk_event(interaction: &str, event: &str, ts: i64) -> Value {
    zendesk(interaction, Some(event), ts)
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
    let line = zendesk_event;
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
    let (found, summary) = judge_records(&catalog, &stream);
    let kinds = |interaction: &str| kinds_on(&found, interaction);
    assert_eq!(kinds("lost"), ["illegal_transition"], "{found:?}");
    assert_eq!(kinds("late"), ["timeout"], "{found:?}");
    assert_eq!(summary.violations, 2);
    assert_eq!(summary.not_checked, 1);
}

/// A line stamped an hour late fires the 30-minute timeout that ends its interaction: that
/// line is `after_end`; the interaction's later events, stamped before the timeout fell due,
/// are not claimed after its end (by their clock it had not ended). Events stamped after it
/// fell due still are.
#[test]
fn events_stamped_before_a_timeout_that_ended_their_interaction_fell_due_are_not_claimed() {
    let catalog = catalog(None);
    let minute = 60_000;
    let line = zendesk_event;
    let stream = [
        line("skewed", "messagingOpened", 0),
        line("skewed", "messagingClosed", minute),
        // Reopened two minutes later, stamped an hour late.
        line("skewed", "messagingOpened", 3 * minute + 60 * minute),
        line("skewed", "messagingClosed", 4 * minute),
        line("skewed", "messagingOpened", 5 * minute),
        line("real", "messagingOpened", 0),
        line("real", "messagingClosed", minute),
        // Reopened after the session ended: after the end, each time.
        line("real", "messagingOpened", 40 * minute),
        line("real", "messagingClosed", 41 * minute),
    ];
    let (found, summary) = judge_records(&catalog, &stream);
    assert_eq!(kinds_on(&found, "skewed"), ["after_end"], "{found:?}");
    assert_eq!(
        kinds_on(&found, "real"),
        ["after_end", "after_end"],
        "{found:?}"
    );
    assert_eq!(summary.not_checked, 2);
}

/// A line stamped an hour early goes back behind its interaction's time and the stream's: it
/// is the one stamped wrong, so the interaction keeps its time and the 10 s wait after the
/// click is not measured from an hour before (which would claim a `timeout` too). Only the
/// time regression is claimed. Without the stream's time (too few lines to read it) the
/// interaction goes back to the line's time, as when the line before it was stamped late.
#[test]
fn a_line_stamped_an_hour_early_costs_its_time_regression_only() {
    let catalog = catalog(None);
    let hour = 3_600_000;
    let line = zendesk_event;
    let judged = |others: i64| {
        // Other traffic: widgets opened every 100 ms.
        let mut stream: Vec<Value> = (0..others)
            .map(|n| line(&format!("other-{n}"), "messagingOpened", n * 100))
            .collect();
        let t = others * 100;
        stream.extend([
            line("early", "proactiveMessageDisplayed", t),
            line("early", "proactiveMessageClicked", t + 2_000 - hour),
            line("early", "messagingOpened", t + 5_000),
        ]);
        kinds_on(&judge_records(&catalog, &stream).0, "early")
    };
    assert_eq!(judged(1_000), ["time_regression"]);
    assert_eq!(judged(10), ["time_regression", "timeout"]);
}

/// A line of an interaction that cannot be judged (its envelope broken, its event a name the
/// catalog does not know, or the line cut short after its interaction) explains why the next
/// event does not fit, also when it was the interaction's first line, and why the
/// interaction rests where it cannot end when it was its last: one violation.
#[test]
fn a_line_that_cannot_be_judged_explains_the_next_event() {
    let catalog = catalog(None);
    let line =
        |interaction: &str, event: Option<&str>, ts: i64| text(&zendesk(interaction, event, ts));
    let cut = |line: Vec<u8>| line[..line.len() - 8].to_vec();
    let mut stream = Vec::new();
    let events = [
        "proactiveMessageDisplayed",
        "proactiveMessageClicked",
        "messagingOpened",
        "messagingClosed",
    ];
    for lost in 0..events.len() {
        for (how, spoil) in [
            ("no-event", None),
            ("misspelt", Some("messagingOpend")),
            ("cut", Some(events[lost])),
        ] {
            let interaction = format!("{how}-{lost}");
            for (n, event) in events.iter().enumerate() {
                let ts = 1_000 * (n as i64 + 1);
                stream.push(match n == lost {
                    true if how == "cut" => cut(line(&interaction, spoil, ts)),
                    true => line(&interaction, spoil, ts),
                    false => line(&interaction, Some(event), ts),
                });
            }
        }
    }
    // The next event fits: an unknown event does not excuse a later fault.
    let once = [
        "proactiveMessageDisplayed",
        "messagingOpend",
        "proactiveMessageClicked",
    ];
    for (n, event) in once.into_iter().chain(["conversationStarted"]).enumerate() {
        stream.push(line("misspelt-once", Some(event), 1_000 * (n as i64 + 1)));
    }
    for window in [0, WINDOW] {
        let (found, summary) = judge(&catalog, &stream, window);
        let kinds = |interaction: &str| kinds_on(&found, interaction);
        for lost in 0..events.len() {
            let what = (lost, window, &found);
            assert_eq!(
                kinds(&format!("no-event-{lost}")),
                ["bad_envelope"],
                "{what:?}"
            );
            assert_eq!(
                kinds(&format!("misspelt-{lost}")),
                ["unknown_event"],
                "{what:?}"
            );
            assert!(kinds(&format!("cut-{lost}")).is_empty(), "{what:?}");
        }
        assert_eq!(
            kinds("misspelt-once"),
            ["unknown_event", "illegal_transition"],
            "{found:?}"
        );
        assert_eq!(summary.malformed, 4, "{found:?}");
        assert_eq!(summary.violations, 4 * 3 + 2, "{found:?}");
    }
}

/// An event where it is not allowed is taken as a sign that events were lost, and the
/// interaction moves on past them; when the next event fits where it was before instead,
/// the first was a stray, and the interaction goes on from there: one violation, not three.
#[test]
fn a_stray_event_costs_one_violation() {
    let catalog = catalog(None);
    let line = zendesk_event;
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
    let (found, _) = judge_records(&catalog, &stream);
    let count = |interaction: &str| kinds_on(&found, interaction).len();
    assert_eq!(count("stray"), 1, "{found:?}");
    assert_eq!(count("two-faults"), 2, "{found:?}");
}

/// An hour, in milliseconds.
const HOUR: i64 = 3_600_000;

/// Every third interaction of `lifecycle`'s clean stream with its clock `shift` ahead
/// (behind, when negative): on every line of it (`whole`), or on one line of it. Violations
/// by interaction, with and without a reorder window, and the interactions shifted.
fn shifted_clocks(
    catalog: &Catalog,
    lifecycle: &str,
    seed: u64,
    (shift, whole): (i64, bool),
) -> (Vec<BTreeMap<String, Vec<String>>>, Vec<String>) {
    let mut rng = SmallRng::seed_from_u64(seed);
    let mut records = clean_stream(catalog, lifecycle, seed);
    let mut lines_of: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, record) in records.iter().enumerate() {
        lines_of.entry(key(record)).or_default().push(n);
    }
    let mut shifted = Vec::new();
    for (i, (interaction, lines)) in lines_of.iter().enumerate() {
        if i % 3 != 0 {
            continue;
        }
        let chosen = match whole {
            true => lines.clone(),
            false => vec![lines[rng.random_range(0..lines.len())]],
        };
        for n in chosen {
            let ts = records[n]["ts"].as_i64().expect("ts");
            records[n]["ts"] = Value::from(ts + shift);
        }
        shifted.push(interaction.clone());
    }
    let lines: Vec<Vec<u8>> = records.iter().map(text).collect();
    let found = [0, WINDOW].map(|window| judge(catalog, &lines, window).0);
    (found.into(), shifted)
}

#[test]
fn clocks_an_hour_off_cost_the_other_interactions_nothing() {
    // The stream's time (what ends quiet interactions, an hour by default) is not the
    // greatest `ts`: a third of the visitors an hour ahead do not end everyone else's
    // interactions early. Quiet is measured from when an event was judged, by the stream's
    // time, when that is later than its `ts`: a third of the visitors an hour behind do not
    // have their own interactions ended early.
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let catalogs = [
        catalog(None),
        catalog(Some(&fixtures.join("general"))),
        catalog(Some(&fixtures.join("faults"))),
    ];
    let mut wrong = Vec::new();
    let (mut lines_shifted, mut on_them, mut worst) = (0, 0, 0);
    for catalog in &catalogs {
        for (n, lifecycle) in catalog.lifecycles.iter().enumerate() {
            let name = &lifecycle.name;
            // A visitor's clock: every line of the interaction, which stays consistent.
            // Fast or slow.
            for shift in [HOUR, -HOUR] {
                let (found, _) = shifted_clocks(catalog, name, 31 + n as u64, (shift, true));
                for (window, found) in [0, WINDOW].iter().zip(&found) {
                    if !found.is_empty() {
                        wrong.push(format!(
                            "{name}, visitors' clocks {shift} ms off, window {window}: {found:?}"
                        ));
                    }
                }
            }
            // One line stamped an hour late: its interaction may pay for it, no other may.
            let (found, shifted) = shifted_clocks(catalog, name, 31 + n as u64, (HOUR, false));
            lines_shifted += shifted.len();
            for (window, found) in [0, WINDOW].iter().zip(&found) {
                for (interaction, violations) in found {
                    match shifted.contains(interaction) {
                        true => {
                            on_them += violations.len();
                            worst = worst.max(violations.len());
                        }
                        false => wrong.push(format!(
                            "{name}, one line, window {window}: untouched {interaction}: \
                             {violations:?}"
                        )),
                    }
                }
            }
        }
    }
    eprintln!(
        "one line an hour fast: {lines_shifted} lines, {on_them} violations on their \
         interactions (two windows), at most {worst} on one"
    );
    assert!(lines_shifted > 100, "{lines_shifted}");
    // Its own interaction pays a few at most (the next event's time regression, a quiet end
    // or a timeout its `ts` brought), not a violation for each event after it.
    assert!(worst <= 4, "{worst}");
    assert!(
        wrong.is_empty(),
        "{} wrong verdicts:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}
