//! `imports:`: which files of the catalog a lifecycle file takes shared declarations from
//! (property sets and enums), and the checks on them: every import exists, no import cycle,
//! a shared file declares no lifecycle parts, and no shared name is declared twice.

use std::collections::BTreeSet;
use std::path::Path;

use crate::config::LoadedFile;
use crate::diagnostic::{suggestion, Diagnostic};

/// The file name imports use for `file`.
fn file_name(file: &LoadedFile) -> &str {
    Path::new(&file.source.name)
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or(&file.source.name)
}

/// The files `file` imports, directly or not, each once, in the order their declarations are
/// searched (as written, depth first). Problems go to `diagnostics`.
pub fn resolve<'a>(
    file: &'a LoadedFile,
    files: &'a [LoadedFile],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<&'a LoadedFile> {
    let mut found = Vec::new();
    let mut chain = vec![file_name(file)];
    visit(file, files, &mut chain, &mut found, diagnostics);
    duplicates(file, &found, diagnostics);
    found
}

fn visit<'a>(
    file: &'a LoadedFile,
    files: &'a [LoadedFile],
    chain: &mut Vec<&'a str>,
    found: &mut Vec<&'a LoadedFile>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    for (i, name) in file.model.imports.iter().enumerate() {
        let at = file.locate(&format!("imports[{i}]"));
        let error = |message: String| Diagnostic::error(&file.source, at, message);
        let Some(imported) = files.iter().find(|f| file_name(f) == name) else {
            let names = files
                .iter()
                .map(file_name)
                .filter(|n| *n != file_name(file));
            let help = suggestion(name, names);
            let diagnostic = error(format!("no file `{name}` in this catalog to import"));
            diagnostics.push(match help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            });
            continue;
        };
        if chain.contains(&file_name(imported)) {
            let cycle: Vec<&str> = chain.iter().copied().chain([file_name(imported)]).collect();
            diagnostics.push(
                error(format!("import cycle: {}", cycle.join(" -> ")))
                    .with_help("move what both files need into a third one that imports neither"),
            );
            continue;
        }
        if !imported.model.is_shared() {
            diagnostics.push(
                error(format!("`{name}` is a lifecycle (`{}`), not a file of shared declarations", imported.model.name))
                    .with_help("move the shared property sets and enums into a file without `name`, and import that"),
            );
            continue;
        }
        if found.iter().any(|f| std::ptr::eq(*f, imported)) {
            continue;
        }
        found.push(imported);
        chain.push(file_name(imported));
        visit(imported, files, chain, found, diagnostics);
        chain.pop();
    }
}

/// A property set or enum declared in two of `file` and its imports is an error at the later.
fn duplicates(file: &LoadedFile, imports: &[&LoadedFile], diagnostics: &mut Vec<Diagnostic>) {
    let mut seen: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut first: Vec<(&str, &str, &str)> = Vec::new();
    for declaring in std::iter::once(file).chain(imports.iter().copied()) {
        let names = declaring
            .model
            .property_sets
            .keys()
            .map(|name| ("property_sets", "property set", name.as_str()))
            .chain(
                declaring
                    .model
                    .enums
                    .keys()
                    .map(|name| ("enums", "enum", name.as_str())),
            );
        for (key, what, name) in names {
            if seen.insert((key, name)) {
                first.push((key, name, file_name(declaring)));
                continue;
            }
            let other = first
                .iter()
                .find(|(k, n, _)| *k == key && *n == name)
                .map_or("", |(_, _, f)| f);
            let at = declaring.locate(&format!("{key}.{name}"));
            diagnostics.push(
                Diagnostic::error(
                    &declaring.source,
                    at,
                    format!("{what} `{name}` is also declared in {other}"),
                )
                .with_help("keep one declaration: a lifecycle sees those of its file and of every file it imports"),
            );
        }
    }
}

/// A file without `name` only shares declarations: it may not declare lifecycle parts.
pub fn check_shared(file: &LoadedFile, diagnostics: &mut Vec<Diagnostic>) {
    for part in file.model.lifecycle_parts() {
        diagnostics.push(
            Diagnostic::error(
                &file.source,
                file.locate(part),
                format!("`{part}` belongs to a lifecycle, and this file has no `name`"),
            )
            .with_help("give the file a `name` to make it a lifecycle, or keep only `property_sets`, `enums` and `imports` in it"),
        );
    }
}
