//! Located diagnostics: what every config error and warning becomes.
//!
//! A [`Diagnostic`] names its file, line and column, says what is wrong and, where there is a
//! likely fix, offers it as `help` ("did you mean `submitted`?"). At the edge, `cli` renders
//! them with `miette`, source snippet included.

use std::fmt;
use std::sync::Arc;

use crate::config::source_map::Location;

/// A config file's name and text, shared by every diagnostic about it.
#[derive(Debug)]
pub struct SourceText {
    /// The file name as shown to users.
    pub name: String,
    /// The whole text.
    pub text: String,
}

/// How serious a diagnostic is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// Worth fixing; the catalog still works.
    Warning,
    /// The catalog cannot be used.
    Error,
}

/// One problem in the config, at its place.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// The file, when the problem is in one.
    pub source: Option<Arc<SourceText>>,
    /// Where in the file.
    pub location: Location,
    /// Length of the offending text, in bytes (0 when unknown).
    pub length: usize,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl Diagnostic {
    /// An error at `location` in `source`.
    pub fn error(source: &Arc<SourceText>, location: Location, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            source: Some(Arc::clone(source)),
            location,
            length: 0,
            message: message.into(),
            help: None,
        }
    }

    /// An error that belongs to no file (an unreadable directory, say).
    pub fn general(message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            source: None,
            location: Location::default(),
            length: 0,
            message: message.into(),
            help: None,
        }
    }

    /// The same diagnostic as a warning.
    pub fn warning(mut self) -> Self {
        self.severity = Severity::Warning;
        self
    }

    /// Adds a suggested fix.
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Sets the length of the offending text.
    pub fn with_length(mut self, length: usize) -> Self {
        self.length = length;
        self
    }

    /// Whether this diagnostic makes the catalog unusable.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `file:line:column` (`file` alone when the problem has no place in it), or an empty
    /// string.
    pub fn place(&self) -> String {
        match &self.source {
            Some(source) if self.location.line == 0 => source.name.clone(),
            Some(source) => format!(
                "{}:{}:{}",
                source.name, self.location.line, self.location.column
            ),
            None => String::new(),
        }
    }
}

impl fmt::Display for Diagnostic {
    /// One line: `file:line:col: error: message (help: ...)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let level = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        let place = self.place();
        if !place.is_empty() {
            write!(f, "{place}: ")?;
        }
        write!(f, "{level}: {}", self.message)?;
        if let Some(help) = &self.help {
            write!(f, " (help: {help})")?;
        }
        Ok(())
    }
}

impl std::error::Error for Diagnostic {}

impl miette::Diagnostic for Diagnostic {
    fn severity(&self) -> Option<miette::Severity> {
        Some(match self.severity {
            Severity::Error => miette::Severity::Error,
            Severity::Warning => miette::Severity::Warning,
        })
    }

    fn help<'a>(&'a self) -> Option<Box<dyn fmt::Display + 'a>> {
        self.help
            .as_ref()
            .map(|help| Box::new(help) as Box<dyn fmt::Display>)
    }

    fn source_code(&self) -> Option<&dyn miette::SourceCode> {
        self.source
            .as_ref()
            .map(|source| &source.text as &dyn miette::SourceCode)
    }

    fn labels(&self) -> Option<Box<dyn Iterator<Item = miette::LabeledSpan> + '_>> {
        self.source.as_ref()?;
        let span =
            miette::LabeledSpan::new(Some(self.place()), self.location.offset, self.length.max(1));
        Some(Box::new(std::iter::once(span)))
    }
}

/// The closest of `candidates` to `name`, when close enough to be a likely misspelling.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    closest(name, candidates, 3)
}

/// The closest of `candidates` to `name`: equal but for case, or at most one edit per
/// `letters_per_edit` letters of the longer name apart (at least one edit; an edit inserts,
/// deletes or replaces a letter or swaps two neighbours: the optimal string alignment
/// distance, which needs no table of letters as Damerau-Levenshtein does). A candidate whose
/// length or letters alone put it too far is not compared, so that even a stream full of
/// unknown names pays little for it.
pub fn closest<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    letters_per_edit: usize,
) -> Option<&'a str> {
    let allowed = |other: &str| (name.len().max(other.len()) / letters_per_edit).max(1);
    (candidates.into_iter())
        .filter(|other| {
            other.eq_ignore_ascii_case(name)
                || name.len().abs_diff(other.len()) <= allowed(other)
                    && bag_distance(name, other) <= allowed(other)
        })
        .map(|other| (strsim::osa_distance(name, other), other))
        .filter(|(apart, other)| *apart <= allowed(other) || other.eq_ignore_ascii_case(name))
        .min_by_key(|(apart, _)| *apart)
        .map(|(_, other)| other)
}

/// A lower bound of the edit distance of two ASCII texts, in one pass each: how many bytes
/// one has that the other lacks, the larger count (0, no bound, for other texts).
fn bag_distance(a: &str, b: &str) -> usize {
    if !a.is_ascii() || !b.is_ascii() {
        return 0;
    }
    let mut counts = [0i32; 128];
    for byte in a.bytes() {
        counts[usize::from(byte)] += 1;
    }
    for byte in b.bytes() {
        counts[usize::from(byte)] -= 1;
    }
    let (more, fewer) = counts.iter().fold((0, 0), |(more, fewer), &n| {
        (more + n.max(0), fewer + (-n).max(0))
    });
    usize::try_from(more.max(fewer)).unwrap_or(usize::MAX)
}

/// "did you mean `x`?" for [`did_you_mean`], or a list of what is allowed.
pub fn suggestion<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
) -> Option<String> {
    if let Some(best) = did_you_mean(name, candidates.clone()) {
        return Some(format!("did you mean `{best}`?"));
    }
    let all: Vec<String> = candidates
        .into_iter()
        .map(|candidate| format!("`{candidate}`"))
        .collect();
    (!all.is_empty() && all.len() <= 12).then(|| format!("expected one of {}", all.join(", ")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bag_distance_bounds_the_edit_distance_from_below() {
        assert_eq!(bag_distance("abcd_x", "abcd"), 2);
        assert_eq!(bag_distance("abc", "cba"), 0);
        assert_eq!(bag_distance("abc", "abd"), 1);
        assert_eq!(bag_distance("é", "e"), 0, "no bound outside ASCII");
        for (a, b) in [("kitten", "sitting"), ("flaw", "lawn"), ("abcd_x", "abcd")] {
            assert!(
                bag_distance(a, b) <= strsim::damerau_levenshtein(a, b),
                "{a} {b}"
            );
        }
    }

    #[test]
    fn suggests_close_names_only() {
        let names = ["submitted", "started", "closed"];
        assert_eq!(did_you_mean("submited", names), Some("submitted"));
        assert_eq!(did_you_mean("closd", names), Some("closed"));
        assert_eq!(did_you_mean("xyz", names), None);
        assert_eq!(
            suggestion("xyz", names).as_deref(),
            Some("expected one of `submitted`, `started`, `closed`")
        );
    }
}
