//! `plotline check`: load, compile, lint, and run every documented scenario.

use clap::Args;

use super::catalog::{load, print_diagnostics, CatalogArgs};
use super::output::{say, Printer};
use super::style;
use super::{ERROR, OK};
use crate::compile::catalog::Scenario;
use crate::config::load::{builtin_sources, dir_sources};
use crate::diagnostic::{suggestion, SourceText};
use crate::engine::scenario;
use crate::engine::verdict::ViolationKind;
use crate::report::plural;

/// Arguments of `check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Which catalog to check.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// Runs `check`.
pub fn check(args: CheckArgs) -> u8 {
    let (catalog, diagnostics) = load(&args.catalog);
    print_diagnostics(&args.catalog, &diagnostics);
    let Some(catalog) = catalog else {
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        say!("catalog not sound: {}", plural(errors as u64, "error"));
        return ERROR;
    };
    let mut printer = Printer::default();
    let quiet = style::quiet();
    if quiet == 0 {
        printer.line(format!("catalog: {}", source(&args.catalog)));
    }
    if args.catalog.catalog.is_none() && local_copy_differs() {
        say!(
            "warning: ./{BESIDE} differs from the built-in catalog this binary embeds, which is \
             the one checked here; to check those files: plotline check --catalog {BESIDE}"
        );
    }
    let mut failures = 0usize;
    let mut runs = 0usize;
    for lifecycle in &catalog.lifecycles {
        let detail = |printer: &mut Printer, line: String| {
            if quiet == 0 {
                printer.line(line);
            }
        };
        detail(
            &mut printer,
            format!(
                "{} ({}): {}, {}",
                lifecycle.name,
                lifecycle.file,
                plural(lifecycle.versions.len() as u64, "version"),
                plural(lifecycle.scenarios.len() as u64, "scenario")
            ),
        );
        for scenario in &lifecycle.scenarios {
            let unknown = scenario::unknown_kinds(scenario);
            if !unknown.is_empty() {
                failures += 1;
                let kinds = ViolationKind::ALL.map(ViolationKind::name);
                for name in unknown {
                    let help = suggestion(name, kinds)
                        .map(|help| format!(" (help: {help})"))
                        .unwrap_or_default();
                    scenario_error(
                        scenario,
                        &format!("expects an unknown violation kind `{name}`{help}"),
                    );
                }
                continue;
            }
            for &version in &scenario.versions {
                runs += 1;
                let trace = scenario::run(&catalog, lifecycle, scenario, version);
                let verdict = if trace.as_expected() { "ok" } else { "FAILED" };
                detail(
                    &mut printer,
                    format!("  {verdict:6} {} @ {}", scenario.name, trace.version),
                );
                if !trace.as_expected() {
                    failures += 1;
                    scenario_error(
                        scenario,
                        &format!(
                            "(version {}) expected [{}], found [{}]",
                            trace.version,
                            trace.expected.join(", "),
                            trace.found.join(", ")
                        ),
                    );
                    for step in trace.steps.iter().filter(|s| !s.violations.is_empty()) {
                        for violation in &step.violations {
                            say!("    at {}: {violation}", step.event);
                        }
                    }
                    for violation in &trace.at_end {
                        say!("    at end: {violation}");
                    }
                }
            }
        }
    }
    let warnings = diagnostics.len();
    let summary = format!(
        "{}, {}, {failures} failed, {}",
        plural(catalog.lifecycles.len() as u64, "lifecycle"),
        plural(runs as u64, "scenario run"),
        plural(warnings as u64, "warning")
    );
    if quiet < 2 {
        printer.line(summary);
    }
    printer.finish(if failures == 0 { OK } else { ERROR })
}

/// A `lifecycles/` directory here is most likely the user's own copy being edited.
const BESIDE: &str = "lifecycles";

/// Where the catalog checked comes from, in words.
fn source(args: &CatalogArgs) -> String {
    let builtin = format!(
        "built-in (embedded in plotline {})",
        env!("CARGO_PKG_VERSION")
    );
    match (&args.catalog, args.with_builtin) {
        (None, _) => builtin,
        (Some(dir), false) => dir.display().to_string(),
        (Some(dir), true) => format!("{} and the {builtin}", dir.display()),
    }
}

/// Whether a `lifecycles/` directory here holds lifecycle files other than those embedded.
fn local_copy_differs() -> bool {
    let dir = std::path::Path::new(BESIDE);
    if !dir.is_dir() {
        return false;
    }
    let pairs = |sources: Vec<SourceText>| -> Vec<(String, String)> {
        let mut pairs: Vec<(String, String)> = (sources.into_iter())
            .map(|source| (source.name, source.text))
            .collect();
        pairs.sort();
        pairs
    };
    match dir_sources(dir) {
        Ok(found) => pairs(found) != pairs(builtin_sources()),
        Err(_) => false,
    }
}

/// Prints `file:line:col: error: scenario `NAME` WHAT` on stderr.
fn scenario_error(scenario: &Scenario, what: &str) {
    say!(
        "{}:{}:{}: error: scenario `{}` {what}",
        scenario.file.name,
        scenario.location.line,
        scenario.location.column,
        scenario.name,
    );
}
