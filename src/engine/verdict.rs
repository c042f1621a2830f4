//! What the interpreter finds: violations of the kinds DESIGN.md names, and the counts.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The kinds of violation, with the exact names reports use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ViolationKind {
    /// The line is not a JSON object.
    MalformedLine,
    /// A required envelope field is missing or of the wrong type.
    BadEnvelope,
    /// No lifecycle of that name (or version).
    UnknownLifecycle,
    /// The lifecycle has no such event.
    UnknownEvent,
    /// The event is not allowed in the interaction's current state.
    IllegalTransition,
    /// An event after the interaction reached a final state.
    AfterEnd,
    /// `ts` earlier than the interaction's previous event.
    TimeRegression,
    /// `data` fails the event's schema.
    InvalidPayload,
    /// A declared assertion fails.
    RuleViolation,
    /// A reported `metadata` block differs from the computed one.
    MetadataMismatch,
    /// The stream ended with the interaction not in a final state.
    Incomplete,
    /// A state's timeout that declares a violation expired (decided from event time).
    Timeout,
    /// An event carries another `version` than the one its interaction started with.
    VersionMismatch,
}

impl ViolationKind {
    /// Every kind, in report order.
    pub const ALL: [ViolationKind; 13] = [
        ViolationKind::MalformedLine,
        ViolationKind::BadEnvelope,
        ViolationKind::UnknownLifecycle,
        ViolationKind::UnknownEvent,
        ViolationKind::IllegalTransition,
        ViolationKind::AfterEnd,
        ViolationKind::TimeRegression,
        ViolationKind::InvalidPayload,
        ViolationKind::RuleViolation,
        ViolationKind::MetadataMismatch,
        ViolationKind::Incomplete,
        ViolationKind::Timeout,
        ViolationKind::VersionMismatch,
    ];

    /// The kind's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            ViolationKind::MalformedLine => "malformed_line",
            ViolationKind::BadEnvelope => "bad_envelope",
            ViolationKind::UnknownLifecycle => "unknown_lifecycle",
            ViolationKind::UnknownEvent => "unknown_event",
            ViolationKind::IllegalTransition => "illegal_transition",
            ViolationKind::AfterEnd => "after_end",
            ViolationKind::TimeRegression => "time_regression",
            ViolationKind::InvalidPayload => "invalid_payload",
            ViolationKind::RuleViolation => "rule_violation",
            ViolationKind::MetadataMismatch => "metadata_mismatch",
            ViolationKind::Incomplete => "incomplete",
            ViolationKind::Timeout => "timeout",
            ViolationKind::VersionMismatch => "version_mismatch",
        }
    }

    /// When a violation of this kind is reported, in a sentence.
    pub fn description(self) -> &'static str {
        match self {
            ViolationKind::MalformedLine => "The line is not a JSON object.",
            ViolationKind::BadEnvelope => {
                "A required envelope field is missing or of the wrong type."
            }
            ViolationKind::UnknownLifecycle => "No lifecycle of that name (or version).",
            ViolationKind::UnknownEvent => "The lifecycle has no such event.",
            ViolationKind::IllegalTransition => {
                "The event is not allowed in the interaction's current state."
            }
            ViolationKind::AfterEnd => "An event after the interaction reached a final state.",
            ViolationKind::TimeRegression => "`ts` earlier than the interaction's previous event.",
            ViolationKind::InvalidPayload => "`data` fails the event's schema.",
            ViolationKind::RuleViolation => "A declared assertion fails.",
            ViolationKind::MetadataMismatch => {
                "A reported `metadata` block differs from the computed one."
            }
            ViolationKind::Incomplete => {
                "The stream ended with the interaction not in a final state."
            }
            ViolationKind::Timeout => {
                "A state's timeout that declares a violation expired (decided from event time)."
            }
            ViolationKind::VersionMismatch => {
                "An event carries another `version` than the one its interaction started with."
            }
        }
    }

    /// The kind named `name`.
    pub fn from_name(name: &str) -> Option<ViolationKind> {
        ViolationKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
    }
}

/// One violation, at its place in the input.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Violation {
    /// The input file (`-` for stdin).
    pub file: String,
    /// 1-based line number.
    pub line: u64,
    /// The interaction, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub interaction: Option<String>,
    /// The lifecycle, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lifecycle: Option<String>,
    /// The event, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// What kind of violation.
    pub kind: ViolationKind,
    /// What is wrong, for people.
    pub message: String,
    /// What was expected instead (allowed events, say), when that is a list.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub expected: Vec<String>,
}

/// The counts of a run. `lines = blank + events + malformed` always; `duplicates` are
/// among the `events`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Summary {
    /// Input lines read.
    pub lines: u64,
    /// Lines with only white space.
    pub blank: u64,
    /// Lines that are JSON objects.
    pub events: u64,
    /// Events delivered again (an `id` their interaction already saw): counted here and
    /// among `events`, not judged again.
    #[serde(default)]
    pub duplicates: u64,
    /// Lines that are not.
    pub malformed: u64,
    /// Distinct interactions seen.
    pub interactions: u64,
    /// Interactions that ended in a final state without any violation.
    pub valid_interactions: u64,
    /// Violations of every kind.
    pub violations: u64,
    /// Assertions and guards not checked because their value was unknown (read from an
    /// invalid part of a payload, or from a field an event the stream lost would have set),
    /// timeouts' waits the stream cannot tell (the events it lost may have ended them),
    /// interactions the stream left where a guess put them (whether they ended is unknown),
    /// and events stamped before the timeout that ended their interaction fell due (by their
    /// clock it had not ended).
    #[serde(default)]
    pub not_checked: u64,
    /// Violations by kind.
    #[serde(deserialize_with = "kinds_by_name")]
    pub by_kind: BTreeMap<&'static str, u64>,
}

/// Counts by violation kind, read back by the kinds' names (an unknown name is an error).
fn kinds_by_name<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<BTreeMap<&'static str, u64>, D::Error> {
    let read = BTreeMap::<String, u64>::deserialize(deserializer)?;
    let mut by_kind = BTreeMap::new();
    for (name, count) in read {
        let kind = ViolationKind::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("no violation kind `{name}`")))?;
        by_kind.insert(kind.name(), count);
    }
    Ok(by_kind)
}

impl Summary {
    /// Adds the counts of `other` (a shard of the same run).
    pub fn absorb(&mut self, other: &Summary) {
        self.lines += other.lines;
        self.blank += other.blank;
        self.events += other.events;
        self.duplicates += other.duplicates;
        self.malformed += other.malformed;
        self.interactions += other.interactions;
        self.valid_interactions += other.valid_interactions;
        self.violations += other.violations;
        self.not_checked += other.not_checked;
        for (kind, count) in &other.by_kind {
            *self.by_kind.entry(kind).or_insert(0) += count;
        }
    }

    /// Counts one violation.
    pub fn count(&mut self, kind: ViolationKind) {
        self.violations += 1;
        *self.by_kind.entry(kind.name()).or_insert(0) += 1;
    }
}
