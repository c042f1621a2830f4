//! An interaction's page on the collector (`GET /interactions/{id}` from a browser): where
//! it stands now, then each event with the state and metadata after it and what was wrong
//! with it; the same as JSON a click away.

use std::fmt::Write;

use quick_xml::escape::escape;
use serde_json::Value;

use super::collector::InteractionLog;
use crate::report::html::document;

/// The page of the interactions `logs` with the id `id` (one per lifecycle that has it);
/// `json` is the link to the same as JSON.
pub fn render(id: &str, logs: &[InteractionLog], json: &str) -> String {
    let mut body = format!(
        "<p class=\"inputs\"><a href=\"/\">live page</a> · <a href=\"{}\">JSON</a></p>\n",
        escape(json)
    );
    for log in logs {
        let _ = write!(
            body,
            "<section class=\"interaction\" data-lifecycle=\"{lifecycle}\" data-state=\"{state}\"><h2>{lifecycle} {version}</h2>\
             <dl class=\"cards\"><div><dt>state now</dt><dd>{state}</dd></div><div><dt>events</dt><dd>{events}</dd></div>\
             <div class=\"{class}\"><dt>violations</dt><dd>{violations}</dd></div></dl>\
             <h3>metadata now</h3>{metadata}<h3>events</h3>\
             <table class=\"events\"><thead><tr><th class=\"n\">line</th><th>event</th><th>state after</th><th>violations</th><th>metadata after</th></tr></thead><tbody>",
            lifecycle = escape(log.lifecycle.as_str()),
            version = escape(log.version.as_str()),
            state = escape(log.state.as_str()),
            events = log.event_count,
            class = if log.violations > 0 { "bad" } else { "good" },
            violations = log.violations,
            metadata = metadata_table(log.metadata.as_deref().map(|raw| raw.get())),
        );
        for event in &log.events {
            let violations: Vec<String> = (event.violations.iter())
                .map(|v| {
                    format!(
                        "<li><b>{}</b> {}</li>",
                        escape(v.kind.name()),
                        escape(v.message.as_str())
                    )
                })
                .collect();
            let marked = if event.violations.is_empty() {
                ""
            } else {
                " class=\"violated\""
            };
            let _ = write!(
                body,
                "<tr{marked}><td class=\"n\">{}</td><td>{}{}</td><td>{}</td><td><ul>{}</ul></td><td><code>{}</code></td></tr>",
                event.line,
                escape(event.event.as_deref().unwrap_or("")),
                if event.duplicate { " (duplicate delivery)" } else { "" },
                escape(event.state.as_deref().unwrap_or("")),
                violations.join(""),
                escape(event.metadata.as_deref().map_or("", |raw| raw.get())),
            );
        }
        body.push_str("</tbody></table>");
        if (log.events.len() as u64) < log.event_count {
            let _ = write!(
                body,
                "<p class=\"note\">The first {} of {} events are kept.</p>",
                log.events.len(),
                log.event_count
            );
        }
        body.push_str("</section>\n");
    }
    document(&format!("Interaction {id}"), &body)
}

/// A metadata block as a table of its fields.
fn metadata_table(json: Option<&str>) -> String {
    let Some(Value::Object(fields)) = json.and_then(|text| serde_json::from_str(text).ok()) else {
        return "<p class=\"note\">none</p>".to_owned();
    };
    let mut out = String::from("<table class=\"metadata\"><tbody>");
    for (name, value) in fields {
        let _ = write!(
            out,
            "<tr><th>{}</th><td><code>{}</code></td></tr>",
            escape(name.as_str()),
            escape(value.to_string().as_str())
        );
    }
    out.push_str("</tbody></table>");
    out
}
