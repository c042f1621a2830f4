//! The violations an event can meet, each worded by a function of its own that is never
//! inlined: most events meet none, and the code that words them stays out of the code every
//! event runs.

use super::Found;
use crate::compile::catalog::{Lifecycle, StateId, Version};
use crate::compile::Catalog;
use crate::engine::verdict::ViolationKind;

/// `; did you mean `x`?` when one of `names` is close to `name`: a likely misspelling
/// (closer than in a config file, where the writer is at hand: a stream's names are often
/// other events of the same family: `ITEM_HOVER` is no misspelt `ITEM_REMOVE`).
fn close_name<'a>(name: &str, names: impl IntoIterator<Item = &'a str>) -> String {
    crate::diagnostic::closest(name, names, 4)
        .map_or(String::new(), |best| format!("; did you mean `{best}`?"))
}

/// No lifecycle of the catalog is named `name`.
#[cold]
#[inline(never)]
pub(super) fn unknown_lifecycle(catalog: &Catalog, name: &str) -> Found {
    let names = catalog.lifecycles.iter().map(|l| l.name.as_str());
    let guess = close_name(name, names.clone());
    (
        ViolationKind::UnknownLifecycle,
        format!("no lifecycle `{name}`{guess}"),
        names.map(str::to_owned).collect(),
    )
}

/// `lifecycle` has no version `version` selects.
#[cold]
#[inline(never)]
pub(super) fn unknown_version(lifecycle: &Lifecycle, version: Option<&str>) -> Found {
    (
        ViolationKind::UnknownLifecycle,
        format!(
            "lifecycle `{}` has no version `{}`",
            lifecycle.name,
            version.unwrap_or("")
        ),
        lifecycle.versions.iter().map(|v| v.name.clone()).collect(),
    )
}

/// `version` of `lifecycle` has no event `event`.
#[cold]
#[inline(never)]
pub(super) fn unknown_event(lifecycle: &Lifecycle, version: &Version, event: &str) -> Found {
    let names = version.events.iter().map(|e| e.name.as_str());
    (
        ViolationKind::UnknownEvent,
        format!(
            "lifecycle `{}` (version {}) has no event `{event}`{}",
            lifecycle.name,
            version.name,
            close_name(event, names)
        ),
        Vec::new(),
    )
}

/// An event of a finished interaction.
#[cold]
#[inline(never)]
pub(super) fn after_end() -> Found {
    (
        ViolationKind::AfterEnd,
        "the interaction already reached a final state".to_owned(),
        Vec::new(),
    )
}

/// An event of an interaction a timeout or a deadline ended in `version`'s `state`.
#[cold]
#[inline(never)]
pub(super) fn after_end_by_timeout(version: &Version, state: StateId) -> Found {
    (
        ViolationKind::AfterEnd,
        format!(
            "the interaction already reached final state `{}` by a timeout",
            version.state_name(state)
        ),
        Vec::new(),
    )
}

/// An event saying version `said` (`selected` in the catalog) of an interaction that started
/// on version `judged_by`.
#[cold]
#[inline(never)]
pub(super) fn version_mismatch(said: Option<&str>, selected: &str, judged_by: &str) -> Found {
    (
        ViolationKind::VersionMismatch,
        format!(
            "this event says version `{}` (lifecycle version {selected}), but the interaction started on version {judged_by} and is judged by it",
            said.unwrap_or("")
        ),
        Vec::new(),
    )
}

/// An event at `ts`, before `last_ts`, the time of its interaction's previous event.
#[cold]
#[inline(never)]
pub(super) fn time_regression(ts: i64, last_ts: i64) -> Found {
    (
        ViolationKind::TimeRegression,
        format!(
            "ts {ts} is {} ms before the interaction's previous event",
            last_ts.saturating_sub(ts)
        ),
        Vec::new(),
    )
}

/// `event` where `version` does not allow it in `state` (no guard of `failed_guards` holding,
/// when it has guards there).
#[cold]
#[inline(never)]
pub(super) fn illegal_transition(
    version: &Version,
    state: StateId,
    event: &str,
    failed_guards: &[&str],
) -> Found {
    let allowed: Vec<String> = version
        .allowed(state)
        .into_iter()
        .map(str::to_owned)
        .collect();
    let from = version.state_name(state);
    let mut message = if state == version.initial {
        format!("`{event}` cannot start an interaction")
    } else {
        format!("`{event}` is not allowed in state `{from}`")
    };
    if !failed_guards.is_empty() {
        let guards: Vec<String> = failed_guards.iter().map(|g| format!("`{g}`")).collect();
        message.push_str(&format!(": no guard holds ({})", guards.join(", ")));
    }
    (ViolationKind::IllegalTransition, message, allowed)
}
