//! Compile: config model to [`Catalog`].
//!
//! Each lifecycle file is compiled version by version (`lifecycle`): names are interned to
//! dense ids, transitions become a table, metadata fields become slots, payloads become
//! JSON Schemas with compiled validators (`payload`), rule expressions are parsed and type
//! checked (`rules`), and the result is checked for soundness (`lint`). Errors are collected,
//! not thrown at the first: `plotline check` shows them all.

pub mod catalog;
mod context;
pub mod fast_check;
pub mod format;
mod imports;
pub mod lifecycle;
mod lint;
pub mod names;
pub mod payload;
pub mod rules;
pub mod version;

use std::collections::HashMap;

pub use catalog::{Catalog, Lifecycle, Version};

use crate::config::load::{builtin_sources, dir_sources, parse_all, LIFECYCLE_EXTENSIONS};
use crate::config::LoadedFile;
use crate::cores::map_on_cores;
use crate::diagnostic::{Diagnostic, SourceText};

/// Loads and compiles a catalog: the lifecycle files of `dir` (with the built-in ones too
/// when `with_builtin`), or the built-in catalog. Every diagnostic comes back; the catalog
/// only when none is an error (a directory without lifecycle files is one).
pub fn load_catalog(
    dir: Option<&std::path::Path>,
    with_builtin: bool,
) -> (Option<Catalog>, Vec<Diagnostic>) {
    let mut sources = Vec::new();
    let mut diagnostics = Vec::new();
    if dir.is_none() || with_builtin {
        sources.extend(builtin_sources());
    }
    if let Some(dir) = dir {
        match dir_sources(dir) {
            Ok(found) if found.is_empty() => {
                let patterns: Vec<String> = LIFECYCLE_EXTENSIONS
                    .iter()
                    .map(|e| format!("*.{e}"))
                    .collect();
                diagnostics.push(Diagnostic::general(format!(
                    "no lifecycle files ({}) in {}",
                    patterns.join(", "),
                    dir.display()
                )))
            }
            Ok(found) => sources.extend(found),
            Err(error) => diagnostics.push(error),
        }
    }
    let (catalog, found) = compile_sources(sources);
    diagnostics.extend(found);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    (catalog.filter(|_| !failed), diagnostics)
}

/// Parses and compiles lifecycle files given as text (each named as diagnostics will name
/// it; `.plot` by its name, else YAML). Every diagnostic comes back; the catalog only when
/// none is an error.
pub fn compile_sources(sources: Vec<SourceText>) -> (Option<Catalog>, Vec<Diagnostic>) {
    let (files, mut diagnostics) = parse_all(sources);
    let (catalog, found) = compile(&files);
    diagnostics.extend(found);
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    (catalog.filter(|_| !failed), diagnostics)
}

/// Compiles `files` into a catalog. The catalog is `None` when any file has an error;
/// warnings come back either way.
pub fn compile(files: &[LoadedFile]) -> (Option<Catalog>, Vec<Diagnostic>) {
    // Each file's diagnostics found here, and what it compiles with, in file order.
    let mut prepared = Vec::with_capacity(files.len());
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for file in files {
        let mut diagnostics = Vec::new();
        if file.model.is_shared() {
            imports::check_shared(file, &mut diagnostics);
            prepared.push((diagnostics, None));
            continue;
        }
        if let Some(first) = seen.insert(&file.model.name, &file.source.name) {
            diagnostics.push(
                Diagnostic::error(
                    &file.source,
                    file.locate("name"),
                    format!("lifecycle `{}` is also defined in {first}", file.model.name),
                )
                .with_help("give each lifecycle its own name"),
            );
            prepared.push((diagnostics, None));
            continue;
        }
        let before = diagnostics.len();
        let imported = imports::resolve(file, files, &mut diagnostics);
        let imports_whole = !diagnostics[before..].iter().any(Diagnostic::is_error);
        prepared.push((diagnostics, Some((file, (imported, imports_whole)))));
    }
    // Lifecycles compile independently of each other: on every core.
    let compiled = map_on_cores(prepared, |(mut diagnostics, job)| {
        let lifecycle = job.and_then(|(file, imported)| {
            let (lifecycle, found) = lifecycle::compile_file(file, imported);
            diagnostics.extend(found);
            lifecycle
        });
        (lifecycle, diagnostics)
    });
    let mut diagnostics = Vec::new();
    let mut lifecycles = Vec::new();
    for (lifecycle, found) in compiled {
        diagnostics.extend(found);
        lifecycles.extend(lifecycle);
    }
    // Several lifecycles may import the same file: say each problem once.
    let mut said = std::collections::HashSet::new();
    diagnostics.retain(|d| {
        let file = d.source.as_ref().map(|s| s.name.clone());
        said.insert((file, d.location.offset, d.message.clone()))
    });
    let failed = diagnostics.iter().any(Diagnostic::is_error);
    ((!failed).then(|| Catalog::new(lifecycles)), diagnostics)
}
