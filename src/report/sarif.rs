//! SARIF 2.1.0 (`validate --format sarif`): each violation a result whose rule is its kind,
//! located at its file and line, for code-scanning tools.
//!
//! Results are spilled to a temporary file as they come (`spill.rs`), so memory stays flat
//! however many there are; [`SarifReport::write`] then writes the log around them.

use std::io::{self, Write};

use serde_json::{json, Value};

use super::spill::Spill;
use crate::engine::{Violation, ViolationKind};

/// A SARIF log being written.
pub struct SarifReport {
    spill: Spill,
}

impl SarifReport {
    /// A log with no result yet.
    pub fn new() -> io::Result<SarifReport> {
        Ok(SarifReport {
            spill: Spill::new()?,
        })
    }

    /// Adds a violation as a result.
    pub fn push(&mut self, violation: &Violation) -> io::Result<()> {
        (self.spill).push(b",\n", |item| {
            serde_json::to_writer(item, &result(violation)).map_err(io::Error::from)
        })
    }

    /// Writes the whole log: one run of Plotline with every violation kind as a rule.
    pub fn write(self, out: &mut dyn Write) -> io::Result<()> {
        let rules: Vec<Value> = ViolationKind::ALL
            .iter()
            .map(|kind| {
                json!({
                    "id": kind.name(),
                    "name": kind.name(),
                    "shortDescription": {"text": kind.description()},
                    "defaultConfiguration": {"level": "error"},
                })
            })
            .collect();
        let driver = json!({
            "name": "plotline",
            "version": env!("CARGO_PKG_VERSION"),
            "rules": rules,
        });
        let head = json!({
            "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
            "version": "2.1.0",
        });
        // `{"$schema":...,"version":"2.1.0"` then the run, its results spliced in.
        let head = head.to_string();
        out.write_all(head.trim_end_matches('}').as_bytes())?;
        out.write_all(b",\"runs\":[{\"tool\":{\"driver\":")?;
        serde_json::to_writer(&mut *out, &driver)?;
        out.write_all(b"},\"columnKind\":\"unicodeCodePoints\",\"results\":[\n")?;
        self.spill.copy_to(out)?;
        out.write_all(b"\n]}]}\n")
    }
}

/// One violation as a SARIF result.
fn result(violation: &Violation) -> Value {
    let mut text = violation.message.clone();
    if !violation.expected.is_empty() {
        text.push_str(&format!(
            "; expected one of: {}",
            violation.expected.join(", ")
        ));
    }
    let mut properties = serde_json::Map::new();
    for (name, value) in [
        ("interaction", &violation.interaction),
        ("lifecycle", &violation.lifecycle),
        ("event", &violation.event),
    ] {
        if let Some(value) = value {
            properties.insert(name.into(), Value::String(value.clone()));
        }
    }
    if !violation.expected.is_empty() {
        properties.insert("expected".into(), json!(violation.expected));
    }
    let index = ViolationKind::ALL.iter().position(|k| *k == violation.kind);
    json!({
        "ruleId": violation.kind.name(),
        "ruleIndex": index,
        "level": "error",
        "message": {"text": text},
        "locations": [{
            "physicalLocation": {
                "artifactLocation": {"uri": uri(&violation.file)},
                "region": {"startLine": violation.line.max(1)},
            }
        }],
        "properties": properties,
    })
}

/// A file name as a relative URI reference: bytes other than unreserved ones and `/`
/// percent-encoded (stdin, `-`, stays `-`).
fn uri(file: &str) -> String {
    let mut uri = String::with_capacity(file.len());
    for byte in file.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(char::from(byte));
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

#[cfg(test)]
mod tests {
    #[test]
    fn file_names_are_uri_references() {
        assert_eq!(super::uri("logs/a b#1.jsonl"), "logs/a%20b%231.jsonl");
        assert_eq!(super::uri("-"), "-");
        assert_eq!(super::uri("é"), "%C3%A9");
    }
}
