//! `--catalog DIR`, `PLOTLINE_CATALOG` and `--with-builtin`: which lifecycle files to load.

use std::io::IsTerminal;
use std::path::PathBuf;

use clap::Args;

use crate::compile::{compile, Catalog};
use crate::config::load::{builtin_sources, dir_sources, parse_all};
use crate::diagnostic::Diagnostic;

/// Where the catalog comes from.
#[derive(Debug, Clone, Args)]
pub struct CatalogArgs {
    /// Load the lifecycle files of DIR instead of the built-in catalog.
    #[arg(long, value_name = "DIR", env = "PLOTLINE_CATALOG")]
    pub catalog: Option<PathBuf>,
    /// With --catalog: load the built-in catalog too.
    #[arg(long)]
    pub with_builtin: bool,
}

/// Loads and compiles the catalog. Every diagnostic comes back; the catalog only when none
/// is an error.
pub fn load(args: &CatalogArgs) -> (Option<Catalog>, Vec<Diagnostic>) {
    let mut sources = Vec::new();
    let mut diagnostics = Vec::new();
    if args.catalog.is_none() || args.with_builtin {
        sources.extend(builtin_sources());
    }
    if let Some(dir) = &args.catalog {
        match dir_sources(dir) {
            Ok(found) if found.is_empty() => diagnostics.push(Diagnostic::general(format!(
                "no lifecycle files (*.yaml) in {}",
                dir.display()
            ))),
            Ok(found) => sources.extend(found),
            Err(error) => diagnostics.push(error),
        }
    }
    let (files, parse_errors) = parse_all(sources);
    diagnostics.extend(parse_errors);
    let (catalog, found) = compile(&files);
    diagnostics.extend(found);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    (catalog.filter(|_| !failed), diagnostics)
}

/// Prints diagnostics to stderr: one line each, plus a source excerpt on a terminal.
pub fn print_diagnostics(diagnostics: &[Diagnostic]) {
    let fancy = std::io::stderr().is_terminal();
    for diagnostic in diagnostics {
        if fancy && diagnostic.source.is_some() {
            eprintln!("{:?}", miette::Report::new(diagnostic.clone()));
        } else {
            eprintln!("{diagnostic}");
        }
    }
}

/// Loads the catalog, printing diagnostics; `None` when it has errors.
pub fn load_or_report(args: &CatalogArgs) -> Option<Catalog> {
    let (catalog, diagnostics) = load(args);
    print_diagnostics(&diagnostics);
    catalog
}
