//! `plotline graph` in the hands of the real renderers: Graphviz (`dot -Tsvg`, no warning) and
//! Mermaid (the npm package, in headless Chromium, no parse error), for every version of every
//! built-in and fixture lifecycle, awkward names included; and the README's diagram is current.
//!
//! Graphviz and Chromium come from Debian packages (`.ci/run` installs them), Mermaid from
//! `tests/clients/setup.sh`. Without them this test says so and passes, unless
//! `PLOTLINE_CLIENTS=require`.

mod common;

use std::path::{Path, PathBuf};
use std::process::Command;

use common::plotline;
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

/// Whether a tool is there; panics when it is missing and required.
fn present(name: &str, found: bool) -> bool {
    let required = std::env::var("PLOTLINE_CLIENTS").as_deref() == Ok("require");
    match (found, required) {
        (true, _) => true,
        (false, true) => panic!("{name} is not installed (.ci/run installs it)"),
        (false, false) => {
            eprintln!("{name} is not installed: not checked here");
            false
        }
    }
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

/// Chromium, from `PLOTLINE_CHROMIUM` or the `PATH`.
fn chromium() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os("PLOTLINE_CHROMIUM") {
        return Some(PathBuf::from(path));
    }
    ["chromium", "chromium-browser"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok())
        .map(PathBuf::from)
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
