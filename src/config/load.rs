//! Reading lifecycle files: from a directory, or from the catalog embedded in the binary.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::path::Path;
use std::sync::Arc;

use super::model::LifecycleFile;
use super::plain_errors;
use super::source_map::{Location, SourceMap};
use crate::cores::map_on_cores;
use crate::diagnostic::{Diagnostic, SourceText};

/// The built-in catalog: the lifecycle files of `lifecycles/` at build time, by name (written
/// by `build.rs`).
static BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin.rs"));

/// A parsed lifecycle file with what is needed to report on it.
#[derive(Debug, Clone)]
pub struct LoadedFile {
    /// The file's name and text.
    pub source: Arc<SourceText>,
    /// Positions of its values.
    pub map: SourceMap,
    /// The model.
    pub model: LifecycleFile,
}

impl LoadedFile {
    /// Where the value at `path` stands.
    pub fn locate(&self, path: &str) -> Location {
        self.map.locate(path)
    }
}

fn is_lifecycle_file(name: &str) -> bool {
    LIFECYCLE_EXTENSIONS.iter().any(|extension| {
        name.strip_suffix(extension)
            .is_some_and(|stem| stem.ends_with('.'))
    })
}

/// The file name extensions of lifecycle files.
pub const LIFECYCLE_EXTENSIONS: &[&str] = &["yaml", "yml", "plot"];

/// Whether a file is written in the `.plot` language (by its name).
pub fn is_plot(name: &str) -> bool {
    name.ends_with(".plot")
}

/// The built-in catalog's files, sorted by name.
pub fn builtin_sources() -> Vec<SourceText> {
    (BUILTIN.iter())
        .map(|(name, text)| SourceText {
            name: format!("lifecycles/{name}"),
            text: (*text).to_owned(),
        })
        .collect()
}

/// Every `*.yaml`/`*.yml` file of `dir`, sorted by name.
pub fn dir_sources(dir: &Path) -> Result<Vec<SourceText>, Diagnostic> {
    let entries = std::fs::read_dir(dir).map_err(|error| {
        Diagnostic::general(format!(
            "cannot read catalog directory {}: {error}",
            dir.display()
        ))
    })?;
    let mut paths: Vec<_> = entries
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_str().is_some_and(is_lifecycle_file))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let size = std::fs::metadata(&path).map_or(0, |metadata| metadata.len());
            if size > MAX_FILE_BYTES {
                return Err(Diagnostic::general(format!(
                    "{} is {size} bytes; a lifecycle file may have at most {MAX_FILE_BYTES}",
                    path.display()
                )));
            }
            let text = std::fs::read_to_string(&path).map_err(|error| {
                Diagnostic::general(format!("cannot read {}: {error}", path.display()))
            })?;
            Ok(SourceText {
                name: path.display().to_string(),
                text,
            })
        })
        .collect()
}

/// The largest lifecycle file read (hand-written config is far smaller; this bounds memory).
pub const MAX_FILE_BYTES: u64 = 8 << 20;

/// Parses one file. A syntax or shape error becomes a located diagnostic.
pub fn parse(source: SourceText) -> Result<LoadedFile, Diagnostic> {
    let source = Arc::new(source);
    if is_plot(&source.name) {
        return parse_plot(source);
    }
    let map = SourceMap::build(&source.text);
    if let Some(duplicate) = map.duplicates().first() {
        let key = duplicate.path.rsplit('.').next().unwrap_or(&duplicate.path);
        let others = map.duplicates().len() - 1;
        let more = match others {
            0 => String::new(),
            1 => " (and 1 more key written twice)".to_owned(),
            n => format!(" (and {n} more keys written twice)"),
        };
        return Err(Diagnostic::error(
            &source,
            duplicate.again,
            format!(
                "duplicate key `{key}` at `{}`: first written at line {}, column {}{more}",
                duplicate.path, duplicate.first.line, duplicate.first.column
            ),
        )
        .with_help("keep one: YAML keeps only the last, so the first is silently lost"));
    }
    match serde_yaml::from_str::<LifecycleFile>(&source.text) {
        Ok(model) => Ok(LoadedFile { map, source, model }),
        Err(error) => {
            let location = error
                .location()
                .map(|at| Location {
                    line: at.line(),
                    column: at.column(),
                    offset: at.index(),
                    quoted: false,
                })
                .unwrap_or(Location {
                    line: 1,
                    column: 1,
                    offset: 0,
                    quoted: false,
                });
            let line = (source.text.lines())
                .nth(location.line.saturating_sub(1))
                .unwrap_or_default();
            let (message, help) = plain_errors::plain(&error.to_string(), line);
            let help = help.or_else(|| {
                message.contains("repetition limit").then(|| {
                    "YAML aliases here expand to too much data; write the values out".to_owned()
                })
            });
            let diagnostic = Diagnostic::error(&source, location, message);
            Err(match help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            })
        }
    }
}

/// Reads a `.plot` file into the model, its diagnostics located in it.
fn parse_plot(source: Arc<SourceText>) -> Result<LoadedFile, Diagnostic> {
    parse_plot_value(source).map(|(file, _)| file)
}

/// Reads a `.plot` file into the model, and the YAML value it stands for.
pub fn parse_plot_value(
    source: Arc<SourceText>,
) -> Result<(LoadedFile, serde_yaml::Value), Diagnostic> {
    let (value, map) = super::plot::read(&source.text).map_err(|error| {
        let diagnostic = Diagnostic::error(&source, error.location, error.message);
        match error.help {
            Some(help) => diagnostic.with_help(help),
            None => diagnostic,
        }
    })?;
    match serde_yaml::from_value::<LifecycleFile>(value.clone()) {
        Ok(model) => Ok((LoadedFile { map, source, model }, value)),
        Err(error) => {
            // Read from the YAML text the value stands for, the error names the path it is at.
            let error = (serde_yaml::to_string(&value).ok())
                .and_then(|text| serde_yaml::from_str::<LifecycleFile>(&text).err())
                .unwrap_or(error);
            let (message, help) = plain_errors::plain(&error.to_string(), "");
            let (location, message) = match plain_errors::path_of(&message) {
                Some(path) => match plain_errors::unknown_key(&message) {
                    Some(key) => (map.locate_key(&format!("{path}.{key}")), message),
                    None => (map.locate(path), message),
                },
                None => match failing_declaration(&value) {
                    Some(path) => (map.locate(&path), format!("{path}: {message}")),
                    None => (map.locate(""), message),
                },
            };
            let diagnostic = Diagnostic::error(&source, location, message);
            Err(match help {
                Some(help) => diagnostic.with_help(help),
                None => diagnostic,
            })
        }
    }
}

/// The path of the first declaration (`events.go`, `transitions[2]`) the model refuses on its
/// own, for an error the whole file gave without a path.
fn failing_declaration(root: &serde_yaml::Value) -> Option<String> {
    use serde_yaml::{Mapping, Value};
    let refused = |section: &Value, part: Value| {
        let mut doc = Mapping::new();
        doc.insert(section.clone(), part);
        serde_yaml::from_value::<LifecycleFile>(Value::Mapping(doc)).is_err()
    };
    for (section, value) in root.as_mapping()? {
        let name = section.as_str().unwrap_or_default();
        match value {
            Value::Mapping(entries) => {
                for (key, entry) in entries {
                    let mut one = Mapping::new();
                    one.insert(key.clone(), entry.clone());
                    if refused(section, Value::Mapping(one)) {
                        return Some(format!("{name}.{}", key.as_str().unwrap_or_default()));
                    }
                }
            }
            Value::Sequence(items) => {
                for (index, item) in items.iter().enumerate() {
                    if refused(section, Value::Sequence(vec![item.clone()])) {
                        return Some(format!("{name}[{index}]"));
                    }
                }
            }
            _ => {}
        }
        if refused(section, value.clone()) {
            return Some(name.to_owned());
        }
    }
    None
}

/// Parses every source, collecting all errors rather than stopping at the first. Files are
/// independent until they are compiled: they are parsed on every core.
pub fn parse_all(sources: Vec<SourceText>) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for parsed in map_on_cores(sources, parse) {
        match parsed {
            Ok(file) => files.push(file),
            Err(error) => errors.push(error),
        }
    }
    (files, errors)
}

/// Loads the built-in catalog's files.
pub fn load_builtin() -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    parse_all(builtin_sources())
}

/// Loads a directory's files.
pub fn load_dir(dir: &Path) -> (Vec<LoadedFile>, Vec<Diagnostic>) {
    match dir_sources(dir) {
        Ok(sources) => parse_all(sources),
        Err(error) => (Vec::new(), vec![error]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalog_is_every_lifecycle_file_of_the_directory_and_nothing_else() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("lifecycles");
        let on_disk: Vec<(String, String)> = (dir_sources(&dir).unwrap().into_iter())
            .map(|file| (file.name.rsplit('/').next().unwrap().to_owned(), file.text))
            .collect();
        let embedded: Vec<(String, String)> = (BUILTIN.iter())
            .map(|(name, text)| ((*name).to_owned(), (*text).to_owned()))
            .collect();
        assert_eq!(embedded, on_disk);
        assert!(std::fs::exists(dir.join("lifecycle-file.schema.json")).unwrap());
        assert!(!embedded.iter().any(|(name, _)| name.ends_with(".json")));
    }
}
