//! Soundness checks on a compiled version: a start, a final state, every state reachable and
//! able to finish, every event used, every field set.

use std::collections::VecDeque;

use super::catalog::{StateId, Version};
use super::context::Context;
use crate::expr::Node;

/// Reports what is unsound in `version` against the config of `ctx`; nothing while a name
/// is unresolved (the machine lacks what the misspelt name meant: its flaws would be echoes
/// of that one error).
pub fn check(ctx: &mut Context, version: &Version) {
    if ctx.unresolved_names {
        return;
    }
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
    let label = ctx.version_label(&version.name);
    unset_fields(ctx, version, &label);

    if successors(0).iter().all(|&s| s == 0) {
        ctx.error(
            "transitions",
            format!("no transition leaves the initial state `{}`{label}: nothing can start an interaction", version.state_name(0)),
            Some(format!("add a transition `from: {}`", version.state_name(0))),
        );
    }
    if !version.states.iter().any(|s| s.is_final || s.may_end) {
        ctx.error(
            "states",
            format!("no state where an interaction may end{label}"),
            Some(
                "mark the last state with `final: true` (or `may_end: true` where later events \
                 may still come)"
                    .into(),
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
            ctx.warning(
                &path,
                format!("state `{}` is unreachable{label}", info.name),
                Some("add a transition into it, or remove it".into()),
            );
        } else if !finishes[state] {
            ctx.error(
                &path,
                format!("state `{}` cannot reach a final state{label}", info.name),
                Some("add a transition out of it toward a final state".into()),
            );
        }
        if info.is_final && successors(state).iter().any(|&next| next != state) {
            ctx.warning(
                &path,
                format!(
                    "final state `{}` has transitions out of it{label}; they never run",
                    info.name
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
            ctx.warning(
                &format!("events.{}", info.name),
                format!(
                    "event `{}` appears in no transition{label}, so it is always illegal",
                    info.name
                ),
                Some("add a transition for it".into()),
            );
        }
    }
}

/// Warns of metadata fields that neither a rule nor a timeout sets: they always hold their
/// default.
fn unset_fields(ctx: &mut Context, version: &Version, label: &str) {
    for (slot, field) in version.fields.iter().enumerate() {
        let sets = |set: &[(usize, Node)]| set.iter().any(|(s, _)| *s == slot);
        let set_by_rule = version.rules.iter().any(|rule| sets(&rule.set));
        let set_by_timeout = version
            .states
            .iter()
            .any(|state| state.timeout.as_ref().is_some_and(|t| sets(&t.set)));
        if !set_by_rule && !set_by_timeout {
            ctx.warning(
                &format!("metadata.{}", field.name),
                format!(
                    "no rule sets metadata field `{}`{label}: it always holds its default",
                    field.name
                ),
                Some("add a rule with `set`, or remove the field".into()),
            );
        }
    }
}
