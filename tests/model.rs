//! Model-based tests: random lifecycles and random event streams run through the compiled
//! interpreter and through a deliberately naive reference interpreter written here (strings
//! and maps, no compilation). Verdicts, metadata blocks and counts must be equal. Also: the
//! interleaving of interactions never changes any interaction's verdicts, and any bytes at
//! all are counted exactly once.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;

use plotline::compile::Catalog;
use plotline::config::load;
use plotline::diagnostic::SourceText;
use plotline::engine::stream::{self, Input};
use plotline::engine::{parallel, Interpreter, Limits, Place, Summary, Violation};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// A random lifecycle: a chain of open states from `idle` to `end`, extra transitions and
/// wildcards, one timestamp field per event, a counter and an assertion.
#[derive(Debug, Clone)]
struct Machine {
    events: Vec<String>,
    /// Open states (`idle` is the initial state, `end` the final one).
    states: Vec<String>,
    /// `(from, on, to)`; `from` may be `*`, `to` may be absent (stay).
    transitions: Vec<(String, String, Option<String>)>,
}

fn machine() -> impl Strategy<Value = Machine> {
    (2usize..=5, 1usize..=4)
        .prop_flat_map(|(events, states)| {
            let extras = prop::collection::vec((0..states + 1, 0..events, 0..states + 2), 0..6);
            let wildcards = prop::collection::vec((0..events, prop::bool::ANY), 0..2);
            (Just(events), Just(states), extras, wildcards)
        })
        .prop_map(|(events, states, extras, wildcards)| {
            let event = |i: usize| format!("e{i}");
            let open = |i: usize| format!("s{i}");
            let mut cells: BTreeMap<(String, String), Option<String>> = BTreeMap::new();
            // The chain: idle -e0-> s0 -e1-> s1 ... -> end, so every state is reachable
            // and can finish.
            let mut from = "idle".to_owned();
            for i in 0..states {
                cells.insert((from, event(i % events)), Some(open(i)));
                from = open(i);
            }
            cells.insert((from, event(states % events)), Some("end".to_owned()));
            // Extra transitions where the cell is free; state index `states` means idle and
            // target index `states` means end, `states + 1` means stay.
            for (from, on, to) in extras {
                let from = if from == states {
                    "idle".to_owned()
                } else {
                    open(from)
                };
                let to = match to {
                    t if t < states => Some(open(t)),
                    t if t == states => Some("end".to_owned()),
                    _ if from == "idle" => continue,
                    _ => None,
                };
                cells.entry((from, event(on))).or_insert(to);
            }
            let mut transitions: Vec<(String, String, Option<String>)> = cells
                .into_iter()
                .map(|((from, on), to)| (from, on, to))
                .collect();
            let mut wildcard_events = HashSet::new();
            for (on, to_end) in wildcards {
                if wildcard_events.insert(on) {
                    transitions.push(("*".into(), event(on), to_end.then(|| "end".into())));
                }
            }
            // Every event used.
            for i in 0..events {
                if !transitions.iter().any(|(_, on, _)| *on == event(i)) {
                    transitions.push(("*".into(), event(i), None));
                }
            }
            Machine {
                events: (0..events).map(event).collect(),
                states: (0..states).map(open).collect(),
                transitions,
            }
        })
}

impl Machine {
    fn yaml(&self) -> String {
        let mut y = String::from("name: m\ndescription: random\nversions: [{name: \"1.0\"}]\n");
        y.push_str("events:\n");
        for e in &self.events {
            y.push_str(&format!("  {e}:\n"));
        }
        y.push_str("states:\n");
        for s in &self.states {
            y.push_str(&format!("  {s}:\n"));
        }
        y.push_str("  end: {final: true}\ntransitions:\n");
        for (from, on, to) in &self.transitions {
            let from = if from == "*" { "\"*\"" } else { from };
            match to {
                Some(to) => y.push_str(&format!("  - {{from: {from}, on: {on}, to: {to}}}\n")),
                None => y.push_str(&format!("  - {{from: {from}, on: {on}}}\n")),
            }
        }
        y.push_str("metadata:\n");
        for e in &self.events {
            y.push_str(&format!("  at_{e}: {{type: timestamp}}\n"));
        }
        y.push_str("  n: {type: integer, default: 0}\nrules:\n");
        y.push_str("  - {on: e1, assert: \"ts - (meta.at_e0 ?? ts) < 5000\", message: slow}\n");
        for e in &self.events {
            y.push_str(&format!("  - {{on: {e}, set: {{at_{e}: ts}}}}\n"));
        }
        y.push_str("  - {on: \"*\", set: {n: meta.n + 1}}\n");
        y
    }

    fn compile(&self) -> Catalog {
        let source = SourceText {
            name: "m.yaml".into(),
            text: self.yaml(),
        };
        let file = load::parse(source).expect("a random machine parses");
        let (catalog, diagnostics) = plotline::compile::compile(&[file]);
        catalog.unwrap_or_else(|| panic!("{}\n{diagnostics:?}", self.yaml()))
    }

    /// The next state by the written transitions: an explicit one wins over `*`, which
    /// covers every open state but not `idle`.
    fn next(&self, state: &str, event: &str) -> Option<String> {
        let step = |(_, _, to): &(String, String, Option<String>)| {
            to.clone().unwrap_or_else(|| state.to_owned())
        };
        let explicit = self
            .transitions
            .iter()
            .find(|(from, on, _)| from == state && on == event);
        let wildcard = self
            .transitions
            .iter()
            .find(|(from, on, _)| from == "*" && on == event && state != "idle");
        explicit.or(wildcard).map(step)
    }

    /// Where an illegal event leads: its target when all its transitions with a target
    /// agree on one.
    fn resync(&self, event: &str) -> Option<String> {
        let mut targets: Vec<&String> = self
            .transitions
            .iter()
            .filter(|(_, on, _)| on == event)
            .filter_map(|(_, _, to)| to.as_ref())
            .collect();
        targets.dedup();
        targets.sort();
        targets.dedup();
        match targets.as_slice() {
            [only] => Some((*only).clone()),
            _ => None,
        }
    }
}

/// One event line: interaction, event, ts.
type Line = (usize, String, i64);

/// What one line produced: violation kinds, and the metadata block when it reached an
/// interaction.
type Verdict = (Vec<String>, Option<Value>);

/// Each interaction's events (index into the machine's events, or past them: unknown) and
/// time steps.
type Interactions = Vec<Vec<(usize, i64)>>;

#[derive(Default)]
struct Open {
    state: String,
    last_ts: i64,
    meta: HashMap<String, i64>,
    violations: u32,
}

/// The naive reference: what each line should produce (kinds, and the metadata block when
/// the event reached an interaction), and the interactions left open at the end.
fn reference(m: &Machine, lines: &[Line]) -> (Vec<Verdict>, Vec<String>) {
    let mut open: BTreeMap<String, Open> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut finished: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (who, event, ts) in lines {
        let key = format!("i{who}");
        let mut kinds = Vec::new();
        if !m.events.contains(event) {
            if let Some(o) = open.get_mut(&key) {
                o.violations += 1;
            }
            out.push((vec!["unknown_event".to_owned()], None));
            continue;
        }
        if !open.contains_key(&key) && finished.contains(&key) {
            out.push((vec!["after_end".to_owned()], None));
            continue;
        }
        if !open.contains_key(&key) {
            order.push(key.clone());
        }
        let o = open.entry(key.clone()).or_insert_with(|| Open {
            state: "idle".into(),
            last_ts: *ts,
            ..Open::default()
        });
        if *ts < o.last_ts {
            kinds.push("time_regression".to_owned());
        }
        o.last_ts = *ts;
        match m.next(&o.state, event) {
            Some(next) => o.state = next,
            None => {
                kinds.push("illegal_transition".to_owned());
                if let Some(target) = m.resync(event) {
                    o.state = target;
                }
            }
        }
        if event == "e1" {
            let started = o.meta.get("at_e0").copied().unwrap_or(*ts);
            if ts.checked_sub(started).is_none_or(|gap| gap >= 5000) {
                kinds.push("rule_violation".to_owned());
            }
        }
        o.meta.insert(format!("at_{event}"), *ts);
        let n = o.meta.get("n").copied().unwrap_or(0);
        o.meta.insert("n".into(), n + 1);
        o.violations += kinds.len() as u32;
        let mut block = Map::new();
        for e in &m.events {
            let field = format!("at_{e}");
            block.insert(
                field.clone(),
                o.meta.get(&field).map_or(false.into(), |t| (*t).into()),
            );
        }
        block.insert("n".into(), o.meta.get("n").copied().unwrap_or(0).into());
        if o.state == "end" {
            open.remove(&key);
            finished.insert(key);
        }
        out.push((kinds, Some(Value::Object(block))));
    }
    let left = order.into_iter().filter(|k| open.contains_key(k)).collect();
    (out, left)
}

fn text(lines: &[Line]) -> Vec<String> {
    lines
        .iter()
        .map(|(who, event, ts)| {
            format!(r#"{{"lifecycle":"m","interaction":"i{who}","event":"{event}","ts":{ts}}}"#)
        })
        .collect()
}

/// Random interactions (each a list of events with time steps), interleaved by `picks`.
fn streams() -> impl Strategy<Value = (Machine, Interactions, Vec<usize>)> {
    machine().prop_flat_map(|m| {
        let events = m.events.len();
        // Event index `events` is an unknown event; steps are mostly forward.
        let step = (
            0..=events,
            prop_oneof![8 => 0i64..3000, 1 => -2000i64..0, 1 => 4000i64..9000],
        );
        let interaction = prop::collection::vec(step, 1..10);
        let interactions = prop::collection::vec(interaction, 1..6);
        (Just(m), interactions, prop::collection::vec(0usize..6, 60))
    })
}

fn interleave(m: &Machine, interactions: &Interactions, picks: &[usize]) -> Vec<Line> {
    let mut next = vec![0usize; interactions.len()];
    let mut ts = vec![1_000_000i64; interactions.len()];
    let mut lines = Vec::new();
    let name = |e: usize| m.events.get(e).cloned().unwrap_or_else(|| "nope".into());
    let mut take = |who: usize, lines: &mut Vec<Line>| {
        if let Some(&(event, step)) = interactions[who].get(next[who]) {
            next[who] += 1;
            ts[who] += step;
            lines.push((who, name(event), ts[who]));
        }
    };
    for pick in picks {
        take(pick % interactions.len(), &mut lines);
    }
    for (who, events) in interactions.iter().enumerate() {
        for _ in events {
            take(who, &mut lines);
        }
    }
    lines
}

/// The interpreter's per-line verdicts and blocks, and its end-of-stream report.
fn interpret(catalog: &Catalog, lines: &[String]) -> (Vec<Verdict>, Vec<Violation>, Summary) {
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    let mut out = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        let mut kinds = Vec::new();
        let place = Place {
            file_index: 0,
            file: "s",
            line: i as u64 + 1,
        };
        let step = interpreter.line(place, line.as_bytes(), true, &mut |v: Violation| {
            kinds.push(v.kind.name().to_owned());
        });
        out.push((kinds, step.map(|step| Value::Object(step.metadata))));
    }
    let mut end = Vec::new();
    let summary = interpreter.finish(false, &mut |v| end.push(v));
    (out, end, summary)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

    #[test]
    fn interpreter_agrees_with_the_naive_reference((m, interactions, picks) in streams()) {
        let catalog = m.compile();
        let lines = interleave(&m, &interactions, &picks);
        let (expected, left) = reference(&m, &lines);
        let (got, end, summary) = interpret(&catalog, &text(&lines));
        for (i, (want, have)) in expected.iter().zip(&got).enumerate() {
            let mut want_kinds = want.0.clone();
            let mut have_kinds = have.0.clone();
            want_kinds.sort();
            have_kinds.sort();
            prop_assert_eq!(&want_kinds, &have_kinds, "line {}: {:?}\n{}", i + 1, lines[i], m.yaml());
            prop_assert_eq!(&want.1, &have.1, "line {} metadata", i + 1);
        }
        let reported: Vec<String> = end.iter().filter_map(|v| v.interaction.clone()).collect();
        prop_assert_eq!(&reported, &left);
        let counted: u64 = expected.iter().map(|(kinds, _)| kinds.len() as u64).sum();
        prop_assert_eq!(summary.violations, counted + left.len() as u64);
        prop_assert_eq!(summary.events, lines.len() as u64);
    }

    #[test]
    fn interleaving_never_changes_an_interactions_verdicts(
        (m, interactions, picks) in streams(),
        other in prop::collection::vec(0usize..6, 60),
    ) {
        let catalog = m.compile();
        let verdicts = |picks: &[usize]| {
            let lines = interleave(&m, &interactions, picks);
            let (got, end, _) = interpret(&catalog, &text(&lines));
            let mut by_interaction: BTreeMap<usize, Vec<Verdict>> = BTreeMap::new();
            for ((who, _, _), verdict) in lines.iter().zip(got) {
                by_interaction.entry(*who).or_default().push(verdict);
            }
            let mut left: Vec<Option<String>> = end.into_iter().map(|v| v.interaction).collect();
            left.sort();
            (by_interaction, left)
        };
        prop_assert_eq!(verdicts(&picks), verdicts(&other));
    }

    #[test]
    fn any_bytes_are_counted_exactly_once(
        pieces in prop::collection::vec(prop_oneof![
            Just(b"\n".to_vec()),
            Just(b"\r\n".to_vec()),
            Just(b"   ".to_vec()),
            Just(br#"{"lifecycle":"callback","interaction":"a","event":"ready","ts":1}"#.to_vec()),
            Just(b"{".to_vec()),
            Just(b"\xEF\xBB\xBF".to_vec()),
            prop::collection::vec(any::<u8>(), 0..40),
        ], 0..40),
        max_line in 1usize..200,
    ) {
        let bytes = pieces.concat();
        let (files, _) = load::load_builtin();
        let catalog = plotline::compile::compile(&files).0.expect("built-in catalog");
        let input = || Input {
            name: "-".into(),
            size: None,
            reader: Box::new(Cursor::new(bytes.clone())),
        };
        let limits = Limits { max_line_bytes: max_line, ..Limits::default() };
        let mut interpreter = Interpreter::new(&catalog, limits);
        stream::run(&mut interpreter, vec![input()], max_line, None, &mut |_| {}).expect("in memory");
        let single = interpreter.finish(true, &mut |_| {});
        // A byte-order mark at the very start is not part of any line.
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        let newlines = body.iter().filter(|&&b| b == b'\n').count() as u64;
        let expected_lines = newlines + u64::from(!body.is_empty() && body.last() != Some(&b'\n'));
        prop_assert_eq!(single.lines, expected_lines);
        prop_assert_eq!(single.lines, single.blank + single.events + single.malformed);
        let options = parallel::Options { jobs: 3, limits, allow_incomplete: true };
        let sharded = parallel::validate(&catalog, vec![input()], options, &mut |_| {}, &mut |_, _| {})
            .expect("in memory");
        prop_assert_eq!(single, sharded);
    }
}
