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
use crate::diagnostic::{did_you_mean, suggestion, Diagnostic};

/// Compilation state for one file.
pub struct Context<'a> {
    /// The file being compiled.
    pub file: &'a LoadedFile,
    /// The files it imports, directly or not, in the order their declarations are searched.
    pub imports: Vec<&'a LoadedFile>,
    /// Version names, oldest first.
    pub version_names: Vec<String>,
    /// Parsed version names.
    pub version_keys: Vec<VersionKey>,
    /// Whether a name was not found (a likely misspelling): what follows from the machine
    /// without it (unreachable states, unused events) would only repeat that error.
    pub unresolved_names: bool,
    diagnostics: Vec<Diagnostic>,
    seen: HashSet<(String, usize, String)>,
    /// Errors raised so far, each time it was raised (those the deduplication dropped too).
    errors_raised: usize,
    /// Lint findings with the versions (by index) each holds in, in the order first found.
    findings: Vec<(Finding, Vec<usize>)>,
    /// Names used but not declared, in the order first found.
    unknown_names: Vec<UnknownName>,
}

/// The kinds of declared names a file uses by name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NameKind {
    /// An event (`events`).
    Event,
    /// A state (`states`).
    State,
    /// A metadata field (`metadata`).
    MetadataField,
    /// A property set (`property_sets`, here or in an imported file).
    PropertySet,
    /// A list of values (`enums`, here or in an imported file).
    Enum,
}

impl NameKind {
    /// What messages call it.
    pub fn word(self) -> &'static str {
        match self {
            NameKind::Event => "event",
            NameKind::State => "state",
            NameKind::MetadataField => "metadata field",
            NameKind::PropertySet => "property set",
            NameKind::Enum => "enum",
        }
    }
}

/// A name used at some places that nothing of its kind declares.
struct UnknownName {
    kind: NameKind,
    name: String,
    /// Where it is used, in the order found.
    uses: Vec<NameUse>,
    /// The declared name nearest to it, if one is near.
    near: Option<String>,
    /// What the first use was told.
    help: Option<String>,
}

/// One place a name is used: the config value at `path`, or a span of the expression there.
#[derive(PartialEq)]
struct NameUse {
    path: String,
    span: Option<(usize, usize)>,
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
        imports: Vec<&'a LoadedFile>,
        version_names: Vec<String>,
        version_keys: Vec<VersionKey>,
    ) -> Self {
        Context {
            file,
            imports,
            version_names,
            version_keys,
            unresolved_names: false,
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
        let imported = path.strip_prefix('@').and_then(|rest| {
            let (index, rest) = rest.split_once(':')?;
            let file = self.imports.get(index.parse::<usize>().ok()?)?;
            Some((*file, rest))
        });
        let (file, path) = imported.unwrap_or((self.file, path));
        (file, file.locate(path))
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

    /// Records that `name`, used at config `path`, is no declared name of its kind
    /// (`declared`): an error, reported by [`Context::report_unknown_names`].
    pub fn unknown_name<'n>(
        &mut self,
        kind: NameKind,
        name: &str,
        path: &str,
        declared: impl Iterator<Item = &'n str> + Clone,
    ) {
        let used = NameUse {
            path: path.to_owned(),
            span: None,
        };
        self.record_unknown(kind, name, used, declared);
    }

    /// [`Context::unknown_name`] for a name used at `span` of the expression at `path`.
    pub fn unknown_name_in_expression<'n>(
        &mut self,
        (kind, name): (NameKind, &str),
        path: &str,
        span: (usize, usize),
        declared: impl Iterator<Item = &'n str> + Clone,
    ) {
        let used = NameUse {
            path: path.to_owned(),
            span: Some(span),
        };
        self.record_unknown(kind, name, used, declared);
    }

    fn record_unknown<'n>(
        &mut self,
        kind: NameKind,
        name: &str,
        used: NameUse,
        declared: impl Iterator<Item = &'n str> + Clone,
    ) {
        self.errors_raised += 1;
        let known = (self.unknown_names.iter_mut())
            .find(|unknown| unknown.kind == kind && unknown.name == name);
        match known {
            Some(unknown) if unknown.uses.contains(&used) => {}
            Some(unknown) => unknown.uses.push(used),
            None => self.unknown_names.push(UnknownName {
                kind,
                name: name.to_owned(),
                uses: vec![used],
                near: did_you_mean(name, declared.clone()).map(str::to_owned),
                help: suggestion(name, declared),
            }),
        }
    }

    /// Reports each unknown name once, at its first use in the file. A name used at several
    /// places may be right where the declaration is misspelt: the help then points at the
    /// declaration of the nearest name too.
    pub fn report_unknown_names(&mut self) {
        for unknown in std::mem::take(&mut self.unknown_names) {
            let first = (unknown.uses.iter()).min_by_key(|used| {
                let (file, location) = self.place(&used.path);
                let inside = used.span.map_or(0, |(start, _)| start);
                (!std::ptr::eq(file, self.file), location.offset + inside)
            });
            let Some(first) = first else {
                continue;
            };
            let (kind, name, uses) = (unknown.kind.word(), &unknown.name, unknown.uses.len());
            let (message, help) = match uses {
                1 => (format!("unknown {kind} `{name}`"), unknown.help.clone()),
                _ => {
                    let declared = (unknown.near.as_deref())
                        .and_then(|near| Some((near, self.declaration(unknown.kind, near)?)));
                    let help = match declared {
                        Some((near, at)) => Some(format!(
                            "did you mean `{near}`? If `{near}` ({at}) is the misspelling, rename \
                             it there"
                        )),
                        None => unknown.help.clone(),
                    };
                    let message =
                        format!("unknown {kind} `{name}`, used {uses} times (the first here)");
                    (message, help)
                }
            };
            match first.span {
                Some((start, end)) => {
                    let length = end.saturating_sub(start);
                    self.expression_error(&first.path, start, length, message, help);
                }
                None => self.error(&first.path, message, help),
            }
        }
    }

    /// Where the declaration of `name` is, in words (`line 26`, `common.yaml line 3`).
    fn declaration(&self, kind: NameKind, name: &str) -> Option<String> {
        let model = &self.file.model;
        let path = match kind {
            NameKind::Event => model
                .events
                .contains_key(name)
                .then(|| format!("events.{name}"))?,
            NameKind::State => model
                .states
                .contains_key(name)
                .then(|| format!("states.{name}"))?,
            NameKind::MetadataField => {
                (model.metadata.contains_key(name)).then(|| format!("metadata.{name}"))?
            }
            NameKind::PropertySet => self.property_set(name)?.1,
            NameKind::Enum => self.enum_list(name)?.1,
        };
        let (file, location) = self.place(&path);
        Some(match std::ptr::eq(file, self.file) {
            true => format!("line {}", location.line),
            false => format!("{} line {}", file.source.name, location.line),
        })
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
