//! Mermaid `stateDiagram-v2`: states by generated ids with their names as labels, so any name
//! is safe; labels escaped as Mermaid entity codes where Mermaid cannot take them raw.

use super::{label, Diagram, Trigger};

/// The diagram as Mermaid text.
pub fn mermaid(diagram: &Diagram) -> String {
    let mut text = String::from("stateDiagram-v2\n");
    let id = |index: usize| format!("s{index}");
    for (index, node) in diagram.nodes.iter().enumerate() {
        text.push_str(&format!(
            "    state \"{}\" as {}\n",
            escape(&node.name),
            id(index)
        ));
    }
    text.push_str(&format!("    [*] --> {}\n", id(diagram.initial)));
    for edge in &diagram.edges {
        let mut words = escape(&label(&edge.trigger));
        if matches!(edge.trigger, Trigger::Timeout(..) | Trigger::Deadline(..)) {
            words = format!("⏱ {words}");
        }
        text.push_str(&format!(
            "    {} --> {} : {words}\n",
            id(edge.from),
            id(edge.to)
        ));
    }
    for (index, node) in diagram.nodes.iter().enumerate() {
        if node.is_final {
            text.push_str(&format!("    {} --> [*]\n", id(index)));
        }
    }
    let may_end: Vec<String> = (diagram.nodes.iter().enumerate())
        .filter(|(_, node)| node.may_end && !node.is_final)
        .map(|(index, _)| id(index))
        .collect();
    if !may_end.is_empty() {
        text.push_str("    classDef mayEnd stroke-dasharray: 4 2\n");
        text.push_str(&format!("    class {} mayEnd\n", may_end.join(",")));
    }
    text
}

/// `text` with every character but letters, digits, spaces and `_ . - , [ ] ( ) ' = > < !`
/// written as a Mermaid entity code (`#58;` for `:`), so labels never break the syntax.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_alphanumeric() || " _.-,[]()'=<>!⏱".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("#{};", u32::from(c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn labels_are_escaped() {
        assert_eq!(super::escape("a:b;\"c\" #1"), "a#58;b#59;#34;c#34; #35;1");
    }
}
