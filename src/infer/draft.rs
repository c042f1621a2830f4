//! A learned lifecycle written as a lifecycle file: events with their payloads, states named
//! after the event that enters them most often, transitions, versions with `since`/`until`
//! where what they saw differs, and comments that say what was read and how long
//! interactions stayed in each state.

use std::collections::{HashMap, HashSet};

use indexmap::IndexMap;
use serde_json::{json, Map, Value};

use super::import::{versions_list, yaml_of};
use super::order::Machine;
use super::{Options, Recorded};
use crate::compile::version::VersionKey;
use crate::config::convert::insert_above;
use crate::export::diagram::duration;

/// A drafted lifecycle file.
#[derive(Debug)]
pub struct Draft {
    /// The lifecycle name.
    pub name: String,
    /// The file, as YAML.
    pub yaml: String,
    /// Interactions left out of the order, each with the reason.
    pub set_aside: Vec<String>,
    /// Interactions read.
    pub interactions: usize,
    /// Events read.
    pub events: u64,
    /// States learned (the initial one aside).
    pub states: usize,
    /// Transitions learned.
    pub transitions: usize,
}

/// The initial state's name in drafts (the file format's default).
const INITIAL: &str = "idle";

/// Time in a state is summarised, and a timeout suggested, from this many samples on.
const TIMEOUT_EVIDENCE: u64 = 20;

/// The lifecycle file of `machine`, learned from `recorded`.
pub(super) fn write(
    name: &str,
    recorded: &Recorded,
    machine: &Machine,
    options: &Options,
    set_aside: Vec<String>,
) -> Draft {
    let versions = Versions::new(&recorded.versions);
    let event_names: Vec<&str> = recorded.events.keys().map(String::as_str).collect();
    let state_names = state_names(machine, &event_names);
    let mut file = Map::new();
    file.insert("name".into(), name.into());
    file.insert(
        "description".into(),
        "Drafted by `plotline infer` from recorded events: review it before it judges.".into(),
    );
    file.insert("versions".into(), versions_list(&versions.sorted));
    let learned: Vec<Map<String, Value>> = (recorded.events.iter())
        .map(
            |(event, record)| match options.payloads.contains_key(event.as_str()) {
                true => Map::new(),
                false => record
                    .payload
                    .property_declarations(options.bounds, |property| {
                        let seen = record.property_versions.get(property).copied().unwrap_or(0);
                        let range = versions.range(seen & record.versions);
                        (!range.is_empty()).then_some(range)
                    }),
            },
        )
        .collect();
    let (sets, uses) = property_sets(&learned);
    if !sets.is_empty() {
        file.insert("property_sets".into(), Value::Object(sets));
    }
    let mut events = Map::new();
    for (((event, record), properties), uses) in recorded.events.iter().zip(learned).zip(uses) {
        let mut decl = Map::new();
        if let Some(planned) = options.payloads.get(event.as_str()) {
            decl.insert("payload".into(), planned.clone());
        } else if !uses.is_empty() {
            let own: Map<String, Value> = (properties.into_iter())
                .filter(|(name, _)| !uses.iter().any(|(_, names)| names.contains(name)))
                .collect();
            let used: Vec<&String> = uses.iter().map(|(set, _)| set).collect();
            let mut payload = json!({ "use": used });
            if !own.is_empty() {
                payload["properties"] = Value::Object(own);
            }
            decl.insert("payload".into(), payload);
        } else if !properties.is_empty() {
            decl.insert("payload".into(), json!({ "properties": properties }));
        }
        decl.extend(versions.range(record.versions));
        // `required` is counted over every payload of the event, whatever its version.
        let value = match decl.is_empty() {
            true => Value::Null,
            false => Value::Object(decl),
        };
        events.insert(event.clone(), value);
    }
    file.insert("events".into(), Value::Object(events));
    let outgoing: HashSet<usize> = machine.transitions.iter().map(|t| t.0).collect();
    let mut entered: HashMap<usize, u64> = HashMap::new();
    for &(_, _, to, _, seen) in &machine.transitions {
        *entered.entry(to).or_default() |= seen;
    }
    let ends = ends(machine, &outgoing);
    let mut states = Map::new();
    let mut dwell_notes = Vec::new();
    for (index, stats) in machine.states.iter().enumerate().skip(1) {
        let Some(state) = state_names.get(index) else {
            continue;
        };
        let continues = outgoing.contains(&index);
        let mut decl = Map::new();
        match ends.get(index).copied().unwrap_or(End::No) {
            End::Final => decl.insert("final".into(), true.into()),
            End::Sometimes | End::Assumed => decl.insert("may_end".into(), true.into()),
            End::No => None,
        };
        if ends.get(index) == Some(&End::Assumed) {
            dwell_notes.push((
                format!("states.{state}"),
                vec![
                    "# Only interactions still open when the recording stopped came this way: \
                     `may_end` so that"
                        .to_owned(),
                    "# they may end somewhere; review it.".to_owned(),
                ],
            ));
        }
        // A state only some versions reach is in those versions only.
        decl.extend(versions.range(entered.get(&index).copied().unwrap_or(0)));
        let decl = match decl.is_empty() {
            true => Value::Null,
            false => Value::Object(decl),
        };
        states.insert(state.clone(), decl);
        if let Some(note) = dwell_note(stats, continues) {
            dwell_notes.push((format!("states.{state}"), note));
        }
    }
    file.insert("states".into(), Value::Object(states));
    file.insert(
        "transitions".into(),
        Value::Array(transitions(machine, &state_names, &event_names, &versions)),
    );
    let value = Value::Object(file);
    let (yaml, written) = yaml_of(&value);
    let mut above: Vec<(usize, Vec<String>)> = (dwell_notes.into_iter())
        .filter_map(|(path, note)| written.get(&path).map(|at| (at.line, note)))
        .collect();
    above.push((1, header(name, recorded, &set_aside)));
    let events_read = recorded.events.values().map(|record| record.count).sum();
    Draft {
        name: name.to_owned(),
        yaml: insert_above(&yaml, above),
        set_aside,
        interactions: recorded.begun,
        events: events_read,
        states: machine.states.len().saturating_sub(1),
        transitions: machine.transitions.len(),
    }
}

/// The comment at the top: what was read.
fn header(name: &str, recorded: &Recorded, set_aside: &[String]) -> Vec<String> {
    let total: u64 = recorded.events.values().map(|record| record.count).sum();
    let mut lines = vec![
        "# yaml-language-server: $schema=lifecycle-file.schema.json".to_owned(),
        format!(
            "# Drafted by `plotline infer` from {total} events of {} interactions of `{name}`.",
            recorded.begun
        ),
    ];
    let counts: Vec<String> = (recorded.events.iter())
        .map(|(event, record)| format!("{event} {}", record.count))
        .collect();
    lines.extend(wrap(&format!("Events: {}.", counts.join(", "))));
    if !set_aside.is_empty() {
        lines.push(format!(
            "# {} interaction(s) set aside as rare (`plotline infer` lists them).",
            set_aside.len()
        ));
    }
    lines
}

/// Comment lines of at most 96 characters.
fn wrap(text: &str) -> Vec<String> {
    let mut lines = vec![String::from("#")];
    for word in text.split(' ') {
        if lines
            .last()
            .is_some_and(|line| line.len() + word.len() > 95)
        {
            lines.push(String::from("#"));
        }
        if let Some(line) = lines.last_mut() {
            line.push(' ');
            line.push_str(word);
        }
    }
    lines
}

/// How long interactions stayed in a state before their next event, and a timeout to
/// consider where enough of them did (never an active one).
fn dwell_note(stats: &super::order::StateStats, continues: bool) -> Option<Vec<String>> {
    let dwell = &stats.dwell;
    if !continues || dwell.count == 0 {
        return None;
    }
    let bound = |fraction| {
        dwell
            .quantile_bound(fraction)
            .map_or("?".to_owned(), duration)
    };
    let mut note = vec![format!(
        "# Time here before the next event ({} times): half under {}, 99% under {}, longest {}.",
        dwell.count,
        bound(0.5),
        bound(0.99),
        duration(dwell.max)
    )];
    if dwell.count >= TIMEOUT_EVIDENCE {
        let after = dwell.quantile_bound(0.99).unwrap_or(dwell.max).max(1000) * 2;
        note.push(format!(
            "# A timeout to consider: timeout: {{after: {}, violation: \"no event for {}\"}}",
            duration(after).replace(' ', "").replace("min", "m"),
            duration(after)
        ));
    }
    Some(note)
}

/// A property's name and declaration.
type Declared<'a> = (&'a String, &'a Value);

/// A property set's name and the properties it holds.
type SetUse = (String, Vec<String>);

/// Property sets for the properties several events declare alike (same name, same
/// declaration): properties shared by the same events form one set, when at least two events
/// share at least two of them. The sets (`common`, `common_2`, ... largest first), and per
/// event the sets it uses.
fn property_sets(events: &[Map<String, Value>]) -> (Map<String, Value>, Vec<Vec<SetUse>>) {
    // Each distinct declaration (name and value) and the events that declare it, in order of
    // first appearance, found through a hash of it: plans of thousands of properties take no
    // quadratic time.
    let mut sharing: IndexMap<Declared, Vec<usize>> = IndexMap::new();
    for (index, properties) in events.iter().enumerate() {
        for property in properties {
            sharing.entry(property).or_default().push(index);
        }
    }
    // By the events that share them: the properties.
    let mut groups: IndexMap<Vec<usize>, Vec<Declared>> = IndexMap::new();
    for (property, users) in sharing.into_iter().filter(|(_, users)| users.len() >= 2) {
        groups.entry(users).or_default().push(property);
    }
    let mut groups: Vec<(Vec<usize>, Vec<Declared>)> = (groups.into_iter())
        .filter(|(_, properties)| properties.len() >= 2)
        .collect();
    groups.sort_by_key(|(users, properties)| std::cmp::Reverse(users.len() * properties.len()));
    let mut sets = Map::new();
    let mut uses: Vec<Vec<SetUse>> = vec![Vec::new(); events.len()];
    for (n, (users, properties)) in groups.into_iter().enumerate() {
        let name = match n {
            0 => "common".to_owned(),
            n => format!("common_{}", n + 1),
        };
        let names: Vec<String> = properties.iter().map(|(name, _)| (*name).clone()).collect();
        let declared: Map<String, Value> = (properties.into_iter())
            .map(|(name, decl)| (name.clone(), decl.clone()))
            .collect();
        sets.insert(name.clone(), json!({ "properties": declared }));
        for user in users {
            if let Some(used) = uses.get_mut(user) {
                used.push((name.clone(), names.clone()));
            }
        }
    }
    (sets, uses)
}

/// Whether interactions may end in a state.
#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    No,
    /// Interactions stopped here and nothing ever followed.
    Final,
    /// Interactions ended here for sure, and others went on (`may_end`).
    Sometimes,
    /// Interactions only stopped here at the end of the recording, and no state where they
    /// end can be reached from here: taken as an end all the same, so that every state
    /// leads to one (a lifecycle must).
    Assumed,
}

/// Where interactions may end, by state.
fn ends(machine: &Machine, outgoing: &HashSet<usize>) -> Vec<End> {
    let mut ends: Vec<End> = (machine.states.iter().enumerate())
        .map(|(index, stats)| {
            match (
                stats.ended > 0 || stats.stopped > 0,
                outgoing.contains(&index),
            ) {
                _ if index == 0 => End::No,
                (true, false) => End::Final,
                (true, true) if stats.ended > 0 => End::Sometimes,
                _ => End::No,
            }
        })
        .collect();
    loop {
        // Backwards from the ends: the states that reach one.
        let mut reaches: Vec<bool> = ends.iter().map(|end| *end != End::No).collect();
        let mut changed = true;
        while changed {
            changed = false;
            for &(from, _, to, ..) in &machine.transitions {
                if reaches.get(to) == Some(&true) && reaches.get(from) == Some(&false) {
                    reaches[from] = true;
                    changed = true;
                }
            }
        }
        let stranded = (machine.states.iter().enumerate().skip(1))
            .find(|(index, stats)| !reaches[*index] && stats.stopped > 0)
            .map(|(index, _)| index);
        match stranded {
            Some(index) => ends[index] = End::Assumed,
            None => return ends,
        }
    }
}

/// Each state's name: the event that enters it most often, numbered when taken.
fn state_names(machine: &Machine, events: &[&str]) -> Vec<String> {
    let mut taken: HashSet<String> = HashSet::from([INITIAL.to_owned()]);
    let mut names = vec![INITIAL.to_owned()];
    for stats in machine.states.iter().skip(1) {
        let entered = (stats.entered_by.iter())
            .max_by_key(|(event, passes)| (**passes, std::cmp::Reverse(**event)))
            .and_then(|(event, _)| events.get(*event as usize))
            .copied()
            .unwrap_or("state");
        let mut name = entered.to_owned();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{entered}_{n}");
            n += 1;
        }
        names.push(name);
    }
    names
}

/// A transition's event, target state and version range.
type GroupKey = (u32, usize, Map<String, Value>);

/// The transitions, those that share an event, a target and versions in one entry.
fn transitions(
    machine: &Machine,
    states: &[String],
    events: &[&str],
    versions: &Versions,
) -> Vec<Value> {
    // By (event, target, versions): the states it leaves.
    let mut grouped: Vec<(GroupKey, Vec<&str>)> = Vec::new();
    for &(from, event, to, _, seen) in &machine.transitions {
        let key = (event, to, versions.range(seen));
        let from = states.get(from).map_or("?", String::as_str);
        match grouped.iter_mut().find(|(k, _)| *k == key) {
            Some((_, froms)) => froms.push(from),
            None => grouped.push((key, vec![from])),
        }
    }
    (grouped.into_iter())
        .map(|((event, to, range), froms)| {
            let mut decl = Map::new();
            let from = match froms.as_slice() {
                [one] => json!(one),
                many => json!(many),
            };
            decl.insert("from".into(), from);
            decl.insert("on".into(), json!(events.get(event as usize).copied()));
            decl.insert("to".into(), json!(states.get(to)));
            decl.extend(range);
            Value::Object(decl)
        })
        .collect()
}

/// The versions read, oldest first, when every one is a version number.
struct Versions {
    sorted: Vec<String>,
    /// For each version as first seen, its place among the sorted ones.
    place: Vec<usize>,
}

impl Versions {
    fn new(seen: &[String]) -> Versions {
        let keys: Option<Vec<VersionKey>> = seen.iter().map(|v| VersionKey::parse(v)).collect();
        let Some(keys) = keys.filter(|_| seen.len() <= 64) else {
            return Versions {
                sorted: Vec::new(),
                place: Vec::new(),
            };
        };
        let mut order: Vec<usize> = (0..seen.len()).collect();
        order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)));
        let mut place = vec![0; seen.len()];
        for (at, &index) in order.iter().enumerate() {
            if let Some(slot) = place.get_mut(index) {
                *slot = at;
            }
        }
        Versions {
            sorted: order.iter().filter_map(|&i| seen.get(i).cloned()).collect(),
            place,
        }
    }

    /// `since` and `until` for what the versions of `seen` (bits as first seen) had: the
    /// newest ones from some version on, or the oldest up to one; nothing otherwise.
    fn range(&self, seen: u64) -> Map<String, Value> {
        let mut range = Map::new();
        let mut had = vec![false; self.sorted.len()];
        for (index, &at) in self.place.iter().enumerate() {
            if seen & (1u64 << index) != 0 {
                if let Some(slot) = had.get_mut(at) {
                    *slot = true;
                }
            }
        }
        let first = had.iter().position(|&h| h);
        let last = had.iter().rposition(|&h| h);
        let (Some(first), Some(last)) = (first, last) else {
            return range;
        };
        let contiguous = had.get(first..=last).is_some_and(|h| h.iter().all(|&h| h));
        if !contiguous || (first == 0 && last + 1 == had.len()) {
            return range;
        }
        if first > 0 {
            range.insert("since".into(), self.sorted.get(first).cloned().into());
        }
        if last + 1 < had.len() {
            range.insert("until".into(), self.sorted.get(last + 1).cloned().into());
        }
        range
    }
}
