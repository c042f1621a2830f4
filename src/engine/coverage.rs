//! Coverage of the lifecycles by a stream (`validate --coverage`): per lifecycle version, the
//! states reached, events seen, transitions taken (and those declared but never taken), the
//! documented scenarios whose whole path some interaction took, how often each guard held or
//! not, and the timeouts that fired. Counts only, so shards add up to what one thread counts.

use hashbrown::HashMap;

use schemars::JsonSchema;
use serde::Serialize;

use crate::compile::catalog::{EventId, Move, StateId, Version};
use crate::compile::Catalog;
use crate::config::model::ScenarioStep;

/// What one shard (or the whole run) counted.
#[derive(Debug, Default, Clone)]
pub struct Coverage {
    /// Counts by lifecycle, then version (grown as they come).
    versions: Vec<Vec<Counts>>,
    /// Open interactions' paths, per lifecycle by key: the version and a hash of their events
    /// so far, with how many there were.
    paths: Vec<HashMap<String, (usize, u64, u32)>>,
}

#[derive(Debug, Default, Clone)]
struct Counts {
    /// Whether the stream used this version.
    used: bool,
    /// By event id.
    events: Vec<u64>,
    /// By state id.
    states: Vec<u64>,
    transitions: HashMap<(StateId, EventId, StateId), u64>,
    /// `(state, event, guard index)` to `[held, did not]`.
    guards: HashMap<(StateId, EventId, usize), [u64; 2]>,
    /// By state id.
    timeouts: Vec<u64>,
    /// `(path hash, length)` of finished interactions, and how many took it.
    paths: HashMap<(u64, u32), u64>,
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

    fn paths(&mut self, lifecycle: usize) -> &mut HashMap<String, (usize, u64, u32)> {
        if self.paths.len() <= lifecycle {
            self.paths.resize_with(lifecycle + 1, HashMap::new);
        }
        &mut self.paths[lifecycle]
    }

    /// An interaction begins in `initial`.
    pub fn begin(&mut self, lifecycle: usize, version: usize, key: &str, initial: StateId) {
        bump(
            &mut self.counts(lifecycle, version).states,
            usize::from(initial),
        );
        self.paths(lifecycle)
            .insert(key.to_owned(), (version, PATH_SEED, 0));
    }

    /// An interaction's event (known to its version), legal or not.
    pub fn event(&mut self, lifecycle: usize, version: usize, key: &str, event: EventId) {
        bump(
            &mut self.counts(lifecycle, version).events,
            usize::from(event),
        );
        if let Some((_, hash, length)) = self.paths(lifecycle).get_mut(key) {
            *hash = extend(*hash, event);
            *length += 1;
        }
    }

    /// A transition taken.
    pub fn moved(&mut self, lifecycle: usize, version: usize, step: (StateId, EventId, StateId)) {
        let counts = self.counts(lifecycle, version);
        *counts.transitions.entry(step).or_default() += 1;
        if step.0 != step.2 {
            bump(&mut counts.states, usize::from(step.2));
        }
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
    pub fn timeout(&mut self, lifecycle: usize, version: usize, state: StateId, to: StateId) {
        let counts = self.counts(lifecycle, version);
        bump(&mut counts.timeouts, usize::from(state));
        if to != state {
            bump(&mut counts.states, usize::from(to));
        }
    }

    /// An interaction ended (final state, evicted, or the end of the stream): its path counts.
    pub fn ended(&mut self, lifecycle: usize, key: &str) {
        if let Some((version, hash, length)) = self.paths(lifecycle).remove(key) {
            *self
                .counts(lifecycle, version)
                .paths
                .entry((hash, length))
                .or_default() += 1;
        }
    }

    /// Ends every open interaction's path (the end of the stream).
    pub fn end_all(&mut self) {
        let open = std::mem::take(&mut self.paths);
        for (lifecycle, paths) in open.into_iter().enumerate() {
            for (version, hash, length) in paths.into_values() {
                *self
                    .counts(lifecycle, version)
                    .paths
                    .entry((hash, length))
                    .or_default() += 1;
            }
        }
    }

    /// Adds another shard's counts (after `end_all` on both).
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
            add(&mut mine.transitions, theirs.transitions);
            for (at, [held, not]) in theirs.guards {
                let entry = mine.guards.entry(at).or_default();
                entry[0] += held;
                entry[1] += not;
            }
            for (path, n) in theirs.paths {
                *mine.paths.entry(path).or_default() += n;
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
                        taken: counts
                            .transitions
                            .get(&(from, on, to))
                            .copied()
                            .unwrap_or(0),
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
                            .and_then(|path| counts.paths.get(&path).copied())
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
    if list.len() <= at {
        list.resize(at + 1, 0);
    }
    list[at] += 1;
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
fn scenario_path(version: &Version, steps: &[ScenarioStep]) -> Option<(u64, u32)> {
    let mut hash = PATH_SEED;
    for step in steps {
        let name = match step {
            ScenarioStep::Name(name) => name.as_str(),
            ScenarioStep::Full(full) => full.event.as_str(),
        };
        hash = extend(hash, *version.event_ids.get(name)?);
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
