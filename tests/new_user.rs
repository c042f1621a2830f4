//! What a new user meets: closed pipes, honest defaults, the conventions of well-loved CLIs.

use std::process::{Command, Output, Stdio};

mod common;

use common::plotline;

const EVERY_KIND: &str = "tests/fixtures/streams/every_kind.jsonl";

/// Runs `plotline ARGS` with a stderr whose reader has already gone, so that every write to
/// it fails with a broken pipe.
fn with_closed_stderr(args: &[&str]) -> Output {
    let (reader, writer) = std::io::pipe().expect("a pipe");
    drop(reader);
    Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PLOTLINE_CATALOG")
        .stdin(Stdio::null())
        .stderr(writer)
        .output()
        .expect("plotline runs")
}

#[test]
fn a_closed_stderr_never_panics_nor_costs_the_output_or_the_exit_code() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let out = dir.path().join("out.jsonl");
    let out = out.to_str().expect("a UTF-8 path");
    let bad = dir.path().join("bad");
    std::fs::create_dir(&bad).expect("a directory");
    std::fs::write(bad.join("x.yaml"), "lifecycle: x\nstates: [a\n").expect("written");
    let bad = bad.to_str().expect("a UTF-8 path");
    let cases: &[(&[&str], i32)] = &[
        (&["run", EVERY_KIND, "-o", out], 1),
        (&["validate", EVERY_KIND], 1),
        (&["validate", "no/such/file.jsonl"], 2),
        (&["check"], 0),
        (&["check", "--catalog", bad], 2),
        (&["simulate", "-n", "20"], 0),
        (&["schema", "nosuch"], 2),
        (&["types", "nosuch"], 2),
        (&["diff", "callback", "1", "2"], 2),
        (&["list", "--catalog", bad], 2),
        (&["validate", "--no-such-flag"], 2),
    ];
    for (args, code) in cases {
        let output = with_closed_stderr(args);
        assert_eq!(output.status.code(), Some(*code), "plotline {args:?}");
    }
    // The events of `run` were written in full: what it prints with a stderr that works.
    let written = std::fs::read(out).expect("run wrote its output file");
    assert_eq!(written, plotline(&["run", EVERY_KIND]).stdout);
    assert_eq!(String::from_utf8_lossy(&written).lines().count(), 20);
    // Usage errors go to stderr too.
    assert_eq!(
        plotline(&["validate", "--no-such-flag"]).status.code(),
        Some(2)
    );
}

#[test]
fn nesting_deeper_than_128_levels_is_malformed_wherever_it_is() {
    let deep = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
    let lines = [
        // In a part nothing reads, in a payload a schema reads, and in an unknown field.
        format!(
            r#"{{"lifecycle":"callback","interaction":"a","event":"ready","ts":1,"data":{{"x":{}}}}}"#,
            deep(150_000)
        ),
        format!(
            r#"{{"lifecycle":"callback","interaction":"a","event":"opened","ts":2,"data":{{"proactive":{}}}}}"#,
            deep(200)
        ),
        format!(
            r#"{{"lifecycle":"callback","interaction":"a","event":"ready","ts":1,"x":{}}}"#,
            deep(128)
        ),
    ];
    let stream = lines.join("\n") + "\n";
    let validated =
        common::plotline_with_stdin(&["validate", "--format", "json"], stream.as_bytes());
    let report: serde_json::Value = serde_json::from_slice(&validated.stdout).expect("JSON");
    assert_eq!(report["summary"]["malformed"], 3, "{report:#}");
    for violation in report["violations"].as_array().expect("violations") {
        assert_eq!(violation["message"], "JSON nested deeper than 128 levels");
    }
    // `run` writes back only events, so it never echoes such a line.
    let run = common::plotline_with_stdin(&["run"], stream.as_bytes());
    assert!(run.stdout.is_empty());
    // 127 levels below the line's object are accepted.
    let ok = format!(
        r#"{{"lifecycle":"callback","interaction":"a","event":"ready","ts":1,"x":{}}}"#,
        deep(127)
    );
    let validated = common::plotline_with_stdin(&["validate", "--allow-incomplete"], ok.as_bytes());
    assert_eq!(validated.status.code(), Some(0));
}

/// `plotline check` on a catalog of one file with `body` after a name and a version.
fn check_file(body: &str) -> String {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let text = format!("name: w\nversions: [{{name: \"1\"}}]\n{body}\n");
    std::fs::write(dir.path().join("w.yaml"), text).expect("written");
    let path = dir.path().to_str().expect("a UTF-8 path");
    let output = plotline(&["check", "--catalog", path]);
    assert_eq!(output.status.code(), Some(2), "{body}");
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn config_errors_speak_plainly_and_once() {
    let cases = [
        ("events: {a: 5}", "events.a: expected an event (a map such as `{payload: {...}}`, or nothing), found integer `5`"),
        ("states: {s: {timeout: 5}}", "states.s.timeout: expected a timeout (`{after: 5m, to: STATE}`), found integer `5`"),
        ("states: {s: {timeout: {after: [1]}}}", "states.s.timeout.after: expected a duration: milliseconds, or text such as `30s`, `5m`, `1h`, found sequence"),
        ("states: {s: {timeout: {after: -5}}}", "states.s.timeout.after: expected a duration: milliseconds, or text such as `30s`, `5m`, `1h`, found integer `-5`"),
        ("scenarios:\n  - {name: n, description: d, events: [{event: a, after: 1.5}]}", "scenarios[0].events[0].after: expected the time since the event before: milliseconds, or text such as `20s`, found floating point `1.5`"),
        ("transitions: [3]", "transitions[0]: expected a transition (`{from: STATE, on: EVENT, to: STATE}`), found integer `3`"),
        ("metadata: {m: 5}", "metadata.m: expected a metadata field (`{type: timestamp}`), found integer `5`"),
        ("events: {a: {payload: {properties: {s: {type: string, minLength: -1}}}}}", "expected a whole number, 0 or more, found integer `-1`"),
        ("transitions:\n  - {from: idle, on: a, to: s, zzzzzz: 1}", "unknown key `zzzzzz` (help: expected one of `from`, `on`, `to`, `when`, `description`, `since`, `until`)"),
        ("transitions:\n  - {from: idle, on: a, to: s, tyo: 1}", "unknown key `tyo` (help: did you mean `to`?)"),
        ("events:\n\ta:", "(help: YAML does not allow tabs for indentation: indent with spaces)"),
        ("events:\n  a:\n transitions:", "did not find expected key (help: check the indentation"),
        ("transitions:\n  - {from: idle, on: a, to: s, when: a ? b : c}", "quote the expression"),
        ("transitions:\n  - {from: idle, on: a, to: s, when: max(1, 2) > 1}", "unknown key `2) > 1` (help: inside `{...}`"),
        ("transitions:\n  - {from: idle, on: a, to: s, when: *x > 1}", "quote the expression"),
    ];
    let rust_type = regex::Regex::new(r"\b(struct|enum) [A-Z]|\bu64\b|\busize\b").expect("a regex");
    for (body, wanted) in cases {
        let said = check_file(body);
        assert!(said.contains(wanted), "{body}:\n{said}");
        assert!(!rust_type.is_match(&said), "{body}:\n{said}");
        assert_eq!(
            said.matches("expected one of").count(),
            said.contains("expected one of") as usize,
            "{said}"
        );
    }
    // A problem with no place in the file names the file alone, not line 0.
    let said = check_file("events: {a: }\nstates: {s: {final: true}}");
    assert!(
        said.contains("w.yaml: error: no transition leaves"),
        "{said}"
    );
    assert!(said.ends_with("catalog not sound: 1 error\n"), "{said}");
}

fn stderr_of(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn messages_name_what_the_user_gave() {
    let dir = tempfile::tempdir().expect("a temporary directory");
    let empty = dir.path().to_str().expect("a UTF-8 path");
    let cases: Vec<(Vec<&str>, String)> = vec![
        (
            vec!["validate", "tests"],
            "error: reading tests: Is a directory".into(),
        ),
        (
            vec!["run", "tests"],
            "error: reading tests: Is a directory".into(),
        ),
        (
            vec!["validate", EVERY_KIND, "-o", "no/such/dir/report.txt"],
            "error: cannot write no/such/dir/report.txt: no directory no/such/dir\n".into(),
        ),
        (
            vec!["validate", "-j", "0"],
            "'--jobs <JOBS>': must be at least 1".into(),
        ),
        (
            vec!["simulate", "-l", "calback"],
            "no lifecycle `calback` (did you mean `callback`?)".into(),
        ),
        (
            vec!["list", "--catalog", empty],
            format!("error: no lifecycle files (*.yaml, *.yml, *.plot) in {empty}\n"),
        ),
    ];
    for (args, wanted) in cases {
        let output = plotline(&args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let said = stderr_of(&output);
        assert!(said.contains(&wanted), "{args:?}: {said}");
        assert!(!said.contains(".plotline-"), "{args:?}: {said}");
    }
    // No usage line that contradicts the error.
    let said = stderr_of(&plotline(&["schema", "--config", "callback"]));
    assert!(said.starts_with("error: --config writes the schema of a file format"));
    assert!(!said.contains("Usage"), "{said}");
    // A catalog from the environment says so.
    let output = Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(["list"])
        .env("PLOTLINE_CATALOG", empty)
        .output()
        .expect("plotline runs");
    let said = stderr_of(&output);
    assert!(
        said.contains("comes from PLOTLINE_CATALOG; unset it"),
        "{said}"
    );
    let said = stderr_of(&plotline(&["list", "--catalog", empty]));
    assert!(!said.contains("PLOTLINE_CATALOG"), "{said}");
}

#[test]
fn the_json_report_has_a_format_version_and_a_schema_it_keeps_to() {
    let schema = plotline(&["schema", "--report"]);
    assert_eq!(schema.status.code(), Some(0));
    let schema: serde_json::Value = serde_json::from_slice(&schema.stdout).expect("JSON");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let general = ["--catalog", "tests/fixtures/general"];
    for args in [
        vec![EVERY_KIND],
        vec!["examples/callback.jsonl"],
        [&["tests/fixtures/streams/chat_vendor.jsonl"][..], &general].concat(),
    ] {
        let output = plotline(&[&["validate", "--format", "json"][..], &args].concat());
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
        assert_eq!(report["format_version"], 1);
        let errors: Vec<String> = validator
            .iter_errors(&report)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{args:?}: {errors:?}");
    }
    // The schema is strict: an unknown field or kind is refused.
    let mut report: serde_json::Value =
        serde_json::from_slice(&plotline(&["validate", "--format", "json", EVERY_KIND]).stdout)
            .expect("JSON");
    report["violations"][0]["kind"] = "no_such_kind".into();
    assert!(!validator.is_valid(&report));
}

/// Runs `command` (a shell command line) under a pseudo-terminal with `script`, feeding it
/// `input`; `None` (with a message) where `script` is missing.
fn on_a_terminal(command: &str, input: &str, env: &[(&str, &str)]) -> Option<String> {
    use std::io::Write;
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("`script` (util-linux) is missing: terminal behaviour not checked");
        return None;
    }
    let mut child = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("PLOTLINE_CATALOG")
        .env_remove("NO_COLOR")
        .envs(env.iter().copied())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("script runs");
    let mut stdin = child.stdin.take().expect("stdin");
    stdin.write_all(input.as_bytes()).expect("written");
    drop(stdin);
    let output = child.wait_with_output().expect("script ends");
    Some(String::from_utf8_lossy(&output.stdout).into_owned())
}

#[test]
fn on_a_terminal_quick_runs_show_no_bar_and_stdin_gets_a_hint() {
    let bin = env!("CARGO_BIN_EXE_plotline");
    let Some(quick) = on_a_terminal(&format!("{bin} validate {EVERY_KIND}"), "", &[]) else {
        return;
    };
    assert!(
        !quick.contains("lines/s") && !quick.contains("(eta "),
        "{quick}"
    );
    // Colour on a terminal: the kind in red; none with NO_COLOR.
    assert!(
        quick.contains("\u{1b}[1m\u{1b}[31minvalid_payload"),
        "{quick}"
    );
    let plain = on_a_terminal(
        &format!("{bin} validate {EVERY_KIND}"),
        "",
        &[("NO_COLOR", "1")],
    );
    assert!(plain.is_some_and(|plain| !plain.contains('\u{1b}')));
    // Waiting on a terminal's stdin says so (and how to end).
    let line = r#"{"lifecycle":"callback","interaction":"a","event":"ready","ts":1}"#;
    let typed = on_a_terminal(
        &format!("{bin} validate --allow-incomplete"),
        &format!("{line}\n\u{4}"),
        &[],
    )
    .unwrap_or_default();
    assert!(
        typed.contains("reading events from stdin, a terminal"),
        "{typed}"
    );
    assert!(typed.contains("1 line: 1 event"), "{typed}");
}

#[test]
fn color_and_quiet_as_asked() {
    let colored = plotline(&["validate", "--color", "always", EVERY_KIND]);
    let text = String::from_utf8_lossy(&colored.stdout);
    assert!(
        text.contains("\u{1b}[1m\u{1b}[31mafter_end\u{1b}[0m"),
        "{text}"
    );
    for args in [
        vec!["validate", EVERY_KIND],
        vec!["validate", "--color", "never", EVERY_KIND],
    ] {
        assert!(!plotline(&args).stdout.contains(&0x1b), "{args:?}");
    }
    // -q: only the summary; -qq: nothing, the exit status says it.
    let quiet = plotline(&["validate", "-q", EVERY_KIND]);
    let text = String::from_utf8_lossy(&quiet.stdout);
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(text.starts_with("23 lines: 20 events"), "{text}");
    let silent = plotline(&["-qq", "validate", EVERY_KIND]);
    assert_eq!((silent.stdout.len(), silent.status.code()), (0, Some(1)));
    let check = plotline(&["check", "-q"]);
    assert_eq!(String::from_utf8_lossy(&check.stdout).lines().count(), 1);
    let run = plotline(&["run", "-qq", EVERY_KIND]);
    assert!(run.stderr.is_empty() && !run.stdout.is_empty());
    let simulate = plotline(&["simulate", "-n", "10", "-qq"]);
    assert!(simulate.stderr.is_empty());
}

#[test]
fn completions_man_pages_and_exit_codes_in_help() {
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let output = plotline(&["completions", shell]);
        assert_eq!(output.status.code(), Some(0), "{shell}");
        let script = String::from_utf8_lossy(&output.stdout);
        assert!(
            script.contains("validate") && script.contains("allow-incomplete"),
            "{shell}"
        );
    }
    // The bash script is valid bash.
    let dir = tempfile::tempdir().expect("a temporary directory");
    let bash = dir.path().join("plotline.bash");
    std::fs::write(&bash, plotline(&["completions", "bash"]).stdout).expect("written");
    let syntax = Command::new("bash")
        .arg("-n")
        .arg(&bash)
        .output()
        .expect("bash runs");
    assert!(
        syntax.status.success(),
        "{}",
        String::from_utf8_lossy(&syntax.stderr)
    );
    // One page, or one per command, each well-formed for groff where it is installed.
    let page = plotline(&["man"]);
    assert!(String::from_utf8_lossy(&page.stdout).starts_with(".ie \\n(.g"));
    let out = dir.path().join("man");
    let output = plotline(&["man", "--out", out.to_str().expect("a UTF-8 path")]);
    assert_eq!(output.status.code(), Some(0));
    let mut pages: Vec<String> = std::fs::read_dir(&out)
        .expect("pages")
        .filter_map(|entry| entry.ok()?.file_name().into_string().ok())
        .collect();
    pages.sort();
    assert!(
        pages.contains(&"plotline-validate.1".to_owned()) && pages.len() >= 11,
        "{pages:?}"
    );
    let groff = Command::new("groff").arg("--version").output().is_ok();
    for page in pages.iter().filter(|_| groff) {
        let lint = Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(out.join(page))
            .output()
            .expect("groff runs");
        assert!(
            lint.status.success() && lint.stderr.is_empty(),
            "{page}: {}",
            String::from_utf8_lossy(&lint.stderr)
        );
    }
    if !groff {
        eprintln!("groff is missing: man pages not rendered");
    }
    // Every command says its exit statuses in --help.
    for command in [
        "validate",
        "run",
        "check",
        "schema",
        "diff",
        "types",
        "list",
        "simulate",
        "infer",
        "import",
        "completions",
        "man",
    ] {
        let help = plotline(&[command, "--help"]);
        let text = String::from_utf8_lossy(&help.stdout);
        assert!(text.contains("Exit status: 0"), "{command}: {text}");
    }
}

/// `plotline ARGS` run in `dir`, without a catalog from the environment.
fn plotline_in(dir: &std::path::Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_plotline"))
        .args(args)
        .current_dir(dir)
        .env_remove("PLOTLINE_CATALOG")
        .stdin(Stdio::null())
        .output()
        .expect("plotline runs")
}

#[test]
fn the_readme_installs_the_binary_the_tests_built() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let installs: Vec<&str> = (readme.lines())
        .filter(|line| line.trim_start().starts_with("cargo install"))
        .collect();
    assert!(!installs.is_empty());
    for line in installs {
        assert!(
            line.contains("--locked"),
            "{line}: the versions of Cargo.lock"
        );
    }
}

#[test]
fn check_names_its_catalog_and_warns_of_an_edited_copy_beside_it() {
    let dir = tempfile::tempdir().expect("temp dir");
    let copy = dir.path().join("lifecycles");
    std::fs::create_dir(&copy).expect("made");
    for entry in std::fs::read_dir("lifecycles").expect("lifecycles") {
        let path = entry.expect("entry").path();
        std::fs::copy(&path, copy.join(path.file_name().expect("name"))).expect("copied");
    }
    // An exact copy: nothing to say.
    let same = plotline_in(dir.path(), &["check"]);
    assert_eq!(same.status.code(), Some(0));
    let out = String::from_utf8_lossy(&same.stdout);
    assert!(
        out.starts_with("catalog: built-in (embedded in plotline"),
        "{out}"
    );
    assert!(
        !stderr_of(&same).contains("differs"),
        "{}",
        stderr_of(&same)
    );
    // Edited: `check` says it checked the embedded copy, and how to check the edited one.
    let file = copy.join("callback.yaml");
    let text = std::fs::read_to_string(&file).expect("read");
    std::fs::write(&file, text.replace("to: opened", "to: openedd")).expect("written");
    let edited = plotline_in(dir.path(), &["check"]);
    assert_eq!(
        edited.status.code(),
        Some(0),
        "the embedded catalog is fine"
    );
    let said = stderr_of(&edited);
    assert!(
        said.contains("./lifecycles differs from the built-in catalog")
            && said.contains("plotline check --catalog lifecycles"),
        "{said}"
    );
    let mine = plotline_in(dir.path(), &["check", "--catalog", "lifecycles"]);
    let said = stderr_of(&mine);
    assert_eq!(mine.status.code(), Some(2), "{said}");
    assert!(said.contains("did you mean `opened`?"), "{said}");
    // One misspelling, one diagnostic: no unreachable states or unused events that follow
    // from the machine missing that transition.
    let diagnostics = said
        .lines()
        .filter(|l| l.contains(": error: ") || l.contains(": warning: "));
    assert_eq!(diagnostics.count(), 1, "{said}");
    assert!(said.contains("catalog not sound: 1 error"), "{said}");
}

#[test]
fn an_empty_stream_passes_no_coverage_bar_and_every_failing_bar_is_named() {
    let dir = tempfile::tempdir().expect("temp dir");
    let empty = dir.path().join("empty.jsonl");
    std::fs::write(&empty, "").expect("written");
    let empty = empty.to_str().expect("UTF-8");
    let output = plotline(&["validate", empty, "--fail-below", "80"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr_of(&output));
    assert!(stderr_of(&output).contains("no transition in the stream, under 80%"));
    let both = plotline(&[
        "validate",
        "examples/callback.jsonl",
        "--fail-below",
        "100",
        "--fail-below",
        "lp_offers=50",
    ]);
    let said = stderr_of(&both);
    assert_eq!(both.status.code(), Some(1), "{said}");
    assert!(
        said.contains("of the transitions taken, under 100%")
            && said.contains("lp_offers: not in the stream, under 50%"),
        "{said}"
    );
}

#[test]
fn simulate_cut_counts_the_interactions_it_wrote() {
    let output = plotline(&["simulate", "-n", "200", "--cut", "--seed", "3"]);
    assert_eq!(output.status.code(), Some(0));
    let lines: Vec<serde_json::Value> = (String::from_utf8_lossy(&output.stdout).lines())
        .map(|line| serde_json::from_str(line).expect("JSON"))
        .collect();
    assert_eq!(lines.len(), 200);
    let ids: std::collections::BTreeSet<&str> = (lines.iter())
        .filter_map(|line| line["interaction"].as_str())
        .collect();
    let said = stderr_of(&output);
    assert!(
        said.contains(&format!(
            "simulated 200 lines, {} interactions (",
            ids.len()
        )),
        "{said} ({} in the stream)",
        ids.len()
    );
}

#[test]
fn streams_get_a_did_you_mean_for_misspelt_lifecycles_and_events() {
    let dir = tempfile::tempdir().expect("temp dir");
    let stream = dir.path().join("typos.jsonl");
    std::fs::write(
        &stream,
        concat!(
            r#"{"lifecycle":"callbak","interaction":"a","event":"ready","ts":1}"#,
            "\n",
            r#"{"lifecycle":"callback","interaction":"b","event":"redy","ts":2}"#,
            "\n"
        ),
    )
    .expect("written");
    let output = plotline(&["validate", stream.to_str().expect("UTF-8")]);
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(
        out.contains("no lifecycle `callbak`; did you mean `callback`?"),
        "{out}"
    );
    assert!(
        out.contains("has no event `redy`; did you mean `ready`?"),
        "{out}"
    );
}

#[test]
fn what_is_written_says_so_and_help_names_every_format() {
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("r.html");
    let html = html.to_str().expect("UTF-8");
    let output = plotline(&[
        "validate",
        "examples/callback.jsonl",
        "--format",
        "html",
        "-o",
        html,
    ]);
    assert!(
        stderr_of(&output).contains(&format!("wrote {html}: the HTML report")),
        "{}",
        stderr_of(&output)
    );
    let quiet = plotline(&[
        "-q",
        "validate",
        "examples/callback.jsonl",
        "--format",
        "html",
        "-o",
        html,
    ]);
    assert!(!stderr_of(&quiet).contains("wrote"));
    let help = plotline(&["--help"]);
    let help = String::from_utf8_lossy(&help.stdout);
    let graph = help
        .lines()
        .find(|l| l.trim_start().starts_with("graph"))
        .expect("graph");
    assert!(graph.contains("SVG") && graph.contains("SCXML"), "{graph}");
}

#[test]
fn typescript_has_no_literal_its_type_already_allows() {
    let output = plotline(&["types", "zendesk_messaging"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("opens: number;"), "{text}");
    assert!(!text.contains("number | 0"), "{text}");
}

#[test]
fn fmt_and_convert_write_plain_words_bare_and_diff_durations_in_units() {
    let plot = plotline(&[
        "convert",
        "lifecycles/zendesk_messaging.yaml",
        "--to",
        "plot",
    ]);
    let text = String::from_utf8_lossy(&plot.stdout);
    assert!(
        text.contains("set: {ignored: ts}") && text.contains("after: 5m"),
        "{text}"
    );
    assert!(!text.contains("\"on\""), "{text}");
    // Back to YAML, a state with nothing to say is `ready:`, as people write it.
    let yaml = plotline(&["convert", "lifecycles/clicktocall.plot", "--to", "yaml"]);
    let yaml = String::from_utf8_lossy(&yaml.stdout);
    assert!(
        yaml.contains("\n  ready:\n") && !yaml.contains(": null"),
        "{yaml}"
    );
    // A timeout moved from 5 to 10 minutes reads in minutes.
    let dir = tempfile::tempdir().expect("temp dir");
    let (old, new) = (dir.path().join("old"), dir.path().join("new"));
    for (at, after) in [(&old, "5m"), (&new, "10m")] {
        std::fs::create_dir(at).expect("made");
        let yaml = std::fs::read_to_string("lifecycles/zendesk_messaging.yaml").expect("read");
        let yaml = yaml.replace(
            "timeout: {after: 5m,",
            &format!("timeout: {{after: {after},"),
        );
        std::fs::write(at.join("zendesk_messaging.yaml"), yaml).expect("written");
    }
    let diff = plotline(&[
        "diff",
        "--catalog",
        new.to_str().expect("UTF-8"),
        "--against",
        old.to_str().expect("UTF-8"),
    ]);
    let said = String::from_utf8_lossy(&diff.stdout);
    assert!(
        said.contains("after 10 min") && !said.contains("600000"),
        "{said}"
    );
}

#[test]
fn the_readme_example_lifecycle_checks_without_a_warning() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let section = readme
        .split("## Writing a lifecycle")
        .nth(1)
        .expect("the section");
    let yaml = section
        .split("```yaml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("its first YAML block");
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("chat.yaml"), yaml).expect("written");
    let output = plotline(&["check", "--catalog", dir.path().to_str().expect("UTF-8")]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr_of(&output));
    assert_eq!(stderr_of(&output), "", "no warning");
}

/// A widget that sends seconds where `ts` is milliseconds is judged with every wait a
/// thousand times too long: the run says so, once, whichever command and shard count.
#[test]
fn timestamps_in_seconds_are_warned_of() {
    let line = |event: &str, ts: i64| {
        format!(
            r#"{{"lifecycle":"zendesk_messaging","interaction":"z-1","event":"{event}","ts":{ts}}}"#
        )
    };
    let seconds = [
        line("proactiveMessageDisplayed", 1_732_435_200),
        line("proactiveMessageClicked", 1_732_435_205),
        // A minute to open: a `timeout` in milliseconds, 60 ms read as such.
        line("messagingOpened", 1_732_435_265),
    ]
    .join("\n");
    let warning = "warning: the stream's latest `ts` is 1732435265, which as milliseconds (what \
                   `ts` is) falls on 1970-01-21: if these are seconds";
    for args in [&["validate"][..], &["validate", "-j", "2"], &["run"]] {
        let output = common::plotline_with_stdin(args, seconds.as_bytes());
        let said = String::from_utf8_lossy(&output.stderr);
        assert_eq!(said.matches(warning).count(), 1, "{args:?}: {said}");
        let quiet = common::plotline_with_stdin(&[args, &["-qq"]].concat(), seconds.as_bytes());
        assert!(quiet.stderr.is_empty(), "{args:?} -qq");
    }
    // Milliseconds, and the small relative times of tests and documents, are not.
    let millis = seconds.replace("17324352", "17324352000");
    let relative = [
        line("proactiveMessageDisplayed", 1_000),
        line("proactiveMessageClicked", 5_000),
    ];
    for stream in [millis, relative.join("\n")] {
        let output = common::plotline_with_stdin(&["validate"], stream.as_bytes());
        let said = String::from_utf8_lossy(&output.stderr);
        assert!(!said.contains("warning"), "{said}");
    }
}
