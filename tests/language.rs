//! The lifecycle language's checks: each mistake a new widget's author makes is an error (or a
//! warning) with its file, line and column, and the new constructs run as documented.

use std::process::Command;

/// A small sound lifecycle; tests replace parts of it.
const BASE: &str = r#"name: w
description: A test widget.
versions: [{name: "1.0"}, {name: "2.0"}]
events:
  opened:
  message: {payload: {properties: {from: {type: string, required: true}, items: {type: array, items: {type: object, properties: {price: {type: number}}}}}}}
  closed:
  rated: {since: "2.0"}
states:
  waiting:
  chatting:
  closed: {final: true}
transitions:
  - {from: idle, on: opened, to: waiting}
  - {from: waiting, on: message, to: chatting, when: "data.from == 'agent'"}
  - {from: waiting, on: message}
  - {from: chatting, on: message}
  - {from: [waiting, chatting], on: closed, to: closed}
metadata:
  messages: {type: integer, default: 0}
rules:
  - {on: message, set: {messages: meta.messages + 1}}
"#;

/// `check` on a catalog of one file, `BASE` with `from` replaced by `to`, which must exit with
/// `code`: its stderr.
fn check(from: &str, to: &str, code: i32) -> String {
    assert!(BASE.contains(from), "`{from}` not in the base file");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("w.yaml"), BASE.replacen(from, to, 1)).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(["check", "--catalog"])
        .arg(dir.path())
        .output()
        .expect("run plotline");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    stderr
}

/// `check` on a catalog of these files (name, text), which must exit with `code`: its stderr.
fn check_files(files: &[(&str, &str)], code: i32) -> String {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write");
    }
    let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(["check", "--catalog"])
        .arg(dir.path())
        .output()
        .expect("run plotline");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    assert_eq!(output.status.code(), Some(code), "{stderr}");
    stderr
}

/// The line of `stderr` that says `message` is at `place` (`21:3: warning`); the line.
fn assert_line<'a>(stderr: &'a str, message: &str, place: &str) -> &'a str {
    let line = stderr
        .lines()
        .find(|line| line.contains(message))
        .unwrap_or_else(|| panic!("no `{message}` in:\n{stderr}"));
    assert!(line.contains(&format!(".yaml:{place}")), "{line}");
    line
}

/// `check` fails, with `message` as an error at `at` (`line:column`).
fn assert_error(from: &str, to: &str, at: &str, message: &str) {
    assert_line(&check(from, to, 2), message, &format!("{at}: error"));
}

#[test]
fn the_base_file_is_sound() {
    check("name: w", "name: w", 0);
}

#[test]
fn a_key_written_twice_names_both_places() {
    assert_error(
        "  closed: {final: true}\n",
        "  closed: {final: true}\n  closed:\n",
        "13:3",
        "duplicate key `closed` at `states.closed`: first written at line 12, column 3",
    );
    assert_error(
        "{from: {type: string, required: true}",
        "{from: {type: string, required: true}, from: {type: integer}",
        "6:74",
        "duplicate key `from` at `events.message.payload.properties.from`",
    );
}

#[test]
fn an_undeclared_payload_read_is_an_error() {
    assert_error(
        "  - {on: message, set: {messages: meta.messages + 1}}",
        "  - {on: closed, set: {messages: data.count}}",
        "22:34",
        "event `closed` declares no payload, so `data.count` is unknown",
    );
    assert_error(
        "when: \"data.from == 'agent'\"",
        "when: \"data.form == 'agent'\"",
        "15:55",
        "unknown property `form` (payload of `message`)",
    );
}

#[test]
fn a_list_compared_with_a_scalar_is_an_error() {
    assert_error(
        "when: \"data.from == 'agent'\"",
        "when: \"data.items[*].price == 3\"",
        "15:55",
        "`==` compares a list with an integer: it is never true",
    );
}

#[test]
fn a_comparison_of_kinds_that_never_compare_is_an_error_naming_the_quoting() {
    // A number quoted, or text left unquoted: the comparison never decides by the values.
    for (written, message, help) in [
        (
            "data.from == 3",
            "`==` compares a string with an integer: it is never true",
            "to compare with the text, quote it: '3'",
        ),
        (
            "data.from != 3",
            "`!=` compares a string with an integer: it is always true",
            "to compare with the text, quote it: '3'",
        ),
        (
            "meta.messages == '2'",
            "`==` compares an integer with a string: it is never true",
            "to compare with the number, leave out the quotes: `2`",
        ),
        (
            "data.from > 3",
            "`>` compares a string with an integer: it is never true",
            "to compare with the text, quote it: '3'",
        ),
        (
            "data.items[0].price == null",
            "`==` compares a number with null: it is never true",
            "a missing property or an unset field is absent, not null: test it with `exists(...)`",
        ),
    ] {
        let stderr = check(
            "when: \"data.from == 'agent'\"",
            &format!("when: \"{written}\""),
            2,
        );
        let line = assert_line(&stderr, message, "15:55: error");
        assert!(line.ends_with(&format!("(help: {help})")), "{line}");
    }
    // Numbers of either kind compare, and what may be absent on both sides may be equal.
    check(
        "when: \"data.from == 'agent'\"",
        "when: \"data.items[0].price == 3 and data.items[0].price != meta.messages\"",
        0,
    );
}

#[test]
fn an_empty_enum_is_refused() {
    assert_error(
        "{from: {type: string, required: true}",
        "{from: {type: string, required: true, enum: []}",
        "6:73",
        "an empty `enum` allows no value at all",
    );
}

#[test]
fn a_transition_on_an_event_of_another_version_is_an_error() {
    assert_error(
        "  - {from: [waiting, chatting], on: closed, to: closed}",
        "  - {from: [waiting, chatting], on: [closed, rated], to: closed}",
        "18:46",
        "event `rated` is not in version 1.0",
    );
}

#[test]
fn unused_fields_and_rules_on_absent_events_are_warnings() {
    let stderr = check(
        "  messages: {type: integer, default: 0}",
        "  messages: {type: integer, default: 0}\n  never: {type: string}",
        0,
    );
    assert_line(
        &stderr,
        "no rule sets metadata field `never`",
        "21:3: warning",
    );
    // Unset in both versions: said once, naming neither.
    let unset: Vec<&str> = (stderr.lines())
        .filter(|line| line.contains("no rule sets"))
        .collect();
    assert_eq!(unset.len(), 1, "{stderr}");
    assert!(unset[0].contains("`never`: it always holds"), "{stderr}");
    // A field that only a deadline sets is set.
    let stderr = check(
        "  messages: {type: integer, default: 0}\nrules:\n",
        "  messages: {type: integer, default: 0}\n  late: {type: timestamp}\n\
         deadlines:\n  - {from: opened, within: 10s, violation: late, set: {late: ts}}\nrules:\n",
        0,
    );
    assert!(!stderr.contains("no rule sets"), "{stderr}");
    let stderr = check(
        "  - {on: message, set",
        "  - {on: rated, set: {messages: \"'1'\"}}\n  - {on: message, set",
        2,
    );
    let holds = "this field holds an integer, but the expression gives a string";
    assert_line(&stderr, holds, "22:34: error");
    let absent = "the rule runs on `rated`, which is not in version 1.0";
    assert_line(&stderr, absent, "22:10: warning");
}

#[test]
fn a_rule_repeating_another_on_the_same_event_is_a_warning() {
    // A copied counter counts twice, a copied assertion reports each fault twice.
    let rules = "  - {on: message, set: {messages: meta.messages + 1}}\n";
    let stderr = check(
        rules,
        "  - {on: message, set: {messages: meta.messages + 1}, assert: \"meta.messages < 100\"}\n  \
         - {on: [closed, message], set: {messages: \" meta.messages + 1\"}}\n  \
         - {on: \"*\", assert: \"meta.messages < 100\", message: too many}\n",
        0,
    );
    let counted = "rules[0] sets `messages` to this too, on `message`: it is set twice there";
    assert_line(&stderr, counted, "23:45: warning");
    let reported =
        "rules[0] asserts this too, on `message`: each fault there would be reported twice";
    assert_line(&stderr, reported, "24:23: warning");
    assert_eq!(stderr.lines().count(), 3, "{stderr}");
    // Under another condition, or on events of their own, they are no repeat.
    for other in [
        "  - {on: message, set: {messages: meta.messages + 1}}\n  - {on: message, when: \"data.from == 'agent'\", set: {messages: meta.messages + 1}}\n",
        "  - {on: message, set: {messages: meta.messages + 1}}\n  - {on: closed, set: {messages: meta.messages + 1}}\n",
        "  - {on: message, set: {messages: meta.messages + 1}}\n  - {on: message, set: {messages: meta.messages + 2}}\n",
    ] {
        let stderr = check(rules, other, 0);
        assert!(!stderr.contains("too, on"), "{stderr}");
    }
}

#[test]
fn a_bare_word_gets_a_hint_to_quote_it() {
    let stderr = check(
        "  - {on: message, set: {messages: meta.messages + 1}}",
        "  - {on: message, set: {messages: meta.messages + 1}}\n  - {on: closed, set: {messages: yes}}",
        2,
    );
    let line = assert_line(&stderr, "unknown name `yes`", "23:34: error");
    assert!(
        line.contains("to write the text `yes`, quote it: 'yes'"),
        "{line}"
    );
}

#[test]
fn guards_read_state_but_not_next_state() {
    assert_error(
        "when: \"data.from == 'agent'\"",
        "when: \"next_state == 'chatting'\"",
        "15:55",
        "`next_state` is not known in a transition guard",
    );
    check(
        "when: \"data.from == 'agent'\"",
        "when: \"state == 'waiting' and data.from == 'agent'\"",
        0,
    );
}

#[test]
fn a_guarded_transition_after_an_unguarded_one_never_runs() {
    assert_error(
        "  - {from: waiting, on: message, to: chatting, when: \"data.from == 'agent'\"}\n  - {from: waiting, on: message}",
        "  - {from: waiting, on: message}\n  - {from: waiting, on: message, to: chatting, when: \"data.from == 'agent'\"}",
        "16:5",
        "this transition never runs for state `waiting` and event `message`: transitions[1] before it has no guard",
    );
}

#[test]
fn timeouts_are_checked() {
    assert_error(
        "  waiting:\n",
        "  waiting: {timeout: {after: 5 minutes, to: closed}}\n",
        "10:30",
        "unknown unit `minutes` in duration `5 minutes` (ms, s, m, h or d)",
    );
    assert_error(
        "  waiting:\n",
        "  waiting: {timeout: {after: soon, to: closed}}\n",
        "10:30",
        "`soon` is not a duration such as `250ms`, `30s`, `5m`",
    );
    assert_error(
        "  waiting:\n  chatting:\n",
        "  waiting: {timeout: {after: 5m, to: chatting}}\n  chatting: {timeout: {after: 1h, to: waiting}}\n",
        "10:13",
        "timeouts form a cycle: waiting -> chatting -> waiting",
    );
    assert_error(
        "  waiting:\n",
        "  waiting: {timeout: {after: 5m, to: closd}}\n",
        "10:38",
        "unknown state `closd`",
    );
}

#[test]
fn scenario_gaps_are_written_as_timeouts_are() {
    // `waiting` times out after 5 minutes: the scenario's gap says whether `closed` comes
    // before it.
    let with_gap = |gap: &str, code: i32| {
        let timeout = "  waiting: {timeout: {after: 5m, to: closed, violation: nobody wrote}}\n";
        let base = BASE.replacen("  waiting:\n", timeout, 1);
        let scenario = format!(
            "scenarios:\n  - name: s\n    description: d\n    events: [opened, {{event: closed, after: {gap}}}]\n"
        );
        check_files(&[("w.yaml", &format!("{base}{scenario}"))], code)
    };
    for before in ["4m", "299s", "299999"] {
        // Exit status 0: both versions' runs as expected.
        with_gap(before, 0);
    }
    let said = with_gap("6m", 2);
    assert!(
        said.contains("expected [], found [timeout, after_end]"),
        "{said}"
    );
    // A negative gap sets the clock back.
    let said = with_gap("-1s", 2);
    assert!(
        said.contains("expected [], found [time_regression]"),
        "{said}"
    );
    assert_line(
        &with_gap("5 mins", 2),
        "unknown unit `mins` in duration `5 mins` (ms, s, m, h or d)",
        "26:45: error",
    );
}

#[test]
fn payload_keywords_are_checked() {
    assert_error(
        "{from: {type: string, required: true}",
        "{from: {type: string, required: true, minimum: 3}",
        "6:82",
        "`minimum` applies to numbers, and this property is String",
    );
    assert_error(
        "{from: {type: string, required: true}",
        "{from: {type: string, required: true, pattern: '(?<=a)b'}",
        "6:82",
        "`pattern` is not a regular expression this engine accepts",
    );
    // Each is the one error: the keyword is left out of the schema, which still compiles,
    // and the guard that reads `from` reads it as declared.
    for keyword in ["minimum: 3", "pattern: '(?<=a)b'", "multipleOf: 0"] {
        let stderr = check(
            "{from: {type: string, required: true}",
            &format!("{{from: {{type: string, required: true, {keyword}}}"),
            2,
        );
        assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    }
}

/// `BASE` taking its `message` payload from an imported file.
fn importing(import: &str) -> String {
    BASE.replacen("description: A test widget.", &format!("description: A test widget.\nimports: [{import}]"), 1)
        .replacen(
            "  message: {payload: {properties: {from: {type: string, required: true}, items: {type: array, items: {type: object, properties: {price: {type: number}}}}}}}",
            "  message: {payload: {use: [talk]}}",
            1,
        )
}

const SHARED: &str = "description: Shared.\nproperty_sets:\n  talk:\n    properties:\n      from: {type: string, required: true, enum: senders}\n      items: {type: array}\nenums:\n  senders: [agent, visitor]\n";

#[test]
fn imports_share_property_sets_and_enums() {
    // The guard `data.from == 'agent'` reads the imported property set.
    let stderr = check_files(
        &[
            ("w.yaml", &importing("common.yaml")),
            ("common.yaml", SHARED),
        ],
        0,
    );
    assert!(!stderr.contains("error"), "{stderr}");
    // A file of shared declarations is no lifecycle.
    assert!(!stderr.contains("common.yaml"), "{stderr}");
}

#[test]
fn a_literal_compared_with_an_enum_property_is_one_of_its_values() {
    // The guard's value misspelt, against the enum the imported file shares.
    let misspelt =
        importing("common.yaml").replacen("data.from == 'agent'", "data.from == 'agnet'", 1);
    let stderr = check_files(&[("w.yaml", &misspelt), ("common.yaml", SHARED)], 2);
    let line = assert_line(
        &stderr,
        "`==` compares `data.from` with \"agnet\", which is not one of its values (\"agent\", \
         \"visitor\"): it is never true",
        "16:68: error",
    );
    assert!(line.ends_with("(help: did you mean `agent`?)"), "{line}");
    // In a list for `in`, each item is held to the values.
    let listed = importing("common.yaml").replacen(
        "data.from == 'agent'",
        "data.from in ['visitor', 'bot']",
        1,
    );
    let stderr = check_files(&[("w.yaml", &listed), ("common.yaml", SHARED)], 2);
    let line = assert_line(
        &stderr,
        "the list holds \"bot\", which is not one of the values of `data.from` (\"agent\", \
         \"visitor\"): it never matches",
        "16:80: error",
    );
    assert!(
        line.ends_with("(help: expected one of `agent`, `visitor`)"),
        "{line}"
    );
    // Values listed by version: a rule may be meant for the versions that list the value.
    let by_version = BASE
        .replacen(
            "from: {type: string, required: true}",
            "from: [{type: string, required: true, enum: [agent], until: \"2.0\"}, {type: string, required: true, enum: [agent, bot], since: \"2.0\"}]",
            1,
        )
        .replacen("data.from == 'agent'", "data.from == 'bot'", 1);
    check_files(&[("w.yaml", &by_version)], 0);
}

#[test]
fn import_mistakes_are_located_in_their_files() {
    let stderr = check_files(
        &[
            ("w.yaml", &importing("comon.yaml")),
            ("common.yaml", SHARED),
        ],
        2,
    );
    let line = assert_line(
        &stderr,
        "no file `comon.yaml` in this catalog to import",
        "3:11: error",
    );
    assert!(line.contains("did you mean `common.yaml`?"), "{line}");
    // An error inside the imported file points into it.
    let broken = SHARED.replace("[agent, visitor]", "[agent, 7]");
    let stderr = check_files(
        &[
            ("w.yaml", &importing("common.yaml")),
            ("common.yaml", &broken),
        ],
        2,
    );
    let line = assert_line(
        &stderr,
        "enum value 7 is not of the property's type",
        "8:20: error",
    );
    assert!(line.contains("common.yaml:8:20"), "{line}");
    // A set misspelt where the imported file declares it, and used twice: one error, whose
    // help names the file and line of that declaration.
    let uses_twice =
        importing("common.yaml").replacen("  opened:\n", "  opened: {payload: {use: [talk]}}\n", 1);
    let misspelt = SHARED.replace("  talk:", "  tlak:");
    let stderr = check_files(&[("w.yaml", &uses_twice), ("common.yaml", &misspelt)], 2);
    assert_eq!(stderr.matches("error:").count(), 1, "{stderr}");
    let line = assert_line(
        &stderr,
        "unknown property set `talk`, used 2 times (the first here)",
        "6:28: error",
    );
    assert!(
        line.contains("did you mean `tlak`? If `tlak` (")
            && line.contains("common.yaml line 3) is the misspelling, rename it there"),
        "{line}"
    );
    // A cycle is named whole.
    let a = format!("imports: [b.yaml]\n{SHARED}");
    let b = "imports: [a.yaml]\ndescription: B.\n";
    let stderr = check_files(
        &[
            ("w.yaml", &importing("a.yaml")),
            ("a.yaml", &a),
            ("b.yaml", b),
        ],
        2,
    );
    assert_line(
        &stderr,
        "import cycle: w.yaml -> a.yaml -> b.yaml -> a.yaml",
        "1:11: error",
    );
    // A shared file declares no lifecycle parts, and no name twice.
    let with_events = format!("{SHARED}events:\n  x:\n");
    let stderr = check_files(
        &[
            ("w.yaml", &importing("common.yaml")),
            ("common.yaml", &with_events),
        ],
        2,
    );
    assert_line(
        &stderr,
        "`events` belongs to a lifecycle, and this file has no `name`",
        "9:1: error",
    );
    let twice = format!(
        "{}property_sets:\n  talk: {{properties: {{}}}}\n",
        importing("common.yaml")
    );
    let stderr = check_files(&[("w.yaml", &twice), ("common.yaml", SHARED)], 2);
    assert_line(
        &stderr,
        "property set `talk` is also declared in w.yaml",
        "3:3: error",
    );
}

/// `validate --allow-incomplete` of `lines` with a catalog of `BASE` changed as given: the
/// JSON report.
fn validate_changed(from: &str, to: &str, lines: &[&str]) -> serde_json::Value {
    assert!(BASE.contains(from), "`{from}` not in the base file");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("w.yaml"), BASE.replacen(from, to, 1)).expect("write");
    let stream = dir.path().join("s.jsonl");
    std::fs::write(&stream, lines.join("\n")).expect("write");
    let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args([
            "validate",
            "--allow-incomplete",
            "--format",
            "json",
            "--catalog",
        ])
        .arg(dir.path())
        .arg(&stream)
        .output()
        .expect("run plotline");
    serde_json::from_slice(&output.stdout).expect("a JSON report")
}

#[test]
fn enums_of_arrays_and_integral_floats_mean_what_json_schema_says() {
    let from = "from: {type: string, required: true}";
    let to = "from: {type: string, required: true, minLength: 2.0}, tags: {type: array, enum: [[true], [1, 2]]}";
    let line = |key: &str, data: &str| {
        format!(
            r#"{{"lifecycle":"w","interaction":"{key}","event":"message","ts":2,"data":{data}}}"#
        )
    };
    let opened =
        |key: &str| format!(r#"{{"lifecycle":"w","interaction":"{key}","event":"opened","ts":1}}"#);
    let lines = [
        opened("a"),
        line("a", r#"{"from":"ab","tags":[true]}"#),
        opened("b"),
        line("b", r#"{"from":"ab","tags":[1,2]}"#),
        opened("c"),
        line("c", r#"{"from":"a","tags":[2]}"#),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let report = validate_changed(from, to, &lines);
    let violations = report["violations"].as_array().expect("violations");
    assert_eq!(violations.len(), 1, "{report:#}");
    let message = violations[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains("[2] is not one of [true], [1,2]"),
        "{message}"
    );
    assert!(message.contains("shorter than 2 characters"), "{message}");
    // Not whole, or a map that is no labelled value: located errors.
    let said = check(from, "from: {type: string, minLength: 2.5}", 2);
    assert!(
        said.contains("expected a whole number, 0 or more, found floating point `2.5`"),
        "{said}"
    );
    let said = check(from, "from: {type: string, enum: [{value: a, labl: A}]}", 2);
    assert!(
        said.contains("w.yaml:6:")
            && said.contains("enum: unknown key `labl` (help: did you mean `label`?)"),
        "{said}"
    );
}

#[test]
fn a_text_compared_with_the_state_must_name_a_state() {
    let said = check(
        "  - {on: message, set: {messages: meta.messages + 1}}",
        "  - {on: message, when: \"next_state in ['chatting', 'chattin'] or state != 'waiting'\", set: {messages: meta.messages + 1}}",
        0,
    );
    assert!(
        said.contains("unknown state `chattin`: this comparison never holds")
            && said.contains("did you mean `chatting`?"),
        "{said}"
    );
    assert!(
        !said.contains("`waiting`") && !said.contains("unknown state `chatting`"),
        "{said}"
    );
    assert!(said.contains("w.yaml:22:53: warning"), "{said}");
}

/// `BASE` with a declaration added right after the text `after` (`(after, added)`), and
/// `rule` after its one rule.
fn base_with((after, added): (&str, &str), rule: &str) -> String {
    const RULE: &str = "  - {on: message, set: {messages: meta.messages + 1}}";
    assert!(BASE.contains(after), "`{after}` not in the base file");
    BASE.replacen(after, &format!("{after}{added}"), 1)
        .replacen(RULE, &format!("{RULE}\n{rule}"), 1)
}

#[test]
fn a_property_of_later_versions_read_in_every_version_is_no_misspelling() {
    let later = base_with(
        (
            "from: {type: string, required: true}",
            ", mood: {type: string, since: \"2.0\"}",
        ),
        "  - {on: message, assert: \"data.mood != 'angry'\"}",
    );
    let stderr = check_files(&[("w.yaml", &later)], 2);
    let line = assert_line(
        &stderr,
        "property `mood` (payload of `message`) is declared with `since: 2.0`, and this runs on \
         versions without it",
        "23:28: error",
    );
    assert!(
        line.ends_with("(help: give the rule or transition the same version range (since: 2.0))"),
        "{line}"
    );
    assert!(!stderr.contains("unknown property"), "{stderr}");
    // With the rule's range the same, it is sound.
    let scoped = later.replacen(
        "assert: \"data.mood != 'angry'\"}",
        "assert: \"data.mood != 'angry'\", since: \"2.0\"}",
        1,
    );
    check_files(&[("w.yaml", &scoped)], 0);
    // A nested property too, inside an array's items: found through the property it is in.
    let nested = base_with(
        (
            "properties: {price: {type: number}",
            ", tax: {type: number, since: \"2.0\"}",
        ),
        "  - {on: message, assert: \"data.items[0].tax != 1\"}",
    );
    let stderr = check_files(&[("w.yaml", &nested)], 2);
    assert_line(
        &stderr,
        "property `tax` (payload of `message`) is declared with `since: 2.0`",
        "23:28: error",
    );
    assert!(!stderr.contains("unknown property"), "{stderr}");
    // A misspelt nested property is still one.
    let misspelt = base_with(
        ("properties: {price: {type: number}", ""),
        "  - {on: message, assert: \"data.items[0].prise != 1\"}",
    );
    let stderr = check_files(&[("w.yaml", &misspelt)], 2);
    assert!(
        stderr.contains(
            "unknown property `prise` (payload of `message`) (help: did you mean `price`?)"
        ),
        "{stderr}"
    );
}

#[test]
fn a_metadata_field_of_later_versions_and_an_unset_field_tested_against_false() {
    let later = base_with(
        (
            "  messages: {type: integer, default: 0}",
            "\n  rated_at: {type: timestamp, since: \"2.0\"}",
        ),
        "  - {on: closed, assert: \"meta.rated_at == false\"}",
    );
    let stderr = check_files(&[("w.yaml", &later)], 2);
    // Version 1.0 has no such field.
    let line = assert_line(
        &stderr,
        "metadata field `rated_at` is declared with `since: 2.0`, and this runs on versions \
         without it",
        "24:27: error",
    );
    assert!(line.contains("give the rule or transition the same version range (since: 2.0)"));
    // In 2.0 an unset field reads as absent, never as `false`.
    let line = assert_line(
        &stderr,
        "`==` compares an integer with a boolean: it is never true",
        "24:27: error",
    );
    assert!(
        line.ends_with(
            "(help: an unset field (written `false` in the metadata block) or a missing property \
             is absent in an expression: test it with `exists(...)`)"
        ),
        "{line}"
    );
    assert!(!stderr.contains("unknown metadata field"), "{stderr}");
}

#[test]
fn a_guard_comparing_the_state_with_one_its_transition_is_not_from() {
    let said = check(
        "when: \"data.from == 'agent'\"",
        "when: \"data.from == 'agent' and state != 'chatting' and state == 'waiting'\"",
        0,
    );
    let line = assert_line(
        &said,
        "`state` is never `chatting` in this guard: its transition is from `waiting`",
        "15:89: warning",
    );
    assert!(!line.contains("help"), "{line}");
    assert_eq!(said.matches("in this guard").count(), 1, "{said}");
}

#[test]
fn a_rule_comparing_the_state_with_one_its_events_never_leave_or_reach() {
    let said = check(
        "  - {on: message, set: {messages: meta.messages + 1}}",
        "  - {on: message, when: \"state == 'closed' or next_state in ['waiting', 'closed']\", set: {messages: meta.messages + 1}}\n  - {on: \"*\", assert: \"next_state != 'idle' and state != 'closed'\"}",
        0,
    );
    let from = "where this rule's events are legal: their transitions are from";
    assert_line(
        &said,
        &format!("`state` is never `closed` {from} `waiting`, `chatting`"),
        "22:35: warning",
    );
    let to = "where this rule's events are legal: their transitions go to";
    assert_line(
        &said,
        &format!("`next_state` is never `closed` {to} `chatting`, `waiting`"),
        "22:73: warning",
    );
    // On every event: `idle` is left, never reached; `closed` is final, never left.
    assert_line(
        &said,
        &format!("`next_state` is never `idle` {to} `waiting`, `chatting`, `closed`"),
        "23:38: warning",
    );
    assert_line(
        &said,
        &format!("`state` is never `closed` {from} `idle`, `waiting`, `chatting`"),
        "23:58: warning",
    );
    // `waiting` is where a message may leave the interaction (the guard's fallback).
    assert_eq!(said.matches("is never").count(), 4, "{said}");

    // A rule of every version, on an event that leads to `chatting` in version 2.0 only:
    // it holds there, and is not warned of.
    let said = check(
        "  - {on: message, set: {messages: meta.messages + 1}}",
        "  - {on: opened, when: \"next_state == 'chatting'\", set: {messages: 1}}",
        0,
    );
    assert!(said.contains("is never `chatting`"), "{said}");
    let file = BASE
        .replacen(
            "  - {on: message, set: {messages: meta.messages + 1}}",
            "  - {on: opened, when: \"next_state == 'chatting'\", set: {messages: 1}}",
            1,
        )
        .replacen(
            "  - {from: idle, on: opened, to: waiting}",
            "  - {from: idle, on: opened, to: waiting}\n  - {from: waiting, on: opened, to: chatting, since: \"2.0\"}",
            1,
        );
    assert!(file.contains("next_state == 'chatting'") && file.contains("to: chatting, since"));
    let said = check_files(&[("w.yaml", &file)], 0);
    assert!(!said.contains("is never"), "{said}");
}

#[test]
fn a_text_compared_with_the_event_must_name_an_event_of_the_file() {
    // `rated` is an event of version 2.0 only: a rule on every event may mean it.
    let said = check(
        "  - {on: message, set: {messages: meta.messages + 1}}",
        "  - {on: \"*\", when: \"event in ['mesage', 'rated'] or event == 'mesage'\", set: {messages: meta.messages + 1}}",
        0,
    );
    let line = assert_line(
        &said,
        "unknown event `mesage`: the 2 comparisons with it never hold (the first here)",
        "22:32: warning",
    );
    assert!(line.ends_with("(help: did you mean `message`?)"), "{line}");
    assert_eq!(said.matches("unknown event").count(), 1, "{said}");
}

#[test]
fn a_deadline_counts_across_states_from_its_event() {
    let from = "rules:\n";
    let event = |key: &str, event: &str, ts: i64| {
        format!(r#"{{"lifecycle":"w","interaction":"{key}","event":"{event}","ts":{ts}}}"#)
    };
    let agent = |key: &str, ts: i64| {
        format!(
            r#"{{"lifecycle":"w","interaction":"{key}","event":"message","ts":{ts},"data":{{"from":"agent"}}}}"#
        )
    };
    let lines = [
        // Closed in time: nothing.
        event("a", "opened", 1000),
        agent("a", 5000),
        event("a", "closed", 9000),
        // Closed late, across two states: one `timeout`, at the event that came after it.
        event("b", "opened", 1000),
        agent("b", 5000),
        event("b", "closed", 12_000),
        // Never closed: the deadline passes before the stream's end, and that is all.
        event("c", "opened", 1000),
        event("z", "opened", 30_000),
        event("z", "closed", 30_001),
    ];
    let lines: Vec<&str> = lines.iter().map(String::as_str).collect();
    let reporting =
        "deadlines:\n  - {from: opened, within: 10s, violation: not closed within 10 s}\nrules:\n";
    let report = validate_changed(from, reporting, &lines);
    let found: Vec<(String, String)> = (report["violations"].as_array().expect("violations"))
        .iter()
        .map(|v| {
            (
                v["interaction"].as_str().unwrap_or_default().to_owned(),
                v["message"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    let expected = [
        (
            "b",
            "not closed within 10 s (deadline at ts 11000, 10000 ms after `opened`)",
        ),
        (
            "c",
            "not closed within 10 s (deadline at ts 11000, 10000 ms after `opened`)",
        ),
    ];
    let expected: Vec<(String, String)> = expected
        .iter()
        .map(|(k, m)| (k.to_string(), m.to_string()))
        .collect();
    assert_eq!(found, expected, "{report:#}");
    // A deadline that moves the interaction: `b` is closed at the deadline, its late event
    // comes after the end.
    let moving = "deadlines:\n  - {from: opened, within: 10s, to: closed}\nrules:\n";
    let report = validate_changed(from, moving, &lines);
    let kinds: Vec<(&str, &str)> = (report["violations"].as_array().expect("violations"))
        .iter()
        .map(|v| {
            (
                v["interaction"].as_str().unwrap_or_default(),
                v["kind"].as_str().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(kinds, [("b", "after_end")], "{report:#}");
    // Drawn from every state its clock may run in, and written into the SCXML statechart.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("w.yaml"), BASE.replacen(from, moving, 1)).expect("write");
    let graph = |format: &str| {
        let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
            .args(["graph", "w", "--format", format, "--catalog"])
            .arg(dir.path())
            .output()
            .expect("run plotline");
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    let dot = graph("dot");
    // waiting (s1) and chatting (s2) to closed (s3).
    for state in ["s1", "s2"] {
        let edge = format!("{state} -> s3 [label=\"10 s after opened\", style=dashed];");
        assert!(dot.contains(&edge), "{dot}");
    }
    let scxml = graph("scxml");
    assert!(
        scxml.contains(
            r#"<send id="plotline-deadline-0" event="plotline.deadline.0" delay="10000ms"/>"#
        ),
        "{scxml}"
    );
    assert!(
        scxml.contains(r#"<transition event="plotline.deadline.0" target="closed"/>"#),
        "{scxml}"
    );
    // Mistakes are located.
    let said = check(
        from,
        "deadlines:\n  - {from: openned, within: 10s, violation: late}\nrules:\n",
        2,
    );
    assert!(
        said.contains("unknown event `openned`") && said.contains("did you mean `opened`?"),
        "{said}"
    );
    let said = check(
        from,
        "deadlines:\n  - {from: opened, within: 10s}\nrules:\n",
        2,
    );
    assert!(
        said.contains("neither moves the interaction nor reports anything"),
        "{said}"
    );
}

#[test]
fn scenario_payload_keys_are_checked_inside_arrays_and_objects() {
    let scenario =
        "scenarios:\n  - {name: s, description: d, events: [opened, {event: message, data: {from: agent, \
                    items: [{price: 1}, {prise: 2}]}}, closed]}\n";
    let stderr = check("rules:\n", &format!("{scenario}rules:\n"), 0);
    let line = assert_line(
        &stderr,
        "`prise` is no property of the payload of `message`: it is taken as an extra one",
        "22:106: warning",
    );
    assert!(line.contains("(help: did you mean `price`?)"), "{line}");
    assert_eq!(stderr.matches("warning:").count(), 2, "{stderr}");
}
