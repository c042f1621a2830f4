//! `plotline diff`: what changed between two versions of a lifecycle, or between two catalogs,
//! each change classified as backward compatible, forward compatible, both or breaking.

use std::path::PathBuf;

use clap::{Args, ValueEnum};
use serde::Serialize;

use super::catalog::{find_lifecycle, find_version, load_or_report, CatalogArgs};
use super::output::{say, Printer};
use super::{ERROR, OK, VIOLATIONS};
use crate::compile::{Catalog, Lifecycle};
use crate::diff::{diff, Change, Compatibility};

/// When `diff` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    /// A change that is neither backward nor forward compatible.
    Breaking,
    /// A change after which some records of the old version are refused.
    NotBackward,
    /// A change after which the old version refuses some records of the new one.
    NotForward,
    /// Any change.
    Any,
}

/// The report formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DiffFormat {
    /// One line per change, for people.
    Text,
    /// One JSON object.
    Json,
}

/// Arguments of `diff`.
#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The lifecycle (with --against: only this one; default every one).
    pub lifecycle: Option<String>,
    /// The old version.
    #[arg(requires = "new")]
    pub old: Option<String>,
    /// The new version.
    pub new: Option<String>,
    /// Compare the catalog (built-in or --catalog) with the one in OLD_DIR, which counts as
    /// the old one: every version of every lifecycle, by name.
    #[arg(long, value_name = "OLD_DIR", conflicts_with = "old")]
    pub against: Option<PathBuf>,
    /// Exit 1 when a change of this class is found (for CI gates).
    #[arg(long, value_enum)]
    pub fail_on: Option<FailOn>,
    /// Report format.
    #[arg(long, value_enum, default_value_t = DiffFormat::Text)]
    pub format: DiffFormat,
    /// Which catalog to use.
    #[command(flatten)]
    pub catalog: CatalogArgs,
}

/// The changes between two versions of one lifecycle (or a lifecycle or version only one
/// side has).
#[derive(Debug, Serialize)]
struct Comparison {
    lifecycle: String,
    from: Option<String>,
    to: Option<String>,
    compatibility: Compatibility,
    changes: Vec<Change>,
}

impl Comparison {
    fn new(lifecycle: &str, from: Option<&str>, to: Option<&str>, changes: Vec<Change>) -> Self {
        Comparison {
            lifecycle: lifecycle.to_string(),
            from: from.map(str::to_string),
            to: to.map(str::to_string),
            compatibility: Compatibility::combine(&changes),
            changes,
        }
    }

    /// A lifecycle or version (`part`) only one side has, as one change.
    fn one_sided(lifecycle: &str, part: &'static str, what: &str, side: OneSide) -> Self {
        let (from, to, done, compatibility, version) = match side {
            OneSide::New(version) => (
                None,
                Some(version),
                "added",
                Compatibility::Backward,
                version,
            ),
            OneSide::Old(version) => (
                Some(version),
                None,
                "removed",
                Compatibility::Forward,
                version,
            ),
        };
        let description = format!("{what} {done} (version {version})");
        let change = Change::new(part, description, compatibility);
        Comparison::new(lifecycle, from, to, vec![change])
    }
}

/// Which side alone has a lifecycle or version, and its (newest) version.
enum OneSide<'a> {
    Old(&'a str),
    New(&'a str),
}

/// The whole report.
#[derive(Debug, Serialize)]
struct Report {
    /// The version of this report's format: 1 until a field changes meaning or goes away.
    format_version: u32,
    compatibility: Compatibility,
    comparisons: Vec<Comparison>,
}

/// Runs `diff`.
pub fn diff_command(args: DiffArgs) -> u8 {
    let Some(catalog) = load_or_report(&args.catalog) else {
        return ERROR;
    };
    let comparisons = match &args.against {
        Some(dir) => {
            let old_args = CatalogArgs {
                catalog: Some(dir.clone()),
                with_builtin: false,
                from_env: false,
            };
            let Some(old) = load_or_report(&old_args) else {
                return ERROR;
            };
            compare_catalogs(&old, &catalog, args.lifecycle.as_deref())
        }
        None => match compare_versions(&catalog, &args) {
            Some(comparison) => Some(vec![comparison]),
            None => return ERROR,
        },
    };
    let Some(comparisons) = comparisons else {
        return ERROR;
    };
    let changes: Vec<Change> = comparisons
        .iter()
        .flat_map(|c| c.changes.iter().cloned())
        .collect();
    let report = Report {
        format_version: 1,
        compatibility: Compatibility::combine(&changes),
        comparisons,
    };
    let mut printer = Printer::default();
    match args.format {
        DiffFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(text) => printer.line(text),
            Err(error) => {
                say!("error: {error}");
                return ERROR;
            }
        },
        DiffFormat::Text => print_text(&mut printer, &report),
    }
    let failed = |change: &Change| match args.fail_on {
        None => false,
        Some(FailOn::Breaking) => change.compatibility == Compatibility::Breaking,
        Some(FailOn::NotBackward) => !change.compatibility.is_backward(),
        Some(FailOn::NotForward) => !change.compatibility.is_forward(),
        Some(FailOn::Any) => true,
    };
    printer.finish(if changes.iter().any(failed) {
        VIOLATIONS
    } else {
        OK
    })
}

fn print_text(printer: &mut Printer, report: &Report) {
    for comparison in &report.comparisons {
        let versions = match (&comparison.from, &comparison.to) {
            (Some(from), Some(to)) if from == to => from.clone(),
            (Some(from), Some(to)) => format!("{from} -> {to}"),
            (Some(from), None) => from.clone(),
            (None, Some(to)) => to.clone(),
            (None, None) => String::new(),
        };
        let count = comparison.changes.len();
        printer.line(format!(
            "{} {versions}: {} ({count} change{})",
            comparison.lifecycle,
            comparison.compatibility,
            if count == 1 { "" } else { "s" }
        ));
        for change in &comparison.changes {
            printer.line(format!(
                "  {:<9} {}",
                change.compatibility.name(),
                change.description
            ));
        }
    }
    if report.comparisons.len() > 1 {
        printer.line(format!("overall: {}", report.compatibility));
    }
}

/// `LIFECYCLE OLD NEW` in one catalog; `None` (reported) for an unknown name.
fn compare_versions(catalog: &Catalog, args: &DiffArgs) -> Option<Comparison> {
    let (Some(name), Some(old), Some(new)) = (&args.lifecycle, &args.old, &args.new) else {
        say!("error: give LIFECYCLE OLD NEW, or compare two catalogs with --against DIR");
        return None;
    };
    let lifecycle = find_lifecycle(catalog, name)?;
    let (old, new) = (find_version(lifecycle, old)?, find_version(lifecycle, new)?);
    Some(Comparison::new(
        name,
        Some(&old.name),
        Some(&new.name),
        diff(old, new),
    ))
}

/// Every lifecycle and version of `old` against `new`, by name.
fn compare_catalogs<'a>(
    old: &'a Catalog,
    new: &'a Catalog,
    only: Option<&str>,
) -> Option<Vec<Comparison>> {
    if let Some(name) = only {
        if old.lifecycle(name).is_none() && new.lifecycle(name).is_none() {
            find_lifecycle(new, name)?;
        }
    }
    let mut names: Vec<&str> = old
        .lifecycles
        .iter()
        .chain(&new.lifecycles)
        .map(|l| l.name.as_str())
        .filter(|name| only.is_none_or(|only| only == *name))
        .collect();
    names.sort_unstable();
    names.dedup();
    let mut comparisons = Vec::new();
    for name in names {
        let (before, after) = (old.lifecycle(name), new.lifecycle(name));
        let newest = |l: &'a Lifecycle| l.versions.last().map_or("", |v| v.name.as_str());
        let (before, after) = match (before, after) {
            (Some(before), Some(after)) => (before, after),
            (before, after) => {
                let side = match after {
                    Some(after) => OneSide::New(newest(after)),
                    None => OneSide::Old(before.map_or("", newest)),
                };
                let what = format!("lifecycle `{name}`");
                comparisons.push(Comparison::one_sided(name, "lifecycle", &what, side));
                continue;
            }
        };
        let mut versions: Vec<&str> = before
            .versions
            .iter()
            .chain(&after.versions)
            .map(|v| v.name.as_str())
            .collect();
        versions.sort_unstable();
        versions.dedup();
        for version in versions {
            match (before.version_named(version), after.version_named(version)) {
                (Some(old), Some(new)) => comparisons.push(Comparison::new(
                    name,
                    Some(version),
                    Some(version),
                    diff(old, new),
                )),
                (_, new) => {
                    let side = match new {
                        Some(_) => OneSide::New(version),
                        None => OneSide::Old(version),
                    };
                    let what = format!("version `{version}`");
                    comparisons.push(Comparison::one_sided(name, "version", &what, side));
                }
            }
        }
    }
    Some(comparisons)
}
