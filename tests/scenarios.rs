//! Every documented scenario of every lifecycle and version, run through the interpreter and
//! snapshot as a trace: the state and the full metadata block after each event. Adding a
//! scenario to a lifecycle file adds a snapshot here with no Rust change.

use std::path::Path;

use plotline::compile::{compile, Catalog};
use plotline::config::{load_builtin, load_dir, LoadedFile};
use plotline::diagnostic::Diagnostic;
use plotline::engine::scenario;

fn compiled(loaded: (Vec<LoadedFile>, Vec<Diagnostic>)) -> Catalog {
    let (files, errors) = loaded;
    assert!(errors.is_empty(), "{errors:?}");
    let (catalog, diagnostics) = compile(&files);
    assert!(diagnostics.is_empty(), "{diagnostics:#?}");
    catalog.expect("catalog compiles")
}

fn snapshot_all(catalog: &Catalog, prefix: &str) -> usize {
    let mut runs = 0;
    for lifecycle in &catalog.lifecycles {
        for scenario in &lifecycle.scenarios {
            assert!(
                !scenario.versions.is_empty(),
                "scenario {} runs on no version",
                scenario.name
            );
            for &version in &scenario.versions {
                let trace = scenario::run(catalog, lifecycle, scenario, version);
                assert!(
                    trace.as_expected(),
                    "{} {} @ {}: expected {:?}, found {:?}\n{trace:#?}",
                    lifecycle.name,
                    scenario.name,
                    trace.version,
                    trace.expected,
                    trace.found
                );
                let name = format!(
                    "{prefix}{}@{}@{}",
                    lifecycle.name, trace.version, scenario.name
                );
                insta::with_settings!({
                    snapshot_path => "snapshots/scenarios",
                    prepend_module_to_snapshot => false,
                    description => trace.description.clone(),
                }, {
                    insta::assert_yaml_snapshot!(name, trace);
                });
                runs += 1;
            }
        }
    }
    runs
}

#[test]
fn builtin_scenarios() {
    let catalog = compiled(load_builtin());
    let runs = snapshot_all(&catalog, "");
    // 3 documented scenarios per Genesys widget version, 4 LP_OFFERS flows and 3 example runs,
    // plus the scenarios that show where versions disagree and how violations read; 4 Intercom
    // Messenger and 7 Zendesk messaging scenarios.
    assert_eq!(runs, 34);
}

#[test]
fn general_format_scenarios() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/general");
    let catalog = compiled(load_dir(&dir));
    assert_eq!(snapshot_all(&catalog, "fixture-"), 17);
}
