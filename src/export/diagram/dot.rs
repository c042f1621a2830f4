//! Graphviz DOT: final states as double circles, `may_end` states dashed, timeouts as dashed
//! edges, the initial state marked by an edge from a point.

use super::{label, Diagram, Trigger};

/// The diagram as DOT text.
pub fn dot(diagram: &Diagram) -> String {
    let mut text = format!("digraph {} {{\n", quote(&diagram.name));
    text.push_str(
        "    rankdir=LR;\n    node [shape=box, style=rounded, fontname=\"Helvetica\"];\n",
    );
    text.push_str("    edge [fontname=\"Helvetica\", fontsize=10];\n");
    text.push_str("    __initial [shape=point, width=0.15, label=\"\"];\n");
    for (index, node) in diagram.nodes.iter().enumerate() {
        let mut attributes = vec![format!("label={}", quote(&node.name))];
        if node.is_final {
            attributes.push("shape=doublecircle".to_owned());
        } else if node.may_end {
            attributes.push("style=\"rounded,dashed\"".to_owned());
        }
        text.push_str(&format!("    s{index} [{}];\n", attributes.join(", ")));
    }
    text.push_str(&format!("    __initial -> s{};\n", diagram.initial));
    for edge in &diagram.edges {
        let mut attributes = vec![format!("label={}", quote(&label(&edge.trigger)))];
        if matches!(edge.trigger, Trigger::Timeout(..) | Trigger::Deadline(..)) {
            attributes.push("style=dashed".to_owned());
        }
        text.push_str(&format!(
            "    s{} -> s{} [{}];\n",
            edge.from,
            edge.to,
            attributes.join(", ")
        ));
    }
    text.push_str("}\n");
    text
}

/// A DOT string: quoted, with `"` and `\` escaped and line ends as `\n`.
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn strings_are_quoted() {
        assert_eq!(super::quote("a \"b\" \\ c"), "\"a \\\"b\\\" \\\\ c\"");
    }
}
