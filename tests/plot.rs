//! The `.plot` language beside YAML: every built-in and fixture lifecycle converts to `.plot`
//! and back to the same model and the same scenario traces; `fmt` is idempotent; errors are
//! located and worded for people.

mod common;

use std::path::Path;

use common::plotline;
use plotline::compile::{compile, Catalog};
use plotline::config::convert::{to_plot, to_yaml};
use plotline::config::load::{parse, parse_all};
use plotline::config::plot;
use plotline::diagnostic::SourceText;
use plotline::engine::scenario;

/// Every lifecycle file of the built-in catalog and of the fixture catalogs, by directory.
fn catalogs() -> Vec<Vec<SourceText>> {
    [
        "lifecycles",
        "tests/fixtures/general",
        "tests/fixtures/diagram",
    ]
    .iter()
    .map(|dir| plotline::config::load::dir_sources(Path::new(dir)).expect("a catalog"))
    .collect()
}

/// The scenario traces of a catalog, as JSON text: states, metadata, violations of each step.
fn traces(catalog: &Catalog) -> String {
    let mut all = Vec::new();
    for lifecycle in &catalog.lifecycles {
        for documented in &lifecycle.scenarios {
            for &version in &documented.versions {
                all.push(scenario::run(catalog, lifecycle, documented, version));
            }
        }
    }
    serde_json::to_string_pretty(&all).expect("JSON")
}

/// What a catalog compiles to, as far as a reader of it can tell: per version, the states,
/// the transition table and guards, the payload schemas, fields and rules.
fn compiled(catalog: &Catalog) -> String {
    let mut text = String::new();
    for lifecycle in &catalog.lifecycles {
        for version in &lifecycle.versions {
            let states: Vec<_> = version
                .states
                .iter()
                .map(|s| {
                    (
                        &s.name,
                        s.is_final,
                        s.may_end,
                        s.timeout.as_ref().map(|t| (t.after, t.to, &t.violation)),
                    )
                })
                .collect();
            let events: Vec<_> = version
                .events
                .iter()
                .map(|e| (&e.name, e.payload.as_ref().map(|p| p.schema.to_string())))
                .collect();
            let guards: Vec<Vec<_>> = version
                .guarded
                .iter()
                .map(|list| list.iter().map(|g| (&g.source, g.target)).collect())
                .collect();
            let fields: Vec<_> = version
                .fields
                .iter()
                .map(|f| (&f.name, f.default.to_string()))
                .collect();
            let rules: Vec<_> = version.rules.iter().map(|r| &r.source).collect();
            text.push_str(&format!(
                "{} {}: {states:?} {events:?} {:?} {guards:?} {fields:?} {rules:?}\n",
                lifecycle.name, version.name, version.table
            ));
        }
    }
    text
}

fn compile_sources(sources: Vec<SourceText>) -> Catalog {
    let (files, errors) = parse_all(sources);
    assert!(errors.is_empty(), "{errors:?}");
    let (catalog, diagnostics) = compile(&files);
    catalog.unwrap_or_else(|| panic!("{diagnostics:?}"))
}

fn renamed(source: &SourceText, extension: &str, text: String) -> SourceText {
    let stem = source
        .name
        .rsplit_once('.')
        .map_or(source.name.as_str(), |(stem, _)| stem);
    SourceText {
        name: format!("{stem}.{extension}"),
        text,
    }
}

#[test]
fn every_lifecycle_converts_to_plot_and_back_to_the_same_catalog() {
    for sources in catalogs() {
        let original = compile_sources(
            sources
                .iter()
                .map(|s| SourceText {
                    name: s.name.clone(),
                    text: s.text.clone(),
                })
                .collect(),
        );
        let mut as_plot = Vec::new();
        let mut back = Vec::new();
        for source in &sources {
            let copy = SourceText {
                name: source.name.clone(),
                text: source.text.clone(),
            };
            let plot_text = to_plot(copy).unwrap_or_else(|e| panic!("{}: {e}", source.name));
            // A long scenario is laid out a step per line (its heading alone may run past
            // the width, with a long description).
            for line in plot_text
                .lines()
                .filter(|line| line.starts_with("scenario "))
            {
                assert!(
                    line.len() <= 100 || line.ends_with("\":"),
                    "{}: a scenario line of {} characters: {line}",
                    source.name,
                    line.len()
                );
            }
            // The same YAML value, key for key.
            let (value, _) = plot::read(&plot_text)
                .unwrap_or_else(|e| panic!("{}: {e:?}\n{plot_text}", source.name));
            let yaml = match source.name.ends_with(".plot") {
                true => plot::read(&source.text).expect("a .plot file").0,
                false => {
                    let mut yaml: serde_yaml::Value =
                        serde_yaml::from_str(&source.text).expect("YAML");
                    yaml.apply_merge().expect("merge keys");
                    yaml
                }
            };
            assert_eq!(value, yaml, "{}", source.name);
            let plot_source = renamed(source, "plot", plot_text);
            let yaml_text = to_yaml(SourceText {
                name: plot_source.name.clone(),
                text: plot_source.text.clone(),
            })
            .expect("to YAML");
            back.push(renamed(source, "yaml", yaml_text));
            as_plot.push(plot_source);
        }
        // Imports name `.yaml` files: keep the shared files beside their `.plot` form.
        let shared: Vec<SourceText> = sources
            .iter()
            .filter(|s| {
                let copy = SourceText {
                    name: s.name.clone(),
                    text: s.text.clone(),
                };
                parse(copy).is_ok_and(|file| file.model.is_shared())
            })
            .map(|s| SourceText {
                name: s.name.clone(),
                text: s.text.clone(),
            })
            .collect();
        let shared_names: Vec<String> = shared
            .iter()
            .map(|s| renamed(s, "plot", String::new()).name)
            .collect();
        let mut plot_only: Vec<SourceText> = as_plot
            .into_iter()
            .filter(|p| !shared_names.contains(&p.name))
            .collect();
        plot_only.extend(shared);
        for (what, catalog) in [
            ("plot", compile_sources(plot_only)),
            ("yaml again", compile_sources(back)),
        ] {
            assert_eq!(compiled(&catalog), compiled(&original), "{what}");
            assert_eq!(traces(&catalog), traces(&original), "{what}");
        }
    }
}

#[test]
fn fmt_is_idempotent_and_keeps_comments() {
    for source in catalogs().into_iter().flatten() {
        let once = to_plot(SourceText {
            name: source.name.clone(),
            text: source.text.clone(),
        })
        .expect("plot");
        let again = to_plot(SourceText {
            name: "x.plot".into(),
            text: once.clone(),
        })
        .expect("plot again");
        assert_eq!(again, once, "{}", source.name);
        // Every comment line is in the `.plot` text, and back in YAML: those above nested
        // entries, section keys and taken-apart keys included (an editor directive for YAML
        // aside).
        let comments = |text: &str| -> Vec<String> {
            (text.lines().map(str::trim))
                .filter(|l| l.starts_with('#') && !l.contains("yaml-language-server"))
                .map(str::to_owned)
                .collect()
        };
        let mut theirs = comments(&source.text);
        let mut ours = comments(&once);
        let back = to_yaml(SourceText {
            name: "x.plot".into(),
            text: once.clone(),
        })
        .expect("YAML");
        let mut yaml = comments(&back);
        for list in [&mut theirs, &mut ours, &mut yaml] {
            list.sort();
        }
        assert_eq!(ours, theirs, "{}", source.name);
        assert_eq!(yaml, theirs, "{}", source.name);
        if source.name.ends_with("callback.yaml") {
            assert!(once.contains("# The seeds list no `ready` or `submitted` timestamp for Callback; none is invented here.\nmeta opened: timestamp"), "{once}");
        }
    }
    // `.plot` to YAML to `.plot` gives the same text, comments included.
    for entry in std::fs::read_dir("fuzz/corpus/dsl").expect("the dsl corpus") {
        let path = entry.expect("an entry").path();
        let text = std::fs::read_to_string(&path).expect("read");
        let name = path.display().to_string();
        let yaml = to_yaml(SourceText {
            name: name.clone(),
            text: text.clone(),
        })
        .expect("to YAML");
        let back = to_plot(SourceText {
            name: "back.yaml".into(),
            text: yaml.clone(),
        })
        .expect("to plot");
        assert_eq!(back, text, "{name}\n{yaml}");
    }
    // The command: --check lists what would change and exits 1; fmt rewrites; then --check is 0.
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("chat.plot");
    let text = to_plot(SourceText {
        name: "chat.yaml".into(),
        text: std::fs::read_to_string("tests/fixtures/general/chat.yaml").expect("fixture"),
    })
    .expect("plot");
    let messy = text
        .replace("\n\n", "\n")
        .replacen("state chatting", "state   chatting", 1)
        + "loaded -opened-> waiting -connected-> chatting\n";
    std::fs::write(&path, &messy).expect("written");
    let file = path.to_str().expect("UTF-8");
    assert_eq!(plotline(&["fmt", "--check", file]).status.code(), Some(1));
    assert_eq!(plotline(&["fmt", file]).status.code(), Some(0));
    assert_eq!(plotline(&["fmt", "--check", file]).status.code(), Some(0));
    let formatted = std::fs::read_to_string(&path).expect("read");
    // The chain became one transition per arrow.
    assert!(
        formatted.contains("loaded -opened-> waiting\nwaiting -connected-> chatting\n"),
        "{formatted}"
    );
}

fn plot_errors(text: &str) -> String {
    let source = SourceText {
        name: "w.plot".into(),
        text: text.into(),
    };
    match parse(source) {
        Ok(file) => {
            let (_, diagnostics) = compile(&[file]);
            diagnostics
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        }
        Err(diagnostic) => diagnostic.to_string(),
    }
}

#[test]
fn plot_errors_are_located_and_worded() {
    let head = "lifecycle w\nversion 1\nevent go\nevent stop\nstate going\nstate stopped final\n";
    let cases = [
        (
            format!("{head}idle -go-> going\ngoing -stop-> stoped\n"),
            "w.plot:8:15: error: unknown state `stoped`",
            "did you mean `stopped`?",
        ),
        (
            format!("{head}idle -go-> going\ngoing -stpo-> stopped\n"),
            "w.plot:8:8: error: unknown event `stpo`",
            "did you mean `stop`?",
        ),
        (
            format!("{head}idle -go going\n"),
            "w.plot:7:10: error: expected `,` or `->`, found `going`",
            "found `going`",
        ),
        // A value the model refuses inside a `with` flow: at its place (a misspelt key: at
        // the key), named by its path.
        (
            format!("{head}event run with {{payload: {{properties: {{n: {{type: integr}}}}}}}}\n"),
            "w.plot:7:50: error: events.run.payload.properties.n.type: unknown value `integr`",
            "(help: did you mean `integer`?)",
        ),
        (
            format!("{head}event run with {{\n  payload: {{properties: {{\n    n: {{tpye: integer}},\n  }}}},\n}}\n"),
            "w.plot:9:9: error: events.run.payload.properties.n: unknown key `tpye`",
            "(help: did you mean `type`?)",
        ),
        (
            format!("{head}state halted with {{final: yes}}\n"),
            "w.plot:7:27: error: states.halted.final: expected a boolean, found string \"yes\"",
            "",
        ),
        (
            format!("{head}state going\n"),
            "w.plot:7:7: error: `going` is declared twice in states: first at line 5, column 7",
            "",
        ),
        (
            format!("{head}idle -go-> going when data.n >\n"),
            "w.plot:8:1: error: expected an expression, found the end of the file",
            "",
        ),
        // A misspelt keyword reads as a transition without an arrow: it is named as what
        // it is, at the word, over the comment and blank lines after it.
        (
            format!("titel \"W\"\n{head}"),
            "w.plot:1:1: error: unknown keyword `titel`",
            "(help: did you mean `title`?)",
        ),
        (
            format!("{head}state halted finl\n# why\n\nidle -go-> going\n"),
            "w.plot:7:14: error: unknown keyword `finl`",
            "(help: did you mean `final`?)",
        ),
        // An arrow without its event.
        (
            format!("{head}going -> stopped\n"),
            "w.plot:7:8: error: expected a name, found `>`",
            "(help: an arrow names its event between one dash and `->`: `a -go-> b`)",
        ),
        (
            format!("{head}going --stop--> stopped\n"),
            "w.plot:7:8: error: expected a name, found `-stop-->`",
            "(help: an arrow names its event between one dash and `->`: `a -go-> b`)",
        ),
        // A word near no keyword keeps the parser's words.
        (
            format!("{head}going\nidle -go-> going\n"),
            "w.plot:8:1: error: expected `,` or an arrow `-event->`, found `idle`",
            "",
        ),
    ];
    for (text, place, words) in cases {
        let said = plot_errors(&text);
        assert!(
            said.contains(place) && said.contains(words),
            "{text}\n---\n{said}"
        );
        assert!(!said.contains("Rule::") && !said.contains("kw_"), "{said}");
    }
}

#[test]
fn a_plot_catalog_loads_beside_yaml_and_converts_from_the_command_line() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("callback.plot");
    let out = out.to_str().expect("UTF-8");
    let converted = plotline(&[
        "convert",
        "lifecycles/callback.yaml",
        "--to",
        "plot",
        "-o",
        out,
    ]);
    assert_eq!(
        converted.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&converted.stderr)
    );
    let catalog = dir.path().to_str().expect("UTF-8");
    let check = plotline(&["check", "--catalog", catalog]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stderr)
    );
    let validated = plotline(&["validate", "--catalog", catalog, "examples/callback.jsonl"]);
    assert_eq!(validated.status.code(), Some(0));
    let yaml = plotline(&["convert", out, "--to", "yaml"]);
    let yaml = String::from_utf8_lossy(&yaml.stdout);
    assert!(yaml.contains("\nname: callback\n") && yaml.starts_with("# Genesys Widgets Callback"));
    // Without `--to`: the other surface, or the one the output's extension names.
    let back = plotline(&["convert", out]);
    assert_eq!(String::from_utf8_lossy(&back.stdout), yaml);
    let plot = std::fs::read_to_string(out).expect("the converted file");
    let again = plotline(&["convert", "lifecycles/callback.yaml"]);
    assert_eq!(String::from_utf8_lossy(&again.stdout), plot);
    let same = dir.path().join("same.plot");
    let same = same.to_str().expect("UTF-8");
    let rewritten = plotline(&["convert", out, "-o", same]);
    assert_eq!(rewritten.status.code(), Some(0));
    assert_eq!(std::fs::read_to_string(same).expect("written"), plot);
}

#[test]
fn the_textmate_grammar_tokenizes_plot_files_as_the_parser_reads_them() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let clients = root.join("tests/clients");
    let installed = clients.join("node_modules/vscode-textmate").is_dir();
    let required = std::env::var("PLOTLINE_CLIENTS").as_deref() == Ok("require");
    if !installed {
        assert!(
            !required,
            "vscode-textmate is not installed: run tests/clients/setup.sh"
        );
        eprintln!("vscode-textmate is not installed (tests/clients/setup.sh): not checked here");
        return;
    }
    let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(root.join("fuzz/corpus/dsl"))
        .expect("the dsl corpus")
        .filter_map(|entry| Some(entry.ok()?.path()))
        .collect();
    files.push(root.join("lifecycles/clicktocall.plot"));
    files.sort();
    let output = common::succeeded(
        std::process::Command::new("node")
            .arg(clients.join("textmate.cjs"))
            .arg(root.join("grammar/plot.tmLanguage.json"))
            .args(&files),
    );
    let tokens: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a token"))
        .collect();
    let has = |token: &serde_json::Value, scope: &str| {
        token["scopes"].as_array().is_some_and(|s| {
            s.iter()
                .any(|x| x.as_str().is_some_and(|x| x.starts_with(scope)))
        })
    };
    for file in &files {
        let name = file.display().to_string();
        let text = std::fs::read_to_string(file).expect("read");
        let mine: Vec<&serde_json::Value> = tokens
            .iter()
            .filter(|t| t["file"] == name.as_str())
            .collect();
        // Comment lines are comments; declarations start with their keyword.
        for (index, line) in text.lines().enumerate() {
            let at_line: Vec<&&serde_json::Value> =
                mine.iter().filter(|t| t["line"] == index + 1).collect();
            let first = at_line.first();
            if line.starts_with('#') {
                assert!(
                    at_line.iter().all(|t| has(t, "comment.line")),
                    "{name}:{}",
                    index + 1
                );
            } else if line
                .split_whitespace()
                .next()
                .is_some_and(|w| plot::DECLARATION_KEYWORDS.contains(&w))
            {
                assert!(
                    first.is_some_and(|t| has(t, "keyword.control.declaration")),
                    "{name}:{}: {line}",
                    index + 1
                );
            }
        }
        // Every event on an arrow, as the parser reads them, is an event token.
        let (value, _) = plot::read(&text).expect("the corpus parses");
        let mut wanted: Vec<String> = value["transitions"]
            .as_sequence()
            .map(|list| {
                list.iter()
                    .flat_map(|t| match &t["on"] {
                        serde_yaml::Value::Sequence(names) => names
                            .iter()
                            .filter_map(|n| n.as_str())
                            .map(plot::name)
                            .collect(),
                        other => other
                            .as_str()
                            .map(plot::name)
                            .into_iter()
                            .collect::<Vec<_>>(),
                    })
                    .collect()
            })
            .unwrap_or_default();
        let mut found: Vec<String> = mine
            .iter()
            .filter(|t| has(t, "entity.name.function.event"))
            .flat_map(|t| {
                t["text"]
                    .as_str()
                    .unwrap_or_default()
                    .split(',')
                    .map(|n| n.trim().to_owned())
                    .collect::<Vec<_>>()
            })
            .collect();
        wanted.sort();
        found.sort();
        assert_eq!(found, wanted, "{name}");
    }
}

#[test]
fn hostile_plot_files_get_an_error_not_a_crash() {
    let deep = |open: &str, close: &str, n: usize| {
        format!(
            "lifecycle w\nevent e with {{a: {}1{}}}\n",
            open.repeat(n),
            close.repeat(n)
        )
    };
    for text in [
        deep("[", "]", 100_000),
        deep("{a: ", "}", 100_000),
        format!(
            "lifecycle w\nidle -e-> s when {}1{}\n",
            "(".repeat(100_000),
            ")".repeat(100_000)
        ),
        "lifecycle w\n\"unterminated".to_owned(),
        "lifecycle w\nevent e with {a: [1, 2}\n".to_owned(),
        "\u{0}\u{1}".to_owned(),
    ] {
        let said = plot_errors(&text);
        assert!(said.starts_with("w.plot:"), "{said}");
    }
    assert!(plot_errors(&deep("[", "]", 100_000)).contains("nested deeper than 64 levels"));
}

#[test]
fn the_readme_plot_tutorial_checks_validates_as_it_says_and_is_canonical() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let section = readme
        .split("### A first lifecycle in `.plot`")
        .nth(1)
        .and_then(|rest| rest.split("\n## ").next())
        .expect("the tutorial");
    let block = |fence: &str| -> String {
        let rest = section.split(fence).nth(1).expect("a block");
        rest.split("```").next().expect("its end").to_owned()
    };
    let (plot, stream) = (block("```\n"), block("```json\n"));
    let dir = tempfile::tempdir().expect("temp dir");
    let chats = dir.path().join("chats");
    std::fs::create_dir(&chats).expect("made");
    let file = chats.join("support_chat.plot");
    std::fs::write(&file, &plot).expect("written");
    let jsonl = dir.path().join("chat.jsonl");
    std::fs::write(&jsonl, &stream).expect("written");
    let chats = chats.to_str().expect("UTF-8");
    let check = plotline(&["check", "--catalog", chats]);
    assert_eq!(check.status.code(), Some(0));
    assert_eq!(String::from_utf8_lossy(&check.stderr), "", "no warning");
    assert!(String::from_utf8_lossy(&check.stdout).contains("2 scenario runs, 0 failed"));
    let fmt = plotline(&["fmt", "--check", file.to_str().expect("UTF-8")]);
    assert_eq!(fmt.status.code(), Some(0), "canonical layout");
    // The output the README shows, line for line (the file name aside).
    let said = section
        .split("$ plotline validate --catalog chats chat.jsonl\n")
        .nth(1);
    let said = said
        .and_then(|rest| rest.split("```").next())
        .expect("the output");
    let validate = plotline(&[
        "validate",
        "--catalog",
        chats,
        jsonl.to_str().expect("UTF-8"),
    ]);
    assert_eq!(validate.status.code(), Some(1));
    let out = String::from_utf8_lossy(&validate.stdout)
        .replace(jsonl.to_str().expect("UTF-8"), "chat.jsonl");
    assert_eq!(out, said);
}
