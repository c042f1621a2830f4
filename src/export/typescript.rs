//! TypeScript declarations of a lifecycle version's event records, written from its exported
//! JSON Schema (so the two cannot drift): a union of event records discriminated by `event`,
//! one interface per payload, listed values as literal unions whose doc comments carry their
//! labels, and the metadata block.

use std::collections::HashSet;
use std::fmt::Write;

use serde_json::{Map, Value};

/// TypeScript declarations for the event records `schema` (from
/// [`record_schema`](super::record_schema)) describes. `command` is the command line that
/// wrote them, named in the header.
pub fn declarations(schema: &Value, command: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "// Written by `{command}`. Do not edit: write it again.\n"
    );
    let title = text(schema, "title");
    let description = text(schema, "description");
    out += &doc_comment(&[title, description].join("\n\n"), "");
    out += "\n";
    let defs = schema.get("$defs").and_then(Value::as_object);
    let def = |reference: &str| {
        let name = reference.strip_prefix("#/$defs/")?;
        defs?.get(name)
    };

    let mut names = HashSet::new();
    let mut records = Vec::new();
    let branches = schema.get("oneOf").and_then(Value::as_array);
    for branch in branches.into_iter().flatten() {
        let Some(event) = branch.pointer("/properties/event/const") else {
            continue;
        };
        let event_name = event.as_str().unwrap_or_default();
        let base = unique(&mut names, &pascal_case(event_name));
        let description = text(branch, "description");
        let reference = branch
            .pointer("/properties/data/$ref")
            .and_then(Value::as_str);
        let data_type = match reference.and_then(def) {
            Some(payload) => {
                let name = format!("{base}Data");
                let doc = format!("The payload (`data`) of `{event_name}`. {description}");
                out += &doc_comment(&doc, "");
                let _ = writeln!(
                    out,
                    "export interface {name} {}\n",
                    object_body(payload, "")
                );
                name
            }
            None => "Record<string, unknown>".to_string(),
        };
        let data_required = branch
            .get("required")
            .and_then(Value::as_array)
            .is_some_and(|r| r.iter().any(|name| name == "data"));
        let record = format!("{base}Record");
        out += &doc_comment(&description, "");
        let _ = writeln!(out, "export interface {record} extends RecordBase {{");
        let _ = writeln!(out, "  event: {event};");
        let optional = if data_required { "" } else { "?" };
        let _ = writeln!(out, "  data{optional}: {data_type};");
        out += "}\n\n";
        records.push(record);
    }

    let lifecycle = schema.pointer("/properties/lifecycle/const");
    let lifecycle = lifecycle.map_or("string".to_string(), Value::to_string);
    if let Some(metadata) = defs.and_then(|defs| defs.get("metadata")) {
        out += &doc_comment(&text(metadata, "description"), "");
        let _ = writeln!(
            out,
            "export interface Metadata {}\n",
            object_body(metadata, "")
        );
    }
    out += "/** What every event record carries. */\n";
    out += "export interface RecordBase {\n";
    let _ = writeln!(out, "  lifecycle: {lifecycle};");
    out += "  /** Groups the events of one interaction. */\n  interaction: string;\n";
    out += "  /** Milliseconds since the Unix epoch. */\n  ts: number;\n";
    out += "  /** Widget version. */\n  version?: string;\n";
    if defs.is_some_and(|defs| defs.contains_key("metadata")) {
        out += "  /** The metadata block, when the record carries it. */\n  metadata?: Metadata;\n";
    }
    out += "}\n\n";
    out += "/** An event record: one line of a stream, discriminated by `event`. */\n";
    let union = if records.is_empty() {
        "never".to_string()
    } else {
        records.join(" | ")
    };
    let _ = writeln!(out, "export type EventRecord = {union};\n");
    out += "/** The events of this version. */\n";
    out += "export type EventName = EventRecord[\"event\"];\n";
    out
}

/// The body `{ ... }` of an object schema, indented by `indent`.
fn object_body(schema: &Value, indent: &str) -> String {
    let empty = Map::new();
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let inner = format!("{indent}  ");
    let mut out = String::from("{\n");
    for (name, property) in properties {
        out += &doc_comment(&property_doc(property), &inner);
        let optional = if required.contains(&name.as_str()) {
            ""
        } else {
            "?"
        };
        let _ = writeln!(
            out,
            "{inner}{}{optional}: {};",
            property_name(name),
            type_of(property, &inner)
        );
    }
    if schema.get("additionalProperties") != Some(&Value::Bool(false)) {
        let _ = writeln!(out, "{inner}[property: string]: unknown;");
    }
    if out == "{\n" {
        return "{}".into();
    }
    out += indent;
    out += "}";
    out
}

/// The TypeScript type a (Plotline-written) property schema allows.
fn type_of(schema: &Value, indent: &str) -> String {
    if let Some(value) = schema.get("const") {
        return value.to_string();
    }
    if let Some(Value::Array(values)) = schema.get("enum") {
        return union(values.iter().map(Value::to_string));
    }
    if let Some(Value::Array(options)) = schema.get("anyOf") {
        return union(options.iter().map(|option| type_of(option, indent)));
    }
    match schema.get("type") {
        Some(Value::String(name)) => named_type(name, schema, indent),
        Some(Value::Array(names)) => union(
            names
                .iter()
                .filter_map(Value::as_str)
                .map(|name| named_type(name, schema, indent)),
        ),
        _ => "unknown".to_string(),
    }
}

fn named_type(name: &str, schema: &Value, indent: &str) -> String {
    match name {
        "string" => "string".into(),
        "integer" | "number" => "number".into(),
        "boolean" => "boolean".into(),
        "null" => "null".into(),
        "array" => match schema.get("items") {
            Some(items) => format!("Array<{}>", type_of(items, indent)),
            None => "Array<unknown>".into(),
        },
        "object" if schema.get("properties").is_some() => object_body(schema, indent),
        "object" => "Record<string, unknown>".into(),
        _ => "unknown".into(),
    }
}

/// `A | B | C`, each alternative once, in order, and no literal a broader alternative
/// already allows (`number`, not `number | 0`).
fn union(types: impl Iterator<Item = String>) -> String {
    let mut seen = Vec::new();
    for ty in types {
        if !seen.contains(&ty) {
            seen.push(ty);
        }
    }
    let has = |name: &str| seen.iter().any(|ty| ty == name);
    let (numbers, strings, booleans) = (has("number"), has("string"), has("boolean"));
    seen.retain(|ty| {
        let literal: Option<Value> = serde_json::from_str(ty).ok();
        !match literal {
            Some(Value::Number(_)) => numbers,
            Some(Value::String(_)) => strings,
            Some(Value::Bool(_)) => booleans,
            _ => false,
        }
    });
    if seen.is_empty() {
        "never".into()
    } else {
        seen.join(" | ")
    }
}

/// The validation keywords a property's doc comment states as JSDoc tags (`@minimum 0`), in
/// the names typescript-json-schema and similar tools read back.
const KEYWORD_TAGS: [&str; 13] = [
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minLength",
    "maxLength",
    "pattern",
    "format",
    "minItems",
    "maxItems",
    "uniqueItems",
    "const",
];

/// A property's description, the labels of its listed values (`3`: Slide-out), then its
/// validation keywords as tags.
fn property_doc(schema: &Value) -> String {
    let mut doc = text(schema, "description");
    let labelled = schema.get("anyOf").and_then(Value::as_array);
    for option in labelled.into_iter().flatten() {
        if let (Some(value), Some(label)) = (option.get("const"), option.get("title")) {
            let label = label.as_str().unwrap_or_default();
            let _ = write!(doc, "\n- `{value}`: {label}");
        }
    }
    for keyword in KEYWORD_TAGS {
        match schema.get(keyword) {
            Some(Value::String(text)) => {
                let _ = write!(doc, "\n@{keyword} {text}");
            }
            Some(value) => {
                let _ = write!(doc, "\n@{keyword} {value}");
            }
            None => {}
        }
    }
    doc
}

/// A JSDoc comment, or nothing for an empty text.
fn doc_comment(text: &str, indent: &str) -> String {
    let text = text.trim();
    if text.is_empty() {
        return String::new();
    }
    let text = text.replace("*/", "*\\/");
    if !text.contains('\n') {
        return format!("{indent}/** {text} */\n");
    }
    let mut out = format!("{indent}/**\n");
    for line in text.lines() {
        let _ = writeln!(
            out,
            "{indent} *{}{line}",
            if line.is_empty() { "" } else { " " }
        );
    }
    let _ = writeln!(out, "{indent} */");
    out
}

fn text(schema: &Value, keyword: &str) -> String {
    schema
        .get(keyword)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// A property name as written in an interface: bare when it is an identifier, quoted if not.
fn property_name(name: &str) -> String {
    let mut chars = name.chars();
    let identifier = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    if identifier {
        name.to_string()
    } else {
        Value::String(name.to_string()).to_string()
    }
}

/// `WIDGET_SHOWN`, `widget-shown` and `widgetShown` all give `WidgetShown`; a name that
/// would start with a digit gets an `E` in front.
fn pascal_case(name: &str) -> String {
    let mut out = String::new();
    for word in name.split(|c: char| !c.is_ascii_alphanumeric()) {
        let mut chars = word.chars();
        if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            let rest: String = chars.collect();
            let shouting = word.chars().all(|c| !c.is_ascii_lowercase());
            out += &if shouting {
                rest.to_ascii_lowercase()
            } else {
                rest
            };
        }
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic()) {
        out.insert(0, 'E');
    }
    out
}

/// `name`, or `name2`, `name3`... when it is taken.
fn unique(taken: &mut HashSet<String>, name: &str) -> String {
    let mut candidate = name.to_string();
    let mut n = 2;
    while !taken.insert(candidate.clone()) {
        candidate = format!("{name}{n}");
        n += 1;
    }
    candidate
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_become_type_names() {
        assert_eq!(pascal_case("WIDGET_SHOWN"), "WidgetShown");
        assert_eq!(pascal_case("widget-shown"), "WidgetShown");
        assert_eq!(pascal_case("widgetShown"), "WidgetShown");
        assert_eq!(pascal_case("9lives"), "E9lives");
        assert_eq!(pascal_case(""), "E");
        assert_eq!(property_name("confKey"), "confKey");
        assert_eq!(property_name("a-b"), "\"a-b\"");
        let mut taken = HashSet::new();
        assert_eq!(unique(&mut taken, "A"), "A");
        assert_eq!(unique(&mut taken, "A"), "A2");
    }

    #[test]
    fn a_literal_a_broader_alternative_allows_is_left_out() {
        let counter = serde_json::json!({"anyOf": [{"type": "integer"}, {"const": 0}]});
        assert_eq!(type_of(&counter, ""), "number");
        let flag = serde_json::json!({"anyOf": [{"type": "integer"}, {"const": false}]});
        assert_eq!(type_of(&flag, ""), "number | false");
        let named = serde_json::json!({"anyOf": [{"const": "a"}, {"type": "string"}]});
        assert_eq!(type_of(&named, ""), "string");
    }

    #[test]
    fn comments_cannot_be_closed_early() {
        assert_eq!(doc_comment("a */ b", ""), "/** a *\\/ b */\n");
        assert_eq!(
            doc_comment("a\n\nb", "  "),
            "  /**\n   * a\n   *\n   * b\n   */\n"
        );
        assert_eq!(doc_comment("  ", ""), "");
    }
}
