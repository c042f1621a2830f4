//! Drafting lifecycles from recorded streams (`plotline infer`): each event's payload
//! properties with their types ([`shape`]), and the order of events learned by state merging
//! ([`order`]), written as lifecycle files (`draft.rs`) that validate the recordings they came
//! from.

mod draft;
pub mod import;
pub mod order;
pub mod shape;

use std::collections::{BTreeSet, HashMap};

use indexmap::IndexMap;
use serde_json::Value;

use crate::compile::Catalog;
use crate::engine::envelope::{self, LineError};
use crate::engine::native;
use crate::engine::stream_clock::StreamClock;
use order::{PrefixTree, ROOT};
use shape::{FormatChecks, Shape};

pub use draft::Draft;

/// How to infer.
#[derive(Debug, Clone)]
pub struct Options {
    /// Only this lifecycle (by the name the events carry).
    pub lifecycle: Option<String>,
    /// The length of the event strings that tell two states apart (k of k-tails).
    pub k: usize,
    /// Interactions whose sequence takes a step fewer interactions took are set aside.
    pub min_support: u64,
    /// Numeric bounds (`minimum`, `maximum`) from the values seen.
    pub bounds: bool,
    /// An interaction has ended for sure when the stream goes on this long after its last
    /// event; `None`: longer than any pause seen between two events of one interaction.
    pub ended_after: Option<i64>,
    /// Payload declarations to write instead of those learned, by event name (a tracking
    /// plan's: [`planned_payloads`]).
    pub payloads: HashMap<String, Value>,
    /// An interaction quiet for longer than this (ms of event time) has ended, and a later
    /// event with its key begins another, as `validate --quiet-end` decides (0: never).
    pub quiet_end: i64,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            lifecycle: None,
            k: 3,
            min_support: 1,
            bounds: false,
            ended_after: None,
            payloads: HashMap::new(),
            quiet_end: 3_600_000,
        }
    }
}

/// The payload declarations of lifecycle files (as JSON: a plan `plotline import` wrote, say),
/// by event name: each property as its newest declaration, without the plan's versions (the
/// recording has its own).
pub fn planned_payloads(files: &[serde_json::Value]) -> HashMap<String, Value> {
    let mut payloads = HashMap::new();
    for file in files {
        let Some(events) = file.get("events").and_then(Value::as_object) else {
            continue;
        };
        for (event, decl) in events {
            let Some(mut payload) = decl.get("payload").cloned() else {
                continue;
            };
            if let Some(properties) = payload.get_mut("properties").and_then(Value::as_object_mut) {
                for spec in properties.values_mut() {
                    let mut newest = match spec.take() {
                        Value::Array(mut variants) => variants.pop().unwrap_or_default(),
                        one => one,
                    };
                    import::strip_range(&mut newest);
                    *spec = newest;
                }
            }
            payloads.insert(event.clone(), payload);
        }
    }
    payloads
}

/// Everything read of one lifecycle's events.
#[derive(Default)]
struct Recorded {
    /// The events by name, in the order first seen.
    events: IndexMap<String, EventRecord>,
    /// The versions, in the order first seen (at most 64 tell apart).
    versions: Vec<String>,
    tree: PrefixTree,
    /// Where each interaction is in the tree, and its last event's time.
    interactions: HashMap<String, (u32, i64)>,
    /// The longest pause between two events of one interaction.
    longest_pause: i64,
    /// The latest `ts` of the lifecycle's events.
    latest: i64,
    /// The lifecycle's event time, as `validate` counts a stream's (a few wrong clocks do
    /// not move it): what quiet interactions are looked for by.
    clock: StreamClock,
    /// Interactions ended by quiet, kept by key only when rare ones are set aside
    /// (`--min-support` over 1: whether one is rare is known at the end).
    quiet: Vec<(String, u32)>,
    /// When to look for quiet interactions next.
    next_sweep: i64,
    /// Interactions begun.
    begun: usize,
}

/// What one event's lines held.
#[derive(Default)]
struct EventRecord {
    count: u64,
    /// Its payloads (a line without one counts as an empty object).
    payload: Shape,
    /// Versions that sent the event, and those that sent each payload property (top level).
    versions: u64,
    property_versions: IndexMap<String, u64>,
}

impl Recorded {
    /// An interaction ended by quiet at `node`: an end for sure (kept by key when rare ones
    /// may be set aside).
    fn quietly_ended(&mut self, key: String, node: u32, keep: bool) {
        match keep {
            true => self.quiet.push((key, node)),
            false => self.tree.end(node),
        }
    }

    /// Ends the interactions quiet for longer than `quiet_end` at `time`: memory holds the
    /// interactions of the last `quiet_end`, not all those read.
    fn end_quiet(&mut self, quiet_end: i64, time: i64, keep: bool) {
        let quiet: Vec<(String, u32)> = (self.interactions.iter())
            .filter(|(_, &(_, last))| time.saturating_sub(last) > quiet_end)
            .map(|(key, &(node, _))| (key.clone(), node))
            .collect();
        for (key, node) in quiet {
            self.interactions.remove(&key);
            self.quietly_ended(key, node, keep);
        }
    }
}

/// Reads envelope lines (and native records of a catalog's formats) and drafts a lifecycle
/// per lifecycle name.
pub struct Recorder<'c> {
    options: Options,
    /// Whose `formats:` read native records (lines that are no envelope).
    formats_of: Option<&'c Catalog>,
    formats: FormatChecks,
    lifecycles: IndexMap<String, Recorded>,
    /// Lines read.
    pub lines: u64,
    /// Lines that are not envelopes (blank, malformed, bad envelopes).
    pub not_events: u64,
}

impl<'c> Recorder<'c> {
    /// A recorder with nothing read.
    pub fn new(options: Options) -> Recorder<'c> {
        Recorder {
            options,
            formats_of: None,
            formats: FormatChecks::default(),
            lifecycles: IndexMap::new(),
            lines: 0,
            not_events: 0,
        }
    }

    /// Reads lines that are no envelope as native records of `catalog`'s formats.
    pub fn with_formats_of(mut self, catalog: &'c Catalog) -> Recorder<'c> {
        self.formats_of = Some(catalog);
        self
    }

    /// Reads one line (an event envelope or a native record; anything else is counted and
    /// skipped).
    pub fn line(&mut self, bytes: &[u8]) {
        self.lines += 1;
        let parsed = match (envelope::parse(bytes), self.formats_of) {
            (
                Err(LineError::BadEnvelope {
                    lifecycle_missing: true,
                    ..
                }),
                Some(catalog),
            ) => native::read(catalog, bytes).and_then(Result::ok),
            (parsed, _) => parsed.ok(),
        };
        let Some(envelope) = parsed else {
            self.not_events += 1;
            return;
        };
        if (self.options.lifecycle.as_deref()).is_some_and(|only| only != envelope.lifecycle) {
            return;
        }
        let data: Option<serde_json::Map<String, Value>> = envelope
            .data
            .as_deref()
            .and_then(|raw| serde_json::from_str(raw.get()).ok());
        let recorded = (self.lifecycles)
            .entry(envelope.lifecycle.to_string())
            .or_default();
        // A native record without a time takes the latest one read.
        let ts = envelope.ts.unwrap_or(recorded.latest);
        let version = envelope.version.as_deref().unwrap_or("");
        let version_index = match recorded.versions.iter().position(|v| v == version) {
            Some(index) => index,
            None => {
                recorded.versions.push(version.to_owned());
                recorded.versions.len() - 1
            }
        };
        let version_bit = 1u64.checked_shl(version_index as u32).unwrap_or(0);
        let entry = recorded.events.entry(envelope.event.to_string());
        let event_id = entry.index();
        let record = entry.or_default();
        record.count += 1;
        record.versions |= version_bit;
        let empty = serde_json::Map::new();
        let payload = data.as_ref().unwrap_or(&empty);
        record.payload.add_object(payload, &self.formats);
        for name in payload.keys() {
            *record.property_versions.entry(name.clone()).or_default() |= version_bit;
        }
        let quiet_end = self.options.quiet_end;
        let keep_quiet = self.options.min_support > 1;
        let (mut node, mut last) = (recorded.interactions)
            .get(envelope.interaction.as_ref())
            .copied()
            .unwrap_or((ROOT, ts));
        if node != ROOT && quiet_end > 0 && ts.saturating_sub(last) > quiet_end {
            // Ended by quiet: this event begins another interaction.
            recorded.quietly_ended(envelope.interaction.to_string(), node, keep_quiet);
            (node, last) = (ROOT, ts);
        }
        if node != ROOT {
            let pause = ts.saturating_sub(last).max(0);
            recorded.tree.dwell(node, pause);
            recorded.longest_pause = recorded.longest_pause.max(pause);
        }
        recorded.begun += usize::from(node == ROOT);
        let event = u32::try_from(event_id).unwrap_or(u32::MAX);
        let next = recorded.tree.step(node, event, version_bit);
        recorded
            .interactions
            .insert(envelope.interaction.to_string(), (next, ts.max(last)));
        recorded.latest = recorded.latest.max(ts);
        let moved = recorded.clock.count(Some(ts));
        let time = recorded.clock.time().filter(|_| moved && quiet_end > 0);
        if let Some(time) = time.filter(|&time| time >= recorded.next_sweep) {
            recorded.end_quiet(quiet_end, time, keep_quiet);
            recorded.next_sweep = time.saturating_add((quiet_end / 8).max(1));
        }
    }

    /// The drafts, one per lifecycle read, in the order first seen.
    pub fn finish(self) -> Vec<Draft> {
        let options = self.options;
        (self.lifecycles.into_iter())
            .map(|(name, recorded)| learn(name, recorded, &options))
            .collect()
    }
}

/// The draft of one lifecycle from what was read of it.
fn learn(name: String, mut recorded: Recorded, options: &Options) -> Draft {
    let ended_after = options.ended_after.unwrap_or(recorded.longest_pause);
    // Sequences through a step fewer than `min_support` interactions took are set aside.
    let mut set_aside = Vec::new();
    let mut cut = BTreeSet::new();
    let mut ends: Vec<(u32, bool)> = Vec::new();
    // Every interaction kept by key: those ended by quiet, and those the stream ended.
    let mut keys: Vec<(&String, u32, bool)> = (recorded.quiet.iter())
        .map(|(key, node)| (key, *node, true))
        .collect();
    keys.extend((recorded.interactions.iter()).map(|(key, &(node, last))| {
        (
            key,
            node,
            recorded.latest.saturating_sub(last) > ended_after,
        )
    }));
    keys.sort();
    let event_name =
        |id: u32| (recorded.events.get_index(id as usize)).map_or("?", |(name, _)| name.as_str());
    for (key, node, ended) in keys {
        // The path from the first event on, each step with its node and interactions.
        let mut path = recorded.tree.path(node);
        path.reverse();
        let rare =
            (path.iter().enumerate()).find(|(_, &(_, _, passes))| passes < options.min_support);
        if let Some((at, &(event, rare_node, passes))) = rare {
            let before: Vec<&str> = (path.iter().take(at))
                .map(|&(e, ..)| event_name(e))
                .collect();
            cut.insert(rare_node);
            set_aside.push(format!(
                "{key}: `{}` after [{}] was taken by {passes} interaction(s), below --min-support {}",
                event_name(event),
                before.join(", "),
                options.min_support
            ));
            continue;
        }
        ends.push((node, ended));
    }
    let mut stopped: HashMap<u32, u64> = HashMap::new();
    for (node, ended) in ends {
        match ended {
            true => recorded.tree.end(node),
            false => *stopped.entry(node).or_default() += 1,
        }
    }
    recorded.tree.prune(&cut);
    let machine = recorded.tree.learn(options.k.max(1), &stopped);
    draft::write(&name, &recorded, &machine, options, set_aside)
}
