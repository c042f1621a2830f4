//! YAML parser and serde messages in plain words: no Rust type names, one sentence per fault,
//! and a hint where the cause is common (a tab, an indentation slip, an unquoted expression
//! inside `{...}`).

use crate::diagnostic::suggestion;

/// What the config types are called in messages (a type missing here is named by its words:
/// `FooBarDecl` is "a foo bar").
const TYPE_NAMES: &[(&str, &str)] = &[
    (
        "LifecycleFile",
        "a lifecycle file (a map with `name`, `events`, `states`, ...)",
    ),
    (
        "EventDecl",
        "an event (a map such as `{payload: {...}}`, or nothing)",
    ),
    ("PayloadDecl", "a payload (`{properties: {...}}`)"),
    ("PropertyDecl", "a property (`{type: string}`)"),
    (
        "StateDecl",
        "a state (a map such as `{final: true}`, or nothing)",
    ),
    ("TimeoutDecl", "a timeout (`{after: 5m, to: STATE}`)"),
    (
        "TransitionDecl",
        "a transition (`{from: STATE, on: EVENT, to: STATE}`)",
    ),
    ("FieldDecl", "a metadata field (`{type: timestamp}`)"),
    (
        "RuleDecl",
        "a rule (`{on: EVENT, set: {...}}` or `{on: EVENT, assert: ...}`)",
    ),
    ("ScenarioDecl", "a scenario (`{name: ..., events: [...]}`)"),
    (
        "FormatDecl",
        "a record format (`{name: ..., event: PATH, ...}`)",
    ),
    ("VersionDecl", "a version (`{name: \"1.0\"}`)"),
    (
        "SourceDoc",
        "a source (a file name, or `{file: ..., note: ...}`)",
    ),
    (
        "EnumValue",
        "an enum value, or `{value: V, description: ...}`",
    ),
    (
        "EnumValueForm",
        "an enum value, or `{value: V, description: ...}`",
    ),
    ("LabelledValue", "`{value: V, description: ...}`"),
    (
        "PropertySpec",
        "a property, or a list of its variants by version",
    ),
];

/// A serde or YAML parser message, and the line of the file it points at, as a message and a
/// hint.
pub fn plain(message: &str, line: &str) -> (String, Option<String>) {
    let message = message.split(" at line ").next().unwrap_or(message);
    let (path, message) = match path_of(message) {
        Some(path) => (format!("{path}: "), &message[path.len() + 2..]),
        None => (String::new(), message),
    };
    let (message, hint) = plain_message(message, line);
    (format!("{path}{message}"), hint)
}

/// The path a deserializer's message starts with (`events.a` of `events.a: invalid type:
/// ...`), when it has one.
pub fn path_of(message: &str) -> Option<&str> {
    let (path, _) = message.split_once(": ")?;
    (!path.contains(' ') && !path.is_empty()).then_some(path)
}

fn plain_message(message: &str, line: &str) -> (String, Option<String>) {
    if let Some(found) = unknown_name(message) {
        return found;
    }
    for prefix in ["invalid type: ", "invalid value: "] {
        if let Some((found, expected)) = message
            .strip_prefix(prefix)
            .and_then(|rest| rest.split_once(", expected "))
        {
            return (
                format!("expected {}, found {found}", type_words(expected)),
                None,
            );
        }
    }
    if let Some((_, name)) = message.split_once("did not match any variant of untagged enum ") {
        return (format!("expected {}", type_name(name.trim())), None);
    }
    let message = name_types(message);
    let missing =
        (message.split_once("missing field `")).and_then(|(_, rest)| Some(rest.split_once('`')?.0));
    let hint = if let Some(field) = missing {
        Some(format!("add `{field}: ...`"))
    } else if message.contains("cannot start any token") && line.contains('\t') {
        Some("YAML does not allow tabs for indentation: indent with spaces".to_owned())
    } else if message.contains("did not find expected key")
        || message.contains("did not find expected '-' indicator")
        || message.contains("mapping values are not allowed in this context")
    {
        Some(
            "check the indentation: a key lines up with the keys beside it, and a nested map \
             is indented under its key"
                .to_owned(),
        )
    } else {
        quote_hint(line)
    };
    (message, hint)
}

/// "unknown field `x`, expected one of `a`, `b`" (or variant) as "unknown key `x`" and one
/// suggestion, or the list of what is allowed, given once.
fn unknown_name(message: &str) -> Option<(String, Option<String>)> {
    let (what, rest) = if let Some((_, rest)) = message.split_once("unknown field `") {
        ("key", rest)
    } else {
        ("value", message.split_once("unknown variant `")?.1)
    };
    let (name, rest) = rest.split_once('`')?;
    let expected: Vec<&str> = rest.split('`').skip(1).step_by(2).collect();
    let looks_like_expression = name.contains(|c: char| " ()<>=!+-*/?'\"".contains(c));
    let hint = if what == "key" && looks_like_expression {
        Some(QUOTE_HINT.to_owned())
    } else if expected.is_empty() {
        None
    } else {
        suggestion(name, expected.iter().copied())
    };
    Some((format!("unknown {what} `{name}`"), hint))
}

/// The key a message in plain words says is unknown (as `unknown_name` writes it).
pub fn unknown_key(message: &str) -> Option<&str> {
    let (_, rest) = message.split_once("unknown key `")?;
    Some(rest.split_once('`')?.0)
}

const QUOTE_HINT: &str = "inside `{...}` a `,` `:` `*` `?` `[` `{` or `#` ends or changes a \
                          plain value: quote the expression (`when: \"max(a, b) > 1\"`)";

/// The hint to quote an expression, when the line has a flow mapping (`{...}`).
fn quote_hint(line: &str) -> Option<String> {
    line.contains('{').then(|| QUOTE_HINT.to_owned())
}

/// serde's "struct Foo", "a map" or "u64" as words.
fn type_words(expected: &str) -> String {
    let expected = name_types(expected);
    match expected.as_str() {
        "u64" | "u32" | "usize" => "a whole number, 0 or more".to_owned(),
        "i64" => "a whole number".to_owned(),
        "f64" => "a number".to_owned(),
        _ => expected,
    }
}

/// Every "struct Foo" or "enum Foo" in `message` as the words for Foo.
fn name_types(message: &str) -> String {
    let mut out = String::new();
    let mut rest = message;
    loop {
        let found = ["struct ", "enum "]
            .iter()
            .filter_map(|kind| rest.find(kind).map(|at| (at, kind.len())))
            .min();
        let Some((at, skip)) = found else {
            out.push_str(rest);
            return out;
        };
        let after = &rest[at + skip..];
        let end = after
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(after.len());
        let name = &after[..end];
        if name.starts_with(|c: char| c.is_ascii_uppercase()) {
            let words = type_name(name);
            // "untagged enum X" and "struct X" both read as what X is.
            let before = rest[..at].trim_end_matches("untagged ");
            out.push_str(before);
            out.push_str(&words);
        } else {
            out.push_str(&rest[..at + skip + end]);
        }
        rest = &after[end..];
    }
}

/// What a config type is called.
fn type_name(name: &str) -> String {
    if let Some((_, words)) = TYPE_NAMES.iter().find(|(type_name, _)| *type_name == name) {
        return (*words).to_owned();
    }
    let mut words = String::new();
    for (index, c) in name.trim_end_matches("Decl").char_indices() {
        if c.is_ascii_uppercase() && index > 0 {
            words.push(' ');
        }
        words.push(c.to_ascii_lowercase());
    }
    let article = if words.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {words}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_types_become_words() {
        let (message, _) = plain(
            "invalid type: integer `5`, expected struct TimeoutDecl at line 3 column 23",
            "  s: {timeout: 5}",
        );
        assert_eq!(
            message,
            "expected a timeout (`{after: 5m, to: STATE}`), found integer `5`"
        );
        let (message, _) = plain(
            "data did not match any variant of untagged enum EnumValueForm",
            "",
        );
        assert_eq!(
            message,
            "expected an enum value, or `{value: V, description: ...}`"
        );
        assert_eq!(type_name("NewThingDecl"), "a new thing");
        assert_eq!(type_name("EventLog"), "an event log");
        assert_eq!(
            name_types("x, expected struct Foo or enum Bar"),
            "x, expected a foo or a bar"
        );
    }

    #[test]
    fn unknown_keys_are_listed_once_with_a_suggestion() {
        let serde = "unknown field `tyo`, expected one of `from`, `on`, `to`";
        // What is written in plain words is read back from them.
        let (said, _) = plain(&format!("transitions[0]: {serde}"), "");
        assert_eq!(unknown_key(&said), Some("tyo"));
        assert_eq!(
            plain(serde, ""),
            (
                "unknown key `tyo`".to_owned(),
                Some("did you mean `to`?".to_owned())
            )
        );
        let serde = "unknown variant `zz`, expected one of `from`, `on`";
        assert_eq!(
            plain(serde, ""),
            (
                "unknown value `zz`".to_owned(),
                Some("expected one of `from`, `on`".to_owned())
            )
        );
        // A comma inside `{...}` split an expression: the rest became a key.
        let (_, hint) = plain("unknown field `2) > 1`, expected one of `from`", "");
        assert!(hint.is_some_and(|hint| hint.contains("quote the expression")));
    }

    #[test]
    fn common_yaml_slips_get_a_hint() {
        let (_, hint) = plain("found character that cannot start any token", "\ta:");
        assert!(hint.is_some_and(|hint| hint.contains("tabs")));
        let (_, hint) = plain("did not find expected key", " transitions:");
        assert!(hint.is_some_and(|hint| hint.contains("indentation")));
        let (_, hint) = plain("did not find expected ',' or '}'", "  - {when: a ? b : c}");
        assert!(hint.is_some_and(|hint| hint.contains("quote the expression")));
        // A key left out, in a flow mapping or not: the hint says to add it.
        let (_, hint) = plain("scenarios[0]: missing field `description`", "  - {name: s}");
        assert_eq!(hint.as_deref(), Some("add `description: ...`"));
        // serde_yaml's path stays in front; no hint where none is likely.
        let serde = "events.a.minLength: invalid type: integer `-1`, expected u64 at line 3";
        assert_eq!(
            plain(serde, "  a: {minLength: -1}"),
            (
                "events.a.minLength: expected a whole number, 0 or more, found integer `-1`"
                    .to_owned(),
                None
            )
        );
    }
}
