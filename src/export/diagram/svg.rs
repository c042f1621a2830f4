//! A diagram as SVG, laid out in Rust (`layout.rs`), with what a stream did drawn over it when
//! there is an [`Overlay`]: counts on states and edges, edges never taken dashed, violations
//! marked on the states where they happened.

use quick_xml::escape::escape;

use super::layout::{layout, NODE_HEIGHT};
use super::{label, text, Diagram, Trigger};

/// What a stream did, drawn over the diagram; empty for the bare machine.
#[derive(Debug, Clone, Default)]
pub struct Overlay {
    /// By state: a second line under its name (e.g. `412 reached`).
    pub notes: Vec<String>,
    /// By state: violations found there (a mark when not zero).
    pub violations: Vec<u64>,
    /// By edge: how often it was taken (`None`: not counted).
    pub taken: Vec<Option<u64>>,
}

/// Writes `diagram` as a standalone SVG element with `overlay` drawn over it.
pub fn svg(diagram: &Diagram, overlay: &Overlay) -> String {
    let note = |i: usize| overlay.notes.get(i).map_or("", String::as_str);
    let edge_text = |i: usize| -> String {
        let text = label(&diagram.edges[i].trigger);
        match overlay.taken.get(i).copied().flatten() {
            Some(n) => format!("{text} ({})", thousands(n)),
            None => text,
        }
    };
    let node_width = |i: usize| {
        let name = text::width(&diagram.nodes[i].name, 12.0, true);
        (name.max(text::width(note(i), 11.0, false)) + 24.0).max(70.0)
    };
    let edge_width = |i: usize| text::width(&edge_text(i), 11.0, false);
    let laid = layout(diagram, &node_width, &edge_width);
    let most = (overlay.taken.iter().flatten().copied().max()).unwrap_or(0);

    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"diagram\" viewBox=\"0 0 {:.0} {:.0}\" width=\"{:.0}\" height=\"{:.0}\" style=\"max-width:100%;height:auto\" role=\"img\" aria-label=\"{}\">\n",
        laid.width,
        laid.height,
        laid.width,
        laid.height,
        escape(format!("state diagram of {}", diagram.name).as_str())
    );
    out.push_str(STYLE);
    out.push_str(
        "<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerUnits=\"userSpaceOnUse\" markerWidth=\"9\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" class=\"arrowhead\"/></marker></defs>\n",
    );
    for (i, (edge, route)) in diagram.edges.iter().zip(&laid.edges).enumerate() {
        let taken = overlay.taken.get(i).copied().flatten();
        let mut class = String::from("edge");
        if matches!(edge.trigger, Trigger::Timeout(..) | Trigger::Deadline(..)) {
            class.push_str(" timer");
        }
        if taken == Some(0) {
            class.push_str(" never");
        }
        // Stroke width grows with the share of the busiest edge.
        let width = match taken {
            Some(n) if most > 0 => 1.0 + 3.0 * n as f64 / most as f64,
            _ => 1.2,
        };
        let count = taken.map_or(String::new(), |n| format!(" data-count=\"{n}\""));
        out.push_str(&format!(
            "<g class=\"{class}\" data-from=\"{}\" data-to=\"{}\"{count}><path d=\"{}\" stroke-width=\"{width:.1}\" marker-end=\"url(#arrow)\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"{}\">{}</text></g>\n",
            escape(diagram.nodes[edge.from].name.as_str()),
            escape(diagram.nodes[edge.to].name.as_str()),
            route.path,
            route.label_at.0,
            route.label_at.1,
            route.anchor,
            escape(edge_text(i).as_str()),
        ));
    }
    for (i, (node, placed)) in diagram.nodes.iter().zip(&laid.nodes).enumerate() {
        let mut class = String::from("state");
        if i == diagram.initial {
            class.push_str(" initial");
        }
        if node.is_final {
            class.push_str(" final");
        }
        if node.may_end {
            class.push_str(" may-end");
        }
        let violations = overlay.violations.get(i).copied().unwrap_or(0);
        if violations > 0 {
            class.push_str(" violated");
        }
        let (left, top) = (placed.x - placed.width / 2.0, placed.y - NODE_HEIGHT / 2.0);
        let name = escape(node.name.as_str());
        out.push_str(&format!(
            "<g class=\"{class}\" data-state=\"{name}\" data-violations=\"{violations}\"><rect x=\"{left:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{NODE_HEIGHT:.0}\" rx=\"{}\"/>",
            placed.width,
            if node.is_final { 4 } else { 12 },
        ));
        let note = note(i);
        let name_y = if note.is_empty() {
            placed.y + 4.0
        } else {
            placed.y - 3.0
        };
        out.push_str(&format!(
            "<text class=\"name\" x=\"{:.1}\" y=\"{name_y:.1}\" text-anchor=\"middle\">{name}</text>",
            placed.x
        ));
        if !note.is_empty() {
            out.push_str(&format!(
                "<text class=\"note\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">{}</text>",
                placed.x,
                placed.y + 12.0,
                escape(note)
            ));
        }
        if violations > 0 {
            out.push_str(&format!(
                "<g class=\"mark\"><title>{} found in this state</title><circle cx=\"{:.1}\" cy=\"{top:.1}\" r=\"9\"/><text x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"middle\">!</text></g>",
                match violations {
                    1 => "1 violation".to_owned(),
                    n => format!("{} violations", thousands(n)),
                },
                left + placed.width,
                left + placed.width,
                top + 4.0,
            ));
        }
        out.push_str("</g>\n");
    }
    out.push_str("</svg>\n");
    out
}

/// The drawing's own styles, so that it reads the same alone and inside a page.
const STYLE: &str = "<style>\
.diagram text{font:12px system-ui,sans-serif;fill:#1f2933}\
.diagram .state rect{fill:#eef2f7;stroke:#52606d;stroke-width:1.2}\
.diagram .state.initial rect{stroke-width:2.4}\
.diagram .state.final rect{fill:#e3f1e6;stroke:#2f7d46}\
.diagram .state.may-end rect{stroke-dasharray:5 3}\
.diagram .state.violated rect{stroke:#b42318}\
.diagram .state .name{font-weight:600}\
.diagram .state .note{font-size:11px;fill:#52606d}\
.diagram .mark circle{fill:#b42318}.diagram .mark text{fill:#fff;font-weight:700}\
.diagram .edge path{fill:none;stroke:#52606d}\
.diagram .edge.timer path{stroke-dasharray:2 3}\
.diagram .edge.never path{stroke:#9aa5b1;stroke-dasharray:5 4}\
.diagram .edge.never text{fill:#7b8794}\
.diagram .edge text{font-size:11px;paint-order:stroke;stroke:#fff;stroke-width:3px}\
.diagram .arrowhead{fill:#52606d}\
</style>\n";

/// `1234567` as `1,234,567`.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn thousands_are_grouped() {
        assert_eq!(super::thousands(0), "0");
        assert_eq!(super::thousands(999), "999");
        assert_eq!(super::thousands(1000), "1,000");
        assert_eq!(super::thousands(1_234_567), "1,234,567");
    }
}
