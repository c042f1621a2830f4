//! `--catalog DIR`, `PLOTLINE_CATALOG` and `--with-builtin`: which lifecycle files to load.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use super::output::say;
use super::style;
use crate::compile::{load_catalog, Catalog, Lifecycle, Version};
use crate::diagnostic::Diagnostic;

/// Where the catalog comes from.
#[derive(Debug, Clone, Default, Args)]
pub struct CatalogArgs {
    /// Load the lifecycle files of DIR instead of the built-in catalog.
    #[arg(long, value_name = "DIR", env = "PLOTLINE_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// With --catalog: load the built-in catalog too.
    #[arg(long)]
    pub with_builtin: bool,
    /// Whether `catalog` came from `PLOTLINE_CATALOG` rather than the command line.
    #[arg(skip)]
    pub from_env: bool,
}

/// Loads and compiles the catalog. Every diagnostic comes back; the catalog only when none
/// is an error.
pub fn load(args: &CatalogArgs) -> (Option<Catalog>, Vec<Diagnostic>) {
    load_catalog(args.catalog.as_deref(), args.with_builtin)
}

/// Prints diagnostics to stderr: one line each, plus a source excerpt on a terminal; and,
/// when there are errors in a catalog named by `PLOTLINE_CATALOG`, says where it came from.
pub fn print_diagnostics(args: &CatalogArgs, diagnostics: &[Diagnostic]) {
    let fancy = std::io::stderr().is_terminal();
    let color = style::color_stderr();
    let theme = match color {
        true => miette::GraphicalTheme::unicode(),
        false => miette::GraphicalTheme::unicode_nocolor(),
    };
    let handler = miette::GraphicalReportHandler::new_themed(theme);
    for diagnostic in diagnostics {
        let mut fancy_text = String::new();
        if fancy
            && diagnostic.source.is_some()
            && handler.render_report(&mut fancy_text, diagnostic).is_ok()
        {
            say!("{fancy_text}");
            continue;
        }
        let line = diagnostic.to_string();
        let level = match diagnostic.is_error() {
            true => ("error:", style::BAD),
            false => ("warning:", style::WARN),
        };
        say!(
            "{}",
            line.replacen(level.0, &style::paint(level.0, level.1, color), 1)
        );
    }
    if let (Some(dir), true) = (&args.catalog, args.from_env) {
        if diagnostics.iter().any(Diagnostic::is_error) {
            say!(
                "note: the catalog {} comes from PLOTLINE_CATALOG; unset it to use the built-in one",
                dir.display()
            );
        }
    }
}

/// Loads the catalog, printing diagnostics; `None` when it has errors.
pub fn load_or_report(args: &CatalogArgs) -> Option<Catalog> {
    let (catalog, diagnostics) = load(args);
    print_diagnostics(args, &diagnostics);
    catalog
}

/// Which lifecycles and versions a command works on: `LIFECYCLE [--version V]`.
#[derive(Debug, Clone, Args)]
pub struct SelectArgs {
    /// The lifecycle (with --out: every lifecycle when omitted).
    pub lifecycle: Option<String>,
    /// The lifecycle version (default: the newest; with --out: every version).
    #[arg(long)]
    pub version: Option<String>,
}

/// The versions `select` names: the one asked for, the newest when `all` is false, or every
/// version; every lifecycle only when `all` is true and none is named. An unknown name, or
/// no name without `all`, is printed as an error, and gives `None`.
pub fn select<'a>(
    catalog: &'a Catalog,
    select: &SelectArgs,
    all: bool,
) -> Option<Vec<(&'a Lifecycle, &'a Version)>> {
    let lifecycles: Vec<&Lifecycle> = match &select.lifecycle {
        Some(name) => vec![find_lifecycle(catalog, name)?],
        None if all => catalog.lifecycles.iter().collect(),
        None => {
            say!("error: name a lifecycle, or write every one with --out DIR");
            return None;
        }
    };
    let mut selected = Vec::new();
    for lifecycle in lifecycles {
        match &select.version {
            Some(wanted) => selected.push((lifecycle, find_version(lifecycle, wanted)?)),
            None if all => selected.extend(lifecycle.versions.iter().map(|v| (lifecycle, v))),
            None => selected.extend(lifecycle.versions.last().map(|v| (lifecycle, v))),
        }
    }
    Some(selected)
}

/// The version of `lifecycle` named `wanted`; `None`, with an error and a suggestion (or the
/// list of versions) printed, when there is none.
pub fn find_version<'a>(lifecycle: &'a Lifecycle, wanted: &str) -> Option<&'a Version> {
    lifecycle
        .find_version(wanted)
        .map_err(|message| say!("error: {message}"))
        .ok()
}

/// The lifecycle named `name`; `None`, with an error and a suggestion printed, when there is
/// none.
pub fn find_lifecycle<'a>(catalog: &'a Catalog, name: &str) -> Option<&'a Lifecycle> {
    catalog
        .find(name)
        .map_err(|message| say!("error: {message}"))
        .ok()
}

/// A file name for one lifecycle version: `NAME-VERSION.EXTENSION`, with every character that
/// is not a letter, digit, `.`, `_` or `-` replaced by `_`.
pub fn file_name(lifecycle: &Lifecycle, version: &Version, extension: &str) -> String {
    let safe = |text: &str| -> String {
        text.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "{}-{}.{extension}",
        safe(&lifecycle.name),
        safe(&version.name)
    )
}
