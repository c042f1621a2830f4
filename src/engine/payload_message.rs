//! What is wrong with a payload, as its schema's validator found it, in plain sentences.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// The payload problems reported, at most.
const PAYLOAD_PROBLEMS: usize = 3;

/// Enum values listed in full up to this many.
const ENUM_LISTED: usize = 12;

/// A faulty value is repeated in a message up to this many bytes of JSON; a longer one (a
/// long text, a long array), or any object, is said in short, so that a report never echoes
/// a whole record.
const VALUE_SHOWN: usize = 64;

/// What a personal value is called in a message.
const PERSONAL: &str = "a personal value (not shown)";

/// Whether the value at `at` (property names and indexes) of a payload with `schema` is
/// personal data: it, or a property it is in, is `writeOnly` (`pii: true`).
pub fn is_personal(schema: &Value, at: &[String]) -> bool {
    let personal = |node: &Value| node.get("writeOnly") == Some(&Value::Bool(true));
    let mut node = schema;
    for step in at {
        if personal(node) {
            return true;
        }
        let inner = (node.get("properties").and_then(|p| p.get(step.as_str())))
            .or_else(|| node.get("items").filter(|_| step.parse::<usize>().is_ok()));
        match inner {
            Some(inner) => node = inner,
            None => return false,
        }
    }
    personal(node)
}

/// One sentence per fault: where a value has the wrong type, that is its one problem (its
/// enum or bounds say nothing more); an enum's values are listed in full when short. A value
/// `personal` says is personal data (by its place) is never repeated.
pub fn problems(
    errors: &[jsonschema::ValidationError<'_>],
    personal: &dyn Fn(&[String]) -> bool,
) -> Vec<String> {
    let mistyped: Vec<String> = (errors.iter())
        .filter(|error| matches!(error.kind(), ValidationErrorKind::Type { .. }))
        .map(|error| error.instance_path().to_string())
        .collect();
    let mut problems: Vec<String> = Vec::new();
    for error in errors {
        let at = error.instance_path().to_string();
        let is_type = matches!(error.kind(), ValidationErrorKind::Type { .. });
        if !is_type && mistyped.contains(&at) {
            continue;
        }
        let place: Vec<String> = error
            .instance_path()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let hidden = personal(&place);
        let message = match error.kind() {
            ValidationErrorKind::Enum { options } => {
                enum_message(error.instance(), options, hidden)
            }
            ValidationErrorKind::Format { format } => {
                let value = match hidden {
                    true => PERSONAL.to_owned(),
                    false => shown(error.instance()).unwrap_or_else(|| short(error.instance())),
                };
                // By sound: an email, an ipv4, a uuid, a uri.
                let article = match format.starts_with(['a', 'e', 'i', 'o']) {
                    true => "an",
                    false => "a",
                };
                format!("{value} is not {article} {format}")
            }
            _ if hidden => error
                .to_string()
                .replacen(&error.instance().to_string(), PERSONAL, 1),
            _ => shortened(error.to_string(), error.instance()),
        };
        let problem = match at.is_empty() {
            true => message,
            false => format!("at {at}: {message}"),
        };
        if !problems.contains(&problem) {
            problems.push(problem);
        }
        if problems.len() == PAYLOAD_PROBLEMS {
            break;
        }
    }
    problems
}

/// The places in the payload that failed its schema, as paths of property names and
/// indexes: where a value is wrong, the value; where a required property is missing or an
/// unexpected one is present, that property (its object's other properties stay valid).
pub fn invalid_places(errors: &[jsonschema::ValidationError<'_>]) -> Vec<Vec<String>> {
    let mut places: Vec<Vec<String>> = Vec::new();
    for error in errors {
        let at: Vec<String> = error
            .instance_path()
            .iter()
            .map(|s| s.to_string())
            .collect();
        let below = |name: &str| {
            let mut place = at.clone();
            place.push(name.to_owned());
            place
        };
        let found: Vec<Vec<String>> = match error.kind() {
            ValidationErrorKind::Required { property } => {
                vec![below(property.as_str().unwrap_or_default())]
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                unexpected.iter().map(|name| below(name)).collect()
            }
            _ => vec![at],
        };
        for place in found {
            if !places.contains(&place) {
                places.push(place);
            }
        }
    }
    places
}

/// `message` with the faulty `value` it repeats shortened when it is long.
fn shortened(message: String, value: &Value) -> String {
    match shown(value) {
        Some(_) => message,
        None => message.replacen(&value.to_string(), &short(value), 1),
    }
}

/// The value's JSON when it may be repeated whole: no object, and short.
fn shown(value: &Value) -> Option<String> {
    if value.is_object() {
        return None;
    }
    Some(value.to_string()).filter(|text| text.len() <= VALUE_SHOWN)
}

/// A long value in short: its kind and size, and the start of a text.
fn short(value: &Value) -> String {
    match value {
        Value::Object(map) => format!("an object of {} properties", map.len()),
        Value::Array(items) => format!("an array of {} items", items.len()),
        Value::String(text) => {
            let start: String = text.chars().take(24).collect();
            format!(
                "a text of {} characters (\"{start}...\")",
                text.chars().count()
            )
        }
        other => other.to_string().chars().take(VALUE_SHOWN).collect(),
    }
}

/// "7 is not one of 1, 2, 3, 4, 5", or the first values and how many more.
fn enum_message(value: &Value, options: &Value, hidden: bool) -> String {
    let options = options.as_array().map(Vec::as_slice).unwrap_or_default();
    let listed: Vec<String> = options
        .iter()
        .take(ENUM_LISTED)
        .map(Value::to_string)
        .collect();
    let more = options.len().saturating_sub(ENUM_LISTED);
    let value = match hidden {
        true => PERSONAL.to_owned(),
        false => shown(value).unwrap_or_else(|| short(value)),
    };
    match more {
        0 => format!("{value} is not one of {}", listed.join(", ")),
        _ => format!(
            "{value} is not one of {}, and {more} more",
            listed.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    fn problems(schema: serde_json::Value, instance: serde_json::Value) -> Vec<String> {
        let validator = jsonschema::validator_for(&schema).unwrap();
        let personal = |at: &[String]| super::is_personal(&schema, at);
        super::problems(
            &validator.iter_errors(&instance).collect::<Vec<_>>(),
            &personal,
        )
    }

    fn places(schema: serde_json::Value, instance: serde_json::Value) -> Vec<Vec<String>> {
        let validator = jsonschema::validator_for(&schema).unwrap();
        super::invalid_places(&validator.iter_errors(&instance).collect::<Vec<_>>())
    }

    #[test]
    fn a_value_of_the_wrong_format_reads_as_english() {
        let schema = json!({"properties": {"email": {"type": "string", "format": "email"},
            "at": {"type": "string", "format": "date-time"}, "id": {"format": "uuid"}}});
        let validator = (jsonschema::options().should_validate_formats(true))
            .build(&schema)
            .unwrap();
        let instance = json!({"email": "ada@", "at": "noon", "id": "x"});
        let errors: Vec<_> = validator.iter_errors(&instance).collect();
        let found = super::problems(&errors, &|_| false).join(" | ");
        assert!(
            found.contains(r#"at /email: "ada@" is not an email"#),
            "{found}"
        );
        assert!(
            found.contains(r#"at /at: "noon" is not a date-time"#),
            "{found}"
        );
        let hidden = super::problems(&errors, &|_| true).join(" | ");
        assert!(
            hidden.contains("a personal value (not shown) is not an email"),
            "{hidden}"
        );
    }

    #[test]
    fn personal_values_are_never_repeated() {
        let schema = json!({
            "type": "object",
            "properties": {
                "email": {"type": "string", "format": "email", "maxLength": 5, "writeOnly": true},
                "form": {"type": "object", "writeOnly": true, "properties": {"phone": {"type": "string"}}},
                "kind": {"enum": ["a", "b"]}
            }
        });
        let found = problems(
            schema,
            json!({"email": "ada@lovelace", "form": {"phone": 15550100}, "kind": "c"}),
        );
        let all = found.join(" | ");
        assert!(
            !all.contains("ada@lovelace") && !all.contains("15550100"),
            "{all}"
        );
        assert!(
            all.contains("at /email: a personal value (not shown)"),
            "{all}"
        );
        assert!(
            all.contains("at /form/phone: a personal value (not shown)"),
            "{all}"
        );
        assert!(
            all.contains("\"c\" is not one of"),
            "others are shown: {all}"
        );
    }

    #[test]
    fn a_long_value_is_never_echoed_whole() {
        let schema = json!({
            "type": "object",
            "properties": {
                "note": {"type": "string", "maxLength": 5},
                "form": {"type": "string"},
                "kind": {"enum": ["a", "b"]}
            }
        });
        let secret = "x".repeat(200);
        let found = problems(
            schema,
            json!({"note": secret, "form": {"firstname": "Ada", "phonenumber": "+15550100"}, "kind": secret}),
        );
        let all = found.join(" | ");
        assert!(
            !all.contains(&secret) && !all.contains("+15550100"),
            "{all}"
        );
        assert!(all.contains("a text of 200 characters"), "{all}");
        assert!(all.contains("an object of 2 properties"), "{all}");
        let short = problems(json!({"type": "integer"}), json!("abc"));
        assert!(short[0].contains("\"abc\""), "short values stay: {short:?}");
    }

    #[test]
    fn invalid_places_are_the_faulty_values_and_the_missing_or_unexpected_properties() {
        let schema = json!({
            "type": "object",
            "required": ["id"],
            "additionalProperties": false,
            "properties": {
                "id": {"type": "string"},
                "m": {"type": "object", "properties": {"t": {"enum": ["A", "B"]}}},
                "list": {"type": "array", "items": {"type": "integer"}}
            }
        });
        let instance = json!({"m": {"t": "C"}, "list": [1, "x"], "extra": 1});
        let mut found = places(schema.clone(), instance);
        found.sort();
        let expected: Vec<Vec<String>> = vec![
            vec!["extra".into()],
            vec!["id".into()],
            vec!["list".into(), "1".into()],
            vec!["m".into(), "t".into()],
        ];
        assert_eq!(found, expected);
        // A payload of the wrong type is invalid as a whole.
        assert_eq!(places(schema, json!([1])), vec![Vec::<String>::new()]);
    }

    #[test]
    fn one_sentence_per_fault_and_short_enums_in_full() {
        let schema = json!({"properties": {
            "score": {"type": "integer", "enum": [1, 2, 3, 4, 5]},
            "size": {"enum": ["a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n"]}
        }});
        assert_eq!(
            problems(schema.clone(), json!({"score": 7})),
            ["at /score: 7 is not one of 1, 2, 3, 4, 5"]
        );
        assert_eq!(
            problems(schema.clone(), json!({"score": "x"})),
            [r#"at /score: "x" is not of type "integer""#]
        );
        assert_eq!(
            problems(schema, json!({"size": "z"})),
            [
                r#"at /size: "z" is not one of "a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", and 2 more"#
            ]
        );
    }
}
