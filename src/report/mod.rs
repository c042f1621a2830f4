//! Reports: verdicts to text for people or to the JSON report of DESIGN.md.

use std::io::{self, Write};

use serde::Serialize;

use crate::engine::{Summary, Violation};

/// One line for a violation: `file:line: interaction X (lifecycle) event E: kind: message`.
pub fn text_line(violation: &Violation) -> String {
    let mut line = format!("{}:{}: ", violation.file, violation.line);
    if let Some(interaction) = &violation.interaction {
        line.push_str(&format!("interaction {interaction}"));
        if let Some(lifecycle) = &violation.lifecycle {
            line.push_str(&format!(" ({lifecycle})"));
        }
        line.push(' ');
    } else if let Some(lifecycle) = &violation.lifecycle {
        line.push_str(&format!("lifecycle {lifecycle} "));
    }
    if let Some(event) = &violation.event {
        line.push_str(&format!("event {event}: "));
    }
    line.push_str(&format!("{}: {}", violation.kind.name(), violation.message));
    if !violation.expected.is_empty() {
        line.push_str(&format!(
            "; expected one of: {}",
            violation.expected.join(", ")
        ));
    }
    line
}

/// The closing summary for people.
pub fn text_summary(summary: &Summary) -> String {
    let mut text = format!(
        "{} lines: {} events, {} blank, {} malformed; {} interactions, {} valid; {} violations",
        summary.lines,
        summary.events,
        summary.blank,
        summary.malformed,
        summary.interactions,
        summary.valid_interactions,
        summary.violations
    );
    if !summary.by_kind.is_empty() {
        let kinds: Vec<String> = summary
            .by_kind
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect();
        text.push_str(&format!(" ({})", kinds.join(", ")));
    }
    text
}

/// The JSON report.
#[derive(Debug, Serialize)]
pub struct JsonReport<'a> {
    /// The counts.
    pub summary: &'a Summary,
    /// Every violation, in input order, then `incomplete` ones.
    pub violations: &'a [Violation],
}

/// Writes the JSON report as one object.
pub fn write_json(
    out: &mut dyn Write,
    summary: &Summary,
    violations: &[Violation],
) -> io::Result<()> {
    serde_json::to_writer_pretty(
        &mut *out,
        &JsonReport {
            summary,
            violations,
        },
    )?;
    writeln!(out)
}
