//! Names used but declared nowhere: gathered while a file compiles, then said once each, at
//! the use the file has first. A name used at several places may be right where its
//! declaration is misspelt, so the help then points at the nearest declaration too.

use super::Context;
use crate::diagnostic::{did_you_mean, suggestion};
use crate::expr::types::payload_event;

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
    /// A property of a payload, or of an element of one.
    Property,
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
            NameKind::Property => "property",
        }
    }
}

/// A name used at some places that nothing of its kind declares.
pub(super) struct UnknownName {
    kind: NameKind,
    name: String,
    /// Where it was looked for, as messages say after the name (` (payload of `paid`)`):
    /// several payloads when the name is unknown in each (a misspelling in a property set
    /// they share is one mistake).
    within: Vec<String>,
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
    /// Only compared with (`state == 'x'`, `event == 'x'`): the comparison never holds, a
    /// warning.
    compared: bool,
    /// What this use says when it is the only one, if not `unknown KIND `NAME``.
    said: Option<String>,
}

impl NameUse {
    /// A use at `span` of the expression at config `path` (or, without a span, the value
    /// there).
    fn at(path: &str, span: Option<(usize, usize)>) -> NameUse {
        NameUse {
            path: path.to_owned(),
            span,
            compared: false,
            said: None,
        }
    }
}

impl Context<'_> {
    /// Records that `name`, used at config `path`, is no declared name of its kind
    /// (`declared`): an error, reported by [`Context::report_unknown_names`] (not at all for a
    /// property set or enum while an import is missing: it may be declared there).
    pub fn unknown_name<'n>(
        &mut self,
        kind: NameKind,
        name: &str,
        path: &str,
        declared: impl Iterator<Item = &'n str> + Clone,
    ) {
        self.unknown_name_said(kind, name, path, declared, None);
    }

    /// [`Context::unknown_name`], with what the use says when it is the only one.
    pub fn unknown_name_said<'n>(
        &mut self,
        kind: NameKind,
        name: &str,
        path: &str,
        declared: impl Iterator<Item = &'n str> + Clone,
        said: Option<String>,
    ) {
        let used = NameUse {
            said,
            ..NameUse::at(path, None)
        };
        self.record_unknown((kind, name, ""), used, || near_and_help(name, declared));
    }

    /// [`Context::unknown_name`] for a name used at `span` of the expression at `path`,
    /// looked for `within` something (said after the name, as ` (payload of `paid`)`).
    pub fn unknown_name_in_expression<'n>(
        &mut self,
        (kind, name, within): (NameKind, &str, &str),
        (path, span): (&str, (usize, usize)),
        declared: impl Iterator<Item = &'n str> + Clone,
    ) {
        let used = NameUse::at(path, Some(span));
        self.record_unknown((kind, name, within), used, || near_and_help(name, declared));
    }

    /// [`Context::unknown_name_in_expression`] with the help already worked out, where the
    /// declared names are not at hand.
    pub fn unknown_name_helped(
        &mut self,
        (kind, name, within): (NameKind, &str, &str),
        (path, span): (&str, (usize, usize)),
        help: Option<String>,
    ) {
        let used = NameUse::at(path, Some(span));
        self.record_unknown((kind, name, within), used, || (None, help));
    }

    /// [`Context::unknown_name_in_expression`] for a text the expression compares with the
    /// state or the event: a warning (the comparison never holds) unless the name is also
    /// used elsewhere.
    pub fn unknown_name_compared<'n>(
        &mut self,
        (kind, name): (NameKind, &str),
        (path, span): (&str, (usize, usize)),
        declared: impl Iterator<Item = &'n str> + Clone,
    ) {
        let used = NameUse {
            compared: true,
            ..NameUse::at(path, Some(span))
        };
        let told = || near_and_help(name, declared);
        self.record_unknown((kind, name, ""), used, told);
    }

    /// Records a use of an unknown name; `told` gives the nearest declared name and the help
    /// for its first use.
    fn record_unknown(
        &mut self,
        (kind, name, within): (NameKind, &str, &str),
        used: NameUse,
        told: impl FnOnce() -> (Option<String>, Option<String>),
    ) {
        self.errors_raised += usize::from(!used.compared);
        let shared = matches!(kind, NameKind::PropertySet | NameKind::Enum);
        if shared && !self.imports_whole {
            return;
        }
        let known = (self.unknown_names.iter_mut()).find(|unknown| {
            let same_place = unknown.within.iter().any(|place| place == within)
                || (payload_event(within).is_some()
                    && unknown
                        .within
                        .iter()
                        .all(|place| payload_event(place).is_some()));
            unknown.kind == kind && unknown.name == name && same_place
        });
        match known {
            Some(unknown) if unknown.uses.contains(&used) => {}
            Some(unknown) => {
                if !unknown.within.iter().any(|place| place == within) {
                    unknown.within.push(within.to_owned());
                }
                unknown.uses.push(used);
            }
            None => {
                let (near, help) = told();
                self.unknown_names.push(UnknownName {
                    kind,
                    name: name.to_owned(),
                    within: vec![within.to_owned()],
                    uses: vec![used],
                    near,
                    help,
                });
            }
        }
    }

    /// Reports each unknown name once, at its first use in the file: a warning when every use
    /// only compares the state or the event with it, else an error counting the uses.
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
            let within = places(&unknown.within);
            let unknown_here = format!("unknown {kind} `{name}`{within}");
            if unknown.uses.iter().all(|used| used.compared) {
                let message = match uses {
                    1 => format!("{unknown_here}: this comparison never holds"),
                    _ => format!(
                        "{unknown_here}: the {uses} comparisons with it never hold (the first \
                         here)"
                    ),
                };
                let (start, end) = first.span.unwrap_or_default();
                let span = (start, end.saturating_sub(start));
                self.expression_warning(&first.path, span, message, unknown.help);
                continue;
            }
            let (message, help) = match uses {
                1 => (
                    first.said.clone().unwrap_or(unknown_here),
                    unknown.help.clone(),
                ),
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
                    let message = format!("{unknown_here}, used {uses} times (the first here)");
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
        let declared = |known: bool, section: &str| known.then(|| format!("{section}.{name}"));
        let path = match kind {
            NameKind::Event => declared(model.events.contains_key(name), "events")?,
            NameKind::State => declared(model.states.contains_key(name), "states")?,
            NameKind::MetadataField => declared(model.metadata.contains_key(name), "metadata")?,
            NameKind::PropertySet => self.property_set(name)?.1,
            NameKind::Enum => self.enum_list(name)?.1,
            NameKind::Property => return None,
        };
        let (file, location) = self.place(&path);
        Some(match std::ptr::eq(file, self.file) {
            true => format!("line {}", location.line),
            false => format!("{} line {}", file.source.name, location.line),
        })
    }
}

/// The places an unknown name was looked for, as the message says them after the name: one
/// as it is, several payloads together (` (payloads of `a`, `b` and `c`)`).
fn places(within: &[String]) -> String {
    let events: Option<Vec<&str>> = within.iter().map(|place| payload_event(place)).collect();
    match events.as_deref() {
        Some([others @ .., last]) if !others.is_empty() => {
            let others: Vec<String> = others.iter().map(|event| format!("`{event}`")).collect();
            format!(" (payloads of {} and `{last}`)", others.join(", "))
        }
        _ => within.concat(),
    }
}

/// The declared name nearest to `name`, if one is near, and the help for it.
fn near_and_help<'n>(
    name: &str,
    declared: impl Iterator<Item = &'n str> + Clone,
) -> (Option<String>, Option<String>) {
    let near = did_you_mean(name, declared.clone()).map(str::to_owned);
    (near, suggestion(name, declared))
}
