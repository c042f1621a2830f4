//! Model-based tests: random lifecycles (with guarded transitions, timeouts, idle among them, and states that
//! may end) and random event streams run through the compiled interpreter and through a
//! deliberately naive reference interpreter written here (strings and maps, no compilation). Verdicts, metadata blocks and counts must be equal. Also: the
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
/// wildcards, transitions guarded by the counter's parity (written before the others, so
/// they are tried first), timeouts to later states or reporting, states that may end, one
/// timestamp field per event, a counter and an assertion.
#[derive(Debug, Clone)]
struct Machine {
    events: Vec<String>,
    /// Open states (`idle` is the initial state, `end` the final one).
    states: Vec<String>,
    /// `(from, on, to)`; `from` may be `*`, `to` may be absent (stay).
    transitions: Vec<(String, String, Option<String>)>,
    /// `(from, on, to)` taken only when `meta.n` is even.
    guarded: Vec<(String, String, String)>,
    /// Per open state: its timeout (milliseconds, the state it goes to, whether it reports).
    timeouts: Vec<Option<(i64, Option<String>, bool)>>,
    /// Per open state: whether an interaction may end there.
    may_end: Vec<bool>,
    /// Per open state: whether its timeout (if any) is idle, restarted by every event.
    idle: Vec<bool>,
}

/// The guard of guarded transitions.
const GUARD: &str = "meta.n % 2 == 0";

fn machine() -> impl Strategy<Value = Machine> {
    (2usize..=5, 1usize..=4)
        .prop_flat_map(|(events, states)| {
            let extras = prop::collection::vec((0..states + 1, 0..events, 0..states + 2), 0..6);
            let wildcards = prop::collection::vec((0..events, prop::bool::ANY), 0..2);
            let guarded = prop::collection::vec((0..states + 1, 0..events, 0..states + 1), 0..3);
            let timeout = prop::option::weighted(
                0.4,
                (
                    prop_oneof![Just(1500i64), Just(4000), Just(20_000)],
                    0..states + 2,
                    prop::bool::ANY,
                ),
            );
            let timeouts = prop::collection::vec(timeout, states);
            let may_end = prop::collection::vec(prop::bool::weighted(0.3), states);
            let idle = prop::collection::vec(prop::bool::weighted(0.4), states);
            (
                (Just(events), Just(states), extras, wildcards),
                (guarded, timeouts, may_end, idle),
            )
        })
        .prop_map(
            |((events, states, extras, wildcards), (guarded, timeouts, may_end, idle))| {
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
                let guarded = guarded
                    .into_iter()
                    .map(|(from, on, to)| {
                        let from = if from == states {
                            "idle".to_owned()
                        } else {
                            open(from)
                        };
                        let to = if to == states {
                            "end".to_owned()
                        } else {
                            open(to)
                        };
                        (from, event(on), to)
                    })
                    .collect();
                // A timeout goes to a later state or `end` (so timeouts form no cycle), or stays
                // and reports.
                let timeouts = timeouts
                    .into_iter()
                    .enumerate()
                    .map(|(i, timeout)| {
                        let (after, to, reports) = timeout?;
                        let to = match to {
                            t if t > i && t < states => Some(open(t)),
                            t if t == states => Some("end".to_owned()),
                            _ => None,
                        };
                        Some((after, to.clone(), reports || to.is_none()))
                    })
                    .collect();
                Machine {
                    events: (0..events).map(event).collect(),
                    states: (0..states).map(open).collect(),
                    transitions,
                    guarded,
                    timeouts,
                    may_end,
                    idle,
                }
            },
        )
}

impl Machine {
    fn yaml(&self) -> String {
        let mut y = String::from("name: m\ndescription: random\nversions: [{name: \"1.0\"}]\n");
        y.push_str("events:\n");
        for e in &self.events {
            y.push_str(&format!("  {e}:\n"));
        }
        y.push_str("states:\n");
        for (i, s) in self.states.iter().enumerate() {
            y.push_str(&format!("  {s}: {{may_end: {}", self.may_end[i]));
            if let Some((after, to, reports)) = &self.timeouts[i] {
                y.push_str(&format!(", timeout: {{after: {after}"));
                if let Some(to) = to {
                    y.push_str(&format!(", to: {to}"));
                }
                if *reports {
                    y.push_str(", violation: late");
                }
                if self.idle[i] {
                    y.push_str(", idle: true");
                }
                y.push('}');
            }
            y.push_str("}\n");
        }
        y.push_str("  end: {final: true}\ntransitions:\n");
        for (from, on, to) in &self.guarded {
            y.push_str(&format!(
                "  - {{from: {from}, on: {on}, to: {to}, when: \"{GUARD}\"}}\n"
            ));
        }
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

    /// What `event` does in `state` by the written transitions, `n` the counter before the
    /// event (`None`: unknown): the guarded ones first when `n` is even (the first of them,
    /// unsure, when `n` is unknown), then the others; explicit ones win over `*`, which
    /// covers every open state but not `idle`.
    fn decide(&self, state: &str, event: &str, n: Option<i64>) -> Decision {
        let step = |(_, _, to): &(String, String, Option<String>)| {
            to.clone().unwrap_or_else(|| state.to_owned())
        };
        let explicit = self
            .transitions
            .iter()
            .find(|(from, on, _)| from == state && on == event);
        let first_guarded = self
            .guarded
            .iter()
            .find(|(from, on, _)| from == state && on == event);
        if let Some((_, _, to)) = first_guarded {
            return match n {
                None => Decision::To(to.clone(), true),
                Some(n) if n % 2 == 0 => Decision::To(to.clone(), false),
                // Explicit transitions of the cell come after the guarded ones; `*` is
                // overridden.
                _ => explicit.map_or(Decision::Illegal(true), |t| Decision::To(step(t), false)),
            };
        }
        let wildcard = self
            .transitions
            .iter()
            .find(|(from, on, _)| from == "*" && on == event && state != "idle" && state != "end");
        explicit
            .or(wildcard)
            .map_or(Decision::Illegal(false), |t| Decision::To(step(t), false))
    }

    /// Where `event` leads from `state` when no guard decides it.
    fn unguarded(&self, state: &str, event: &str) -> Option<String> {
        let guarded = (self.guarded.iter()).any(|(from, on, _)| from == state && on == event);
        match self.decide(state, event, Some(0)) {
            Decision::To(next, _) if !guarded => Some(next),
            _ => None,
        }
    }

    /// Every state `event` may lead to from `state`, under any guard.
    fn targets(&self, state: &str, event: &str) -> Vec<String> {
        let mut targets: Vec<String> = (self.guarded.iter())
            .filter(|(from, on, _)| from == state && on == event)
            .map(|(_, _, to)| to.clone())
            .collect();
        for n in [Some(1), Some(0)] {
            if let Decision::To(to, _) = self.decide(state, event, n) {
                targets.push(to);
            }
        }
        targets
    }

    /// Every state in the compiled order: `idle`, the open states, `end`.
    fn all_states(&self) -> Vec<String> {
        let open = self.states.iter().cloned();
        std::iter::once("idle".to_owned())
            .chain(open)
            .chain(std::iter::once("end".to_owned()))
            .collect()
    }

    /// Every edge: from, the event that takes it (`None`: a timeout), to.
    fn edges(&self) -> Vec<(String, Option<String>, String)> {
        let mut edges = Vec::new();
        for state in self.all_states() {
            for event in &self.events {
                for to in self.targets(&state, event) {
                    edges.push((state.clone(), Some(event.clone()), to));
                }
            }
            if let Some((_, Some(to), _)) =
                self.index(&state).and_then(|i| self.timeouts[i].clone())
            {
                edges.push((state.clone(), None, to));
            }
        }
        edges
    }

    fn allows(&self, state: &str, event: &str) -> bool {
        self.decide(state, event, Some(0)) != Decision::Illegal(false)
    }

    /// The nearest state ahead of `from` that allows `event` (fewest steps, then state order).
    fn nearest_allowing(&self, from: &str, event: &str) -> Option<String> {
        let order = self.all_states();
        let edges = self.edges();
        let mut seen: HashSet<String> = HashSet::from([from.to_owned()]);
        let mut frontier = vec![from.to_owned()];
        while !frontier.is_empty() {
            let mut next: Vec<String> = Vec::new();
            for (a, _, b) in &edges {
                if frontier.contains(a) && seen.insert(b.clone()) {
                    next.push(b.clone());
                }
            }
            next.sort_by_key(|s| order.iter().position(|o| o == s));
            if let Some(found) = next.iter().find(|s| self.allows(s, event)) {
                return Some(found.clone());
            }
            frontier = next;
        }
        None
    }

    /// Where an illegal event leads (resync): from the nearest state ahead that allows it,
    /// as it would go there (the first guarded target when no guard holds); when none does,
    /// or only its guards failed, its one target when all its transitions agree on one.
    fn resync_target(
        &self,
        from: &str,
        event: &str,
        guards_failed: bool,
        n: Option<i64>,
    ) -> Option<String> {
        if !guards_failed {
            if let Some(state) = self.nearest_allowing(from, event) {
                return match self.decide(&state, event, n) {
                    Decision::To(to, _) => Some(to),
                    Decision::Illegal(_) => (self.guarded.iter())
                        .find(|(f, on, _)| *f == state && on == event)
                        .map(|(_, _, to)| to.clone()),
                };
            }
        }
        self.resync(event)
    }

    /// The event's one target, when all its transitions with a target agree on one.
    fn resync(&self, event: &str) -> Option<String> {
        let guarded = self.guarded.iter().filter(|(_, on, _)| on == event);
        let mut targets: Vec<&String> = self
            .transitions
            .iter()
            .filter(|(_, on, _)| on == event)
            .filter_map(|(_, _, to)| to.as_ref())
            .chain(guarded.map(|(_, _, to)| to))
            .collect();
        targets.sort();
        targets.dedup();
        match targets.as_slice() {
            [only] => Some((*only).clone()),
            _ => None,
        }
    }

    /// The fields the events lost between `from` and a state that allows `event` would set.
    fn lost_fields(&self, from: &str, event: &str) -> HashSet<String> {
        let mut lost = HashSet::new();
        if self.allows(from, event) {
            return lost;
        }
        let edges = self.edges();
        let mut ahead: HashSet<String> = HashSet::from([from.to_owned()]);
        let mut leads: HashSet<String> = (self.all_states().into_iter())
            .filter(|s| self.allows(s, event))
            .collect();
        loop {
            let before = (ahead.len(), leads.len());
            for (a, _, b) in &edges {
                if ahead.contains(a) {
                    ahead.insert(b.clone());
                }
                if leads.contains(b) {
                    leads.insert(a.clone());
                }
            }
            if before == (ahead.len(), leads.len()) {
                break;
            }
        }
        for (a, on, b) in &edges {
            match on {
                Some(on) if on != event && ahead.contains(a) && leads.contains(b) => {
                    lost.insert(format!("at_{on}"));
                    lost.insert("n".to_owned());
                }
                _ => {}
            }
        }
        lost
    }

    fn index(&self, state: &str) -> Option<usize> {
        self.states.iter().position(|s| s == state)
    }

    /// Fires the timeouts of `o`'s states whose deadlines lie before `now`: the kinds found.
    fn expire(&self, o: &mut Open, now: i64) -> Vec<String> {
        let mut kinds = Vec::new();
        while let Some((after, to, reports)) =
            self.index(&o.state).and_then(|i| self.timeouts[i].clone())
        {
            let Some(entered) = o.entered else {
                break;
            };
            if entered + after >= now {
                break;
            }
            if reports {
                kinds.push("timeout".to_owned());
            }
            match to {
                Some(to) => {
                    o.state = to;
                    o.entered = Some(entered + after);
                }
                None => {
                    o.entered = None;
                    break;
                }
            }
        }
        kinds
    }

    /// Whether an interaction may end in `state`.
    fn may_end(&self, state: &str) -> bool {
        state == "end" || self.index(state).is_some_and(|i| self.may_end[i])
    }
}

/// What an event does in a state.
#[derive(Debug, PartialEq)]
enum Decision {
    /// It goes there (unsure: a guard's value was unknown).
    To(String, bool),
    /// It is not allowed (whether it is, but no guard held).
    Illegal(bool),
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
    /// When it entered its state; `None` once a timeout that stays has fired.
    entered: Option<i64>,
    /// Fields set (`None`: unknown).
    meta: HashMap<String, Option<i64>>,
    violations: u32,
    /// Whether a guard whose value was unknown chose its state.
    unsure: bool,
    /// The state its latest event resynchronized it from.
    jumped_from: Option<String>,
}

/// The naive reference: what each line should produce (kinds, and the metadata block when
/// the event reached an interaction), what the end of the stream reports (interaction
/// and kind, in the order the interactions began), and how many guards were not checked.
fn reference(m: &Machine, lines: &[Line]) -> (Vec<Verdict>, Vec<(String, String)>, u64) {
    let mut not_checked = 0;
    let mut open: BTreeMap<String, Open> = BTreeMap::new();
    let mut order: Vec<String> = Vec::new();
    let mut finished: HashSet<String> = HashSet::new();
    // Interactions a timeout ended at an event: when it fell due.
    let mut ended_by_timeout: HashMap<String, i64> = HashMap::new();
    // Interactions not begun that had an unknown event: they begin unsure.
    let mut lost: HashSet<String> = HashSet::new();
    let mut out = Vec::new();
    for (who, event, ts) in lines {
        let key = format!("i{who}");
        let mut kinds = Vec::new();
        if !m.events.contains(event) {
            // Maybe a step under another name: the next event may not fit without it.
            match open.get_mut(&key) {
                Some(o) => {
                    o.violations += 1;
                    o.unsure = true;
                }
                None if !finished.contains(&key) => {
                    lost.insert(key.clone());
                }
                None => {}
            }
            out.push((vec!["unknown_event".to_owned()], None));
            continue;
        }
        if !open.contains_key(&key) && finished.contains(&key) {
            // Stamped before the timeout that ended it fell due: not claimed.
            if ended_by_timeout.get(&key).is_some_and(|due| ts < due) {
                not_checked += 1;
                out.push((Vec::new(), None));
                continue;
            }
            out.push((vec!["after_end".to_owned()], None));
            continue;
        }
        if !open.contains_key(&key) {
            order.push(key.clone());
        }
        let o = open.entry(key.clone()).or_insert_with(|| Open {
            state: "idle".into(),
            last_ts: *ts,
            entered: Some(*ts),
            unsure: lost.contains(&key),
            ..Open::default()
        });
        let arrived_in = o.state.clone();
        kinds.extend(m.expire(o, *ts));
        // Timeouts that reported the wait in the state the event found (the first kinds).
        let waits = if o.state == arrived_in {
            kinds.len()
        } else {
            0
        };
        if o.state == "end" {
            kinds.push("after_end".to_owned());
            ended_by_timeout.insert(key.clone(), o.entered.unwrap_or(i64::MIN));
            open.remove(&key);
            finished.insert(key);
            out.push((kinds, None));
            continue;
        }
        if *ts < o.last_ts {
            kinds.push("time_regression".to_owned());
        }
        o.last_ts = *ts;
        let n = o.meta.get("n").copied().unwrap_or(Some(0));
        let decision = m.decide(&o.state, event, n);
        let was_unsure = std::mem::replace(&mut o.unsure, decision_is_unsure(&decision));
        let jumped_from = o.jumped_from.take();
        // Not allowed here but (unguarded) where the event before jumped from: a stray.
        let back = match &decision {
            Decision::Illegal(_) => jumped_from.and_then(|from| m.unguarded(&from, event)),
            Decision::To(..) => None,
        };
        if let Some(back) = back {
            if back != o.state {
                o.entered = Some(*ts);
            }
            o.state = back;
        } else {
            match decision {
                Decision::To(next, unsure) => {
                    not_checked += u64::from(unsure);
                    // Keeping the state does not show where the interaction is.
                    o.unsure |= was_unsure && next == o.state;
                    if next != o.state {
                        o.entered = Some(*ts);
                    }
                    o.state = next;
                }
                Decision::Illegal(guards_failed) => {
                    // After a guess, the event tells where the interaction is: no violation.
                    if !was_unsure {
                        kinds.push("illegal_transition".to_owned());
                    }
                    if let Some(next) = m.resync_target(&o.state, event, guards_failed, n) {
                        if next != o.state {
                            for field in m.lost_fields(&o.state, event) {
                                o.meta.insert(field, None);
                            }
                            o.entered = Some(*ts);
                            // The lost events may have left the state before its wait ran out.
                            kinds.drain(..waits);
                            not_checked += waits as u64;
                            o.jumped_from = Some(o.state.clone());
                        }
                        o.state = next;
                    }
                }
            }
        }
        if event == "e1" {
            // `meta.at_e0 ?? ts`: unset or unknown, `ts`.
            let started = o.meta.get("at_e0").copied().flatten().unwrap_or(*ts);
            if ts.checked_sub(started).is_none_or(|gap| gap >= 5000) {
                kinds.push("rule_violation".to_owned());
            }
        }
        o.meta.insert(format!("at_{event}"), Some(*ts));
        let n = o.meta.get("n").copied().unwrap_or(Some(0));
        o.meta.insert("n".into(), n.map(|n| n + 1));
        o.violations += kinds.len() as u32;
        // An idle timeout counts from the latest event.
        if m.index(&o.state)
            .is_some_and(|i| m.idle[i] && m.timeouts[i].is_some())
        {
            o.entered = Some(*ts);
        }
        let shown = |value: Option<&Option<i64>>, unset: Value| match value {
            None => unset,
            Some(None) => Value::Null,
            Some(Some(t)) => (*t).into(),
        };
        let mut block = Map::new();
        for e in &m.events {
            let field = format!("at_{e}");
            block.insert(field.clone(), shown(o.meta.get(&field), false.into()));
        }
        block.insert("n".into(), shown(o.meta.get("n"), 0.into()));
        if o.state == "end" {
            open.remove(&key);
            finished.insert(key);
        }
        out.push((kinds, Some(Value::Object(block))));
    }
    // The end: timeouts before the stream's latest timestamp, then `incomplete`.
    let latest = lines.iter().map(|(_, _, ts)| *ts).max().unwrap_or(i64::MIN);
    let mut end = Vec::new();
    for key in order {
        let Some(o) = open.get_mut(&key) else {
            continue;
        };
        for kind in m.expire(o, latest) {
            end.push((key.clone(), kind));
        }
        // A timeout that stays reports the wait: the interaction is not also incomplete.
        let reported_wait = o.entered.is_none();
        if !reported_wait && !m.may_end(&o.state) {
            // Resting where a guess put it: whether it ended is not claimed.
            if o.unsure {
                not_checked += 1;
            } else {
                end.push((key.clone(), "incomplete".to_owned()));
            }
        }
    }
    (out, end, not_checked)
}

fn decision_is_unsure(decision: &Decision) -> bool {
    matches!(decision, Decision::To(_, true))
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
            prop_oneof![
                8 => 0i64..3000,
                1 => -2000i64..0,
                1 => 4000i64..9000,
                // Exactly on and just past the timeouts' lengths.
                1 => prop::sample::select(vec![1500i64, 1501, 4000, 4001]),
            ],
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
        out.push((
            kinds,
            step.map(|step| serde_json::from_str(&step.metadata).expect("JSON")),
        ));
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
        let (expected, at_end, not_checked) = reference(&m, &lines);
        let (got, end, summary) = interpret(&catalog, &text(&lines));
        for (i, (want, have)) in expected.iter().zip(&got).enumerate() {
            let mut want_kinds = want.0.clone();
            let mut have_kinds = have.0.clone();
            want_kinds.sort();
            have_kinds.sort();
            prop_assert_eq!(&want_kinds, &have_kinds, "line {}: {:?}\n{}", i + 1, lines[i], m.yaml());
            prop_assert_eq!(&want.1, &have.1, "line {} metadata", i + 1);
        }
        let reported: Vec<(String, String)> = end
            .iter()
            .map(|v| (v.interaction.clone().unwrap_or_default(), v.kind.name().to_owned()))
            .collect();
        prop_assert_eq!(&reported, &at_end, "{}", m.yaml());
        let counted: u64 = expected.iter().map(|(kinds, _)| kinds.len() as u64).sum();
        prop_assert_eq!(summary.violations, counted + at_end.len() as u64);
        prop_assert_eq!(summary.events, lines.len() as u64);
        prop_assert_eq!(summary.not_checked, not_checked);
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
        let options = parallel::Options { jobs: 3, limits, allow_incomplete: true, reorder_window: 0 };
        let sharded = parallel::validate(&catalog, vec![input()], options, &mut |_| {}, &mut |_, _| {})
            .expect("in memory");
        prop_assert_eq!(single, sharded);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    /// With a window wider than the stream, every interaction's events are judged in `ts`
    /// order: the violations are the reference's over the stream sorted by `ts`. With a
    /// narrower one, `-j 3` reports exactly what one thread reports.
    #[test]
    fn a_reorder_window_judges_in_ts_order_and_the_same_on_every_shard_count(
        (m, interactions, picks) in streams(),
        window in prop_oneof![Just(500i64), Just(2500), Just(6000)],
    ) {
        let catalog = m.compile();
        let lines = interleave(&m, &interactions, &picks);
        let texts = text(&lines);
        let run = |jobs: usize, window: i64| {
            let input = Input {
                name: "s".into(),
                size: None,
                reader: Box::new(Cursor::new(texts.join("\n").into_bytes())),
            };
            let options = parallel::Options {
                jobs,
                limits: Limits::default(),
                allow_incomplete: false,
                reorder_window: window,
            };
            let mut found = Vec::new();
            let summary = parallel::validate(&catalog, vec![input], options, &mut |v| found.push(v), &mut |_, _| {})
                .expect("in memory");
            (found, summary)
        };
        let (sorted_found, sorted_summary) = run(1, 1 << 50);
        // The reference over the stream sorted by `ts` (ties in arrival order).
        let mut order: Vec<usize> = (0..lines.len()).collect();
        order.sort_by_key(|&i| (lines[i].2, i));
        let sorted: Vec<Line> = order.iter().map(|&i| lines[i].clone()).collect();
        let (expected, at_end, _) = reference(&m, &sorted);
        let mut want: Vec<(u64, String)> = Vec::new();
        for (k, (kinds, _)) in expected.iter().enumerate() {
            want.extend(kinds.iter().map(|kind| (order[k] as u64 + 1, kind.clone())));
        }
        // The end's violations come last (in the order the interactions began).
        let (during, end) = sorted_found.split_at(sorted_found.len().saturating_sub(at_end.len()));
        let mut got: Vec<(u64, String)> =
            during.iter().map(|v| (v.line, v.kind.name().to_owned())).collect();
        let mut got_end: Vec<(String, String)> = (end.iter())
            .map(|v| (v.interaction.clone().unwrap_or_default(), v.kind.name().to_owned()))
            .collect();
        want.sort();
        got.sort();
        let mut want_end = at_end.clone();
        want_end.sort();
        got_end.sort();
        prop_assert_eq!(got, want, "{}", m.yaml());
        prop_assert_eq!(got_end, want_end);
        prop_assert_eq!(sorted_summary.events, lines.len() as u64);
        prop_assert_eq!(run(3, window), run(1, window));
    }

    /// A random lifecycle written as `.plot`: `fmt` is a fixed point, and the `.plot` catalog
    /// judges a random stream exactly as the YAML one does.
    #[test]
    fn plot_form_is_stable_and_judges_as_yaml_does((m, interactions, picks) in streams()) {
        use plotline::config::convert::to_plot;
        let yaml = SourceText { name: "m.yaml".into(), text: m.yaml() };
        let plot = to_plot(yaml).expect("converts");
        let again = to_plot(SourceText { name: "m.plot".into(), text: plot.clone() }).expect("reformats");
        prop_assert_eq!(&again, &plot);
        let file = load::parse(SourceText { name: "m.plot".into(), text: plot.clone() }).expect("loads");
        let (catalog, diagnostics) = plotline::compile::compile(&[file]);
        let from_plot = catalog.unwrap_or_else(|| panic!("{plot}\n{diagnostics:?}"));
        let lines = interleave(&m, &interactions, &picks);
        let (want, want_end, want_summary) = interpret(&m.compile(), &text(&lines));
        let (got, got_end, got_summary) = interpret(&from_plot, &text(&lines));
        prop_assert_eq!(want, got);
        prop_assert_eq!(want_end.len(), got_end.len());
        prop_assert_eq!(want_summary, got_summary);
    }
}
