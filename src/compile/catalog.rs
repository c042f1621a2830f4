//! The compiled catalog: what the interpreter runs. Names are interned to dense ids, the
//! transitions are a table, metadata fields are slots, rules are checked expression trees and
//! payload validators are compiled.

use std::sync::Arc;

use serde_json::Value;

use super::fast_check::{DataReads, FastCheck};
use super::format::Format;
use super::names::NameMap;
use super::version::{select, VersionKey};
use crate::config::model::{Expectation, FieldType};
use crate::config::source_map::Location;
use crate::diagnostic::{suggestion, SourceText};
use crate::expr::{Node, Shape, Slot};
use crate::short_eq;

/// Dense id of a state within a lifecycle version.
pub type StateId = u16;
/// Dense id of an event within a lifecycle version.
pub type EventId = u16;
/// "No transition" in the table.
pub const NO_STATE: StateId = StateId::MAX;
/// Table cells at or above this (and below [`NO_STATE`]) name guarded transitions:
/// `cell - GUARDED` indexes [`Version::guarded`]. States are therefore fewer than this.
pub const GUARDED: StateId = 0x8000;

/// Every lifecycle, by name.
#[derive(Debug, Default)]
pub struct Catalog {
    /// The lifecycles, in load order.
    pub lifecycles: Vec<Lifecycle>,
    index: NameMap<usize>,
}

impl Catalog {
    /// A catalog of `lifecycles` (names are unique: the compiler checked).
    pub fn new(lifecycles: Vec<Lifecycle>) -> Catalog {
        let index = lifecycles
            .iter()
            .enumerate()
            .map(|(i, lifecycle)| (lifecycle.name.clone(), i))
            .collect();
        Catalog { lifecycles, index }
    }

    /// Every lifecycle's native record shapes, with their lifecycle, in load order.
    pub fn formats(&self) -> impl Iterator<Item = (&Lifecycle, &Format)> + Clone {
        self.lifecycles
            .iter()
            .flat_map(|lifecycle| lifecycle.formats.iter().map(move |f| (lifecycle, f)))
    }

    /// The id of the lifecycle named `name`.
    pub fn lifecycle_id(&self, name: &str) -> Option<usize> {
        self.index.get(name).copied()
    }

    /// The lifecycle named `name`.
    pub fn lifecycle(&self, name: &str) -> Option<&Lifecycle> {
        self.lifecycle_id(name)
            .and_then(|id| self.lifecycles.get(id))
    }

    /// The lifecycle named `name`, or what to say when there is none (with a suggestion).
    pub fn find(&self, name: &str) -> Result<&Lifecycle, String> {
        self.lifecycle(name).ok_or_else(|| {
            let help = suggestion(name, self.lifecycles.iter().map(|l| l.name.as_str()));
            format!(
                "no lifecycle `{name}`{}",
                help.map(|h| format!(" ({h})")).unwrap_or_default()
            )
        })
    }

    /// `version` of the lifecycle named `name` (its latest when `None`), or what to say.
    pub fn find_version(
        &self,
        name: &str,
        version: Option<&str>,
    ) -> Result<(&Lifecycle, &Version), String> {
        let lifecycle = self.find(name)?;
        let version = match version {
            Some(wanted) => lifecycle.find_version(wanted)?,
            None => (lifecycle.versions.last())
                .ok_or_else(|| format!("lifecycle `{name}` has no version"))?,
        };
        Ok((lifecycle, version))
    }
}

/// A lifecycle and all its versions.
#[derive(Debug)]
pub struct Lifecycle {
    /// Its name.
    pub name: String,
    /// A human title.
    pub title: Option<String>,
    /// What it describes.
    pub description: String,
    /// The file it came from.
    pub file: String,
    /// Its versions, oldest first.
    pub versions: Vec<Version>,
    /// Parsed version names, for selection.
    pub keys: Vec<VersionKey>,
    /// Its documented scenarios.
    pub scenarios: Vec<Scenario>,
    /// The native record shapes its events may come in.
    pub formats: Vec<Format>,
}

impl Lifecycle {
    /// The version for a widget version (see [`select`]); `None` for an unparsable one.
    pub fn select(&self, version: Option<&str>) -> Option<usize> {
        // Version names increase strictly, so an exact name is its own selection.
        let exact = version.and_then(|name| {
            (self.versions.iter()).position(|v| short_eq::same_str(&v.name, name))
        });
        exact.or_else(|| select(&self.keys, version))
    }

    /// The version named exactly `name`.
    pub fn version_named(&self, name: &str) -> Option<&Version> {
        self.versions.iter().find(|version| version.name == name)
    }

    /// The version named exactly `wanted`, or what to say when there is none (a suggestion, or
    /// the list of versions).
    pub fn find_version(&self, wanted: &str) -> Result<&Version, String> {
        self.version_named(wanted).ok_or_else(|| {
            let names = self.versions.iter().map(|v| v.name.as_str());
            let help = suggestion(wanted, names.clone())
                .unwrap_or_else(|| format!("versions: {}", names.collect::<Vec<_>>().join(", ")));
            format!(
                "lifecycle `{}` has no version `{wanted}` ({help})",
                self.name
            )
        })
    }
}

/// One version of a lifecycle, compiled.
#[derive(Debug)]
pub struct Version {
    /// The version's name.
    pub name: String,
    /// What changed in it.
    pub description: Option<String>,
    /// Events by id.
    pub events: Vec<Event>,
    /// Event ids by name: the one string lookup per event.
    pub event_ids: NameMap<EventId>,
    /// States by id.
    pub states: Vec<State>,
    /// The state before the first event.
    pub initial: StateId,
    /// `table[state * events.len() + event]`: the next state, [`NO_STATE`], or a
    /// [`GUARDED`] index.
    pub table: Vec<StateId>,
    /// The guarded transitions of a cell, in file order.
    pub guarded: Vec<Vec<Guarded>>,
    /// Metadata fields by slot.
    pub fields: Vec<Field>,
    /// Its metadata block with every reported field unset, where each field is in it, and
    /// the room a block can need.
    pub unset_block: UnsetBlock,
    /// Rules, in declared order.
    pub rules: Vec<Rule>,
    /// Deadlines across states, in declared order; an interaction keeps each one's start
    /// in the slot after the fields' (`fields.len() + index`).
    pub deadlines: Vec<Deadline>,
}

/// A deadline across states, decided from event time.
#[derive(Debug, Clone)]
pub struct Deadline {
    /// The event whose first occurrence starts it.
    pub from: EventId,
    /// Milliseconds from then until the interaction must have ended.
    pub within: i64,
    /// The state it moves the interaction to.
    pub to: Option<StateId>,
    /// The message of the `timeout` violation it reports, if it reports one.
    pub violation: Option<String>,
    /// Fields it sets (evaluated with `ts` at the deadline).
    pub set: Vec<(usize, Node)>,
}

/// What `event` does in a state.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Move<'v> {
    /// Nothing: the event is illegal there.
    Illegal,
    /// The interaction goes to this state.
    To(StateId),
    /// The first of these whose guard holds is taken; illegal when none holds.
    Guarded(&'v [Guarded]),
}

/// A transition with a guard.
#[derive(Debug, Clone, PartialEq)]
pub struct Guarded {
    /// The guard (`None`: always holds, the fallback after guarded ones).
    pub when: Option<Node>,
    /// The guard as written, for messages.
    pub source: String,
    /// The state it goes to.
    pub target: StateId,
}

impl Version {
    /// What `event` does in `state`.
    pub fn step(&self, state: StateId, event: EventId) -> Move<'_> {
        let at = usize::from(state) * self.events.len() + usize::from(event);
        match self.table.get(at).copied() {
            None | Some(NO_STATE) => Move::Illegal,
            Some(cell) if cell >= GUARDED => self
                .guarded
                .get(usize::from(cell - GUARDED))
                .map_or(Move::Illegal, |list| Move::Guarded(list)),
            Some(next) => Move::To(next),
        }
    }

    /// Every state `event` may lead to from `state` (several when guarded), each once, in
    /// the order the transitions are tried.
    pub fn targets(&self, state: StateId, event: EventId) -> Vec<StateId> {
        match self.step(state, event) {
            Move::Illegal => Vec::new(),
            Move::To(next) => vec![next],
            Move::Guarded(list) => {
                let mut targets: Vec<StateId> = Vec::with_capacity(list.len());
                for guarded in list {
                    if !targets.contains(&guarded.target) {
                        targets.push(guarded.target);
                    }
                }
                targets
            }
        }
    }

    /// Every legal cell of the transition table: `(state, event, what the event does there)`,
    /// in state then event order.
    pub fn moves(&self) -> impl Iterator<Item = (StateId, EventId, Move<'_>)> + '_ {
        let states = (0..self.states.len()).filter_map(|s| StateId::try_from(s).ok());
        states.flat_map(move |state| {
            (0..self.events.len())
                .filter_map(|e| EventId::try_from(e).ok())
                .map(move |event| (state, event, self.step(state, event)))
                .filter(|(_, _, step)| *step != Move::Illegal)
        })
    }

    /// The state after `event` in `state` when that needs no guard.
    pub fn next(&self, state: StateId, event: EventId) -> Option<StateId> {
        match self.step(state, event) {
            Move::To(next) => Some(next),
            _ => None,
        }
    }

    /// The state named `name`.
    pub fn state_id(&self, name: &str) -> Option<StateId> {
        let at = self.states.iter().position(|state| state.name == name)?;
        StateId::try_from(at).ok()
    }

    /// The events allowed in `state` (under some guard, for guarded ones), by name.
    pub fn allowed(&self, state: StateId) -> Vec<&str> {
        (0..self.events.len())
            .filter_map(|event| {
                let event = EventId::try_from(event).ok()?;
                if self.step(state, event) == Move::Illegal {
                    return None;
                }
                self.events.get(usize::from(event)).map(|e| e.name.as_str())
            })
            .collect()
    }

    /// How many slots an interaction holds: a field's each, then a deadline's each.
    pub fn slots(&self) -> usize {
        self.fields.len() + self.deadlines.len()
    }

    /// The timeout of `state`, if it has one.
    pub fn timeout(&self, state: StateId) -> Option<&Timeout> {
        self.states.get(usize::from(state))?.timeout.as_ref()
    }

    /// Whether an interaction may end in `state` without `incomplete`.
    pub fn may_end(&self, state: StateId) -> bool {
        self.states
            .get(usize::from(state))
            .is_some_and(|s| s.is_final || s.may_end)
    }

    /// The name of a state.
    pub fn state_name(&self, state: StateId) -> &str {
        self.states
            .get(usize::from(state))
            .map_or("?", |s| s.name.as_str())
    }

    /// Whether `state` is final.
    pub fn is_final(&self, state: StateId) -> bool {
        self.states
            .get(usize::from(state))
            .is_some_and(|s| s.is_final)
    }

    /// The nearest state ahead of `from` (by fewest events and timeouts, ties by state id)
    /// where `event` is allowed; `None` when no state reachable from `from` allows it.
    pub fn nearest_allowing(&self, from: StateId, event: EventId) -> Option<StateId> {
        let mut seen = vec![false; self.states.len()];
        let mut frontier = vec![from];
        *seen.get_mut(usize::from(from))? = true;
        while !frontier.is_empty() {
            let mut next: Vec<StateId> = Vec::new();
            for &state in &frontier {
                let ahead = (0..self.events.len())
                    .filter_map(|e| EventId::try_from(e).ok())
                    .flat_map(|on| self.targets(state, on));
                let timed = self.timeout(state).and_then(|timeout| timeout.to);
                for to in ahead.chain(timed) {
                    if let Some(flag) = seen.get_mut(usize::from(to)).filter(|flag| !**flag) {
                        *flag = true;
                        next.push(to);
                    }
                }
            }
            next.sort_unstable();
            if let Some(&found) = next.iter().find(|&&s| self.step(s, event) != Move::Illegal) {
                return Some(found);
            }
            frontier = next;
        }
        None
    }

    /// The fields that rules and timeouts would set on the way from `from` to a state where
    /// `event` is allowed, when `event` arrives in `from` and is not: what the events the
    /// stream lost would have set. Nothing when `event` is allowed in `from` (a guard failed).
    pub fn fields_set_between(&self, from: StateId, event: EventId) -> Vec<usize> {
        let states = self.states.len();
        let allowed_in = |state: StateId| self.step(state, event) != Move::Illegal;
        if allowed_in(from) {
            return Vec::new();
        }
        // Every edge: (from, event that takes it, or `None` for a timeout, to).
        let mut edges: Vec<(StateId, Option<EventId>, StateId)> = Vec::new();
        for (state, on, _) in self.moves() {
            for to in self.targets(state, on) {
                edges.push((state, Some(on), to));
            }
        }
        for state in (0..states).filter_map(|s| StateId::try_from(s).ok()) {
            if let Some(to) = self.timeout(state).and_then(|timeout| timeout.to) {
                edges.push((state, None, to));
            }
        }
        // States reachable from `from`, and states from which `event` can be reached.
        let mut ahead = vec![false; states];
        let mut leads_there = vec![false; states];
        let mark = |flags: &mut [bool], state: StateId| {
            flags
                .get_mut(usize::from(state))
                .is_some_and(|flag| !std::mem::replace(flag, true))
        };
        mark(&mut ahead, from);
        for state in (0..states).filter_map(|s| StateId::try_from(s).ok()) {
            if allowed_in(state) {
                mark(&mut leads_there, state);
            }
        }
        let flag = |flags: &[bool], state: StateId| flags.get(usize::from(state)) == Some(&true);
        let mut changed = true;
        while changed {
            changed = false;
            for &(a, _, b) in &edges {
                if flag(&ahead, a) && mark(&mut ahead, b) {
                    changed = true;
                }
                if flag(&leads_there, b) && mark(&mut leads_there, a) {
                    changed = true;
                }
            }
        }
        let mut slots: Vec<usize> = Vec::new();
        for &(a, on, b) in &edges {
            if !(flag(&ahead, a) && flag(&leads_there, b)) || on == Some(event) {
                continue;
            }
            let set = match on {
                Some(on) => {
                    let rules = self.events.get(usize::from(on)).map(|e| e.rules.as_slice());
                    let rules = rules.unwrap_or_default().iter();
                    let sets = rules.filter_map(|&r| self.rules.get(r)).map(|r| &r.set);
                    sets.flat_map(|set| set.iter().map(|(slot, _)| *slot))
                        .collect()
                }
                None => (self.timeout(a).map(|t| t.set.iter().map(|(slot, _)| *slot)))
                    .into_iter()
                    .flatten()
                    .collect::<Vec<usize>>(),
            };
            for slot in set {
                if !slots.contains(&slot) {
                    slots.push(slot);
                }
            }
        }
        slots
    }

    /// The fields of the reported metadata block (every field but the internal ones).
    pub fn reported_fields(&self) -> impl Iterator<Item = &Field> {
        self.fields.iter().filter(|field| !field.internal)
    }

    /// Each reported field with its slot's value (`None`: unset or missing, so the field's
    /// default).
    fn reported_slots<'s>(
        &'s self,
        slots: &'s [Slot],
    ) -> impl Iterator<Item = (&'s Field, Option<&'s Slot>)> {
        (self.fields.iter().enumerate())
            .filter(|(_, field)| !field.internal)
            .map(|(slot, field)| (field, slots.get(slot).filter(|s| **s != Slot::Unset)))
    }

    /// The metadata block for slot values, unset (or missing) slots at their defaults;
    /// internal fields are left out.
    pub fn metadata_block(&self, slots: &[Slot]) -> serde_json::Map<String, Value> {
        self.reported_slots(slots)
            .map(|(field, slot)| {
                let value = slot.and_then(Slot::to_json);
                (
                    field.name.clone(),
                    value.unwrap_or_else(|| field.default.clone()),
                )
            })
            .collect()
    }

    /// [`Version::metadata_block`] written straight as JSON text (an object), without
    /// building it ([`Version::write_metadata`]).
    pub fn metadata_json(&self, slots: &[Slot]) -> String {
        let mut out = String::new();
        self.write_metadata(slots, &mut out);
        out
    }

    /// Appends [`Version::metadata_block`] to `out` as JSON text (an object): the runs of
    /// unset fields between set ones are copied, commas and all, from
    /// [`Version::unset_block`], each with the key of the set field after it (an unset
    /// field's text begins with its key).
    pub fn write_metadata(&self, slots: &[Slot], out: &mut String) {
        let block = &self.unset_block;
        // Text throughout, so that the block needs no UTF-8 check when it is done.
        out.reserve(block.room);
        let mut copied = 0;
        // A slot past the fields (a deadline's) has no span; an internal field's is empty.
        for ((slot, span), field) in slots.iter().zip(&block.spans).zip(&self.fields) {
            if *slot == Slot::Unset || span.is_empty() {
                continue;
            }
            let key_end = span.start + field.written_key.len();
            out.push_str(block.text.get(copied..key_end).unwrap_or_default());
            copied = span.end;
            match slot {
                Slot::Bool(true) => out.push_str("true"),
                Slot::Bool(false) => out.push_str("false"),
                Slot::Int(n) => out.push_str(itoa::Buffer::new().format(*n)),
                // Writing into memory fails only on a value JSON cannot hold; there is none.
                Slot::Json(doc) => match serde_json::to_string(doc) {
                    Ok(text) => out.push_str(&text),
                    Err(_) => out.push_str("null"),
                },
                Slot::Unknown | Slot::Unset => out.push_str("null"),
            }
        }
        out.push_str(block.text.get(copied..).unwrap_or_default());
    }
}

/// A version's metadata block with every reported field at its default
/// (`{"a":false,"b":null}`), and where each field's `"key":default` is in it.
#[derive(Debug)]
pub struct UnsetBlock {
    /// The block's text.
    pub text: String,
    /// Each field's place in `text`, by slot (empty for an internal field).
    pub spans: Vec<std::ops::Range<usize>>,
    /// Room for a block as [`Version::metadata_json`] writes it: each reported field unset,
    /// or its key and an integer (at most 20 bytes), whichever is longer.
    pub room: usize,
}

impl UnsetBlock {
    /// The block of `fields`, each unset.
    pub fn of(fields: &[Field]) -> UnsetBlock {
        let mut block = UnsetBlock {
            text: String::from("{"),
            spans: Vec::with_capacity(fields.len()),
            room: 0,
        };
        let mut beyond = 0;
        for field in fields {
            let at = block.text.len();
            if field.internal {
                block.spans.push(at..at);
                continue;
            }
            if at > 1 {
                block.text.push(',');
            }
            let start = block.text.len();
            block.text.push_str(&field.written_key);
            // Values always have a JSON text: the fallback is never taken.
            let default = serde_json::to_string(&field.default);
            block.text.push_str(default.as_deref().unwrap_or("null"));
            block.spans.push(start..block.text.len());
            beyond += (field.written_key.len() + 20).saturating_sub(block.text.len() - start);
        }
        block.text.push('}');
        block.room = block.text.len() + beyond;
        block
    }
}

/// An event of a version.
#[derive(Debug)]
pub struct Event {
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: Option<String>,
    /// Its payload, when declared.
    pub payload: Option<Payload>,
    /// Where an interaction goes after this event arrives illegally: its one target state,
    /// when it has exactly one.
    pub resync: Option<StateId>,
    /// The rules that run on it, by index into [`Version::rules`], in order.
    pub rules: Vec<usize>,
    /// What its rules read of the payload.
    pub data_reads: DataReads,
}

/// A compiled payload.
#[derive(Debug)]
pub struct Payload {
    /// Its JSON Schema.
    pub schema: Value,
    /// Its shape.
    pub shape: Shape,
    /// The compiled validator: the authority, and the writer of messages.
    pub validator: jsonschema::Validator,
    /// The fast path for valid payloads, when the schema allows one.
    pub fast: Option<FastCheck>,
}

/// A state of a version.
#[derive(Debug, Clone)]
pub struct State {
    /// Its name.
    pub name: String,
    /// What it means.
    pub description: Option<String>,
    /// Whether interactions end here.
    pub is_final: bool,
    /// Whether an interaction may end here without being final.
    pub may_end: bool,
    /// What happens when an interaction stays here too long.
    pub timeout: Option<Timeout>,
}

/// A state's timeout, decided from event time.
#[derive(Debug, Clone)]
pub struct Timeout {
    /// Milliseconds after the interaction entered the state (after its latest event, when
    /// `idle`).
    pub after: i64,
    /// Whether every event restarts it, also one that keeps the state.
    pub idle: bool,
    /// The state it goes to (`None`: it stays).
    pub to: Option<StateId>,
    /// The message of the `timeout` violation it reports, if it reports one.
    pub violation: Option<String>,
    /// Fields it sets (evaluated with `ts` at the deadline).
    pub set: Vec<(usize, Node)>,
}

/// A metadata field.
#[derive(Debug, Clone)]
pub struct Field {
    /// Its name.
    pub name: String,
    /// Its type when set.
    pub ty: FieldType,
    /// Its value before a rule sets it.
    pub default: Value,
    /// Its name as a metadata block writes it, as a JSON key with its colon (`"name":`).
    pub written_key: String,
    /// What it means.
    pub description: Option<String>,
    /// Whether it is for rules only (not reported).
    pub internal: bool,
    /// Whether it holds personal data (shown masked).
    pub pii: bool,
}

/// A compiled rule.
#[derive(Debug)]
pub struct Rule {
    /// The declaration as one line (`on e: when W; set f = E; assert A`), for diffs.
    pub source: String,
    /// Its name, for messages.
    pub name: String,
    /// Its guard.
    pub when: Option<Node>,
    /// Field slots and their expressions.
    pub set: Vec<(usize, Node)>,
    /// Its assertion.
    pub assert: Option<Node>,
    /// The message of a failed assertion.
    pub message: String,
    /// What it reads of the payload (the event's payload check keeps that much).
    pub data_reads: DataReads,
}

/// A documented scenario.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Its short name.
    pub name: String,
    /// Its description from the source document.
    pub description: String,
    /// The source document.
    pub source: Option<String>,
    /// Its events.
    pub steps: Vec<Step>,
    /// The expected outcome.
    pub expect: Expectation,
    /// The versions (indices) it applies to.
    pub versions: Vec<usize>,
    /// The file it is declared in.
    pub file: Arc<SourceText>,
    /// Where.
    pub location: Location,
}

/// One event of a scenario, as it is run.
#[derive(Debug, Clone)]
pub struct Step {
    /// The event's name.
    pub event: String,
    /// Milliseconds since the event before it, when written.
    pub after: Option<i64>,
    /// The payload.
    pub data: Option<serde_json::Value>,
    /// The metadata block as the widget reports it.
    pub metadata: Option<serde_json::Value>,
}

#[cfg(test)]
mod tests {
    use crate::expr::{Doc, Slot};

    /// Slots for `fields` (and two deadlines after them), field `n` set when `set(n)`.
    fn slots(fields: usize, set: impl Fn(usize) -> bool) -> Vec<Slot> {
        (0..fields + 2)
            .map(|n| match (set(n), n % 4) {
                (false, _) => Slot::Unset,
                (true, 0) => Slot::Int(-1_733_000_000_123),
                (true, 1) => Slot::Bool(n % 3 == 0),
                (true, 2) => Slot::Json(Box::new(Doc::Str("a \"b\"".into()))),
                (true, _) => Slot::Unknown,
            })
            .collect()
    }

    #[test]
    fn a_block_written_from_its_unset_text_is_the_block_built_as_a_map() {
        let (files, _) = crate::config::load::load_builtin();
        let catalog = crate::compile::compile(&files)
            .0
            .expect("the built-in catalog");
        let mut internal = 0;
        for version in catalog.lifecycles.iter().flat_map(|l| &l.versions) {
            let count = version.fields.len();
            internal += version.fields.iter().filter(|f| f.internal).count();
            let patterns: [&dyn Fn(usize) -> bool; 6] = [
                &|_| false,
                &|_| true,
                &|n| n % 2 == 0,
                &|n| n % 2 == 1,
                &|n| n == 0 || n + 1 == count,
                &|n| n >= count,
            ];
            for set in patterns {
                let slots = slots(count, set);
                let built = serde_json::to_string(&version.metadata_block(&slots));
                let written = version.metadata_json(&slots);
                assert_eq!(written, built.expect("JSON"), "{}", version.name);
                // Fewer slots than fields: the rest are unset.
                let short = slots.get(..count / 2).unwrap_or_default();
                let built = serde_json::to_string(&version.metadata_block(short));
                assert_eq!(version.metadata_json(short), built.expect("JSON"));
            }
        }
        assert!(internal > 0, "some field is internal");
    }
}
