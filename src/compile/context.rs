//! What compiling one lifecycle file needs at hand: the file (for locations), its versions,
//! and the diagnostics found so far (deduplicated, since every version is compiled in turn).

use std::collections::HashSet;

use super::version::{Range, VersionKey};
use crate::config::model::Versioned;
use crate::config::LoadedFile;
use crate::diagnostic::{suggestion, Diagnostic};

/// Compilation state for one file.
pub struct Context<'a> {
    /// The file being compiled.
    pub file: &'a LoadedFile,
    /// Version names, oldest first.
    pub version_names: Vec<String>,
    /// Parsed version names.
    pub version_keys: Vec<VersionKey>,
    diagnostics: Vec<Diagnostic>,
    seen: HashSet<(usize, String)>,
}

impl<'a> Context<'a> {
    /// A context for `file` whose versions are already validated.
    pub fn new(
        file: &'a LoadedFile,
        version_names: Vec<String>,
        version_keys: Vec<VersionKey>,
    ) -> Self {
        Context {
            file,
            version_names,
            version_keys,
            diagnostics: Vec::new(),
            seen: HashSet::new(),
        }
    }

    /// Records `diagnostic` unless the same one is already recorded.
    pub fn push(&mut self, diagnostic: Diagnostic) {
        if self
            .seen
            .insert((diagnostic.location.offset, diagnostic.message.clone()))
        {
            self.diagnostics.push(diagnostic);
        }
    }

    /// An error at the value at config `path`.
    pub fn error(&mut self, path: &str, message: impl Into<String>, help: Option<String>) {
        let location = self.file.locate(path);
        let mut diagnostic = Diagnostic::error(&self.file.source, location, message);
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// A warning at the value at config `path`.
    pub fn warning(&mut self, path: &str, message: impl Into<String>, help: Option<String>) {
        let location = self.file.locate(path);
        let mut diagnostic = Diagnostic::error(&self.file.source, location, message).warning();
        diagnostic.help = help;
        self.push(diagnostic);
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
        let mut location = self.file.locate(path);
        let shift = offset + usize::from(location.quoted);
        location.offset += shift;
        location.column += shift;
        let mut diagnostic =
            Diagnostic::error(&self.file.source, location, message).with_length(length);
        diagnostic.help = help;
        self.push(diagnostic);
    }

    /// ` in version V` for messages about version `name`, when the file has several.
    pub fn version_label(&self, name: &str) -> String {
        if self.version_names.len() > 1 {
            format!(" in version {name}")
        } else {
            String::new()
        }
    }

    /// The diagnostics found.
    pub fn into_diagnostics(self) -> Vec<Diagnostic> {
        self.diagnostics
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
