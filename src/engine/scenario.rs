//! Running a documented scenario through the interpreter, for `plotline check` and the
//! snapshot tests: the trace of states and metadata blocks, and whether the outcome is the
//! one the lifecycle file expects.

use std::borrow::Cow;

use serde::Serialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use super::envelope::Envelope;
use super::interpreter::{Interpreter, Limits, Place};
use super::verdict::{Violation, ViolationKind};
use crate::compile::catalog::Scenario;
use crate::compile::{Catalog, Lifecycle};

/// The timestamp of a scenario's first event: 2024-11-24T08:00:00Z.
pub const START_TS: i64 = 1_732_435_200_000;
/// The default gap between scenario events, in milliseconds.
pub const DEFAULT_GAP: i64 = 1_000;
const INTERACTION: &str = "scenario";

/// The trace of one scenario run on one version.
#[derive(Debug, Clone, Serialize)]
pub struct Trace {
    /// The lifecycle.
    pub lifecycle: String,
    /// The version.
    pub version: String,
    /// The scenario's name.
    pub scenario: String,
    /// Its description from the source document.
    pub description: String,
    /// Each event with what followed it.
    pub steps: Vec<TraceStep>,
    /// Violations found when the stream ended (`incomplete`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub at_end: Vec<String>,
    /// The expected violation kinds (empty: accepted).
    pub expected: Vec<String>,
    /// The violation kinds found, in order.
    pub found: Vec<String>,
}

/// One event of a trace.
#[derive(Debug, Clone, Serialize)]
pub struct TraceStep {
    /// The event.
    pub event: String,
    /// Its timestamp.
    pub ts: i64,
    /// The state after it.
    pub state: String,
    /// Violations it caused, as `kind: message`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violations: Vec<String>,
    /// The metadata block after it.
    pub metadata: Map<String, Value>,
}

impl Trace {
    /// Whether what was found is what was expected.
    pub fn as_expected(&self) -> bool {
        self.expected == self.found
    }
}

/// A scenario step's JSON as an envelope field (null as absent).
fn raw(value: &Value) -> Option<Cow<'static, RawValue>> {
    if value.is_null() {
        return None;
    }
    serde_json::value::to_raw_value(value).ok().map(Cow::Owned)
}

/// Runs `scenario` on version `version` of `lifecycle` (which must be in `catalog`).
pub fn run(catalog: &Catalog, lifecycle: &Lifecycle, scenario: &Scenario, version: usize) -> Trace {
    let version_name = lifecycle
        .versions
        .get(version)
        .map_or("", |v| v.name.as_str());
    let mut interpreter = Interpreter::new(catalog, Limits::default());
    let mut found: Vec<Violation> = Vec::new();
    let mut steps = Vec::new();
    let mut ts = START_TS;
    for (i, step) in scenario.steps.iter().enumerate() {
        let event = step.event.as_str();
        if i > 0 {
            ts = ts.saturating_add(step.after.unwrap_or(DEFAULT_GAP));
        }
        let envelope = Envelope {
            lifecycle: Cow::Borrowed(&lifecycle.name),
            interaction: Cow::Borrowed(INTERACTION),
            event: Cow::Borrowed(event),
            ts: Some(ts),
            version: Some(Cow::Borrowed(version_name)),
            id: None,
            data: step.data.as_ref().and_then(raw),
            metadata: step.metadata.as_ref().and_then(raw),
            checked: None,
            plain: false,
            appendable: false,
        };
        let place = Place {
            file_index: 0,
            file: &scenario.name,
            line: i as u64 + 1,
        };
        let before = found.len();
        let outcome = interpreter.event(place, envelope, true, &mut |v| found.push(v));
        steps.push(TraceStep {
            event: event.to_owned(),
            ts,
            state: outcome
                .as_ref()
                .map_or_else(|| "(not applied)".to_owned(), |o| o.state.to_string()),
            violations: found[before..].iter().map(describe).collect(),
            metadata: (outcome.and_then(|o| serde_json::from_str(&o.metadata).ok()))
                .unwrap_or_default(),
        });
    }
    let before = found.len();
    interpreter.finish(false, &mut |v| found.push(v));
    Trace {
        lifecycle: lifecycle.name.clone(),
        version: version_name.to_owned(),
        scenario: scenario.name.clone(),
        description: scenario.description.clone(),
        at_end: found[before..].iter().map(describe).collect(),
        steps,
        expected: scenario.expect.violations().to_vec(),
        found: found.iter().map(|v| v.kind.name().to_owned()).collect(),
    }
}

fn describe(violation: &Violation) -> String {
    format!("{}: {}", violation.kind.name(), violation.message)
}

/// Expectation names that are not violation kinds.
pub fn unknown_kinds(scenario: &Scenario) -> Vec<&str> {
    scenario
        .expect
        .violations()
        .iter()
        .map(String::as_str)
        .filter(|name| ViolationKind::from_name(name).is_none())
        .collect()
}
