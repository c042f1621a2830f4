//! What a stream did with the lifecycles, counted (`validate --coverage`, the HTML report and
//! `serve`): per lifecycle version, the states reached, events seen, transitions taken (and
//! those declared but never taken), the documented scenarios whose whole path some
//! interaction took, how often each guard held or not, the timeouts that fired; and for the
//! pictures, how many interactions reached each state and ended in it, the violations found
//! in each state, the paths taken, and the durations the metadata computed. Counts only, so
//! shards add up to what one thread counts.

use hashbrown::HashMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::compile::catalog::{EventId, Move, StateId, Step, Version};
use crate::compile::Catalog;
use crate::config::model::FieldType;
use crate::expr::slot::Slot;

use super::histogram::Histogram;

/// What one shard (or the whole run) counted.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    /// Counts by lifecycle, then version (grown as they come).
    versions: Vec<Vec<Counts>>,
}

/// One open interaction's part in the counts, kept with the interaction: its path so far
/// and the states it reached.
#[derive(Debug, Clone)]
pub struct Trail {
    /// A hash of its events so far.
    hash: u64,
    /// How many events.
    length: u32,
    /// The first [`PATH_SHOWN`] events (the first `length` of them).
    events: [EventId; PATH_SHOWN],
    /// A bit per state it was ever in: the first 64 here (one allocation per interaction,
    /// and no pointer to follow on the hot path), the rest in `reached_more`.
    reached: u64,
    reached_more: Vec<u64>,
}

impl Trail {
    fn reach(&mut self, state: StateId) {
        let at = usize::from(state);
        if at < 64 {
            self.reached |= 1 << at;
        } else if let Some(word) = self.reached_more.get_mut(at / 64 - 1) {
            *word |= 1 << (at % 64);
        }
    }

    /// Every state it reached, as bit words (the first for states 0 to 63).
    fn reached_words(&self) -> impl Iterator<Item = u64> + '_ {
        std::iter::once(self.reached).chain(self.reached_more.iter().copied())
    }

    /// Its first events.
    fn shown(&self) -> &[EventId] {
        let shown = usize::try_from(self.length).map_or(PATH_SHOWN, |n| n.min(PATH_SHOWN));
        &self.events[..shown]
    }
}

/// How many events of a path the report shows.
pub const PATH_SHOWN: usize = 24;

/// A path (hash of its events and their number) of finished interactions: how many took it,
/// and its first events.
#[derive(Debug, Default, Clone)]
struct PathCount {
    count: u64,
    /// Of them, interactions that ended well: in a final or `may_end` state, no violation.
    well: u64,
    length: u32,
    events: Vec<EventId>,
}

#[derive(Debug, Default, Clone)]
struct Counts {
    /// Whether the stream used this version.
    used: bool,
    /// By event id.
    events: Vec<u64>,
    /// By state id.
    states: Vec<u64>,
    /// By table cell (`state * events + event`): transitions of cells with one target.
    moves: Vec<u64>,
    /// Transitions of guarded cells, which may lead to several states.
    guarded_moves: HashMap<(StateId, EventId, StateId), u64>,
    /// `(state, event, guard index)` to `[held, did not]`.
    guards: HashMap<(StateId, EventId, usize), [u64; 2]>,
    /// By state id.
    timeouts: Vec<u64>,
    /// By `(path hash, length)`: the paths of finished interactions.
    paths: HashMap<(u64, u32), PathCount>,
    /// By state id: interactions that were ever in it, each counted once.
    reached: Vec<u64>,
    /// By state id: interactions whose last state it was.
    ended_in: Vec<u64>,
    /// By state id: violations found on events that came in it (and of interactions that
    /// ended in it, such as `incomplete`).
    violations: Vec<u64>,
    /// By field slot: the values of duration fields when interactions ended.
    durations: HashMap<usize, Histogram>,
    /// Assertions, guards and timeouts' waits not checked because their value was unknown.
    not_checked: u64,
}

impl Coverage {
    fn counts(&mut self, lifecycle: usize, version: usize) -> &mut Counts {
        if self.versions.len() <= lifecycle {
            self.versions.resize_with(lifecycle + 1, Vec::new);
        }
        let versions = &mut self.versions[lifecycle];
        if versions.len() <= version {
            versions.resize_with(version + 1, Counts::default);
        }
        let counts = &mut versions[version];
        counts.used = true;
        counts
    }

    /// An interaction begins in `initial`: its trail, to be kept with it.
    pub fn begin(
        &mut self,
        lifecycle: usize,
        version_index: usize,
        version: &Version,
    ) -> Box<Trail> {
        let initial = version.initial;
        bump(
            &mut self.counts(lifecycle, version_index).states,
            usize::from(initial),
        );
        let mut trail = Trail {
            hash: PATH_SEED,
            length: 0,
            events: [0; PATH_SHOWN],
            reached: 0,
            reached_more: vec![0; version.states.len().div_ceil(64).saturating_sub(1)],
        };
        trail.reach(initial);
        Box::new(trail)
    }

    /// An interaction's event (known to its version), legal or not.
    pub fn event(
        &mut self,
        lifecycle: usize,
        version: usize,
        trail: Option<&mut Trail>,
        event: EventId,
    ) {
        bump(
            &mut self.counts(lifecycle, version).events,
            usize::from(event),
        );
        if let Some(trail) = trail {
            trail.hash = extend(trail.hash, event);
            if let Some(slot) = usize::try_from(trail.length)
                .ok()
                .and_then(|at| trail.events.get_mut(at))
            {
                *slot = event;
            }
            trail.length = trail.length.saturating_add(1);
        }
    }

    /// A transition taken.
    pub fn moved(
        &mut self,
        lifecycle: usize,
        (version_index, version): (usize, &Version),
        trail: Option<&mut Trail>,
        step: (StateId, EventId, StateId),
    ) {
        let counts = self.counts(lifecycle, version_index);
        match version.step(step.0, step.1) {
            Move::To(_) => bump(&mut counts.moves, cell(version, step.0, step.1)),
            _ => *counts.guarded_moves.entry(step).or_default() += 1,
        }
        if step.0 != step.2 {
            bump(&mut counts.states, usize::from(step.2));
        }
        if let Some(trail) = trail {
            trail.reach(step.2);
        }
    }

    /// An illegal event put the interaction in `to` all the same (the event's `resync`).
    pub fn resynced(
        &mut self,
        lifecycle: usize,
        version: usize,
        trail: Option<&mut Trail>,
        to: StateId,
    ) {
        bump(&mut self.counts(lifecycle, version).states, usize::from(to));
        if let Some(trail) = trail {
            trail.reach(to);
        }
    }

    /// Time moved the interaction from `from` to `to`: a state's timeout (`by_timeout`,
    /// counted as that state's, also when it stays) or a deadline (a state reached).
    pub fn expired(
        &mut self,
        lifecycle: usize,
        version: usize,
        trail: Option<&mut Trail>,
        (from, to): (StateId, StateId),
        by_timeout: bool,
    ) {
        match by_timeout {
            true => self.timeout(lifecycle, version, trail, (from, to)),
            false if to != from => self.resynced(lifecycle, version, trail, to),
            false => {}
        }
    }

    /// `count` violations found on an event that came in `state`.
    pub fn violated(&mut self, lifecycle: usize, version: usize, state: StateId, count: u32) {
        let counts = self.counts(lifecycle, version);
        add_at(&mut counts.violations, usize::from(state), u64::from(count));
    }

    /// `count` assertions, guards or timeouts' waits whose value was unknown, so not checked.
    pub fn not_checked(&mut self, lifecycle: usize, version: usize, count: u64) {
        self.counts(lifecycle, version).not_checked += count;
    }

    /// A guard evaluated: the `index`th guarded transition of `event` in `state`.
    pub fn guard(
        &mut self,
        lifecycle: usize,
        version: usize,
        at: (StateId, EventId, usize),
        held: bool,
    ) {
        let counts = self.counts(lifecycle, version);
        counts.guards.entry(at).or_default()[usize::from(!held)] += 1;
    }

    /// A state's timeout fired, moving the interaction to `to` (or leaving it there).
    pub fn timeout(
        &mut self,
        lifecycle: usize,
        version: usize,
        trail: Option<&mut Trail>,
        (state, to): (StateId, StateId),
    ) {
        let counts = self.counts(lifecycle, version);
        bump(&mut counts.timeouts, usize::from(state));
        if to != state {
            bump(&mut counts.states, usize::from(to));
        }
        if let Some(trail) = trail {
            trail.reach(to);
        }
    }

    /// An interaction ended (final state, evicted, or the end of the stream) in `last`, with
    /// the metadata `meta`, `well` (in a final or `may_end` state, without a violation) or
    /// not: its path, the states it reached and its durations count.
    pub fn ended(
        &mut self,
        lifecycle: usize,
        at: (usize, &Version),
        trail: &Trail,
        (last, well): (StateId, bool),
        meta: &[Slot],
    ) {
        let (version_index, version) = at;
        let counts = self.counts(lifecycle, version_index);
        let path = counts.paths.entry((trail.hash, trail.length)).or_default();
        if path.count == 0 {
            path.events = trail.shown().to_vec();
            path.length = trail.length;
        }
        path.count += 1;
        path.well += u64::from(well);
        for (word_index, word) in trail.reached_words().enumerate() {
            let mut bits = word;
            while bits != 0 {
                let bit = bits.trailing_zeros() as usize;
                bits &= bits - 1;
                bump(&mut counts.reached, word_index * 64 + bit);
            }
        }
        bump(&mut counts.ended_in, usize::from(last));
        let durations = version.fields.iter().enumerate();
        for (slot, _) in durations.filter(|(_, f)| f.ty == FieldType::Duration && !f.internal) {
            if let Some(Slot::Int(ms)) = meta.get(slot) {
                counts.durations.entry(slot).or_default().add(*ms);
            }
        }
    }

    /// Adds another shard's counts.
    pub fn absorb(&mut self, other: Coverage) {
        let used = other
            .versions
            .into_iter()
            .enumerate()
            .flat_map(|(lifecycle, versions)| {
                let versions = versions.into_iter().enumerate();
                versions
                    .filter(|(_, c)| c.used)
                    .map(move |(v, c)| (lifecycle, v, c))
            });
        for (lifecycle, version, theirs) in used {
            let mine = self.counts(lifecycle, version);
            add_dense(&mut mine.events, &theirs.events);
            add_dense(&mut mine.states, &theirs.states);
            add_dense(&mut mine.timeouts, &theirs.timeouts);
            add_dense(&mut mine.reached, &theirs.reached);
            add_dense(&mut mine.ended_in, &theirs.ended_in);
            add_dense(&mut mine.violations, &theirs.violations);
            add_dense(&mut mine.moves, &theirs.moves);
            add(&mut mine.guarded_moves, theirs.guarded_moves);
            mine.not_checked += theirs.not_checked;
            for (at, [held, not]) in theirs.guards {
                let entry = mine.guards.entry(at).or_default();
                entry[0] += held;
                entry[1] += not;
            }
            for (key, path) in theirs.paths {
                let entry = mine.paths.entry(key).or_default();
                if entry.count == 0 {
                    entry.events = path.events;
                    entry.length = path.length;
                }
                entry.count += path.count;
                entry.well += path.well;
            }
            for (slot, histogram) in theirs.durations {
                mine.durations.entry(slot).or_default().absorb(&histogram);
            }
        }
    }

    /// The report of these counts over `catalog`, lifecycle versions in catalog order.
    pub fn report(&self, catalog: &Catalog) -> CoverageReport {
        let mut versions = Vec::new();
        let (mut declared_all, mut taken_all) = (0u64, 0u64);
        for (lifecycle_id, lifecycle) in catalog.lifecycles.iter().enumerate() {
            for (index, version) in lifecycle.versions.iter().enumerate() {
                let counts = self.versions.get(lifecycle_id).and_then(|v| v.get(index));
                let Some(counts) = counts.filter(|c| c.used) else {
                    continue;
                };
                let dense = |list: &[u64], id: usize| list.get(id).copied().unwrap_or(0);
                let state = |id: StateId| version.state_name(id).to_owned();
                let event = |id: EventId| {
                    version
                        .events
                        .get(usize::from(id))
                        .map_or(String::new(), |e| e.name.clone())
                };
                let declared = declared_transitions(version);
                let transitions: Vec<TransitionCount> = (declared.iter())
                    .map(|&(from, on, to)| TransitionCount {
                        from: state(from),
                        event: event(on),
                        to: state(to),
                        taken: counts.taken(version, (from, on, to)),
                    })
                    .collect();
                let taken = transitions.iter().filter(|t| t.taken > 0).count() as u64;
                declared_all += declared.len() as u64;
                taken_all += taken;
                let scenarios = (lifecycle.scenarios.iter())
                    .filter(|scenario| scenario.versions.contains(&index))
                    .map(|scenario| ScenarioCount {
                        name: scenario.name.clone(),
                        interactions: scenario_path(version, &scenario.steps)
                            .and_then(|path| counts.paths.get(&path).map(|p| p.count))
                            .unwrap_or(0),
                    })
                    .collect();
                let guards = guards(version)
                    .into_iter()
                    .map(|(at, guard)| {
                        let [held, not] = counts.guards.get(&at).copied().unwrap_or_default();
                        GuardCount {
                            state: state(at.0),
                            event: event(at.1),
                            guard,
                            held,
                            did_not_hold: not,
                        }
                    })
                    .collect();
                versions.push(VersionCoverage {
                    lifecycle: lifecycle.name.clone(),
                    version: version.name.clone(),
                    transitions_declared: declared.len() as u64,
                    transitions_taken: taken,
                    percent: percent(taken, declared.len() as u64),
                    states: (0..version.states.len())
                        .filter_map(|s| StateId::try_from(s).ok())
                        .map(|s| Count {
                            name: state(s),
                            count: dense(&counts.states, usize::from(s)),
                        })
                        .collect(),
                    events: (0..version.events.len())
                        .filter_map(|e| EventId::try_from(e).ok())
                        .map(|e| Count {
                            name: event(e),
                            count: dense(&counts.events, usize::from(e)),
                        })
                        .collect(),
                    transitions,
                    scenarios,
                    guards,
                    timeouts: (0..version.states.len())
                        .filter_map(|s| StateId::try_from(s).ok())
                        .filter(|s| version.timeout(*s).is_some())
                        .map(|s| Count {
                            name: state(s),
                            count: dense(&counts.timeouts, usize::from(s)),
                        })
                        .collect(),
                    not_checked: counts.not_checked,
                });
            }
        }
        CoverageReport {
            transitions_declared: declared_all,
            transitions_taken: taken_all,
            percent: percent(taken_all, declared_all),
            versions,
        }
    }
}

/// Adds one to `list[at]`, growing the list as needed.
fn bump(list: &mut Vec<u64>, at: usize) {
    add_at(list, at, 1);
}

/// What a stream did with one lifecycle version, for pictures (the HTML report, `serve`).
#[derive(Debug, Clone)]
pub struct VersionPicture {
    /// Index of the lifecycle in the catalog.
    pub lifecycle_id: usize,
    /// Index of the version in its lifecycle.
    pub version_index: usize,
    /// The version's coverage, as the JSON report has it.
    pub coverage: VersionCoverage,
    /// By state id: interactions that were ever in it, each counted once.
    pub reached: Vec<u64>,
    /// By state id: interactions whose last state it was.
    pub ended_in: Vec<u64>,
    /// By state id: violations found on events that came in it, or at the end in it.
    pub violations: Vec<u64>,
    /// The paths most taken by interactions that ended well (in a final or `may_end` state,
    /// without a violation), most taken first (ties: fewer events first).
    pub paths: Vec<PathPicture>,
    /// Likewise, the paths of the others: unfinished, or with violations.
    pub other_paths: Vec<PathPicture>,
    /// Distinct paths taken in all.
    pub distinct_paths: usize,
    /// Per duration field with values: its name and its histogram.
    pub durations: Vec<(String, Histogram)>,
}

/// A path some interactions took.
#[derive(Debug, Clone, PartialEq)]
pub struct PathPicture {
    /// Its first events (at most [`PATH_SHOWN`]).
    pub events: Vec<String>,
    /// How many events it has.
    pub length: u32,
    /// Interactions that took it.
    pub count: u64,
}

impl Coverage {
    /// The pictures of every lifecycle version the stream used, in catalog order, with the
    /// `top` most taken paths each; `report` is [`Coverage::report`] of the same counts.
    pub fn pictures(
        &self,
        catalog: &Catalog,
        report: &CoverageReport,
        top: usize,
    ) -> Vec<VersionPicture> {
        let mut coverages = report.versions.iter().cloned();
        let mut pictures = Vec::new();
        for (lifecycle_id, lifecycle) in catalog.lifecycles.iter().enumerate() {
            for (version_index, version) in lifecycle.versions.iter().enumerate() {
                let counts = self
                    .versions
                    .get(lifecycle_id)
                    .and_then(|v| v.get(version_index));
                let Some(counts) = counts.filter(|c| c.used) else {
                    continue;
                };
                let Some(coverage) = coverages.next() else {
                    break;
                };
                let dense = |list: &[u64]| {
                    let mut list = list.to_vec();
                    list.resize(version.states.len(), 0);
                    list
                };
                let name = |event: &EventId| {
                    (version.events.get(usize::from(*event)))
                        .map_or(String::new(), |e| e.name.clone())
                };
                // The `top` paths most taken by the interactions `count` counts of each.
                let top_paths = |count: &dyn Fn(&PathCount) -> u64| {
                    let mut paths: Vec<(u64, &PathCount)> = (counts.paths.values())
                        .map(|path| (count(path), path))
                        .filter(|(n, _)| *n > 0)
                        .collect();
                    paths.sort_by(|(n, a), (m, b)| {
                        (m.cmp(n))
                            .then(a.length.cmp(&b.length))
                            .then(a.events.cmp(&b.events))
                    });
                    (paths.into_iter().take(top))
                        .map(|(count, path)| PathPicture {
                            events: path.events.iter().map(name).collect(),
                            length: path.length,
                            count,
                        })
                        .collect()
                };
                let mut durations: Vec<(String, Histogram)> = (counts.durations.iter())
                    .filter_map(|(slot, histogram)| {
                        let field = version.fields.get(*slot)?;
                        Some((field.name.clone(), histogram.clone()))
                    })
                    .collect();
                durations.sort_by(|a, b| a.0.cmp(&b.0));
                pictures.push(VersionPicture {
                    lifecycle_id,
                    version_index,
                    coverage,
                    reached: dense(&counts.reached),
                    ended_in: dense(&counts.ended_in),
                    violations: dense(&counts.violations),
                    paths: top_paths(&|path| path.well),
                    other_paths: top_paths(&|path| path.count - path.well),
                    distinct_paths: counts.paths.len(),
                    durations,
                });
            }
        }
        pictures
    }
}

impl Counts {
    /// How often the transition `step` was taken.
    fn taken(&self, version: &Version, step: (StateId, EventId, StateId)) -> u64 {
        match version.step(step.0, step.1) {
            Move::To(_) => (self.moves.get(cell(version, step.0, step.1)).copied()).unwrap_or(0),
            _ => self.guarded_moves.get(&step).copied().unwrap_or(0),
        }
    }
}

/// The table cell of `event` in `state`.
fn cell(version: &Version, state: StateId, event: EventId) -> usize {
    usize::from(state) * version.events.len() + usize::from(event)
}

/// Adds `n` to `list[at]`, growing the list as needed.
fn add_at(list: &mut Vec<u64>, at: usize, n: u64) {
    if list.len() <= at {
        list.resize(at + 1, 0);
    }
    list[at] += n;
}

/// Adds `theirs` to `mine`, element by element.
fn add_dense(mine: &mut Vec<u64>, theirs: &[u64]) {
    if mine.len() < theirs.len() {
        mine.resize(theirs.len(), 0);
    }
    for (mine, theirs) in mine.iter_mut().zip(theirs) {
        *mine += theirs;
    }
}

fn add<K: Eq + std::hash::Hash>(mine: &mut HashMap<K, u64>, theirs: HashMap<K, u64>) {
    for (key, n) in theirs {
        *mine.entry(key).or_default() += n;
    }
}

const PATH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// A path's hash with one more event.
fn extend(hash: u64, event: EventId) -> u64 {
    (hash ^ u64::from(event))
        .wrapping_mul(0x0100_0000_01b3)
        .rotate_left(17)
}

/// The path of a scenario's events on `version` (`None` when one is not an event of it).
fn scenario_path(version: &Version, steps: &[Step]) -> Option<(u64, u32)> {
    let mut hash = PATH_SEED;
    for step in steps {
        hash = extend(hash, *version.event_ids.get(&step.event)?);
    }
    Some((hash, u32::try_from(steps.len()).ok()?))
}

/// Every transition the version declares, in state then event order: `(from, event, to)`.
fn declared_transitions(version: &Version) -> Vec<(StateId, EventId, StateId)> {
    (version.moves())
        .flat_map(|(state, event, _)| {
            let targets = version.targets(state, event);
            targets.into_iter().map(move |to| (state, event, to))
        })
        .collect()
}

/// Every guard: where it is and its text.
fn guards(version: &Version) -> Vec<((StateId, EventId, usize), String)> {
    let mut all = Vec::new();
    for (state, event, step) in version.moves() {
        if let Move::Guarded(list) = step {
            for (index, guarded) in list.iter().enumerate() {
                if guarded.when.is_some() {
                    all.push(((state, event, index), guarded.source.clone()));
                }
            }
        }
    }
    all
}

/// `part` of `whole` in percent, to one decimal (100 of nothing).
pub fn percent(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        return 100.0;
    }
    (part as f64 * 1000.0 / whole as f64).round() / 10.0
}

/// Coverage of the lifecycle versions a stream used.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CoverageReport {
    /// Transitions declared, over every version the stream used.
    pub transitions_declared: u64,
    /// Of those, the ones taken at least once.
    pub transitions_taken: u64,
    /// Taken over declared, in percent (one decimal).
    pub percent: f64,
    /// Per lifecycle version the stream used, in catalog order.
    pub versions: Vec<VersionCoverage>,
}

/// Coverage of one lifecycle version.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionCoverage {
    /// The lifecycle.
    pub lifecycle: String,
    /// The version.
    pub version: String,
    /// Transitions declared.
    pub transitions_declared: u64,
    /// Transitions taken at least once.
    pub transitions_taken: u64,
    /// Taken over declared, in percent.
    pub percent: f64,
    /// Every state, with how often interactions entered it (or began in it).
    pub states: Vec<Count>,
    /// Every event, with how often it came.
    pub events: Vec<Count>,
    /// Every declared transition, with how often it was taken (0: never).
    pub transitions: Vec<TransitionCount>,
    /// Every documented scenario of the version, with how many interactions took its whole
    /// path, event for event.
    pub scenarios: Vec<ScenarioCount>,
    /// Every guard, with how often it held and did not when it was tried.
    pub guards: Vec<GuardCount>,
    /// Every state with a timeout, with how often it fired.
    pub timeouts: Vec<Count>,
    /// Assertions and guards not checked because their value was unknown (read from an
    /// invalid part of a payload, or from a field an event the stream lost would have set),
    /// and timeouts' waits the stream cannot tell (the events it lost may have ended them).
    pub not_checked: u64,
}

/// A name and a count.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Count {
    /// The state, event or scenario.
    pub name: String,
    /// How often.
    pub count: u64,
}

/// A declared transition and how often it was taken.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TransitionCount {
    /// The state it leaves.
    pub from: String,
    /// The event.
    pub event: String,
    /// The state it enters.
    pub to: String,
    /// Times taken.
    pub taken: u64,
}

/// A scenario and how many interactions took its path.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioCount {
    /// The scenario.
    pub name: String,
    /// Interactions whose events were the scenario's, in order.
    pub interactions: u64,
}

/// A guard and its outcomes.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GuardCount {
    /// The state the transition leaves.
    pub state: String,
    /// The event.
    pub event: String,
    /// The guard as written.
    pub guard: String,
    /// Times it held.
    pub held: u64,
    /// Times it did not.
    pub did_not_hold: u64,
}
