//! What compiling one lifecycle file needs at hand: the file (for locations), the files it
//! imports, its versions, and the diagnostics found so far (deduplicated, since every version
//! is compiled in turn).
//!
//! A config path names a value of the file (`events.opened.payload`) or, prefixed with
//! `@N:`, of its `N`th imported file (`@0:property_sets.line`), so that a diagnostic about a
//! shared declaration points into the file that declares it.

use std::collections::HashSet;
use std::sync::Arc;

use super::version::{Range, VersionKey};
use crate::config::model::{EnumValue, PayloadDecl, Versioned};
use crate::config::source_map::Location;
use crate::config::LoadedFile;
use crate::diagnostic::{suggestion, Diagnostic};

mod unknown_names;

pub use unknown_names::NameKind;
use unknown_names::UnknownName;

/// Compilation state for one file.
pub struct Context<'a> {
    /// The file being compiled.
    pub file: &'a LoadedFile,
    /// The files it imports, directly or not, in the order their declarations are searched.
    pub imports: Vec<&'a LoadedFile>,
    /// Whether every file it imports was found: a property set or enum it does not know may
    /// be in one that was not (an error said already).
    imports_whole: bool,
    /// Version names, oldest first.
    pub version_names: Vec<String>,
    /// Parsed version names.
    pub version_keys: Vec<VersionKey>,
    diagnostics: Vec<Diagnostic>,
    seen: HashSet<(String, usize, String)>,
    /// Errors raised so far, each time it was raised (those the deduplication dropped too).
    errors_raised: usize,
    /// Lint findings with the versions (by index) each holds in, in the order first found.
    findings: Vec<(Finding, Vec<usize>)>,
    /// Names used but not declared, in the order first found.
    unknown_names: Vec<UnknownName>,
}

/// What lint found in one version: reported once for every version it holds in.
#[derive(Debug, PartialEq)]
pub struct Finding {
    /// An error rather than a warning.
    pub error: bool,
    /// The config path it is about.
    pub path: String,
    /// The message before and after the place where it names the versions it holds in.
    pub message: (String, String),
    /// What to do about it.
    pub help: Option<String>,
}

impl<'a> Context<'a> {
    /// A context for `file` whose versions are already validated.
    pub fn new(
        file: &'a LoadedFile,
        (imports, imports_whole): (Vec<&'a LoadedFile>, bool),
        version_names: Vec<String>,
        version_keys: Vec<VersionKey>,
    ) -> Self {
        Context {
            file,
            imports,
            imports_whole,
            version_names,
            version_keys,
            diagnostics: Vec::new(),
            seen: HashSet::new(),
            errors_raised: 0,
            findings: Vec::new(),
            unknown_names: Vec::new(),
        }
    }

    /// Records `diagnostic` unless the same one is already recorded.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.errors_raised += usize::from(diagnostic.is_error());
        let file = diagnostic
            .source
            .as_ref()
            .map_or(String::new(), |source| source.name.clone());
        let key = (file, diagnostic.location.offset, diagnostic.message.clone());
        if self.seen.insert(key) {
            self.diagnostics.push(diagnostic);
        }
    }

    /// The file and place of the value at config `path`.
    fn place(&self, path: &str) -> (&'a LoadedFile, Location) {
        let (file, path) = self.file_of(path);
        (file, file.locate(path))
    }

    /// The file config `path` is in (`@N:` names an import) and the path within it.
    fn file_of<'p>(&self, path: &'p str) -> (&'a LoadedFile, &'p str) {
        let imported = path.strip_prefix('@').and_then(|rest| {
            let (index, rest) = rest.split_once(':')?;
            let file = self.imports.get(index.parse::<usize>().ok()?)?;
            Some((*file, rest))
        });
        imported.unwrap_or((self.file, path))
    }

    /// An error at the value at config `path`.
    pub fn error(&mut self, path: &str, message: impl Into<String>, help: Option<String>) {
        let (file, location) = self.place(path);
        let mut diagnostic = Diagnostic::error(&file.source, location, message);
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// A warning at the value at config `path`.
    pub fn warning(&mut self, path: &str, message: impl Into<String>, help: Option<String>) {
        let (file, location) = self.place(path);
        let mut diagnostic = Diagnostic::error(&file.source, location, message).warning();
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// A warning at the key of the value at config `path`.
    pub fn key_warning(&mut self, path: &str, message: impl Into<String>, help: Option<String>) {
        let (file, path) = self.file_of(path);
        let location = file.map.locate_key(path);
        let mut diagnostic = Diagnostic::error(&file.source, location, message).warning();
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// The property set `name`, from the file or its imports, with its config path.
    pub fn property_set(&self, name: &str) -> Option<(&'a PayloadDecl, String)> {
        self.shared(
            name,
            |file| file.model.property_sets.get(name),
            "property_sets",
        )
    }

    /// The shared list of values `name`, from the file or its imports, with its config path.
    pub fn enum_list(&self, name: &str) -> Option<(&'a [EnumValue], String)> {
        let found = |file: &'a LoadedFile| file.model.enums.get(name).map(Vec::as_slice);
        self.shared(name, found, "enums")
    }

    /// Every name `names` gives of the file and its imports, for suggestions.
    pub fn shared_names<I: Iterator<Item = &'a String>>(
        &self,
        names: impl Fn(&'a LoadedFile) -> I,
    ) -> Vec<&'a str> {
        std::iter::once(self.file)
            .chain(self.imports.iter().copied())
            .flat_map(names)
            .map(String::as_str)
            .collect()
    }

    fn shared<T: ?Sized>(
        &self,
        name: &str,
        find: impl Fn(&'a LoadedFile) -> Option<&'a T>,
        key: &str,
    ) -> Option<(&'a T, String)> {
        if let Some(found) = find(self.file) {
            return Some((found, format!("{key}.{name}")));
        }
        self.imports
            .iter()
            .enumerate()
            .find_map(|(i, file)| Some((find(file)?, format!("@{i}:{key}.{name}"))))
    }

    /// An error inside the expression string at `path`, `offset` bytes into it.
    pub fn expression_error(
        &mut self,
        path: &str,
        offset: usize,
        length: usize,
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let diagnostic = self.in_expression(path, (offset, length), message);
        let mut diagnostic = diagnostic;
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// A warning at `offset` (for `length` bytes) into the expression at config `path`.
    pub fn expression_warning(
        &mut self,
        path: &str,
        span: (usize, usize),
        message: impl Into<String>,
        help: Option<String>,
    ) {
        let diagnostic = self.in_expression(path, span, message).warning();
        let mut diagnostic = diagnostic;
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// A diagnostic at `offset` (for `length` bytes) into the expression at config `path`.
    fn in_expression(
        &self,
        path: &str,
        (offset, length): (usize, usize),
        message: impl Into<String>,
    ) -> Diagnostic {
        let (file, mut location) = self.place(path);
        let shift = offset + usize::from(location.quoted);
        location.offset += shift;
        location.column += shift;
        Diagnostic::error(&file.source, location, message).with_length(length)
    }

    /// How many errors were raised so far, counting each time one was raised: compiling a
    /// version raised errors of its own when this grew, even those an earlier version had
    /// raised already (shown once).
    pub fn errors_raised(&self) -> usize {
        self.errors_raised
    }

    /// Records that `finding` holds in version `index`.
    pub fn finding(&mut self, index: usize, finding: Finding) {
        match self
            .findings
            .iter_mut()
            .find(|(known, _)| *known == finding)
        {
            Some((_, versions)) => versions.push(index),
            None => self.findings.push((finding, vec![index])),
        }
    }

    /// Reports each finding once, naming the versions it holds in unless it holds in all.
    pub fn report_findings(&mut self) {
        for (finding, versions) in std::mem::take(&mut self.findings) {
            let label = self.versions_label(&versions);
            let (before, after) = &finding.message;
            let message = format!("{before}{label}{after}");
            match finding.error {
                true => self.error(&finding.path, message, finding.help),
                false => self.warning(&finding.path, message, finding.help),
            }
        }
    }

    /// ` in version V` or ` in versions V and W` for messages about some of the file's
    /// versions; nothing when they are all of them.
    fn versions_label(&self, versions: &[usize]) -> String {
        if versions.len() >= self.version_names.len() {
            return String::new();
        }
        let names: Vec<&str> = (versions.iter())
            .filter_map(|&index| self.version_names.get(index).map(String::as_str))
            .collect();
        match names.split_last() {
            Some((last, [])) => format!(" in version {last}"),
            Some((last, others)) => format!(" in versions {} and {last}", others.join(", ")),
            None => String::new(),
        }
    }

    /// The diagnostics found, in the order of the places they are about: the file's own
    /// first, then those in imported files (each in the order found).
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        let mut diagnostics = self.diagnostics;
        let own = &self.file.source;
        diagnostics.sort_by_key(|diagnostic| {
            let elsewhere =
                !(diagnostic.source.as_ref()).is_some_and(|source| Arc::ptr_eq(source, own));
            (
                elsewhere,
                (!elsewhere).then_some(diagnostic.location.offset),
            )
        });
        diagnostics
    }

    fn version_index(&mut self, name: &str, path: &str) -> Option<usize> {
        let found = self.version_names.iter().position(|v| v == name);
        if found.is_none() {
            let help = suggestion(name, self.version_names.iter().map(String::as_str));
            self.error(path, format!("unknown version `{name}`"), help);
        }
        found
    }

    /// The range of versions of an item at `path`; unknown version names are reported.
    pub fn range(&mut self, versioned: Versioned<'_>, path: &str) -> Range {
        let since = match versioned.since {
            Some(name) => self
                .version_index(name, &format!("{path}.since"))
                .unwrap_or(0),
            None => 0,
        };
        let until = match versioned.until {
            Some(name) => self
                .version_index(name, &format!("{path}.until"))
                .unwrap_or(self.version_names.len()),
            None => self.version_names.len(),
        };
        if until <= since {
            self.error(
                path,
                "the item's `until` version is not after its `since` version, so no version has it",
                None,
            );
        }
        Range { since, until }
    }

    /// Whether the item at `path` is in version `version` (unknown names are reported).
    pub fn active(&mut self, versioned: Versioned<'_>, path: &str, version: usize) -> bool {
        self.range(versioned, path).contains(version)
    }

    /// Whether the item is in version `version`, without reporting (unknown names count as
    /// "all versions"; `active` reports them).
    pub fn in_version(&self, versioned: Versioned<'_>, version: usize) -> bool {
        let index = |name: Option<&str>, default: usize| {
            name.and_then(|name| self.version_names.iter().position(|v| v == name))
                .unwrap_or(default)
        };
        let since = index(versioned.since, 0);
        let until = index(versioned.until, self.version_names.len());
        since <= version && version < until
    }
}
