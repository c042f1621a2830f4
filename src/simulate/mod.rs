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
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use serde_json::{Map, Value};

use crate::compile::catalog::{EventId, StateId, Version, NO_STATE};
use crate::compile::{Catalog, Lifecycle};
use crate::config::model::ScenarioStep;
use crate::engine::interpreter::{Interpreter, Limits, Place};
use crate::engine::ViolationKind;

/// What to generate.
#[derive(Debug, Clone)]
pub struct Options {
    /// Lines to write.
    pub events: u64,
    /// Interactions in progress at any time.
    pub open: usize,
    /// The share of lines altered to show a violation (0 to 1).
    pub violations: f64,
    /// The random seed.
    pub seed: u64,
    /// Only these lifecycles (all when empty).
    pub lifecycles: Vec<String>,
    /// The first timestamp (milliseconds since the epoch).
    pub start_ts: i64,
}

/// What was written.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Stats {
    /// Lines written.
    pub lines: u64,
    /// Interactions begun.
    pub interactions: u64,
    /// Alterations made, by the violation kind they aim at.
    pub injected: Vec<(ViolationKind, u64)>,
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
}

/// An interaction in progress.
struct Live {
    target: usize,
    key: String,
    plan: Vec<Planned>,
    next: usize,
    state: StateId,
}

/// Writes a simulated stream of `options.events` lines to `out`.
pub fn simulate(catalog: &Catalog, options: &Options, out: &mut dyn Write) -> io::Result<Stats> {
    let targets = targets(catalog, &options.lifecycles);
    let mut stats = Stats {
        injected: ViolationKind::ALL.iter().map(|kind| (*kind, 0)).collect(),
        ..Stats::default()
    };
    if targets.is_empty() || options.events == 0 {
        return Ok(stats);
    }
    let mut rng = SmallRng::seed_from_u64(options.seed);
    let open = options.open.max(1);
    let mut live: Vec<Live> = Vec::with_capacity(open);
    let mut queue = BinaryHeap::new();
    for slot in 0..open {
        live.push(begin(&mut rng, &targets, &mut stats));
        let ts = options.start_ts + rng.random_range(0..(open as i64 * 20).max(1));
        queue.push(Reverse((ts, slot)));
    }
    // A violation kind that found no line to alter yet.
    let mut pending: Option<ViolationKind> = None;
    // The latest interaction to finish: where an `after_end` line goes.
    let mut finished: Option<(usize, String, EventId)> = None;
    while stats.lines < options.events {
        let Some(Reverse((ts, slot))) = queue.pop() else {
            break;
        };
        let Some(interaction) = live.get_mut(slot) else {
            break;
        };
        let target = &targets[interaction.target];
        let inject = pending.take().or_else(|| {
            (options.violations > 0.0 && rng.random_bool(options.violations.min(1.0))).then(|| {
                *ViolationKind::ALL
                    .choose(&mut rng)
                    .unwrap_or(&ViolationKind::Incomplete)
            })
        });
        let Some(planned) = interaction.plan.get(interaction.next) else {
            let done = std::mem::replace(interaction, begin(&mut rng, &targets, &mut stats));
            if let Some(last) = done.plan.last() {
                finished = Some((done.target, done.key, last.event));
            }
            queue.push(Reverse((ts + rng.random_range(0..2000), slot)));
            continue;
        };
        let mut record = record(target, &interaction.key, planned.event, ts, &planned.data);
        let mut advance = true;
        let mut text = None;
        let mut late = 0;
        match inject {
            None => {}
            Some(kind) => {
                let applied = alter(
                    &mut rng,
                    kind,
                    &targets,
                    interaction,
                    &mut record,
                    finished.as_ref(),
                );
                if applied.is_some() {
                    count(&mut stats, kind);
                } else if kind == ViolationKind::Timeout {
                    // Few states time out: try again on the next line.
                    pending = Some(kind);
                }
                match applied {
                    None | Some(Alteration::InPlace) => {}
                    Some(Alteration::Delay(delay)) => late = delay,
                    Some(Alteration::Extra) => advance = false,
                    Some(Alteration::Text(line)) => text = Some(line),
                    Some(Alteration::Abandon) => {
                        *interaction = begin(&mut rng, &targets, &mut stats);
                        queue.push(Reverse((ts + 1, slot)));
                        continue;
                    }
                }
            }
        }
        match text {
            Some(line) => out.write_all(line.as_bytes())?,
            None => serde_json::to_writer(&mut *out, &record)?,
        }
        out.write_all(b"\n")?;
        stats.lines += 1;
        if advance {
            let event = planned.event;
            if let Some(next) = target.version.next(interaction.state, event) {
                interaction.state = next;
            }
            interaction.next += 1;
            // A step's gap is the time since the step before it (as in scenarios).
            let gap = interaction
                .plan
                .get(interaction.next)
                .and_then(|next| next.gap);
            let gap = gap.unwrap_or_else(|| rng.random_range(300..8000));
            queue.push(Reverse((ts + late + gap.max(1), slot)));
        } else {
            queue.push(Reverse((ts + 1, slot)));
        }
    }
    Ok(stats)
}

fn count(stats: &mut Stats, kind: ViolationKind) {
    if let Some((_, n)) = stats.injected.iter_mut().find(|(k, _)| *k == kind) {
        *n += 1;
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
                .filter(|e| version.next(live.state, *e).is_none())
                .collect();
            let event = illegal.choose(rng)?;
            let name = version.events[usize::from(*event)].name.clone();
            record.insert("event".into(), Value::String(name));
            record.remove("data");
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
            let event = live.plan.get(live.next).map(|p| p.event);
            let reads = event.map(|e| &version.events[usize::from(e)].data_reads);
            let (Some(crate::compile::fast_check::DataReads::Fields(names)), Some(data)) =
                (reads, record.get_mut("data").and_then(Value::as_object_mut))
            else {
                return None;
            };
            for name in names {
                if let Some(Value::String(text)) = data.get_mut(name) {
                    text.push('x');
                    return Some(Alteration::InPlace);
                }
            }
            None
        }
        ViolationKind::MetadataMismatch => {
            let block = Map::from_iter([("simulated-unknown-field".into(), Value::Bool(true))]);
            record.insert("metadata".into(), Value::Object(block));
            Some(Alteration::InPlace)
        }
        ViolationKind::Incomplete => Some(Alteration::Abandon),
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

/// Whether `plan` gives no violation when run alone, even if the stream ends long after it
/// (so that no timeout that reports is left pending).
fn runs_clean(target: &Target, plan: &[Planned]) -> bool {
    let mut interpreter = Interpreter::new(target.catalog, Limits::default());
    let mut violations = 0usize;
    let mut ts = 0i64;
    for (line, step) in plan.iter().enumerate() {
        ts += step.gap.unwrap_or(1000);
        let record = record(target, "plan", step.event, ts, &step.data);
        let Ok(text) = serde_json::to_vec(&record) else {
            return false;
        };
        let place = Place {
            file_index: 0,
            file: "plan",
            line: line as u64 + 1,
        };
        interpreter.line(place, &text, false, &mut |_| violations += 1);
    }
    interpreter.end_at(Some(ts.saturating_add(LONG_AFTER)));
    interpreter.finish(true, &mut |_| violations += 1);
    violations == 0
}

/// How long after its last event a plan is checked for timeouts (a month).
const LONG_AFTER: i64 = 31 * 24 * 3_600_000;

/// A new interaction with its plan.
fn begin(rng: &mut SmallRng, targets: &[Target], stats: &mut Stats) -> Live {
    let index = rng.random_range(0..targets.len());
    let target = &targets[index];
    stats.interactions += 1;
    // A plan must run clean on its own (guards, asserts, payload keywords, timeouts); a few
    // are tried, then a documented scenario as written, then the last plan tried.
    let mut plan = Vec::new();
    let mut clean = false;
    for _ in 0..PLAN_ATTEMPTS {
        plan = match target.scenarios.choose(rng) {
            Some(scenario) if rng.random_bool(0.5) => replay(rng, target, scenario, true),
            _ => {
                let mut plan = walk(rng, target);
                for step in &mut plan {
                    step.gap = Some(rng.random_range(300..8000));
                }
                plan
            }
        };
        clean = runs_clean(target, &plan);
        if clean {
            break;
        }
    }
    if !clean {
        if let Some(scenario) = target.scenarios.choose(rng) {
            plan = replay(rng, target, scenario, false);
        }
    }
    Live {
        target: index,
        key: format!("{}-{}", target.lifecycle.name, stats.interactions),
        plan,
        next: 0,
        state: target.version.initial,
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
    while !version.is_final(state) && plan.len() < 24 {
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
        let decl = &version.events[usize::from(event)];
        let examples = &target.examples[usize::from(event)];
        let data = match &decl.payload {
            Some(schema) => Some(payload::payload(rng, schema, examples, &decl.data_reads)),
            None => examples.choose(rng).cloned(),
        };
        plan.push(Planned {
            event,
            data,
            gap: None,
        });
        state = next;
    }
    plan
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
                        let (name, data, gap) = match step {
                            ScenarioStep::Name(name) => (name.as_str(), None, None),
                            ScenarioStep::Full(full) => {
                                (full.event.as_str(), full.data.clone(), full.after)
                            }
                        };
                        let event = *version.event_ids.get(name)?;
                        let data = data.filter(|data| !data.is_null());
                        if let Some(data) = &data {
                            examples[usize::from(event)].push(data.clone());
                        }
                        Some(Planned { event, data, gap })
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

/// Fewest events from each state to a final state.
fn distances(version: &Version) -> Vec<u32> {
    let states = version.states.len();
    let mut distance: Vec<u32> = (0..states)
        .map(|s| {
            let final_state = StateId::try_from(s).is_ok_and(|s| version.is_final(s));
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
                let Some(next) = version.next(s, e).filter(|n| *n != NO_STATE) else {
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
