//! Reports: verdicts to text for people, to the JSON report of DESIGN.md, or to the formats
//! of CI tools (`sarif`, `junit`).

pub mod html;
pub mod junit;
pub mod sarif;
pub mod spill;

use std::io::{self, Write};

use schemars::JsonSchema;

pub use crate::engine::coverage::CoverageReport;
use crate::engine::{Summary, Violation};

/// The version of the JSON report's format (`format_version`): it changes only when a field
/// changes meaning or goes away; new optional fields may come without it.
pub const FORMAT_VERSION: u32 = 1;

/// The JSON report of `validate --format json`, described for its JSON Schema
/// (`plotline schema --report`). [`JsonReport`] writes it without holding the violations.
#[derive(JsonSchema)]
#[schemars(
    title = "Plotline validation report",
    description = "What `plotline validate --format json` writes: the counts and every violation.",
    deny_unknown_fields
)]
pub struct ReportDocument {
    /// The version of this format: it changes only when a field changes meaning or goes
    /// away; new optional fields may come without it.
    #[schemars(range(min = 1))]
    pub format_version: u32,
    /// The counts.
    pub summary: Summary,
    /// Every violation, in input order; `incomplete` ones, found at the end, last.
    pub violations: Vec<Violation>,
    /// What the stream covered (with `--coverage`).
    #[schemars(default)]
    pub coverage: Option<CoverageReport>,
}

/// The coverage as a compact table for people: per lifecycle version, what was taken of what
/// is declared, then what never happened.
pub fn coverage_text(coverage: &CoverageReport) -> String {
    let mut text = format!(
        "coverage: {} of {} transitions taken ({}%)\n",
        coverage.transitions_taken, coverage.transitions_declared, coverage.percent
    );
    for version in &coverage.versions {
        let reached = version.states.iter().filter(|s| s.count > 0).count();
        let seen = version.events.iter().filter(|e| e.count > 0).count();
        let scenarios = version
            .scenarios
            .iter()
            .filter(|s| s.interactions > 0)
            .count();
        text.push_str(&format!(
            "  {} {}: transitions {}/{} ({}%), states {reached}/{}, events {seen}/{}, scenarios {scenarios}/{}\n",
            version.lifecycle,
            version.version,
            version.transitions_taken,
            version.transitions_declared,
            version.percent,
            version.states.len(),
            version.events.len(),
            version.scenarios.len(),
        ));
        let never: Vec<String> = (version.transitions.iter())
            .filter(|t| t.taken == 0)
            .map(|t| format!("{} -{}-> {}", t.from, t.event, t.to))
            .collect();
        if !never.is_empty() {
            text.push_str(&format!("    never taken: {}\n", never.join(", ")));
        }
        for guard in &version.guards {
            let never = match (guard.held, guard.did_not_hold) {
                (0, 0) => "never tried",
                (0, _) => "never held",
                (_, 0) => "always held",
                _ => continue,
            };
            text.push_str(&format!(
                "    guard `{}` ({} on {}): {never}\n",
                guard.guard, guard.state, guard.event
            ));
        }
        for timeout in version.timeouts.iter().filter(|t| t.count > 0) {
            text.push_str(&format!(
                "    timeout of `{}` fired {}\n",
                timeout.name,
                plural(timeout.count, "time")
            ));
        }
    }
    text
}

/// The JSON Schema (draft 2020-12) of the JSON report.
pub fn report_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(ReportDocument)).unwrap_or_default()
}

/// One line for a violation: `file:line: interaction X (lifecycle) event E: kind: message`.
pub fn text_line(violation: &Violation) -> String {
    marked_text_line(violation, Marks::default())
}

/// What a text line writes around two of its parts (terminal colours, say): the text before
/// and after each.
#[derive(Debug, Clone, Copy, Default)]
pub struct Marks<'a> {
    /// Around `file:line:`.
    pub place: (&'a str, &'a str),
    /// Around the kind's name.
    pub kind: (&'a str, &'a str),
}

/// [`text_line`], its place and kind marked with `marks`.
pub fn marked_text_line(violation: &Violation, marks: Marks<'_>) -> String {
    // Written into one string, with room for a line of the usual length made at once: a
    // report can hold a line for most of a stream's interactions.
    let mut line = String::with_capacity(192);
    line.push_str(marks.place.0);
    line.push_str(&violation.file);
    line.push(':');
    line.push_str(itoa::Buffer::new().format(violation.line));
    line.push(':');
    line.push_str(marks.place.1);
    line.push(' ');
    if let Some(interaction) = &violation.interaction {
        line.push_str("interaction ");
        line.push_str(interaction);
        if let Some(lifecycle) = &violation.lifecycle {
            line.push_str(" (");
            line.push_str(lifecycle);
            line.push(')');
        }
        line.push(' ');
    } else if let Some(lifecycle) = &violation.lifecycle {
        line.push_str("lifecycle ");
        line.push_str(lifecycle);
        line.push(' ');
    }
    if let Some(event) = &violation.event {
        line.push_str("event ");
        line.push_str(event);
        line.push_str(": ");
    }
    line.push_str(marks.kind.0);
    line.push_str(violation.kind.name());
    line.push_str(marks.kind.1);
    line.push_str(": ");
    line.push_str(&violation.message);
    let mut before = "; expected one of: ";
    for expected in &violation.expected {
        line.push_str(before);
        line.push_str(expected);
        before = ", ";
    }
    line
}

/// The closing summary for people.
pub fn text_summary(summary: &Summary) -> String {
    let mut text = format!(
        "{}: {}, {} blank, {} malformed; {}, {} valid; {}",
        plural(summary.lines, "line"),
        plural(summary.events, "event"),
        summary.blank,
        summary.malformed,
        plural(summary.interactions, "interaction"),
        summary.valid_interactions,
        plural(summary.violations, "violation")
    );
    if !summary.by_kind.is_empty() {
        let kinds: Vec<String> = summary
            .by_kind
            .iter()
            .map(|(kind, count)| format!("{kind} {count}"))
            .collect();
        text.push_str(&format!(" ({})", kinds.join(", ")));
    }
    if summary.duplicates > 0 {
        let deliveries = match summary.duplicates {
            1 => "delivery",
            _ => "deliveries",
        };
        text.push_str(&format!(
            "; {} duplicate {deliveries} not judged again",
            summary.duplicates
        ));
    }
    if summary.not_checked > 0 {
        text.push_str(&format!(
            "; {} not checked (assertions, guards and timeouts on unknown values)",
            summary.not_checked
        ));
    }
    text
}

/// `count` and `noun`, in the plural unless `count` is 1: "1 line", "2 lines", "0 lines".
pub fn plural(count: u64, noun: &str) -> String {
    match count {
        1 => format!("1 {noun}"),
        _ => format!("{count} {noun}s"),
    }
}

/// The JSON report, written without holding its violations in memory: they go to a temporary
/// file as they come, and [`JsonReport::write`] then writes the report in its documented
/// order (summary first), byte for byte what pretty-printing the whole object would give.
pub struct JsonReport {
    spill: spill::Spill,
    /// The violation being written (kept to be reused).
    text: Vec<u8>,
}

impl JsonReport {
    /// A report with no violation yet; its temporary file is gone when it is dropped.
    pub fn new() -> io::Result<JsonReport> {
        Ok(JsonReport {
            spill: spill::Spill::new()?,
            text: Vec::new(),
        })
    }

    /// A report kept in memory as it grows (where there is no file system).
    pub fn in_memory() -> JsonReport {
        JsonReport {
            spill: spill::Spill::in_memory(),
            text: Vec::new(),
        }
    }

    /// Adds a violation (in input order, then `incomplete` ones).
    pub fn push(&mut self, violation: &Violation) -> io::Result<()> {
        self.text.clear();
        serde_json::to_writer_pretty(&mut self.text, violation)?;
        let text = &self.text;
        (self.spill).push(b",\n    ", |item| write_indented(item, text, b"    "))
    }

    /// Writes the report as one JSON object (with the coverage, when there is one).
    pub fn write(
        self,
        out: &mut dyn Write,
        summary: &Summary,
        coverage: Option<&CoverageReport>,
    ) -> io::Result<()> {
        let summary = serde_json::to_string_pretty(summary)?;
        let head = format!("{{\n  \"format_version\": {FORMAT_VERSION},\n  \"summary\": ");
        out.write_all(head.as_bytes())?;
        write_indented(out, summary.as_bytes(), b"  ")?;
        let tail = match coverage {
            Some(coverage) => {
                let text = serde_json::to_string_pretty(coverage)?;
                let mut tail = b",\n  \"coverage\": ".to_vec();
                write_indented(&mut tail, text.as_bytes(), b"  ")?;
                tail.extend_from_slice(b"\n}\n");
                tail
            }
            None => b"\n}\n".to_vec(),
        };
        if self.spill.is_empty() {
            out.write_all(b",\n  \"violations\": []")?;
            return out.write_all(&tail);
        }
        out.write_all(b",\n  \"violations\": [\n    ")?;
        self.spill.copy_to(out)?;
        out.write_all(b"\n  ]")?;
        out.write_all(&tail)
    }
}

/// Writes pretty JSON `text` with every line after the first indented by `indent` (JSON
/// strings hold no raw newline, so this nests it one level deeper).
fn write_indented(out: &mut (impl Write + ?Sized), text: &[u8], indent: &[u8]) -> io::Result<()> {
    let mut rest = text;
    while let Some(at) = memchr::memchr(b'\n', rest) {
        let (line, after) = rest.split_at(at + 1);
        out.write_all(line)?;
        out.write_all(indent)?;
        rest = after;
    }
    out.write_all(rest)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::ViolationKind;

    /// The report as one pretty-printed object: what `JsonReport` must write.
    fn whole(summary: &Summary, violations: &[Violation]) -> String {
        let report =
            serde_json::json!({"format_version": 1, "summary": summary, "violations": violations});
        serde_json::to_string_pretty(&report).unwrap() + "\n"
    }

    /// A violation with every part a text line may show.
    fn full() -> Violation {
        Violation {
            file: "s.jsonl".into(),
            line: 12,
            interaction: Some("cb-2".into()),
            lifecycle: Some("chat".into()),
            event: Some("completed".into()),
            kind: ViolationKind::IllegalTransition,
            message: "`completed` is not allowed".into(),
            expected: vec!["started".into(), "cancelled".into()],
        }
    }

    /// Every part a text line may have, each in its place, and only those the violation has.
    #[test]
    fn a_text_line_has_the_parts_its_violation_has() {
        let full = full();
        assert_eq!(
            text_line(&full),
            "s.jsonl:12: interaction cb-2 (chat) event completed: illegal_transition: \
             `completed` is not allowed; expected one of: started, cancelled"
        );
        let no_interaction = Violation {
            interaction: None,
            event: None,
            expected: vec!["one".into()],
            ..full.clone()
        };
        assert_eq!(
            text_line(&no_interaction),
            "s.jsonl:12: lifecycle chat illegal_transition: `completed` is not allowed; \
             expected one of: one"
        );
        let bare = Violation {
            interaction: Some("cb-2".into()),
            lifecycle: None,
            expected: Vec::new(),
            ..no_interaction.clone()
        };
        assert_eq!(
            text_line(&bare),
            "s.jsonl:12: interaction cb-2 illegal_transition: `completed` is not allowed"
        );
        let nothing_known = Violation {
            interaction: None,
            lifecycle: None,
            ..bare
        };
        assert_eq!(
            text_line(&nothing_known),
            "s.jsonl:12: illegal_transition: `completed` is not allowed"
        );
    }

    /// Marks go around the place and the kind's name where they are written, even when an
    /// interaction's name holds the kind's text too.
    #[test]
    fn marks_go_around_the_place_and_the_kind_only() {
        let violation = Violation {
            interaction: Some("x illegal_transition: y".into()),
            lifecycle: None,
            event: None,
            expected: Vec::new(),
            ..full()
        };
        let marks = Marks {
            place: ("<", ">"),
            kind: ("[", "]"),
        };
        assert_eq!(
            marked_text_line(&violation, marks),
            "<s.jsonl:12:> interaction x illegal_transition: y [illegal_transition]: \
             `completed` is not allowed"
        );
        assert_eq!(
            marked_text_line(&violation, Marks::default()),
            text_line(&violation)
        );
    }

    #[test]
    fn the_spilled_report_is_the_pretty_printed_object() {
        let mut summary = Summary {
            lines: 3,
            events: 3,
            violations: 2,
            ..Summary::default()
        };
        summary.by_kind.insert("illegal_transition", 2);
        let violation = |line: u64| Violation {
            file: "s.jsonl".into(),
            line,
            interaction: Some("cb-\n2".into()),
            lifecycle: Some("chat".into()),
            event: None,
            kind: ViolationKind::IllegalTransition,
            message: "`completed` is not allowed".into(),
            expected: vec!["started".into(), "cancelled".into()],
        };
        for violations in [vec![], vec![violation(4)], vec![violation(4), violation(9)]] {
            let mut report = JsonReport::new().unwrap();
            for violation in &violations {
                report.push(violation).unwrap();
            }
            let mut out = Vec::new();
            report.write(&mut out, &summary, None).unwrap();
            assert_eq!(
                String::from_utf8(out).unwrap(),
                whole(&summary, &violations)
            );
        }
    }
}
