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
pub mod payload;
pub mod rules;
pub mod version;

use std::collections::HashMap;

pub use catalog::{Catalog, Lifecycle, Version};

use crate::config::LoadedFile;
use crate::cores::map_on_cores;
use crate::diagnostic::Diagnostic;

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
        let imported = imports::resolve(file, files, &mut diagnostics);
        prepared.push((diagnostics, Some((file, imported))));
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
