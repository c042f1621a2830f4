//! `plotline graph` in the hands of the real renderers: Graphviz (`dot -Tsvg`, no warning) and
//! Mermaid (the npm package, in headless Chromium, no parse error), for every version of every
//! built-in and fixture lifecycle, awkward names included; and the README's diagram is current.
//!
//! Graphviz and Chromium come from Debian packages (`.ci/run` installs them), Mermaid from
//! `tests/clients/setup.sh`. Without them this test says so and passes, unless
//! `PLOTLINE_CLIENTS=require`.

mod common;

use std::path::Path;
use std::process::Command;

use common::{chromium, plotline, present};
use plotline::compile::compile;
use plotline::config::{load_builtin, load_dir};

/// Every (catalog arguments, lifecycle, version) to draw.
fn diagrams() -> Vec<(Vec<String>, String, String)> {
    let mut all = Vec::new();
    let catalogs = [
        (None, load_builtin()),
        (
            Some("tests/fixtures/general"),
            load_dir(Path::new("tests/fixtures/general")),
        ),
        (
            Some("tests/fixtures/diagram"),
            load_dir(Path::new("tests/fixtures/diagram")),
        ),
    ];
    for (dir, (files, errors)) in catalogs {
        assert!(errors.is_empty(), "{errors:?}");
        let (catalog, _) = compile(&files);
        let catalog = catalog.expect("the catalog compiles");
        let args: Vec<String> = dir
            .map(|d| vec!["--catalog".into(), d.into()])
            .unwrap_or_default();
        for lifecycle in &catalog.lifecycles {
            for version in &lifecycle.versions {
                all.push((args.clone(), lifecycle.name.clone(), version.name.clone()));
            }
        }
    }
    assert!(all.len() >= 10, "{all:?}");
    all
}

fn graph(args: &[String], lifecycle: &str, version: &str, format: &str) -> String {
    let mut command: Vec<&str> = vec!["graph", lifecycle, "--version", version, "--format", format];
    command.extend(args.iter().map(String::as_str));
    let output = plotline(&command);
    assert_eq!(output.status.code(), Some(0), "{command:?}");
    String::from_utf8(output.stdout).expect("UTF-8")
}

#[test]
fn graphviz_renders_every_dot_diagram_without_a_warning() {
    if !present(
        "Graphviz (dot)",
        Command::new("dot").arg("-V").output().is_ok(),
    ) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    for (args, lifecycle, version) in diagrams() {
        let path = dir.path().join("graph.dot");
        std::fs::write(&path, graph(&args, &lifecycle, &version, "dot")).expect("written");
        let output = Command::new("dot")
            .arg("-Tsvg")
            .arg(&path)
            .output()
            .expect("dot runs");
        let warnings = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success() && warnings.is_empty(),
            "{lifecycle} {version}: {warnings}"
        );
        assert!(String::from_utf8_lossy(&output.stdout).contains("<svg"));
    }
}

#[test]
fn mermaid_renders_every_diagram_in_headless_chromium() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let script = root.join("node_modules/mermaid/dist/mermaid.min.js");
    let browser = chromium();
    if !present("Mermaid (tests/clients/setup.sh)", script.exists())
        || !present("Chromium", browser.is_some())
    {
        return;
    }
    let all = diagrams();
    let texts: Vec<String> = all
        .iter()
        .map(|(args, lifecycle, version)| graph(args, lifecycle, version, "mermaid"))
        .collect();
    // One page renders them in turn and writes one verdict line each.
    let page = format!(
        r#"<!doctype html><html><body><pre id="out"></pre>
<script src="file://{}"></script>
<script>
const texts = {};
mermaid.initialize({{startOnLoad: false}});
(async () => {{
  const lines = [];
  for (const [i, text] of texts.entries()) {{
    try {{ const r = await mermaid.render('g' + i, text); lines.push(r.svg.includes('<svg') ? 'ok' : 'empty'); }}
    catch (e) {{ lines.push('error ' + String(e && e.message || e).split('\n').join(' ')); }}
  }}
  document.getElementById('out').textContent = lines.join('\n') + '\nDONE';
}})();
</script></body></html>"#,
        script.display(),
        serde_json::to_string(&texts).expect("JSON")
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let html = dir.path().join("diagrams.html");
    std::fs::write(&html, page).expect("written");
    let output = Command::new(browser.expect("checked above"))
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--virtual-time-budget=60000",
            "--dump-dom",
        ])
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium runs");
    let dom = String::from_utf8_lossy(&output.stdout);
    let out = dom
        .split("<pre id=\"out\">")
        .nth(1)
        .and_then(|rest| rest.split("</pre>").next())
        .unwrap_or_default();
    let verdicts: Vec<&str> = out.lines().collect();
    assert_eq!(verdicts.last(), Some(&"DONE"), "{dom}");
    for ((_, lifecycle, version), verdict) in all.iter().zip(&verdicts) {
        assert_eq!(*verdict, "ok", "{lifecycle} {version}");
    }
    assert_eq!(verdicts.len(), all.len() + 1);
}

#[test]
fn the_readme_shows_the_current_callback_diagram() {
    let readme = std::fs::read_to_string("README.md").expect("README");
    let diagram = String::from_utf8(plotline(&["graph", "callback"]).stdout).expect("UTF-8");
    let block = format!("```mermaid\n{diagram}```\n");
    assert!(
        readme.contains(&block),
        "README.md lacks the output of `plotline graph callback`:\n{block}"
    );
}

#[test]
fn scion_runs_every_exported_statechart_through_the_documented_scenarios_as_plotline_does() {
    use plotline::config::model::ScenarioStep;
    use plotline::engine::scenario;
    use plotline::export::diagram::scxml::{scxml, state_id};

    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/clients");
    let installed = root.join("node_modules/@scion-scxml/scxml").is_dir();
    if !present("SCION (tests/clients/setup.sh)", installed) {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let mut jobs = Vec::new();
    // Per job: the expected state ids of each scenario, up to its first violation.
    let mut expected: Vec<Vec<(String, Vec<String>)>> = Vec::new();
    let (mut compared, mut skipped) = (0usize, Vec::new());
    for dir_name in [
        None,
        Some("tests/fixtures/general"),
        Some("tests/fixtures/diagram"),
    ] {
        let (files, _) = match dir_name {
            None => load_builtin(),
            Some(d) => load_dir(Path::new(d)),
        };
        let catalog = compile(&files).0.expect("the catalog compiles");
        for lifecycle in &catalog.lifecycles {
            for (index, version) in lifecycle.versions.iter().enumerate() {
                let exported = scxml(&lifecycle.name, version);
                if exported.untranslated > 0 {
                    skipped.push(format!("{} {}", lifecycle.name, version.name));
                    continue;
                }
                let file = dir.path().join(format!("{}-{index}.scxml", lifecycle.name));
                std::fs::write(&file, &exported.text).expect("written");
                let id_of = |name: &str| {
                    let at = version.states.iter().position(|s| s.name == name);
                    at.map_or_else(|| name.to_owned(), |at| state_id(name, at))
                };
                let mut scenarios = Vec::new();
                let mut states = Vec::new();
                for documented in lifecycle
                    .scenarios
                    .iter()
                    .filter(|s| s.versions.contains(&index))
                {
                    let trace = scenario::run(&catalog, lifecycle, documented, index);
                    let clean: Vec<_> = trace
                        .steps
                        .iter()
                        .take_while(|s| s.violations.is_empty())
                        .collect();
                    let events: Vec<serde_json::Value> = clean
                        .iter()
                        .zip(&documented.steps)
                        .map(|(step, written)| {
                            let data = match written {
                                ScenarioStep::Full(full) => full.data.clone().unwrap_or_default(),
                                ScenarioStep::Name(_) => serde_json::Value::Null,
                            };
                            serde_json::json!({"name": step.event, "data": data, "ts": step.ts})
                        })
                        .collect();
                    compared += events.len();
                    scenarios.push(serde_json::json!({"name": documented.name, "events": events}));
                    states.push((
                        documented.name.clone(),
                        clean.iter().map(|s| id_of(&s.state)).collect(),
                    ));
                }
                jobs.push(serde_json::json!({"file": file, "scenarios": scenarios}));
                expected.push(states);
            }
        }
    }
    let job_file = dir.path().join("jobs.json");
    std::fs::write(&job_file, serde_json::to_vec(&jobs).expect("JSON")).expect("written");
    let output = common::succeeded(
        Command::new("node")
            .arg(root.join("scion.cjs"))
            .arg(&job_file),
    );
    let results: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON");
    for (result, states) in results.as_array().expect("results").iter().zip(&expected) {
        for (scenario, (name, wanted)) in result["scenarios"]
            .as_array()
            .expect("scenarios")
            .iter()
            .zip(states)
        {
            let found: Vec<&str> = scenario["states"]
                .as_array()
                .expect("states")
                .iter()
                .filter_map(|s| s.as_str())
                .collect();
            assert_eq!(found, *wanted, "{} scenario {name}", result["file"]);
        }
    }
    eprintln!("SCION agreed on {compared} events; not exported for SCION (guards over metadata): {skipped:?}");
    assert!(compared > 100, "{compared}");
}

#[test]
fn every_svg_diagram_is_well_formed_with_a_box_per_state_and_a_curve_per_edge() {
    use quick_xml::events::Event;

    for (args, lifecycle, version) in diagrams() {
        let text = graph(&args, &lifecycle, &version, "svg");
        let dot = graph(&args, &lifecycle, &version, "dot");
        let mut reader = quick_xml::Reader::from_str(&text);
        let (mut states, mut edges, mut depth) = (Vec::new(), 0usize, 0i32);
        loop {
            match reader.read_event() {
                Ok(Event::Eof) => break,
                Ok(Event::Start(tag)) => {
                    depth += 1;
                    let class = tag
                        .try_get_attribute("class")
                        .expect("attributes parse")
                        .map(|a| a.unescape_value().expect("escaped").into_owned());
                    let state = tag
                        .try_get_attribute("data-state")
                        .expect("attributes parse")
                        .map(|a| a.unescape_value().expect("escaped").into_owned());
                    match class.as_deref() {
                        Some(c) if c.starts_with("state") => {
                            states.push(state.expect("a state names itself"))
                        }
                        Some(c) if c.starts_with("edge") => edges += 1,
                        _ => {}
                    }
                }
                Ok(Event::End(_)) => depth -= 1,
                Ok(_) => {}
                Err(error) => panic!("{lifecycle} {version}: {error}\n{text}"),
            }
        }
        assert_eq!(depth, 0, "{lifecycle} {version}: unbalanced");
        // The same states and edges as the DOT export of the same diagram.
        let dot_lines = || dot.lines().map(str::trim).filter(|l| l.starts_with('s'));
        let nodes = dot_lines().filter(|l| !l.contains(" -> ")).count();
        let arrows = dot_lines().filter(|l| l.contains(" -> ")).count();
        assert_eq!(states.len(), nodes, "{lifecycle} {version}: states\n{dot}");
        assert_eq!(edges, arrows, "{lifecycle} {version}: edges\n{dot}");
    }
}
