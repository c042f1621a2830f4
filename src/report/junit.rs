//! JUnit XML (`validate --format junit`): one test case per interaction, a failure per
//! violation, a test suite per lifecycle, so test-report tools show a stream's verdicts.
//!
//! Lines that belong to no interaction (malformed lines, bad envelopes) are test cases of
//! their own, named `file:line`, in a suite named `lines`. The report holds the violations
//! until the end, to group them by interaction.

use std::collections::HashMap;
use std::io::{self, Write};

use quick_xml::escape::escape;

use crate::engine::interpreter::Begun;
use crate::engine::Violation;

use super::text_line;

/// The suite of lines that belong to no interaction.
const LINES_SUITE: &str = "lines";

/// One test case: an interaction or a line, and its failures.
struct Case {
    name: String,
    file: String,
    line: u64,
    failures: Vec<Violation>,
}

/// A JUnit report being gathered.
#[derive(Default)]
pub struct JunitReport {
    violations: Vec<Violation>,
}

impl JunitReport {
    /// Adds a violation.
    pub fn push(&mut self, violation: Violation) {
        self.violations.push(violation);
    }

    /// Writes the report: every interaction begun (`interactions`, in the order they began)
    /// as a test case with its violations as failures.
    pub fn write(
        self,
        out: &mut dyn Write,
        interactions: Vec<Begun>,
        files: &[String],
    ) -> io::Result<()> {
        // Suites in the order their first case appears; cases likewise.
        let mut suites: Vec<(String, Vec<Case>)> = Vec::new();
        let mut index: HashMap<(String, String), (usize, usize)> = HashMap::new();
        let mut case_of = |suites: &mut Vec<(String, Vec<Case>)>,
                           suite: &str,
                           name: &str,
                           file: &str,
                           line: u64| {
            let key = (suite.to_owned(), name.to_owned());
            if let Some(&at) = index.get(&key) {
                return at;
            }
            let s = match suites.iter().position(|(n, _)| n == suite) {
                Some(s) => s,
                None => {
                    suites.push((suite.to_owned(), Vec::new()));
                    suites.len() - 1
                }
            };
            suites[s].1.push(Case {
                name: name.to_owned(),
                file: file.to_owned(),
                line,
                failures: Vec::new(),
            });
            let at = (s, suites[s].1.len() - 1);
            index.insert(key, at);
            at
        };
        for begun in interactions {
            let file = files
                .get(begun.at.file as usize)
                .map_or("-", String::as_str);
            case_of(
                &mut suites,
                &begun.lifecycle,
                &begun.interaction,
                file,
                begun.at.line,
            );
        }
        for violation in self.violations {
            let (suite, name) = match (&violation.lifecycle, &violation.interaction) {
                (Some(lifecycle), Some(interaction)) => (lifecycle.clone(), interaction.clone()),
                _ => (
                    LINES_SUITE.to_owned(),
                    format!("{}:{}", violation.file, violation.line),
                ),
            };
            let (s, c) = case_of(&mut suites, &suite, &name, &violation.file, violation.line);
            suites[s].1[c].failures.push(violation);
        }
        let cases: usize = suites.iter().map(|(_, cases)| cases.len()).sum();
        let failing = |cases: &[Case]| cases.iter().filter(|c| !c.failures.is_empty()).count();
        let failures: usize = suites.iter().map(|(_, cases)| failing(cases)).sum();
        writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
        writeln!(
            out,
            r#"<testsuites name="plotline" tests="{cases}" failures="{failures}" errors="0">"#
        )?;
        for (suite, cases) in &suites {
            writeln!(
                out,
                r#"  <testsuite name="{}" tests="{}" failures="{}" errors="0" skipped="0">"#,
                xml(suite),
                cases.len(),
                failing(cases)
            )?;
            for case in cases {
                write!(
                    out,
                    r#"    <testcase name="{}" classname="{}" file="{}" line="{}""#,
                    xml(&case.name),
                    xml(suite),
                    xml(&case.file),
                    case.line
                )?;
                if case.failures.is_empty() {
                    writeln!(out, "/>")?;
                    continue;
                }
                writeln!(out, ">")?;
                for failure in &case.failures {
                    writeln!(
                        out,
                        r#"      <failure type="{}" message="{}">{}</failure>"#,
                        failure.kind.name(),
                        xml(&failure.message),
                        xml(&text_line(failure))
                    )?;
                }
                writeln!(out, "    </testcase>")?;
            }
            writeln!(out, "  </testsuite>")?;
        }
        writeln!(out, "</testsuites>")
    }
}

/// Text as XML character data or an attribute value: markup escaped, and characters XML 1.0
/// cannot hold at all (most control characters) replaced by U+FFFD.
fn xml(text: &str) -> String {
    let allowed: String = text
        .chars()
        .map(|c| match c {
            '\t' | '\n' | '\r' => c,
            c if c < ' ' || c == '\u{FFFE}' || c == '\u{FFFF}' => '\u{FFFD}',
            c => c,
        })
        .collect();
    escape(allowed.as_str())
        .replace('\n', "&#10;")
        .replace('\r', "&#13;")
        .replace('\t', "&#9;")
}

#[cfg(test)]
mod tests {
    #[test]
    fn text_is_safe_in_xml() {
        assert_eq!(
            super::xml("a<b & \"c\"\u{1}\n"),
            "a&lt;b &amp; &quot;c&quot;\u{FFFD}&#10;"
        );
    }
}
