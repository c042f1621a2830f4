//! Soundness checks on a compiled version: a start, a final state, every state reachable and
//! able to finish, every event used, every field set. Each is a [`Finding`] about the version,
//! reported once for all the versions it holds in.

use std::collections::VecDeque;

use indexmap::{IndexMap, IndexSet};
use serde_json::Value;

use super::catalog::{StateId, Version};
use super::context::{Context, Finding};
use crate::diagnostic::did_you_mean;
use crate::expr::types::Shape;
use crate::expr::Node;

/// Records what is unsound in `version` (the file's version `index`) against the config of
/// `ctx`. Only for a version that compiled without an error: one that did not lacks what the
/// wrong part meant (a transition on a misspelt state, a rule that sets a field), and its
/// flaws would be echoes of that one error.
pub fn check(ctx: &mut Context, index: usize, version: &Version) {
    let mut found = |error: bool, path: &str, message: (String, &str), help: Option<&str>| {
        let finding = Finding {
            error,
            path: path.to_owned(),
            message: (message.0, message.1.to_owned()),
            help: help.map(str::to_owned),
        };
        ctx.finding(index, finding);
    };
    let n = version.states.len();
    let successors = |state: usize| -> Vec<usize> {
        (0..version.events.len())
            .filter_map(|event| {
                let state = StateId::try_from(state).ok()?;
                let event = u16::try_from(event).ok()?;
                Some(version.targets(state, event))
            })
            .flatten()
            .map(usize::from)
            .chain(
                // A timeout leads on as well.
                version
                    .states
                    .get(state)
                    .and_then(|s| s.timeout.as_ref())
                    .and_then(|t| t.to)
                    .map(usize::from),
            )
            .collect()
    };
    for field in unset_fields(version) {
        found(
            false,
            &format!("metadata.{field}"),
            (
                format!("no rule sets metadata field `{field}`"),
                ": it always holds its default",
            ),
            Some("add a rule with `set`, or remove the field"),
        );
    }

    if successors(0).iter().all(|&s| s == 0) {
        let initial = version.state_name(0);
        found(
            true,
            "transitions",
            (
                format!("no transition leaves the initial state `{initial}`"),
                ": nothing can start an interaction",
            ),
            Some(&format!("add a transition `from: {initial}`")),
        );
    }
    if !version.states.iter().any(|s| s.is_final || s.may_end) {
        found(
            true,
            "states",
            ("no state where an interaction may end".into(), ""),
            Some(
                "mark the last state with `final: true` (or `may_end: true` where later events \
                 may still come)",
            ),
        );
        return;
    }

    // Forward reachability from the initial state.
    let mut reached = vec![false; n];
    let mut queue = VecDeque::from([0usize]);
    reached[0] = true;
    while let Some(state) = queue.pop_front() {
        for next in successors(state) {
            if !reached[next] {
                reached[next] = true;
                queue.push_back(next);
            }
        }
    }
    // Backward: which states can reach a final state.
    let mut finishes: Vec<bool> = version
        .states
        .iter()
        .map(|s| s.is_final || s.may_end)
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for state in 0..n {
            if !finishes[state] && successors(state).iter().any(|&next| finishes[next]) {
                finishes[state] = true;
                changed = true;
            }
        }
    }
    for (state, info) in version.states.iter().enumerate().skip(1) {
        let path = format!("states.{}", info.name);
        if !reached[state] {
            found(
                false,
                &path,
                (format!("state `{}` is unreachable", info.name), ""),
                Some("add a transition into it, or remove it"),
            );
        } else if !finishes[state] {
            found(
                true,
                &path,
                (
                    format!("state `{}` cannot reach a final state", info.name),
                    "",
                ),
                Some("add a transition out of it toward a final state"),
            );
        }
        if info.is_final && successors(state).iter().any(|&next| next != state) {
            found(
                false,
                &path,
                (
                    format!("final state `{}` has transitions out of it", info.name),
                    "; they never run",
                ),
                None,
            );
        }
    }
    for (event, info) in version.events.iter().enumerate() {
        let used = (0..n).any(|state| {
            let (Ok(state), Ok(event)) = (StateId::try_from(state), u16::try_from(event)) else {
                return false;
            };
            !version.targets(state, event).is_empty()
        });
        if !used {
            found(
                false,
                &format!("events.{}", info.name),
                (
                    format!("event `{}` appears in no transition", info.name),
                    ", so it is always illegal",
                ),
                Some("add a transition for it"),
            );
        }
    }
}

/// The metadata fields that no rule, timeout or deadline sets: they always hold their
/// default.
fn unset_fields(version: &Version) -> impl Iterator<Item = &str> {
    let sets = |set: &[(usize, Node)], slot: usize| set.iter().any(|(s, _)| *s == slot);
    version
        .fields
        .iter()
        .enumerate()
        .filter(move |&(slot, _)| {
            let by_rule = version.rules.iter().any(|rule| sets(&rule.set, slot));
            let by_timeout = (version.states.iter())
                .any(|state| state.timeout.as_ref().is_some_and(|t| sets(&t.set, slot)));
            let by_deadline = (version.deadlines.iter()).any(|deadline| sets(&deadline.set, slot));
            !by_rule && !by_timeout && !by_deadline
        })
        .map(|(_, field)| field.name.as_str())
}

/// The keys of scenario steps' payloads that their event's payload does not declare but that
/// are spelled nearly as a property it does: accepted as extra properties, they are most
/// likely those properties misspelt. Keys far from every declared name are left alone, as
/// payloads may carry more than they declare. Gathered over a file's scenarios, then said once
/// for each key (a shared example is one mistake, however many steps send it).
#[derive(Default)]
pub struct NearKeys<'e> {
    /// By key and the property it is near: the events and config paths it is sent with.
    found: IndexMap<(String, String), Vec<(&'e str, String)>>,
}

impl<'e> NearKeys<'e> {
    /// Looks through `data`, a step's payload for `event` (at config path `at`), against the
    /// payload's `shape`.
    pub fn look(&mut self, event: &'e str, shape: &Shape, data: &Value, at: &str) {
        match (shape, data) {
            (Shape::Object(properties), Value::Object(members)) if !properties.is_empty() => {
                for (key, value) in members {
                    let path = format!("{at}.{key}");
                    match properties.get(key) {
                        Some((inner, _)) => self.look(event, inner, value, &path),
                        None => {
                            let declared = properties.keys().map(String::as_str);
                            if let Some(near) = did_you_mean(key, declared) {
                                let sent = self.found.entry((key.clone(), near.to_owned()));
                                let sent = sent.or_default();
                                if !sent.iter().any(|(_, seen)| *seen == path) {
                                    sent.push((event, path));
                                }
                            }
                        }
                    }
                }
            }
            (Shape::Array(inner), Value::Array(items)) => {
                for (index, item) in items.iter().enumerate() {
                    self.look(event, inner, item, &format!("{at}[{index}]"));
                }
            }
            _ => {}
        }
    }

    /// Warns once of each key, at the first step that sends it.
    pub fn report(self, ctx: &mut Context) {
        for ((key, near), sent) in self.found {
            let Some((event, first)) = sent.first() else {
                continue;
            };
            let events: IndexSet<&str> = sent.iter().map(|(event, _)| *event).collect();
            let others = match events.len() {
                1 => String::new(),
                2 => " (nor of 1 other event)".to_owned(),
                n => format!(" (nor of {} other events)", n - 1),
            };
            let more = match sent.len() {
                1 => String::new(),
                n => format!(" (in {n} scenario steps, the first here)"),
            };
            ctx.key_warning(
                first,
                format!(
                    "`{key}` is no property of the payload of `{event}`{others}: it is taken as \
                     an extra one{more}"
                ),
                Some(format!("did you mean `{near}`?")),
            );
        }
    }
}
