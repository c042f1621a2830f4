//! `plotline check` on broken copies of the built-in catalog: each semantic check gives a
//! precise, located message with a suggestion, and the exit status says "not sound".

use std::path::Path;
use std::process::Command;

struct Outcome {
    code: Option<i32>,
    stderr: String,
    /// 1-based line of the mutated text in the broken file.
    line: usize,
}

/// Copies `lifecycles/callback.yaml` into a temporary catalog with `from` replaced by `to`,
/// and runs `check` on it.
fn check_broken(from: &str, to: &str) -> Outcome {
    let original = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles/callback.yaml"),
    )
    .unwrap();
    assert!(
        original.contains(from),
        "mutation target `{from}` not found"
    );
    let broken = original.replacen(from, to, 1);
    let line = broken[..broken.find(to).unwrap()].lines().count().max(1);
    let line = if broken[..broken.find(to).unwrap()].ends_with('\n') {
        line + 1
    } else {
        line
    };
    check_text(&broken, line)
}

/// `check` on a catalog holding `text` as `callback.yaml`; `line` is the mutated line.
fn check_text(text: &str, line: usize) -> Outcome {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("callback.yaml"), text).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(["check", "--catalog"])
        .arg(dir.path())
        .output()
        .unwrap();
    Outcome {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        line,
    }
}

/// `check` failed and said `message` (where is not checked).
fn assert_fails_with(outcome: &Outcome, message: &str) {
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert!(outcome.stderr.contains(message), "{}", outcome.stderr);
}

fn assert_reports(outcome: &Outcome, message: &str, help: &str) {
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    let wanted = format!("callback.yaml:{}:", outcome.line);
    let hit = outcome
        .stderr
        .lines()
        .find(|line| line.contains(message))
        .unwrap_or_else(|| panic!("no `{message}` in:\n{}", outcome.stderr));
    assert!(hit.contains(&wanted), "expected {wanted} in `{hit}`");
    assert!(hit.contains(help), "expected help `{help}` in `{hit}`");
}

#[test]
fn misspelled_state() {
    let outcome = check_broken(
        "on: submitted, to: submitted}",
        "on: submitted, to: submited}",
    );
    assert_reports(
        &outcome,
        "error: unknown state `submited`",
        "did you mean `submitted`?",
    );
}

#[test]
fn misspelled_event() {
    let outcome = check_broken("on: opened, to: opened}", "on: openned, to: opened}");
    assert_reports(
        &outcome,
        "error: unknown event `openned`",
        "did you mean `opened`?",
    );
}

#[test]
fn misspelled_key() {
    let outcome = check_broken("{from: idle, on: ready", "{frm: idle, on: ready");
    assert_reports(&outcome, "unknown key `frm`", "did you mean `from`?");
}

#[test]
fn misspelled_version_key() {
    for (from, to, key, help) in [
        (
            "          since: \"9.0.002.06\"",
            "          sinse: \"9.0.002.06\"",
            "sinse",
            "since",
        ),
        (
            "    until: \"9.0.002.06\"\n  # Not from",
            "    untill: \"9.0.002.06\"\n  # Not from",
            "untill",
            "until",
        ),
    ] {
        let outcome = check_broken(from, to);
        let message = format!("unknown key `{key}`");
        assert_reports(&outcome, &message, &format!("did you mean `{help}`?"));
    }
}

#[test]
fn duplicate_transition() {
    let outcome = check_broken(
        "  - {from: ready, on: opened, to: opened}\n",
        "  - {from: ready, on: opened, to: opened}\n  - {from: ready, on: opened, to: cancelled}\n",
    );
    assert_fails_with(
        &outcome,
        "two transitions for state `ready` and event `opened`",
    );
}

#[test]
fn dead_end_and_unreachable_states() {
    let outcome = check_broken(
        "  closed: {final: true}\n",
        "  closed: {final: true}\n  stuck:\n  limbo:\n",
    );
    assert!(
        outcome
            .stderr
            .contains("warning: state `limbo` is unreachable"),
        "{}",
        outcome.stderr
    );
    let outcome = check_broken(
        "  - {from: ready, on: opened, to: opened}\n",
        "  - {from: ready, on: opened, to: opened}\n  - {from: opened, on: ready, to: stuck}\n",
    );
    assert_fails_with(&outcome, "unknown state `stuck`");
}

#[test]
fn unknown_version() {
    let outcome = check_broken(
        "since: \"9.0.002.06\"}\n  # The seeds",
        "since: \"9.0.02.06\"}\n  # The seeds",
    );
    assert_reports(
        &outcome,
        "error: unknown version `9.0.02.06`",
        "did you mean `9.0.002.06`?",
    );
}

#[test]
fn expression_errors_point_into_the_expression() {
    let outcome = check_broken(
        "elapsed: ts - meta.started}}\n  - {on: completed",
        "elapsed: ts - meta.startd}}\n  - {on: completed",
    );
    assert_reports(
        &outcome,
        "error: unknown metadata field `startd`",
        "did you mean `started`?",
    );
    let outcome = check_broken("proactive: data.proactive}", "proactive: data.proactiv}");
    assert_reports(
        &outcome,
        "unknown property `proactiv` (payload of `opened`)",
        "did you mean `proactive`?",
    );
    let outcome = check_broken("closed: ts}", "closed: ts * * 2}");
    assert_reports(&outcome, "syntax error", "");
}

#[test]
fn scenario_the_lifecycle_does_not_accept() {
    let outcome = check_broken(
        "events: [ready, opened, cancelled, closed]",
        "events: [ready, opened, closed]",
    );
    assert_fails_with(
        &outcome,
        "scenario `changed-mind` (version 9.0) expected [], found [illegal_transition]",
    );
}

#[test]
fn scenario_expecting_a_misspelt_violation_kind() {
    let outcome = check_broken(
        "expect: {violations: [illegal_transition]}",
        "expect: {violations: [ilegal_transition, timout]}",
    );
    assert_fails_with(
        &outcome,
        "scenario `lost-submitted` expects an unknown violation kind `ilegal_transition` (help: \
         did you mean `illegal_transition`?)",
    );
    assert_fails_with(
        &outcome,
        "expects an unknown violation kind `timout` (help: did you mean `timeout`?)",
    );
}

#[test]
fn a_misspelt_key_in_a_scenario_step_or_expectation_is_named_at_its_place() {
    // Before: "scenarios[2].events: expected an event name, or `{event: NAME, ...}`", at
    // `events:`, for any mistake in any step.
    let outcome = check_broken(
        "      - {event: opened, data: {proactive: true}}\n      - {event: started, after: 2500, data: {prefilled: true}}\n      - {event: submitted, after: 30000, data: {autoSubmitted: false, form",
        "      - {event: opened, data: {proactive: true}}\n      - {event: started, after: 2500, dat: {prefilled: true}}\n      - {event: submitted, after: 30000, data: {autoSubmitted: false, form",
    );
    let said = only_diagnostic(&outcome);
    assert!(
        said.contains(&format!("callback.yaml:{}:39: error: scenarios[2].events[2]: unknown key `dat` (help: did you mean `data`?)", outcome.line + 1)),
        "{said}"
    );
    let outcome = check_broken(
        "expect: {violations: [illegal_transition]}",
        "expect: {violation: [illegal_transition]}",
    );
    assert_reports(
        &outcome,
        "scenarios[4].expect: unknown key `violation`",
        "did you mean `violations`?",
    );
    let outcome = check_broken(
        "expect: {violations: [illegal_transition]}",
        "expect: acepted",
    );
    assert_reports(
        &outcome,
        "scenarios[4].expect: expected `accepted`, or `{violations: [KIND, ...]}`, found string \"acepted\"",
        "",
    );
}

#[test]
fn a_wrong_name_list_is_named_at_its_field() {
    // Before: "transitions[1]: expected a name, or a list of names", whichever of `from`,
    // `on` and `to` it was.
    let outcome = check_broken(
        "{from: ready, on: opened, to: opened}",
        "{from: ready, on: [opened, [closed]], to: opened}",
    );
    assert_reports(
        &outcome,
        "transitions[1].on[1]: expected a string, found sequence",
        "",
    );
    let outcome = check_broken(
        "{from: ready, on: opened, to: opened}",
        "{from: {ready: 1}, on: opened, to: opened}",
    );
    assert_reports(
        &outcome,
        "transitions[1].from: expected a name, or a list of names, found map",
        "",
    );
}

#[test]
fn broken_format_paths() {
    let outcome = check_broken("    ts: data.metadata.{event}", "    ts: data..metadata");
    assert_reports(&outcome, "`data..metadata` is not a dotted path", "");
    let outcome = check_broken("    data: data\n", "    data: data.{event}\n");
    assert_reports(&outcome, "`{event}` may only be used in `ts`", "");
}

/// The lines of `check`'s report that are diagnostics (errors and warnings).
fn diagnostics(outcome: &Outcome) -> Vec<&str> {
    (outcome.stderr.lines())
        .filter(|line| line.contains(": error: ") || line.contains(": warning: "))
        .collect()
}

/// The one diagnostic of `check`'s report (there must be exactly one).
fn only_diagnostic(outcome: &Outcome) -> &str {
    match diagnostics(outcome)[..] {
        [only] => only,
        _ => panic!("not exactly one diagnostic:\n{}", outcome.stderr),
    }
}

/// `check` reported exactly one diagnostic, and it says `says`.
fn assert_only_diagnostic(outcome: &Outcome, says: &str) {
    let said = only_diagnostic(outcome);
    assert!(said.contains(says), "{said}");
}

#[test]
fn one_mistake_is_one_diagnostic() {
    // A misspelt field in a rule: the field the rule meant is not reported unset as well,
    // in either version.
    let outcome = check_broken("set: {closed: ts}", "set: {closd: ts}");
    assert_reports(
        &outcome,
        "unknown metadata field `closd`",
        "did you mean `closed`?",
    );
    only_diagnostic(&outcome);
    // The same for a misspelt read in a rule that sets two fields.
    let outcome = check_broken(
        "elapsed: ts - meta.started}}\n  - {on: completed",
        "elapsed: ts - meta.startd}}\n  - {on: completed",
    );
    assert_reports(
        &outcome,
        "unknown metadata field `startd`",
        "did you mean `started`?",
    );
    only_diagnostic(&outcome);
    // A scenario's misspelt event is unknown in every version the scenario runs in: one error,
    // which names no version.
    let outcome = check_broken(
        "events: [ready, opened, cancelled, closed]",
        "events: [ready, opend, cancelled, closed]",
    );
    assert_reports(&outcome, "unknown event `opend`", "did you mean `opened`?");
    only_diagnostic(&outcome);
    assert!(!outcome.stderr.contains("in version"), "{}", outcome.stderr);
    // A misspelt declaration makes every use unknown: one error, at the first use, whose
    // help points at the declaration as well.
    let outcome = check_broken(
        "  opened:\n    description: Callback was opened.",
        "  opend:\n    description: Callback was opened.",
    );
    let said = only_diagnostic(&outcome);
    let file = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles/callback.yaml"),
    )
    .unwrap();
    let first_use = 1
        + (file.lines())
            .position(|line| line.contains("{from: ready, on: opened"))
            .unwrap();
    let expected = format!(
        "callback.yaml:{first_use}:23: error: unknown event `opened`, used 8 times (the first \
         here) (help: did you mean `opend`? If `opend` (line {}) is the misspelling, rename it \
         there)",
        outcome.line
    );
    assert!(said.ends_with(&expected), "{}", said);
    // The same for a metadata field, set by a rule and read by two expressions: the error is
    // at the use the file has first, the rule that sets it.
    let outcome = check_broken("  started: {type: timestamp", "  startd: {type: timestamp");
    let said = only_diagnostic(&outcome);
    let first_use = 1
        + (file.lines())
            .position(|line| line.contains("{on: started, set: {started: ts"))
            .unwrap();
    let expected = format!(
        "callback.yaml:{first_use}:34: error: unknown metadata field `started`, used 3 times (the \
         first here) (help: did you mean `startd`? If `startd` (line {}) is the misspelling, \
         rename it there)",
        outcome.line
    );
    assert!(said.ends_with(&expected), "{}", said);
}

#[test]
fn a_finding_in_every_version_is_reported_once_and_names_the_versions_otherwise() {
    // Unreachable in both versions: once, without a version.
    let outcome = check_broken(
        "  closed: {final: true}\n",
        "  closed: {final: true}\n  limbo:\n",
    );
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let limbo = format!(
        "callback.yaml:{}:3: warning: state `limbo` is unreachable (help:",
        outcome.line + 1
    );
    assert_only_diagnostic(&outcome, &limbo);
    // Set by no rule in the older version only: that version is named.
    let outcome = check_broken(
        "  - {on: closed, set: {closed: ts}}",
        "  - {on: closed, set: {closed: ts}, since: \"9.0.002.06\"}",
    );
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let unset = only_diagnostic(&outcome);
    assert!(
        unset.ends_with(
            "warning: no rule sets metadata field `closed` in version 9.0: it always holds its \
             default (help: add a rule with `set`, or remove the field)"
        ),
        "{}",
        unset
    );
}

#[test]
fn diagnostics_come_in_the_order_of_the_file() {
    // Three mistakes, found in another order (the scenario's and the state's are gathered by
    // name and said at the end of compiling).
    let mut text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles/callback.yaml"),
    )
    .unwrap();
    for (from, to) in [
        (
            "events: [ready, opened, cancelled, closed]",
            "events: [ready, opend, cancelled, closed]",
        ),
        (
            "prefilled: data.prefilled}",
            "prefilled: data.prefilled + 1}",
        ),
        ("to: submitted}", "to: submited}"),
    ] {
        assert!(text.contains(from), "{from}");
        text = text.replacen(from, to, 1);
    }
    let outcome = check_text(&text, 0);
    let lines: Vec<usize> = diagnostics(&outcome)
        .iter()
        .filter_map(|line| line.split(':').nth(1)?.parse().ok())
        .collect();
    assert_eq!(lines.len(), 3, "{}", outcome.stderr);
    assert!(
        lines.windows(2).all(|pair| pair[0] < pair[1]),
        "{}",
        outcome.stderr
    );
}

#[test]
fn a_scenario_payload_key_near_a_declared_property_is_taken_for_a_misspelling() {
    let outcome = check_broken(
        "data: {autoSubmitted: false}}",
        "data: {autoSubmited: false}}",
    );
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    let said = only_diagnostic(&outcome);
    assert!(
        said.contains(&format!("callback.yaml:{}:", outcome.line))
            && said.ends_with(
                "warning: `autoSubmited` is no property of the payload of `submitted`: it is \
                 taken as an extra one (help: did you mean `autoSubmitted`?)"
            ),
        "{}",
        said
    );
    // A key far from every declared one may well be meant: payloads carry more than they
    // declare.
    let outcome = check_broken(
        "data: {autoSubmitted: false}}",
        "data: {autoSubmitted: false, channel: web}}",
    );
    assert_eq!(outcome.code, Some(0), "{}", outcome.stderr);
    assert_eq!(
        diagnostics(&outcome),
        Vec::<&str>::new(),
        "{}",
        outcome.stderr
    );
}

/// `check` on a copy of the catalog `tests/fixtures/general` with `from` replaced by `to` in
/// its `file`.
fn check_fixture(file: &str, from: &str, to: &str) -> Outcome {
    check_copy("tests/fixtures/general", file, from, to)
}

/// `check` on a copy of the catalog directory `catalog` (of the repository) with `from`
/// replaced by `to` in its `file`.
fn check_copy(catalog: &str, file: &str, from: &str, to: &str) -> Outcome {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join(catalog);
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(&fixtures).unwrap() {
        let entry = entry.unwrap();
        if entry
            .path()
            .extension()
            .is_none_or(|ext| ext != "yaml" && ext != "plot")
        {
            continue;
        }
        let mut text = std::fs::read_to_string(entry.path()).unwrap();
        if entry.file_name() == file {
            assert!(text.contains(from), "mutation target `{from}` not found");
            text = text.replacen(from, to, 1);
        }
        std::fs::write(dir.path().join(entry.file_name()), text).unwrap();
    }
    let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(["check", "--catalog"])
        .arg(dir.path())
        .output()
        .unwrap();
    Outcome {
        code: output.status.code(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
        line: 0,
    }
}

#[test]
fn what_only_repeats_an_error_is_not_said_again() {
    // An import misspelt: the property sets and enums it would have brought are not reported
    // unknown as well.
    let outcome = check_fixture(
        "checkout.yaml",
        "imports: [commerce.yaml]",
        "imports: [commrce.yaml]",
    );
    assert_eq!(outcome.code, Some(2), "{}", outcome.stderr);
    assert_only_diagnostic(&outcome, "no file `commrce.yaml` in this catalog to import");
    // A payload property misspelt where it is declared: its four reads are one error.
    let outcome = check_fixture(
        "checkout.yaml",
        "  revenue: {type: number",
        "  revnue: {type: number",
    );
    assert_only_diagnostic(
        &outcome,
        "error: unknown property `revenue` (payload of `paid`), used 4 times (the first \
         here) (help: did you mean `revnue`?)",
    );
    // A property misspelt in a property set two payloads share: the rules reading it on
    // either event are one error, which names both payloads.
    let outcome = check_fixture(
        "chat.yaml",
        "      agent: {type: string, required: true}",
        "      agnt: {type: string, required: true}",
    );
    assert_only_diagnostic(
        &outcome,
        "error: unknown property `agent` (payloads of `connected` and `message`), used 2 \
         times (the first here) (help: did you mean `agnt`?)",
    );
    // An event misspelt where it is declared: transitions, rules and the format that maps a
    // name to it are uses of one unknown name, and its rules are not checked against no
    // event at all.
    let outcome = check_fixture("checkout.yaml", "  paid:\n", "  pad:\n");
    assert_only_diagnostic(
        &outcome,
        "error: unknown event `paid`, used 9 times (the first here)",
    );
    // A state misspelt where it is declared: the guards comparing `state` with the right name
    // are uses too, not warnings of their own.
    let outcome = check_fixture("checkout.yaml", "  paying:\n", "  payng:\n");
    assert_only_diagnostic(&outcome, "error: unknown state `paying`, used");
}

#[test]
fn a_misspelt_key_of_shared_example_data_is_one_warning() {
    // The documented START payload, reused by the steps of several events.
    let outcome = check_copy(
        "lifecycles",
        "lp_offers.yaml",
        "    engagementId: 210600710",
        "    engageentId: 210600710",
    );
    let warnings: Vec<&str> = (diagnostics(&outcome).into_iter())
        .filter(|line| line.contains("warning:"))
        .collect();
    assert_eq!(warnings.len(), 1, "{}", outcome.stderr);
    assert!(
        warnings[0]
            .contains("warning: `engageentId` is no property of the payload of `START` (nor of ")
            && warnings[0].contains("(help: did you mean `engagementId`?)"),
        "{}",
        warnings[0]
    );
}
