//! What changed between two compiled versions of a lifecycle, each change classified as schema
//! registries classify them: by whether records written for one version are still accepted
//! by the other.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::Serialize;
use serde_json::Value;

use crate::compile::catalog::{Move, Rule, State, StateId, Timeout};
use crate::compile::Version;

/// How a change affects records written for one version and read under the other.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Compatibility {
    /// Records of either version are accepted by the other.
    Full,
    /// Records of the old version are accepted by the new one (the new one accepts more).
    Backward,
    /// Records of the new version are accepted by the old one (the new one accepts less).
    Forward,
    /// Neither: some old records are refused by the new version and some new ones by the old.
    Breaking,
}

impl Compatibility {
    /// From whether old records stay valid (`backward`) and new records are valid for the old
    /// version (`forward`).
    fn of(backward: bool, forward: bool) -> Compatibility {
        match (backward, forward) {
            (true, true) => Compatibility::Full,
            (true, false) => Compatibility::Backward,
            (false, true) => Compatibility::Forward,
            (false, false) => Compatibility::Breaking,
        }
    }

    /// Whether records of the old version stay valid.
    pub fn is_backward(self) -> bool {
        matches!(self, Compatibility::Full | Compatibility::Backward)
    }

    /// Whether records of the new version are valid for the old one.
    pub fn is_forward(self) -> bool {
        matches!(self, Compatibility::Full | Compatibility::Forward)
    }

    /// The name used in reports.
    pub fn name(self) -> &'static str {
        match self {
            Compatibility::Full => "full",
            Compatibility::Backward => "backward",
            Compatibility::Forward => "forward",
            Compatibility::Breaking => "breaking",
        }
    }

    /// All changes together: backward if each is, forward if each is.
    pub fn combine(changes: &[Change]) -> Compatibility {
        Compatibility::of(
            changes.iter().all(|c| c.compatibility.is_backward()),
            changes.iter().all(|c| c.compatibility.is_forward()),
        )
    }
}

impl fmt::Display for Compatibility {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One change between two versions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// What part changed: `event`, `state`, `transition`, `initial_state`,
    /// `metadata_field`, `payload_property`, `rule` (and, between catalogs, `lifecycle` or
    /// `version`).
    pub part: &'static str,
    /// The changed item: an event, state, metadata field or rule's name, a payload
    /// property's path (`submitted.data.form`), a transition as `from --event-->`.
    pub name: String,
    /// `added`, `removed` or `changed`.
    pub action: &'static str,
    /// What changed, for people: "event `submitted` added".
    pub description: String,
    /// How records of the two versions fare.
    pub compatibility: Compatibility,
}

impl Change {
    /// A change of `part` described by `description`, whose first quoted name is the item
    /// changed (a transition's is followed by its `--event-->`).
    pub fn new(part: &'static str, description: String, compatibility: Compatibility) -> Change {
        let mut quoted = description.split('`');
        let mut name = quoted.nth(1).unwrap_or_default().to_owned();
        if part == "transition" {
            let rest = quoted.next().unwrap_or_default();
            if let Some(arrow) = rest.find("-->") {
                name.push_str(rest[..arrow + 3].trim_end());
            }
        }
        let action = if description.ends_with(" added") || description.contains(" added (") {
            "added"
        } else if description.ends_with(" removed") || description.contains(" removed (") {
            "removed"
        } else {
            "changed"
        };
        Change {
            part,
            name,
            action,
            description,
            compatibility,
        }
    }
}

/// Every change from `old` to `new`, in the order: events, states, transitions, payloads,
/// metadata fields, rules.
pub fn diff(old: &Version, new: &Version) -> Vec<Change> {
    let mut changes = Vec::new();
    let mut change = |part, compatibility, description: String| {
        changes.push(Change::new(part, description, compatibility));
    };

    let old_events: BTreeSet<&str> = old.events.iter().map(|e| e.name.as_str()).collect();
    let new_events: BTreeSet<&str> = new.events.iter().map(|e| e.name.as_str()).collect();
    for name in new_events.difference(&old_events) {
        change(
            "event",
            Compatibility::Backward,
            format!("event `{name}` added"),
        );
    }
    for name in old_events.difference(&new_events) {
        change(
            "event",
            Compatibility::Forward,
            format!("event `{name}` removed"),
        );
    }

    let (old_states, new_states) = (states(old), states(new));
    for (name, is_final) in &new_states {
        match old_states.get(name) {
            None => change(
                "state",
                Compatibility::Backward,
                format!("state `{name}` added"),
            ),
            Some(was_final) if was_final != is_final => change(
                "state",
                // A final state accepts nothing after it.
                Compatibility::of(!is_final, *is_final),
                format!(
                    "state `{name}` is {}",
                    if *is_final {
                        "now final"
                    } else {
                        "no longer final"
                    }
                ),
            ),
            Some(_) => {}
        }
    }
    for name in old_states.keys().filter(|n| !new_states.contains_key(*n)) {
        change(
            "state",
            Compatibility::Forward,
            format!("state `{name}` removed"),
        );
    }
    if old.state_name(old.initial) != new.state_name(new.initial) {
        change(
            "initial_state",
            Compatibility::Breaking,
            format!(
                "initial state `{}` is now `{}`",
                old.state_name(old.initial),
                new.state_name(new.initial)
            ),
        );
    }

    let (old_moves, new_moves) = (transitions(old), transitions(new));
    for ((from, event), moves) in &new_moves {
        let shown = show_moves(moves);
        match old_moves.get(&(*from, *event)) {
            None => change(
                "transition",
                Compatibility::Backward,
                format!("transition `{from}` --{event}--> {shown} added"),
            ),
            Some(was) if was != moves => change(
                "transition",
                moves_compatibility(was, moves),
                format!(
                    "transition `{from}` --{event}--> {} is now {shown}",
                    show_moves(was)
                ),
            ),
            Some(_) => {}
        }
    }
    for ((from, event), moves) in &old_moves {
        if !new_moves.contains_key(&(*from, *event)) {
            change(
                "transition",
                Compatibility::Forward,
                format!(
                    "transition `{from}` --{event}--> {} removed",
                    show_moves(moves)
                ),
            );
        }
    }
    for state in &new.states {
        let Some(was) = old.states.iter().find(|s| s.name == state.name) else {
            continue;
        };
        if was.may_end != state.may_end {
            change(
                "state",
                // Ending there was `incomplete`; now it is not (or the other way round).
                Compatibility::of(state.may_end, was.may_end),
                format!(
                    "state `{}` {}",
                    state.name,
                    if state.may_end {
                        "may now end an interaction"
                    } else {
                        "may no longer end an interaction"
                    }
                ),
            );
        }
        let (before, after) = (timeout_text(old, was), timeout_text(new, state));
        if before != after {
            change(
                "timeout",
                timeout_compatibility(was.timeout.as_ref(), state.timeout.as_ref()),
                format!(
                    "state `{}` timeout {} is now {}",
                    state.name,
                    before.as_deref().unwrap_or("(none)"),
                    after.as_deref().unwrap_or("(none)")
                ),
            );
        }
    }

    for event in &new.events {
        let was = old.event_ids.get(&event.name);
        let Some(was) = was.and_then(|&id| old.events.get(usize::from(id))) else {
            continue;
        };
        let schema = |payload: Option<&crate::compile::catalog::Payload>| {
            // Without a payload declaration, `data` is any object.
            payload.map_or(serde_json::json!({"type": "object"}), |p| p.schema.clone())
        };
        let (before, after) = (schema(was.payload.as_ref()), schema(event.payload.as_ref()));
        let mut found = Vec::new();
        compare_schemas(&before, &after, &format!("{}.data", event.name), &mut found);
        for (compatibility, description) in found {
            change("payload_property", compatibility, description);
        }
    }

    // The metadata block is closed and every field is present, so any field added or removed
    // changes every block. Internal fields are not in the block.
    for field in new.reported_fields() {
        match old.reported_fields().find(|f| f.name == field.name) {
            None => change(
                "metadata_field",
                Compatibility::Breaking,
                format!("metadata field `{}` added", field.name),
            ),
            Some(was) if was.ty != field.ty || was.default != field.default => change(
                "metadata_field",
                Compatibility::Breaking,
                format!(
                    "metadata field `{}` changed from {} (default {}) to {} (default {})",
                    field.name,
                    format!("{:?}", was.ty).to_lowercase(),
                    was.default,
                    format!("{:?}", field.ty).to_lowercase(),
                    field.default
                ),
            ),
            Some(_) => {}
        }
    }
    for field in old
        .reported_fields()
        .filter(|f| !new.reported_fields().any(|n| n.name == f.name))
    {
        change(
            "metadata_field",
            Compatibility::Breaking,
            format!("metadata field `{}` removed", field.name),
        );
    }

    let (old_sources, new_sources) = (rule_sources(old), rule_sources(new));
    for rule in new
        .rules
        .iter()
        .filter(|r| !old_sources.contains(r.source.as_str()))
    {
        let (added, _) = rule_compatibility(rule);
        change("rule", added, format!("rule `{}` added", rule.source));
    }
    for rule in old
        .rules
        .iter()
        .filter(|r| !new_sources.contains(r.source.as_str()))
    {
        let (_, removed) = rule_compatibility(rule);
        change("rule", removed, format!("rule `{}` removed", rule.source));
    }

    // A deadline that only reports refuses more streams where it is added (forward), fewer
    // where it is removed (backward); one that moves the interaction or sets fields changes
    // what follows.
    let (old_deadlines, new_deadlines) = (deadline_texts(old), deadline_texts(new));
    for (text, reports_only) in &new_deadlines {
        if !old_deadlines.iter().any(|(old, _)| old == text) {
            let compatibility = match reports_only {
                true => Compatibility::Forward,
                false => Compatibility::Breaking,
            };
            change("deadline", compatibility, format!("deadline {text} added"));
        }
    }
    for (text, reports_only) in &old_deadlines {
        if !new_deadlines.iter().any(|(new, _)| new == text) {
            let compatibility = match reports_only {
                true => Compatibility::Backward,
                false => Compatibility::Breaking,
            };
            change(
                "deadline",
                compatibility,
                format!("deadline {text} removed"),
            );
        }
    }
    changes
}

/// Each deadline as text, and whether it only reports.
fn deadline_texts(version: &Version) -> Vec<(String, bool)> {
    (version.deadlines.iter())
        .map(|deadline| {
            let from = (version.events.get(usize::from(deadline.from))).map_or("", |e| &e.name);
            let mut text = format!(
                "within {} of `{from}`",
                crate::export::diagram::duration(deadline.within)
            );
            let effect = (deadline.to, &deadline.violation, deadline.set.len());
            push_effect(&mut text, version, effect);
            (text, deadline.to.is_none() && deadline.set.is_empty())
        })
        .collect()
}

/// The states by name, and whether each is final.
fn states(version: &Version) -> BTreeMap<&str, bool> {
    let states = version.states.iter();
    states.map(|s| (s.name.as_str(), s.is_final)).collect()
}

fn rule_sources(version: &Version) -> BTreeSet<&str> {
    version.rules.iter().map(|r| r.source.as_str()).collect()
}

/// What adding and what removing `rule` does. A rule that sets fields changes the metadata
/// computed; one that only asserts refuses more records where it is added, fewer where it is
/// removed.
fn rule_compatibility(rule: &Rule) -> (Compatibility, Compatibility) {
    if !rule.set.is_empty() {
        (Compatibility::Breaking, Compatibility::Breaking)
    } else if rule.assert.is_some() {
        (Compatibility::Forward, Compatibility::Backward)
    } else {
        (Compatibility::Full, Compatibility::Full)
    }
}

/// A cell of the transition table by names: each guard as written (empty for none) and the
/// state it leads to, in order.
type Moves<'v> = Vec<(&'v str, &'v str)>;

/// The transition table by names: (state, event) to its moves.
fn transitions(version: &Version) -> BTreeMap<(&str, &str), Moves<'_>> {
    let mut table = BTreeMap::new();
    for (state, event, step) in version.moves() {
        let moves: Moves = match step {
            Move::Illegal => continue,
            Move::To(next) => vec![("", version.state_name(next))],
            Move::Guarded(list) => list
                .iter()
                .map(|g| (g.source.as_str(), version.state_name(g.target)))
                .collect(),
        };
        let event = version
            .events
            .get(usize::from(event))
            .map_or("", |e| e.name.as_str());
        table.insert((version.state_name(state), event), moves);
    }
    table
}

/// Moves as text: `` `to` `` or `` `to` when G, `other` ``.
fn show_moves(moves: &Moves) -> String {
    let shown: Vec<String> = moves
        .iter()
        .map(|(guard, to)| {
            if guard.is_empty() {
                format!("`{to}`")
            } else {
                format!("`{to}` when `{guard}`")
            }
        })
        .collect();
    shown.join(", ")
}

/// A changed cell: the same targets with a guard added where there was none accept less
/// (forward), a guard dropped more (backward); anything else may do either.
fn moves_compatibility(was: &Moves, now: &Moves) -> Compatibility {
    fn targets<'v>(moves: &Moves<'v>) -> BTreeSet<&'v str> {
        moves.iter().map(|(_, to)| *to).collect()
    }
    let fallback = |moves: &Moves| moves.iter().any(|(guard, _)| guard.is_empty());
    if targets(was) != targets(now) {
        return Compatibility::Breaking;
    }
    match (fallback(was), fallback(now)) {
        (true, false) if now.len() == 1 && was.len() == 1 => Compatibility::Forward,
        (false, true) if now.len() == 1 && was.len() == 1 => Compatibility::Backward,
        _ => Compatibility::Breaking,
    }
}

/// A state's timeout as text, for comparison and messages.
fn timeout_text(version: &Version, state: &State) -> Option<String> {
    let timeout = state.timeout.as_ref()?;
    let mut text = format!("after {}", crate::export::diagram::duration(timeout.after));
    if timeout.idle {
        text.push_str(" idle");
    }
    let effect = (timeout.to, &timeout.violation, timeout.set.len());
    push_effect(&mut text, version, effect);
    Some(text)
}

/// What a timeout or deadline does when it comes due, written after `text`: where it moves
/// the interaction, what it reports, how many fields it sets.
fn push_effect(
    text: &mut String,
    version: &Version,
    (to, violation, set): (Option<StateId>, &Option<String>, usize),
) {
    if let Some(to) = to {
        text.push_str(&format!(" to `{}`", version.state_name(to)));
    }
    if let Some(message) = violation {
        text.push_str(&format!(" reporting \"{message}\""));
    }
    if set > 0 {
        let fields = crate::report::plural(set as u64, "field");
        text.push_str(&format!(" setting {fields}"));
    }
}

/// A timeout that only reports refuses more streams where it is added or shortened (forward),
/// fewer where it is removed or lengthened (backward); one that moves the interaction or sets
/// fields changes what follows, so either way.
fn timeout_compatibility(was: Option<&Timeout>, now: Option<&Timeout>) -> Compatibility {
    let reports_only = |t: &Timeout| t.to.is_none() && t.set.is_empty();
    match (was, now) {
        (None, Some(now)) if reports_only(now) => Compatibility::Forward,
        (Some(was), None) if reports_only(was) => Compatibility::Backward,
        (Some(was), Some(now))
            if reports_only(was)
                && reports_only(now)
                && was.violation == now.violation
                && was.idle == now.idle =>
        {
            Compatibility::of(now.after >= was.after, now.after <= was.after)
        }
        _ => Compatibility::Breaking,
    }
}

fn accepted_types(schema: &Value) -> Option<BTreeSet<&str>> {
    let mut types: BTreeSet<&str> = match schema.get("type") {
        Some(Value::String(name)) => [name.as_str()].into(),
        Some(Value::Array(names)) => names.iter().filter_map(Value::as_str).collect(),
        _ => return None,
    };
    if types.contains("number") {
        types.insert("integer");
    }
    Some(types)
}

/// Whether every value of types `narrow` is of types `wide` (`None` is any type).
fn within(narrow: &Option<BTreeSet<&str>>, wide: &Option<BTreeSet<&str>>) -> bool {
    match (narrow, wide) {
        (_, None) => true,
        (None, Some(_)) => false,
        (Some(narrow), Some(wide)) => narrow.is_subset(wide),
    }
}

/// The listed values of a node (`enum`, or `anyOf` of `const`s), if it lists them.
fn listed_values(schema: &Value) -> Option<Vec<&Value>> {
    if let Some(Value::Array(values)) = schema.get("enum") {
        return Some(values.iter().collect());
    }
    let options = schema.get("anyOf")?.as_array()?;
    options.iter().map(|option| option.get("const")).collect()
}

fn properties(schema: &Value) -> impl Iterator<Item = (&String, &Value)> {
    let map = schema.get("properties").and_then(Value::as_object);
    map.into_iter().flatten()
}

fn property<'a>(schema: &'a Value, name: &str) -> Option<&'a Value> {
    schema.get("properties")?.get(name)
}

fn required(schema: &Value) -> BTreeSet<&str> {
    let names = schema.get("required").and_then(Value::as_array);
    names
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect()
}

fn is_open(schema: &Value) -> bool {
    schema.get("additionalProperties") != Some(&Value::Bool(false))
}

/// Changes between two (Plotline-written) schema nodes at `path`.
/// Which way a keyword's value bounds what it accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Bound {
    /// A least value: raising it accepts less.
    Least,
    /// A greatest value: lowering it accepts less.
    Most,
    /// Neither: any change may accept more and less.
    Other,
}

/// The validation keywords a payload property may have, and how each bounds it.
const KEYWORDS: [(&str, Bound); 13] = [
    ("minimum", Bound::Least),
    ("exclusiveMinimum", Bound::Least),
    ("minLength", Bound::Least),
    ("minItems", Bound::Least),
    ("maximum", Bound::Most),
    ("exclusiveMaximum", Bound::Most),
    ("maxLength", Bound::Most),
    ("maxItems", Bound::Most),
    ("multipleOf", Bound::Other),
    ("pattern", Bound::Other),
    ("format", Bound::Other),
    ("uniqueItems", Bound::Other),
    ("const", Bound::Other),
];

fn compare_schemas(old: &Value, new: &Value, path: &str, found: &mut Vec<(Compatibility, String)>) {
    let (old_types, new_types) = (accepted_types(old), accepted_types(new));
    if old_types != new_types {
        let show = |types: &Option<BTreeSet<&str>>| {
            types.as_ref().map_or("any".to_string(), |t| {
                t.iter().copied().collect::<Vec<_>>().join(" or ")
            })
        };
        found.push((
            Compatibility::of(
                within(&old_types, &new_types),
                within(&new_types, &old_types),
            ),
            format!(
                "`{path}` type {} is now {}",
                show(&old_types),
                show(&new_types)
            ),
        ));
    }
    match (listed_values(old), listed_values(new)) {
        (None, Some(_)) => found.push((
            Compatibility::Forward,
            format!("`{path}` now lists its values"),
        )),
        (Some(_), None) => found.push((
            Compatibility::Backward,
            format!("`{path}` no longer lists its values"),
        )),
        (Some(before), Some(after)) => {
            for value in after.iter().filter(|v| !before.contains(v)) {
                found.push((
                    Compatibility::Backward,
                    format!("`{path}` value {value} added"),
                ));
            }
            for value in before.iter().filter(|v| !after.contains(v)) {
                found.push((
                    Compatibility::Forward,
                    format!("`{path}` value {value} removed"),
                ));
            }
        }
        (None, None) => {}
    }
    for (keyword, narrowing) in KEYWORDS {
        let (before, after) = (old.get(keyword), new.get(keyword));
        if before == after {
            continue;
        }
        let compatibility = match (
            before.and_then(Value::as_f64),
            after.and_then(Value::as_f64),
        ) {
            _ if before.is_none() => Compatibility::Forward,
            _ if after.is_none() => Compatibility::Backward,
            (Some(was), Some(now)) if narrowing != Bound::Other => {
                let narrower = if narrowing == Bound::Least {
                    now > was
                } else {
                    now < was
                };
                Compatibility::of(!narrower, narrower)
            }
            _ => Compatibility::Breaking,
        };
        let show = |value: Option<&Value>| value.map_or("(none)".to_owned(), Value::to_string);
        found.push((
            compatibility,
            format!("`{path}` {keyword} {} is now {}", show(before), show(after)),
        ));
    }
    if is_open(old) != is_open(new) {
        found.push((
            Compatibility::of(is_open(new), is_open(old)),
            format!(
                "`{path}` {} properties it does not declare",
                if is_open(new) {
                    "now allows"
                } else {
                    "now forbids"
                }
            ),
        ));
    }
    let (old_required, new_required) = (required(old), required(new));
    for (name, schema) in properties(new) {
        let at = format!("{path}.{name}");
        let is_required = new_required.contains(name.as_str());
        match property(old, name) {
            None => found.push((
                // Old records lack a required property; an open old payload took any value.
                Compatibility::of(!is_required, is_open(old)),
                format!(
                    "`{at}` added{}",
                    if is_required { " (required)" } else { "" }
                ),
            )),
            Some(before) => {
                let was_required = old_required.contains(name.as_str());
                if was_required != is_required {
                    found.push((
                        Compatibility::of(!is_required, is_required),
                        format!(
                            "`{at}` is {}",
                            if is_required {
                                "now required"
                            } else {
                                "no longer required"
                            }
                        ),
                    ));
                }
                compare_schemas(before, schema, &at, found);
                if let (Some(before), Some(after)) = (before.get("items"), schema.get("items")) {
                    compare_schemas(before, after, &format!("{at}[]"), found);
                }
            }
        }
    }
    for (name, _) in properties(old) {
        if property(new, name).is_none() {
            let was_required = old_required.contains(name.as_str());
            found.push((
                Compatibility::of(is_open(new), !was_required),
                format!(
                    "`{path}.{name}` removed{}",
                    if was_required { " (was required)" } else { "" }
                ),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn changes(old: Value, new: Value) -> Vec<(Compatibility, String)> {
        let mut found = Vec::new();
        compare_schemas(&old, &new, "e.data", &mut found);
        found
    }

    #[test]
    fn keyword_changes_are_narrowing_or_widening() {
        let with = |keyword: &str, value: Value| json!({"type": "object", "properties": {"n": {"type": "integer", keyword: value}}});
        let plain = json!({"type": "object", "properties": {"n": {"type": "integer"}}});
        let cases = [
            (
                plain.clone(),
                with("minimum", json!(1)),
                Compatibility::Forward,
            ),
            (
                with("minimum", json!(1)),
                plain.clone(),
                Compatibility::Backward,
            ),
            (
                with("minimum", json!(1)),
                with("minimum", json!(5)),
                Compatibility::Forward,
            ),
            (
                with("maximum", json!(10)),
                with("maximum", json!(99)),
                Compatibility::Backward,
            ),
            (
                with("maxLength", json!(10)),
                with("maxLength", json!(5)),
                Compatibility::Forward,
            ),
            (
                with("pattern", json!("^a")),
                with("pattern", json!("^b")),
                Compatibility::Breaking,
            ),
        ];
        for (old, new, expected) in cases {
            let found = changes(old, new);
            assert_eq!(found.len(), 1, "{found:?}");
            assert_eq!(found[0].0, expected, "{}", found[0].1);
        }
        assert_eq!(
            changes(with("maximum", json!(10)), with("maximum", json!(99)))[0].1,
            "`e.data.n` maximum 10 is now 99"
        );
    }

    #[test]
    fn guards_and_timeouts_are_classified() {
        let plain: Moves = vec![("", "b")];
        let guarded: Moves = vec![("data.x > 1", "b")];
        let elsewhere: Moves = vec![("", "c")];
        assert_eq!(
            moves_compatibility(&plain, &guarded),
            Compatibility::Forward
        );
        assert_eq!(
            moves_compatibility(&guarded, &plain),
            Compatibility::Backward
        );
        assert_eq!(
            moves_compatibility(&plain, &elsewhere),
            Compatibility::Breaking
        );
        let other_guard: Moves = vec![("data.x > 2", "b")];
        assert_eq!(
            moves_compatibility(&guarded, &other_guard),
            Compatibility::Breaking
        );
        let reporting = |after| Timeout {
            after,
            idle: false,
            to: None,
            violation: Some("late".into()),
            set: Vec::new(),
        };
        let moving = Timeout {
            to: Some(1),
            ..reporting(10)
        };
        let check = |was: Option<&Timeout>, now: Option<&Timeout>| timeout_compatibility(was, now);
        assert_eq!(check(None, Some(&reporting(10))), Compatibility::Forward);
        assert_eq!(check(Some(&reporting(10)), None), Compatibility::Backward);
        assert_eq!(
            check(Some(&reporting(10)), Some(&reporting(5))),
            Compatibility::Forward
        );
        assert_eq!(
            check(Some(&reporting(5)), Some(&reporting(10))),
            Compatibility::Backward
        );
        assert_eq!(check(None, Some(&moving)), Compatibility::Breaking);
        // From the state's entry to the latest event: another clock.
        let idle = Timeout {
            idle: true,
            ..reporting(10)
        };
        assert_eq!(
            check(Some(&reporting(10)), Some(&idle)),
            Compatibility::Breaking
        );
    }

    #[test]
    fn payload_changes_are_classified_by_what_each_side_accepts() {
        let base = json!({"type": "object", "properties": {"a": {"type": "integer"}}});
        let optional = json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}});
        let required = json!({"type": "object", "properties": {"a": {"type": "integer"}, "b": {"type": "string"}}, "required": ["b"]});
        assert_eq!(
            changes(base.clone(), optional.clone())[0].0,
            Compatibility::Full
        );
        assert_eq!(
            changes(base.clone(), required.clone())[0].0,
            Compatibility::Forward
        );
        assert_eq!(
            changes(optional.clone(), required)[0].0,
            Compatibility::Forward
        );
        assert_eq!(changes(optional, base.clone())[0].0, Compatibility::Full);
        let widened = json!({"type": "object", "properties": {"a": {"type": "number"}}});
        assert_eq!(
            changes(base.clone(), widened.clone())[0].0,
            Compatibility::Backward
        );
        assert_eq!(changes(widened, base.clone())[0].0, Compatibility::Forward);
        let text = json!({"type": "object", "properties": {"a": {"type": "string"}}});
        assert_eq!(changes(base.clone(), text)[0].0, Compatibility::Breaking);
        let listed =
            json!({"type": "object", "properties": {"a": {"type": "integer", "enum": [1, 2]}}});
        let more =
            json!({"type": "object", "properties": {"a": {"type": "integer", "enum": [1, 2, 3]}}});
        assert_eq!(
            changes(listed.clone(), more.clone())[0].0,
            Compatibility::Backward
        );
        assert_eq!(changes(more, listed.clone())[0].0, Compatibility::Forward);
        assert_eq!(changes(base, listed)[0].0, Compatibility::Forward);
        let closed = json!({"type": "object", "additionalProperties": false});
        let open = json!({"type": "object"});
        assert_eq!(
            changes(open.clone(), closed.clone())[0].0,
            Compatibility::Forward
        );
        assert_eq!(changes(closed, open)[0].0, Compatibility::Backward);
    }

    #[test]
    fn changes_name_their_item() {
        let cases = [
            ("event", "event `submitted` added", "submitted", "added"),
            ("state", "state `s` is now final", "s", "changed"),
            (
                "transition",
                "transition `a` --go--> `b` is now `c`",
                "a --go-->",
                "changed",
            ),
            (
                "payload_property",
                "`e.data.n` added (required)",
                "e.data.n",
                "added",
            ),
            (
                "payload_property",
                "`e.data.n` value 3 removed",
                "e.data.n",
                "removed",
            ),
            ("rule", "rule `data.x > 1` removed", "data.x > 1", "removed"),
        ];
        for (part, description, name, action) in cases {
            let change = Change::new(part, description.to_owned(), Compatibility::Full);
            assert_eq!((change.name.as_str(), change.action), (name, action));
        }
    }

    #[test]
    fn combined_compatibility() {
        let change = |compatibility| Change::new("event", String::new(), compatibility);
        let all = |list: &[Compatibility]| {
            Compatibility::combine(&list.iter().map(|c| change(*c)).collect::<Vec<_>>())
        };
        assert_eq!(all(&[]), Compatibility::Full);
        assert_eq!(
            all(&[Compatibility::Full, Compatibility::Backward]),
            Compatibility::Backward
        );
        assert_eq!(
            all(&[Compatibility::Backward, Compatibility::Forward]),
            Compatibility::Breaking
        );
    }
}
