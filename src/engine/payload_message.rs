//! What is wrong with a payload, as its schema's validator found it, in plain sentences.

use jsonschema::error::ValidationErrorKind;
use serde_json::Value;

/// The payload problems reported, at most.
const PAYLOAD_PROBLEMS: usize = 3;

/// Enum values listed in full up to this many.
const ENUM_LISTED: usize = 12;

/// One sentence per fault: where a value has the wrong type, that is its one problem (its
/// enum or bounds say nothing more); an enum's values are listed in full when short.
pub fn problems<'v>(errors: impl Iterator<Item = jsonschema::ValidationError<'v>>) -> Vec<String> {
    let errors: Vec<_> = errors.collect();
    let mistyped: Vec<String> = (errors.iter())
        .filter(|error| matches!(error.kind(), ValidationErrorKind::Type { .. }))
        .map(|error| error.instance_path().to_string())
        .collect();
    let mut problems: Vec<String> = Vec::new();
    for error in &errors {
        let at = error.instance_path().to_string();
        let is_type = matches!(error.kind(), ValidationErrorKind::Type { .. });
        if !is_type && mistyped.contains(&at) {
            continue;
        }
        let message = match error.kind() {
            ValidationErrorKind::Enum { options } => enum_message(error.instance(), options),
            _ => error.to_string(),
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

/// "7 is not one of 1, 2, 3, 4, 5", or the first values and how many more.
fn enum_message(value: &Value, options: &Value) -> String {
    let options = options.as_array().map(Vec::as_slice).unwrap_or_default();
    let listed: Vec<String> = options
        .iter()
        .take(ENUM_LISTED)
        .map(Value::to_string)
        .collect();
    let more = options.len().saturating_sub(ENUM_LISTED);
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
        super::problems(validator.iter_errors(&instance))
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
