//! `plotline simulate`: realistic JSONL streams made from the catalog itself.
//!
//! Each interaction follows a plan: half of the time one of its lifecycle's valid documented
//! scenarios, otherwise a random walk over the transition table that drifts towards a final
//! state. Payloads are the documented examples with the values no rule reads varied, or are
//! made from the event's schema. Many interactions run at once (`open`); each waits a
//! realistic gap between its events and the stream is written in time order. With a
//! violation rate, lines are altered to show each violation kind. The same seed gives the
//! same stream.

mod payload;

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{self, Write};

use rand::rngs::SmallRng;
use rand::seq::{IndexedRandom, SliceRandom};
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use crate::compile::catalog::{EventId, Move, StateId, Version};
use crate::compile::{Catalog, Lifecycle};
use crate::engine::interpreter::{Interpreter, Limits, Place};
use crate::engine::{Violation, ViolationKind};

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Lines to write: exactly this many with `cut`, otherwise at most this many, every
    /// interaction begun being finished within them.
    pub events: u64,
    /// Interactions in progress at any time (at most).
    pub open: usize,
    /// The share of lines altered to show a violation (0 to 1).
    pub violations: f64,
    /// The random seed.
    pub seed: u64,
    /// Only these lifecycles (all when empty).
    pub lifecycles: Vec<String>,
    /// The first timestamp (milliseconds since the epoch).
    pub start_ts: i64,
    /// Stop at exactly `events` lines, leaving the interactions then in progress open, as a
    /// stream cut from a live feed is.
    pub cut: bool,
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stats {
    /// Lines written.
    pub lines: u64,
    /// Interactions begun.
    pub interactions: u64,
    /// Interactions left open at the end on purpose (`cut`, or the `incomplete` alteration).
    pub left_open: u64,
    /// Alterations made, by the violation kind they aim at.
    pub injected: Vec<(ViolationKind, u64)>,
    /// Alterations drawn but never made, because no line of the stream fitted the kind (a
    /// catalog without timeouts has no line to delay past one).
    pub not_made: Vec<(ViolationKind, u64)>,
    /// Lifecycle versions of which no interaction was made, because every plan tried (random
    /// walks and the documented scenarios) gave a violation when run alone: lifecycle,
    /// version and the first violation of the last plan tried.
    pub unplanned: Vec<(String, String, String)>,
}

/// One lifecycle version to simulate, prepared.
struct Target<'c> {
    catalog: &'c Catalog,
    lifecycle: &'c Lifecycle,
    version: &'c Version,
    /// Valid documented scenarios: events, payloads and gaps.
    scenarios: Vec<Vec<Planned>>,
    /// Documented payloads per event.
    examples: Vec<Vec<Value>>,
    /// Fewest events from each state to a final one (`u32::MAX`: none).
    distance: Vec<u32>,
}

/// One planned event.
struct Planned {
    event: EventId,
    data: Option<Value>,
    gap: Option<i64>,
    /// The interaction's state after it, as running the plan alone found it.
    after: StateId,
}

/// An interaction in progress.
struct Live {
    target: usize,
    key: String,
    plan: Vec<Planned>,
    next: usize,
    state: StateId,
    /// Whether a line of it was written (only then is it counted).
    started: bool,
}

impl Live {
    /// Planned lines not written yet.
    fn remaining(&self) -> u64 {
        self.plan.len().saturating_sub(self.next) as u64
    }
}

/// The state of one simulation.
struct Simulation<'a, 'c> {
    options: &'a Options,
    targets: &'a [Target<'c>],
    rng: SmallRng,
    stats: Stats,
    /// Lines written plus lines planned by the interactions in progress: a new interaction
    /// begins only when its whole plan fits in the budget (unless `cut`).
    committed: u64,
    /// Interactions begun (each names its key by its number).
    begun: u64,
    /// Alterations drawn and not made yet, per kind (in the order of `ViolationKind::ALL`).
    owed: Vec<u64>,
    /// The latest interaction to finish: where an `after_end` line goes.
    finished: Option<(usize, String, EventId)>,
    /// Per target, why no plan of it runs clean, once that was found: it is not drawn again.
    unplannable: Vec<Option<String>>,
}

/// Writes a simulated stream of `options.events` lines to `out`.
pub fn simulate(catalog: &Catalog, options: &Options, out: &mut dyn Write) -> io::Result<Stats> {
    let targets = targets(catalog, &options.lifecycles);
    let mut sim = Simulation {
        options,
        targets: &targets,
        rng: SmallRng::seed_from_u64(options.seed),
        stats: Stats {
            injected: ViolationKind::ALL.iter().map(|kind| (*kind, 0)).collect(),
            ..Stats::default()
        },
        committed: 0,
        begun: 0,
        owed: vec![0; ViolationKind::ALL.len()],
        finished: None,
        unplannable: vec![None; targets.len()],
    };
    if !targets.is_empty() && options.events > 0 {
        sim.run(out)?;
    }
    let kinds = ViolationKind::ALL.iter().copied();
    sim.stats.not_made = kinds.zip(sim.owed.iter().copied()).collect();
    for (target, why) in targets.iter().zip(sim.unplannable) {
        if let Some(why) = why {
            let (lifecycle, version) = (&target.lifecycle.name, &target.version.name);
            (sim.stats.unplanned).push((lifecycle.clone(), version.clone(), why));
        }
    }
    // Interactions abandoned on purpose are left open too.
    let abandoned = sim
        .stats
        .injected
        .iter()
        .find(|(kind, _)| *kind == ViolationKind::Incomplete);
    sim.stats.left_open += abandoned.map_or(0, |(_, n)| *n);
    Ok(sim.stats)
}

impl Simulation<'_, '_> {
    fn run(&mut self, out: &mut dyn Write) -> io::Result<()> {
        let open = self.options.open.max(1);
        let mut live: Vec<Live> = Vec::with_capacity(open.min(1 << 16));
        let mut queue = BinaryHeap::new();
        let start = self.options.start_ts;
        for slot in 0..open {
            let Some(interaction) = self.begin() else {
                break;
            };
            live.push(interaction);
            let ts = start + self.rng.random_range(0..(open as i64 * 20).max(1));
            queue.push(Reverse((ts, slot)));
        }
        while self.options.cut || !queue.is_empty() {
            if self.options.cut && self.stats.lines >= self.options.events {
                break;
            }
            let Some(Reverse((ts, slot))) = queue.pop() else {
                break;
            };
            let Some(interaction) = live.get_mut(slot) else {
                break;
            };
            if interaction.next >= interaction.plan.len() {
                // Only an interaction that reached a final state has ended: one that rests
                // where it may end still takes events.
                let version = self.targets[interaction.target].version;
                let last = interaction.plan.last();
                if let Some(last) = last.filter(|last| version.is_final(last.after)) {
                    self.finished = Some((interaction.target, interaction.key.clone(), last.event));
                }
                // The slot goes idle once no new plan fits in what is left of the budget.
                if let Some(next) = self.begin() {
                    *interaction = next;
                    queue.push(Reverse((ts + self.rng.random_range(0..2000), slot)));
                }
                continue;
            }
            self.draw_alteration();
            match self.step(interaction, ts, out)? {
                Some(next_ts) => queue.push(Reverse((next_ts, slot))),
                None => {
                    // Abandoned: a new interaction takes the slot, when one fits.
                    if let Some(next) = self.begin() {
                        *interaction = next;
                        queue.push(Reverse((ts + 1, slot)));
                    }
                }
            }
        }
        if self.options.cut {
            // Those begun and not at a state where an interaction may end.
            let open = live.iter().filter(|l| {
                let version = self.targets[l.target].version;
                l.started && !version.may_end(l.state)
            });
            self.stats.left_open += open.count() as u64;
        }
        Ok(())
    }

    /// With the violation rate, owes one more alteration of a random kind.
    fn draw_alteration(&mut self) {
        let rate = self.options.violations;
        if rate > 0.0 && self.rng.random_bool(rate.min(1.0)) {
            let kind = self.rng.random_range(0..self.owed.len());
            self.owed[kind] += 1;
        }
    }

    /// Writes the next line of `interaction` at `ts`, altered to show an owed violation kind
    /// when one fits it. The time of the interaction's next line, or `None` when it was
    /// abandoned.
    fn step(
        &mut self,
        interaction: &mut Live,
        ts: i64,
        out: &mut dyn Write,
    ) -> io::Result<Option<i64>> {
        let target = &self.targets[interaction.target];
        let Some(planned) = interaction.plan.get(interaction.next) else {
            return Ok(Some(ts + 1));
        };
        let mut record = record(target, &interaction.key, planned.event, ts, &planned.data);
        let mut advance = true;
        let mut text = None;
        let mut late = 0;
        match self.alter_owed(interaction, &mut record) {
            None | Some(Alteration::InPlace) => {}
            Some(Alteration::Delay(delay)) => late = delay,
            Some(Alteration::Extra) => {
                advance = false;
                self.committed += 1;
            }
            Some(Alteration::Text(line)) => text = Some(line),
            Some(Alteration::Abandon) => {
                self.committed -= interaction.remaining();
                return Ok(None);
            }
        }
        match text {
            Some(line) => out.write_all(line.as_bytes())?,
            None => serde_json::to_writer(&mut *out, &record)?,
        }
        out.write_all(b"\n")?;
        self.stats.lines += 1;
        if !interaction.started {
            interaction.started = true;
            self.stats.interactions += 1;
        }
        if !advance {
            return Ok(Some(ts + 1));
        }
        interaction.state = planned.after;
        interaction.next += 1;
        // A step's gap is the time since the step before it (as in scenarios).
        let gap = interaction
            .plan
            .get(interaction.next)
            .and_then(|next| next.gap);
        let gap = gap.unwrap_or_else(|| self.rng.random_range(300..8000));
        Ok(Some(ts + late + gap.max(1)))
    }

    /// Makes the first owed alteration (trying kinds from a random one on) that fits the
    /// record, and counts it.
    fn alter_owed(&mut self, live: &Live, record: &mut Map<String, Value>) -> Option<Alteration> {
        if self.owed.iter().all(|n| *n == 0) {
            return None;
        }
        let kinds = ViolationKind::ALL.len();
        let first = self.rng.random_range(0..kinds);
        for index in (first..kinds).chain(0..first) {
            if self.owed[index] == 0 {
                continue;
            }
            let kind = ViolationKind::ALL[index];
            // An extra line must fit in the budget, or some interaction would be cut short.
            let extra = matches!(
                kind,
                ViolationKind::UnknownLifecycle
                    | ViolationKind::UnknownEvent
                    | ViolationKind::IllegalTransition
                    | ViolationKind::AfterEnd
            );
            if extra && !self.options.cut && self.committed >= self.options.events {
                continue;
            }
            let finished = self.finished.as_ref();
            if let Some(applied) = alter(&mut self.rng, kind, self.targets, live, record, finished)
            {
                self.owed[index] -= 1;
                if let Some((_, n)) = self.stats.injected.get_mut(index) {
                    *n += 1;
                }
                return Some(applied);
            }
        }
        None
    }

    /// A new interaction with its plan; `None` when no plan fits in the budget left.
    fn begin(&mut self) -> Option<Live> {
        let budget = match self.options.cut {
            true => u64::MAX,
            false => self.options.events.saturating_sub(self.committed),
        };
        if budget == 0 {
            return None;
        }
        // A lifecycle version of which no plan runs clean is left out, and another drawn.
        let (index, plan) = loop {
            let plannable: Vec<usize> = (0..self.targets.len())
                .filter(|&index| self.unplannable[index].is_none())
                .collect();
            let &index = plannable.choose(&mut self.rng)?;
            match plan(&mut self.rng, &self.targets[index], budget) {
                Ok(plan) => break (index, plan),
                Err(Unplanned::TooLong) => return None,
                Err(Unplanned::Violation(why)) => self.unplannable[index] = Some(why),
            }
        };
        let target = &self.targets[index];
        self.committed += plan.len() as u64;
        self.begun += 1;
        Some(Live {
            target: index,
            key: format!("{}-{}", target.lifecycle.name, self.begun),
            plan,
            next: 0,
            state: target.version.initial,
            started: false,
        })
    }
}

/// What an alteration did.
enum Alteration {
    /// The record was changed in place.
    InPlace,
    /// The record is an extra line: the plan does not advance.
    Extra,
    /// The line is this text instead.
    Text(String),
    /// The interaction is dropped unfinished.
    Abandon,
    /// The record comes this many milliseconds late (and so do the interaction's next ones).
    Delay(i64),
}

/// Alters `record` (the next planned event of `live`) to show a violation of `kind`; `None`
/// when the kind does not fit this event.
fn alter(
    rng: &mut SmallRng,
    kind: ViolationKind,
    targets: &[Target],
    live: &Live,
    record: &mut Map<String, Value>,
    finished: Option<&(usize, String, EventId)>,
) -> Option<Alteration> {
    let target = &targets[live.target];
    let version = target.version;
    match kind {
        ViolationKind::MalformedLine => {
            let text = Value::Object(record.clone()).to_string();
            let cut = text.len() / 2;
            Some(Alteration::Text(text.get(..cut).unwrap_or("{").to_owned()))
        }
        ViolationKind::BadEnvelope => {
            record.remove("ts");
            Some(Alteration::InPlace)
        }
        ViolationKind::UnknownLifecycle => {
            let name = format!("{}-unknown", target.lifecycle.name);
            record.insert("lifecycle".into(), Value::String(name));
            Some(Alteration::Extra)
        }
        ViolationKind::UnknownEvent => {
            let name = record.get("event").and_then(Value::as_str).unwrap_or("");
            let name = format!("{name}-unknown");
            record.insert("event".into(), Value::String(name));
            Some(Alteration::Extra)
        }
        ViolationKind::IllegalTransition => {
            let illegal: Vec<EventId> = (0..version.events.len())
                .filter_map(|e| EventId::try_from(e).ok())
                .filter(|e| version.step(live.state, *e) == Move::Illegal)
                .collect();
            let &event = illegal.choose(rng)?;
            let name = version.events[usize::from(event)].name.clone();
            record.insert("event".into(), Value::String(name));
            // A payload the event accepts: the line shows the one violation it is made for.
            match data_for(rng, target, event) {
                Some(data) => record.insert("data".into(), data),
                None => record.remove("data"),
            };
            Some(Alteration::Extra)
        }
        ViolationKind::AfterEnd => {
            let (done, key, event) = finished?;
            let ts = record.get("ts").and_then(Value::as_i64).unwrap_or(0);
            if let Some(done) = targets.get(*done) {
                *record = self::record(done, key, *event, ts, &None);
            }
            Some(Alteration::Extra)
        }
        ViolationKind::TimeRegression if live.next > 0 => {
            let ts = record.get("ts").and_then(Value::as_i64).unwrap_or(0);
            record.insert(
                "ts".into(),
                Value::from(ts - rng.random_range(60_000..120_000)),
            );
            Some(Alteration::InPlace)
        }
        ViolationKind::TimeRegression => None,
        ViolationKind::InvalidPayload => {
            let event = live.plan.get(live.next).map(|p| p.event);
            let checked = event.is_some_and(|e| version.events[usize::from(e)].payload.is_some());
            match record.get_mut("data") {
                Some(Value::Object(data)) if checked && !data.is_empty() => {
                    for value in data.values_mut() {
                        *value =
                            Value::Object(Map::from_iter([("unexpected".into(), Value::Null)]));
                    }
                    Some(Alteration::InPlace)
                }
                _ => None,
            }
        }
        ViolationKind::RuleViolation => {
            let data = record.get("data").and_then(Value::as_object)?;
            let mut candidates: Vec<(String, Option<Value>)> = (data.iter())
                .flat_map(|(name, value)| {
                    let changed = nearby(value).into_iter().map(Some).chain([None]);
                    changed.map(|value| (name.clone(), value))
                })
                .collect();
            candidates.shuffle(rng);
            let mut altered = data.clone();
            let found = candidates
                .into_iter()
                .take(RULE_PROBES)
                .find(|(name, value)| {
                    altered = data.clone();
                    match value {
                        Some(value) => altered.insert(name.clone(), value.clone()),
                        None => altered.remove(name),
                    };
                    let mut probe = record.clone();
                    probe.insert("data".into(), Value::Object(altered.clone()));
                    shows_only(target, live, &probe, ViolationKind::RuleViolation)
                });
            found?;
            record.insert("data".into(), Value::Object(altered));
            Some(Alteration::InPlace)
        }
        ViolationKind::MetadataMismatch => {
            let block = Map::from_iter([("simulated-unknown-field".into(), Value::Bool(true))]);
            record.insert("metadata".into(), Value::Object(block));
            Some(Alteration::InPlace)
        }
        // Dropped after its first line, where it may not end.
        ViolationKind::Incomplete if live.next > 0 && !version.may_end(live.state) => {
            Some(Alteration::Abandon)
        }
        ViolationKind::Incomplete => None,
        ViolationKind::VersionMismatch if live.next > 0 => {
            let other = target
                .lifecycle
                .versions
                .iter()
                .find(|other| other.name != version.name)?;
            record.insert("version".into(), Value::String(other.name.clone()));
            Some(Alteration::InPlace)
        }
        ViolationKind::Timeout => {
            let timeout = version.timeout(live.state)?;
            timeout.violation.as_ref()?;
            let delay = timeout.after.saturating_add(1000);
            let ts = record.get("ts").and_then(Value::as_i64).unwrap_or(0);
            record.insert("ts".into(), Value::from(ts.saturating_add(delay)));
            Some(Alteration::Delay(delay))
        }
        ViolationKind::VersionMismatch => None,
    }
}

/// Payload changes tried for a `rule_violation` line, at most.
const RULE_PROBES: usize = 24;

/// Values near `value` that a rule may tell apart from it.
fn nearby(value: &Value) -> Vec<Value> {
    match value {
        Value::String(text) => vec![Value::from(format!("{text}x")), Value::from("")],
        Value::Bool(flag) => vec![Value::from(!flag)],
        Value::Number(n) => match n.as_i64() {
            Some(n) => vec![
                Value::from(n.saturating_add(1)),
                Value::from(n.saturating_sub(1)),
                Value::from(0),
                Value::from(n.saturating_neg()),
                Value::from(n.saturating_mul(1000).saturating_add(7)),
            ],
            None => vec![Value::from(0), Value::from(-1)],
        },
        Value::Array(items) => vec![Value::Array(Vec::new()), Value::Array(items[1..].to_vec())]
            .into_iter()
            .take(if items.is_empty() { 0 } else { 2 })
            .collect(),
        Value::Null | Value::Object(_) => Vec::new(),
    }
}

/// Whether `record`, after the lines `live` has written so far, shows a violation of `kind`
/// and of no other kind.
fn shows_only(
    target: &Target,
    live: &Live,
    record: &Map<String, Value>,
    kind: ViolationKind,
) -> bool {
    let mut interpreter = Interpreter::new(target.catalog, Limits::default());
    let mut ts = 0i64;
    let mut last = Vec::new();
    let mut lines: Vec<_> = (live.plan.iter().take(live.next))
        .map(|step| {
            ts += step.gap.unwrap_or(1000);
            self::record(target, &live.key, step.event, ts, &step.data)
        })
        .collect();
    let mut probe = record.clone();
    probe.insert("ts".into(), Value::from(ts + 1000));
    lines.push(probe);
    for (index, line) in lines.iter().enumerate() {
        let Ok(text) = serde_json::to_vec(line) else {
            return false;
        };
        let place = Place {
            file_index: 0,
            file: "probe",
            line: index as u64 + 1,
        };
        let final_line = index + 1 == lines.len();
        interpreter.line(place, &text, false, &mut |violation| {
            if final_line {
                last.push(violation.kind);
            }
        });
    }
    !last.is_empty() && last.iter().all(|found| *found == kind)
}

/// The record of one event.
fn record(
    target: &Target,
    key: &str,
    event: EventId,
    ts: i64,
    data: &Option<Value>,
) -> Map<String, Value> {
    let mut record = Map::new();
    record.insert(
        "lifecycle".into(),
        Value::String(target.lifecycle.name.clone()),
    );
    record.insert("interaction".into(), Value::String(key.to_owned()));
    let name = target.version.events[usize::from(event)].name.clone();
    record.insert("event".into(), Value::String(name));
    record.insert("ts".into(), Value::from(ts));
    record.insert("version".into(), Value::String(target.version.name.clone()));
    if let Some(data) = data {
        record.insert("data".into(), data.clone());
    }
    record
}

/// Plans tried for an interaction before it falls back to a documented scenario.
const PLAN_ATTEMPTS: usize = 8;

/// Why no plan was made.
enum Unplanned {
    /// A plan tried was longer than the lines left.
    TooLong,
    /// Every plan tried gave a violation when run alone: the last one's first.
    Violation(String),
}

/// Runs `plan` alone and sets the state after each step, when it gives no violation, ends
/// where an interaction may end, and stays clean whenever the stream ends: right after its
/// last event (not in a state that only a timeout leaves) or long after it (no timeout that
/// reports left pending). Otherwise the first violation, as a line of the text report says it.
fn run_alone(target: &Target, plan: &mut [Planned]) -> Result<(), String> {
    fn note(first: &mut Option<String>, what: String) {
        first.get_or_insert(what);
    }
    let said = |violation: Violation| format!("{}: {}", violation.kind.name(), violation.message);
    let mut interpreter = Interpreter::new(target.catalog, Limits::default());
    let mut first: Option<String> = None;
    let version = target.version;
    let mut ts = 0i64;
    for (line, step) in plan.iter_mut().enumerate() {
        ts += step.gap.unwrap_or(1000);
        let record = record(target, "plan", step.event, ts, &step.data);
        let text = serde_json::to_vec(&record).map_err(|error| error.to_string())?;
        let place = Place {
            file_index: 0,
            file: "plan",
            line: line as u64 + 1,
        };
        let judged = interpreter.line(place, &text, true, &mut |v| note(&mut first, said(v)));
        let state = judged.and_then(|judged| version.state_id(&judged.state));
        step.after = state.unwrap_or(version.initial);
    }
    if let Some(last) = plan.last().filter(|last| !version.may_end(last.after)) {
        let state = version.state_name(last.after);
        let what = format!("incomplete: it rests in state `{state}` if the stream ends then");
        note(&mut first, what);
    }
    interpreter.end_at(Some(ts.saturating_add(LONG_AFTER)));
    interpreter.finish(false, &mut |v| note(&mut first, said(v)));
    first.map_or(Ok(()), Err)
}

/// How long after its last event a plan is checked for timeouts (a month).
const LONG_AFTER: i64 = 31 * 24 * 3_600_000;

/// A plan for a new interaction of `target`, at most `budget` lines long, that runs clean
/// and ends the interaction (guards, asserts, payload keywords, timeouts): a few are tried,
/// then each documented scenario as written.
fn plan(rng: &mut SmallRng, target: &Target, budget: u64) -> Result<Vec<Planned>, Unplanned> {
    let mut too_long = false;
    let mut why = String::from("no event begins an interaction");
    let mut try_plan = |mut plan: Vec<Planned>| {
        if plan.is_empty() {
            return None;
        }
        if plan.len() as u64 > budget {
            too_long = true;
            return None;
        }
        match run_alone(target, &mut plan) {
            Ok(()) => Some(plan),
            Err(violation) => {
                why = violation;
                None
            }
        }
    };
    for _ in 0..PLAN_ATTEMPTS {
        let plan = match target.scenarios.choose(rng) {
            Some(scenario) if rng.random_bool(0.5) => replay(rng, target, scenario, true),
            _ => {
                let mut plan = walk(rng, target);
                for step in &mut plan {
                    step.gap = Some(rng.random_range(300..8000));
                }
                plan
            }
        };
        if let Some(plan) = try_plan(plan) {
            return Ok(plan);
        }
    }
    for scenario in &target.scenarios {
        if let Some(plan) = try_plan(replay(rng, target, scenario, false)) {
            return Ok(plan);
        }
    }
    match too_long {
        true => Err(Unplanned::TooLong),
        false => Err(Unplanned::Violation(why)),
    }
}

/// A documented scenario as a plan, its payloads varied (or as written), every gap set.
fn replay(rng: &mut SmallRng, target: &Target, scenario: &[Planned], varied: bool) -> Vec<Planned> {
    scenario
        .iter()
        .map(|step| Planned {
            event: step.event,
            data: match &step.data {
                Some(example) if varied => Some(vary(rng, target, step.event, example)),
                data => data.clone(),
            },
            // As written, a step without a gap comes a second after the one before it, as
            // when the scenario is checked.
            gap: Some(step.gap.unwrap_or_else(|| {
                if varied {
                    rng.random_range(300..8000)
                } else {
                    1000
                }
            })),
            after: step.after,
        })
        .collect()
}

fn vary(rng: &mut SmallRng, target: &Target, event: EventId, example: &Value) -> Value {
    let event = &target.version.events[usize::from(event)];
    match &event.payload {
        Some(schema) => payload::payload(
            rng,
            schema,
            std::slice::from_ref(example),
            &event.data_reads,
        ),
        None => example.clone(),
    }
}

/// A random walk from the initial state, drifting towards a final state.
fn walk(rng: &mut SmallRng, target: &Target) -> Vec<Planned> {
    let version = target.version;
    let mut state = version.initial;
    let mut plan = Vec::new();
    while !walk_ends(version, state) && plan.len() < 24 {
        // Events that need no guard: a guarded one is left to the documented scenarios.
        let moves: Vec<(EventId, StateId)> = (0..version.events.len())
            .filter_map(|e| EventId::try_from(e).ok())
            .filter_map(|e| version.next(state, e).map(|next| (e, next)))
            .collect();
        let here = target.distance[usize::from(state)];
        let closer: Vec<(EventId, StateId)> = moves
            .iter()
            .copied()
            .filter(|(_, next)| target.distance[usize::from(*next)] < here)
            .collect();
        let pool = if closer.is_empty() || (plan.len() < 8 && rng.random_bool(0.3)) {
            &moves
        } else {
            &closer
        };
        let Some(&(event, next)) = pool.choose(rng) else {
            break;
        };
        plan.push(Planned {
            event,
            data: data_for(rng, target, event),
            gap: None,
            after: next,
        });
        state = next;
    }
    plan
}

/// A payload for `event`: made from its schema and documented examples, or one of the
/// examples when it declares none.
fn data_for(rng: &mut SmallRng, target: &Target, event: EventId) -> Option<Value> {
    let decl = &target.version.events[usize::from(event)];
    let examples = &target.examples[usize::from(event)];
    match &decl.payload {
        Some(schema) => Some(payload::payload(rng, schema, examples, &decl.data_reads)),
        None => examples.choose(rng).cloned(),
    }
}

/// Prepares every (selected) lifecycle version.
fn targets<'c>(catalog: &'c Catalog, only: &[String]) -> Vec<Target<'c>> {
    let mut targets = Vec::new();
    for lifecycle in &catalog.lifecycles {
        if !only.is_empty() && !only.contains(&lifecycle.name) {
            continue;
        }
        for (index, version) in lifecycle.versions.iter().enumerate() {
            let mut examples = vec![Vec::new(); version.events.len()];
            let mut scenarios = Vec::new();
            for scenario in &lifecycle.scenarios {
                if !scenario.versions.contains(&index) || !scenario.expect.violations().is_empty() {
                    continue;
                }
                let steps: Option<Vec<_>> = scenario
                    .steps
                    .iter()
                    .map(|step| {
                        let event = *version.event_ids.get(&step.event)?;
                        let data = step.data.clone().filter(|data| !data.is_null());
                        if let Some(data) = &data {
                            examples[usize::from(event)].push(data.clone());
                        }
                        Some(Planned {
                            event,
                            data,
                            gap: step.after,
                            // Set when the plan is run.
                            after: version.initial,
                        })
                    })
                    .collect();
                scenarios.extend(steps);
            }
            targets.push(Target {
                catalog,
                lifecycle,
                version,
                scenarios,
                examples,
                distance: distances(version),
            });
        }
    }
    targets
}

/// Whether a walk ends in `state`: a final state, or one where interactions may end when
/// the version has no final state (a widget with no end event).
fn walk_ends(version: &Version, state: StateId) -> bool {
    let may_end = || {
        version
            .states
            .get(usize::from(state))
            .is_some_and(|s| s.may_end)
    };
    version.is_final(state) || (!version.states.iter().any(|s| s.is_final) && may_end())
}

/// Fewest events from each state to where a walk ends ([`walk_ends`]).
fn distances(version: &Version) -> Vec<u32> {
    let states = version.states.len();
    let mut distance: Vec<u32> = (0..states)
        .map(|s| {
            let final_state = StateId::try_from(s).is_ok_and(|s| walk_ends(version, s));
            if final_state {
                0
            } else {
                u32::MAX
            }
        })
        .collect();
    for _ in 0..states {
        for state in 0..states {
            for event in 0..version.events.len() {
                let (Ok(s), Ok(e)) = (StateId::try_from(state), EventId::try_from(event)) else {
                    continue;
                };
                let Some(next) = version.next(s, e) else {
                    continue;
                };
                let through = distance[usize::from(next)].saturating_add(1);
                if through < distance[state] {
                    distance[state] = through;
                }
            }
        }
    }
    distance
}
