//! The `.plot` lifecycle language (`grammar/lifecycle.pest`): read into the same YAML value,
//! and so the same model, as a YAML lifecycle file; and written from one (`plotline convert`,
//! `plotline fmt`). A declaration's other keys are a YAML flow mapping after `with`, so
//! everything a YAML file can say, a `.plot` file can say, and nothing more.

use std::cell::RefCell;
use std::collections::HashMap;
use std::fmt::Write as _;

use indexmap::IndexMap;
use pest::iterators::Pair;
use pest::Parser;
use serde_yaml::{Mapping, Value};

use super::source_map::{Location, SourceMap};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
#[grammar = "../grammar/lifecycle.pest"]
struct PlotParser;

/// Deepest nesting of `{`, `[` and `(` a `.plot` file may have: the parser descends once per
/// level, so hostile input must not choose the depth of its stack.
pub const MAX_NESTING: usize = 64;

/// Where brackets first nest deeper than [`MAX_NESTING`] (outside strings and comments).
fn too_deep(text: &str) -> Option<Location> {
    let (mut depth, mut line, mut column) = (0usize, 1usize, 0usize);
    let mut quote: Option<char> = None;
    let (mut escaped, mut comment) = (false, false);
    for (offset, c) in text.char_indices() {
        column += 1;
        if c == '\n' {
            (line, column, comment) = (line + 1, 0, false);
            continue;
        }
        if comment {
            continue;
        }
        match quote {
            Some(_) if escaped => escaped = false,
            Some('"') if c == '\\' => escaped = true,
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '"' | '\'' => quote = Some(c),
                '#' => comment = true,
                '{' | '[' | '(' => {
                    depth += 1;
                    if depth > MAX_NESTING {
                        return Some(Location {
                            line,
                            column,
                            offset,
                            quoted: false,
                        });
                    }
                }
                '}' | ']' | ')' => depth = depth.saturating_sub(1),
                _ => {}
            },
        }
    }
    None
}

/// A syntax error in a `.plot` file.
#[derive(Debug, Clone, PartialEq)]
pub struct PlotError {
    /// What is wrong, in words.
    pub message: String,
    /// Where.
    pub location: Location,
    /// What to do about it, when that is known.
    pub help: Option<String>,
}

/// The top-level keys, in the order a `.plot` file is written (and `fmt` writes it).
const SECTIONS: [&str; 18] = [
    "name",
    "title",
    "description",
    "imports",
    "sources",
    "versions",
    "initial",
    "property_sets",
    "enums",
    "events",
    "states",
    "transitions",
    "metadata",
    "rules",
    "deadlines",
    "examples",
    "scenarios",
    "formats",
];

/// The keywords a declaration starts with.
pub const DECLARATION_KEYWORDS: [&str; 17] = [
    "lifecycle",
    "title",
    "description",
    "import",
    "source",
    "version",
    "initial",
    "properties",
    "enum",
    "event",
    "state",
    "meta",
    "rule",
    "deadline",
    "example",
    "scenario",
    "format",
];

/// The keywords inside a declaration.
const MODIFIER_KEYWORDS: [&str; 5] = ["final", "may_end", "stay", "when", "with"];

/// Whether a name is spelled as a keyword (and so is written quoted).
fn is_keyword(name: &str) -> bool {
    DECLARATION_KEYWORDS.contains(&name) || MODIFIER_KEYWORDS.contains(&name)
}

/// A `.plot` text read into the YAML value of the equivalent lifecycle file, and the places of
/// its declarations (and of the values inside their flow mappings), by YAML path.
pub fn read(text: &str) -> Result<(Value, SourceMap), PlotError> {
    if let Some(at) = too_deep(text) {
        return Err(PlotError {
            message: format!("brackets nested deeper than {MAX_NESTING} levels"),
            location: at,
            help: None,
        });
    }
    let mut pairs =
        PlotParser::parse(Rule::file, text).map_err(|error| syntax_error(text, &error))?;
    let mut reader = Reader {
        scalars: HashMap::new(),
        maps: HashMap::new(),
        lists: HashMap::new(),
        positions: HashMap::new(),
        keys: HashMap::new(),
    };
    let file = pairs.next().map(Pair::into_inner);
    for pair in file.into_iter().flatten() {
        reader.declaration(pair)?;
    }
    let mut root = Mapping::new();
    for section in SECTIONS {
        let value = (reader.scalars.remove(section))
            .or_else(|| reader.maps.remove(section).map(Value::Mapping))
            .or_else(|| reader.lists.remove(section).map(Value::Sequence));
        if let Some(value) = value {
            root.insert(Value::from(section), value);
        }
    }
    let map = SourceMap::from_positions(reader.positions, reader.keys);
    Ok((Value::Mapping(root), map))
}

/// What a `.plot` file has declared so far, by section.
struct Reader {
    scalars: HashMap<&'static str, Value>,
    maps: HashMap<&'static str, Mapping>,
    lists: HashMap<&'static str, Vec<Value>>,
    positions: HashMap<String, Location>,
    /// Where the keys inside flow mappings are.
    keys: HashMap<String, Location>,
}

impl Reader {
    fn at(&self, pair: &Pair<Rule>) -> Location {
        let (line, column) = pair.line_col();
        Location {
            line,
            column,
            offset: pair.as_span().start(),
            quoted: false,
        }
    }

    fn error(&self, pair: &Pair<Rule>, message: String) -> PlotError {
        PlotError {
            message,
            location: self.at(pair),
            help: None,
        }
    }

    /// A flow collection's value; its inner places recorded under `path`.
    fn flow(&mut self, pair: &Pair<Rule>, path: &str) -> Result<Value, PlotError> {
        let text = pair.as_str();
        let value: Value = serde_yaml::from_str(text).map_err(|error| {
            let message = error.to_string();
            let message = message
                .split(" at line ")
                .next()
                .unwrap_or(&message)
                .to_owned();
            self.error(pair, message)
        })?;
        if has_tag(&value) {
            return Err(self.error(
                pair,
                "a YAML tag (`!name`) means nothing in a lifecycle file: write the value alone"
                    .to_owned(),
            ));
        }
        let inner = SourceMap::build(text);
        let start = self.at(pair);
        // A place in the flow's text, as a place in the file's; a path in it, as in the file.
        let shifted = |location: &Location| Location {
            line: start.line + location.line - 1,
            column: if location.line == 1 {
                start.column + location.column - 1
            } else {
                location.column
            },
            offset: start.offset + location.offset,
            quoted: location.quoted,
        };
        let full = |inner_path: &str| match inner_path {
            "" => path.to_owned(),
            p if p.starts_with('[') => format!("{path}{p}"),
            p => format!("{path}.{p}"),
        };
        for (inner_path, place) in inner.places() {
            let path = full(inner_path);
            if let Some(key) = &place.key {
                self.keys.entry(path.clone()).or_insert(shifted(key));
            }
            self.positions.entry(path).or_insert(shifted(&place.value));
        }
        if let Some(duplicate) = inner.duplicates().first() {
            return Err(self.error(
                pair,
                format!("`{}` is written twice in `{}`", duplicate.path, short(text)),
            ));
        }
        Ok(value)
    }

    fn mapping(&mut self, section: &'static str) -> &mut Mapping {
        self.maps.entry(section).or_default()
    }

    fn sequence(&mut self, section: &'static str) -> &mut Vec<Value> {
        self.lists.entry(section).or_default()
    }

    /// Sets `section.key` (a keyed section), or reports it written twice.
    fn keyed(
        &mut self,
        section: &'static str,
        name: &Pair<Rule>,
        key: String,
        value: Value,
    ) -> Result<(), PlotError> {
        let path = format!("{section}.{key}");
        if self.mapping(section).contains_key(key.as_str()) {
            let first = self.positions.get(&path).copied().unwrap_or_default();
            return Err(self.error(
                name,
                format!(
                    "`{key}` is declared twice in {section}: first at line {}, column {}",
                    first.line, first.column
                ),
            ));
        }
        let at = self.at(name);
        self.positions.insert(path, at);
        self.mapping(section).insert(Value::from(key), value);
        Ok(())
    }

    /// Appends to a listed section, recording its place; the index.
    fn listed(&mut self, section: &'static str, at: Location, value: Value) -> usize {
        let list = self.sequence(section);
        list.push(value);
        let index = list.len() - 1;
        self.positions.insert(format!("{section}[{index}]"), at);
        index
    }

    fn scalar(
        &mut self,
        section: &'static str,
        pair: &Pair<Rule>,
        value: Value,
    ) -> Result<(), PlotError> {
        if self.scalars.contains_key(section) {
            return Err(self.error(pair, format!("`{section}` is given twice")));
        }
        let at = self.at(pair);
        self.positions.insert(section.to_owned(), at);
        self.scalars.insert(section, value);
        Ok(())
    }

    /// A `with` flow merged into `mapping` under `path` (its keys must not repeat those the
    /// declaration gave).
    fn with(
        &mut self,
        pair: Option<Pair<Rule>>,
        path: &str,
        mut base: Mapping,
    ) -> Result<Value, PlotError> {
        let Some(pair) = pair else {
            return Ok(Value::Mapping(base));
        };
        let Some(flow) = pair
            .clone()
            .into_inner()
            .find(|p| p.as_rule() == Rule::flow)
        else {
            return Ok(Value::Mapping(base));
        };
        match self.flow(&flow, path)? {
            Value::Mapping(extra) => {
                for (key, value) in extra {
                    if base.contains_key(&key) {
                        let key = key.as_str().unwrap_or("?").to_owned();
                        return Err(self.error(
                            &flow,
                            format!("`{key}` is given twice (before `with` and in it)"),
                        ));
                    }
                    base.insert(key, value);
                }
                Ok(Value::Mapping(base))
            }
            Value::Null => Ok(Value::Mapping(base)),
            _ => Err(self.error(
                &flow,
                "after `with` comes a mapping: `with {key: value}`".to_owned(),
            )),
        }
    }

    fn declaration(&mut self, pair: Pair<Rule>) -> Result<(), PlotError> {
        let rule = pair.as_rule();
        if matches!(rule, Rule::EOI | Rule::COMMENT) {
            return Ok(());
        }
        let whole = pair.clone();
        let parts: Vec<Pair<Rule>> = pair
            .into_inner()
            .filter(|p| !matches!(p.as_rule(), Rule::COMMENT))
            .collect();
        let find = |rule: Rule| parts.iter().find(|p| p.as_rule() == rule).cloned();
        let names: Vec<&Pair<Rule>> = parts.iter().filter(|p| p.as_rule() == Rule::name).collect();
        let first_name = names.first().map(|p| (*p).clone());
        match rule {
            Rule::lifecycle_decl => {
                let name = first_name.ok_or_else(|| self.error(&whole, "a name".into()))?;
                self.scalar("name", &name, Value::from(name_text(&name)))
            }
            Rule::title_decl | Rule::description_decl => {
                let section = if rule == Rule::title_decl {
                    "title"
                } else {
                    "description"
                };
                let text =
                    find(Rule::quoted).ok_or_else(|| self.error(&whole, "a string".into()))?;
                self.scalar(section, &whole, Value::from(unquote(text.as_str())))
            }
            Rule::initial_decl => {
                let name = first_name.ok_or_else(|| self.error(&whole, "a name".into()))?;
                self.scalar("initial", &name, Value::from(name_text(&name)))
            }
            Rule::import_decl => {
                let name = first_name.ok_or_else(|| self.error(&whole, "a file".into()))?;
                let at = self.at(&name);
                self.listed("imports", at, Value::from(name_text(&name)));
                Ok(())
            }
            Rule::source_decl => {
                let at = self.at(&whole);
                let index = self.sequence("sources").len();
                let value = match find(Rule::flow) {
                    Some(flow) => self.flow(&flow, &format!("sources[{index}]"))?,
                    None => Value::from(
                        find(Rule::quoted)
                            .map(|q| unquote(q.as_str()))
                            .unwrap_or_default(),
                    ),
                };
                self.listed("sources", at, value);
                Ok(())
            }
            Rule::version_decl => {
                let name = first_name.ok_or_else(|| self.error(&whole, "a version".into()))?;
                let index = self.sequence("versions").len();
                let mut base = Mapping::new();
                base.insert(Value::from("name"), Value::from(name_text(&name)));
                let value =
                    self.with(find(Rule::with_clause), &format!("versions[{index}]"), base)?;
                let at = self.at(&name);
                self.listed("versions", at, value);
                Ok(())
            }
            Rule::properties_decl | Rule::enum_decl | Rule::example_decl => {
                let section = match rule {
                    Rule::properties_decl => "property_sets",
                    Rule::enum_decl => "enums",
                    _ => "examples",
                };
                let name = first_name.ok_or_else(|| self.error(&whole, "a name".into()))?;
                let key = name_text(&name);
                let path = format!("{section}.{key}");
                let value = match (find(Rule::flow), find(Rule::quoted), find(Rule::scalar)) {
                    (Some(flow), _, _) => self.flow(&flow, &path)?,
                    (None, Some(text), _) => Value::from(unquote(text.as_str())),
                    (None, None, Some(scalar)) => {
                        let value: Value = serde_yaml::from_str(scalar.as_str())
                            .map_err(|error| self.error(&scalar, error.to_string()))?;
                        if has_tag(&value) {
                            return Err(self.error(&scalar, "a YAML tag means nothing here".into()));
                        }
                        value
                    }
                    _ => Value::Null,
                };
                self.keyed(section, &name, key, value)
            }
            Rule::event_decl => {
                let name = first_name.ok_or_else(|| self.error(&whole, "a name".into()))?;
                let key = name_text(&name);
                let value = self.with(
                    find(Rule::with_clause),
                    &format!("events.{key}"),
                    Mapping::new(),
                )?;
                let value = match value {
                    Value::Mapping(m) if m.is_empty() => Value::Null,
                    other => other,
                };
                self.keyed("events", &name, key, value)
            }
            Rule::state_decl => {
                let name = first_name.ok_or_else(|| self.error(&whole, "a name".into()))?;
                let key = name_text(&name);
                let mut base = Mapping::new();
                for flag in parts.iter().filter(|p| p.as_rule() == Rule::flag) {
                    let word = if flag.as_str() == "final" {
                        "final"
                    } else {
                        "may_end"
                    };
                    base.insert(Value::from(word), Value::from(true));
                }
                let value = self.with(find(Rule::with_clause), &format!("states.{key}"), base)?;
                let value = match value {
                    Value::Mapping(m) if m.is_empty() => Value::Null,
                    other => other,
                };
                self.keyed("states", &name, key, value)
            }
            Rule::meta_decl => {
                let (Some(name), Some(ty)) = (names.first(), names.get(1)) else {
                    return Err(self.error(&whole, "`meta NAME: TYPE`".into()));
                };
                let key = name_text(name);
                let mut base = Mapping::new();
                base.insert(Value::from("type"), Value::from(name_text(ty)));
                let value = self.with(find(Rule::with_clause), &format!("metadata.{key}"), base)?;
                let name = (*name).clone();
                self.keyed("metadata", &name, key, value)
            }
            Rule::rule_decl | Rule::deadline_decl | Rule::format_decl => {
                let section = match rule {
                    Rule::rule_decl => "rules",
                    Rule::deadline_decl => "deadlines",
                    _ => "formats",
                };
                let index = self.sequence(section).len();
                let flow =
                    find(Rule::flow).ok_or_else(|| self.error(&whole, "a mapping".into()))?;
                let value = self.flow(&flow, &format!("{section}[{index}]"))?;
                let at = self.at(&whole);
                self.listed(section, at, value);
                Ok(())
            }
            Rule::scenario_decl => {
                let name = first_name.ok_or_else(|| self.error(&whole, "a name".into()))?;
                let index = self.sequence("scenarios").len();
                let path = format!("scenarios[{index}]");
                let mut base = Mapping::new();
                base.insert(Value::from("name"), Value::from(name_text(&name)));
                if let Some(description) = find(Rule::quoted) {
                    base.insert(
                        Value::from("description"),
                        Value::from(unquote(description.as_str())),
                    );
                }
                let mut steps = Vec::new();
                for (i, step) in parts
                    .iter()
                    .filter(|p| p.as_rule() == Rule::step)
                    .enumerate()
                {
                    let inner = step.clone().into_inner().next();
                    let value = match inner {
                        Some(flow) if flow.as_rule() == Rule::flow => {
                            self.flow(&flow, &format!("{path}.events[{i}]"))?
                        }
                        Some(name) => Value::from(name_text(&name)),
                        None => Value::Null,
                    };
                    let at = self.at(step);
                    self.positions.insert(format!("{path}.events[{i}]"), at);
                    steps.push(value);
                }
                base.insert(Value::from("events"), Value::Sequence(steps));
                let value = self.with(find(Rule::with_clause), &path, base)?;
                let at = self.at(&name);
                self.listed("scenarios", at, value);
                Ok(())
            }
            Rule::transition_decl => self.transitions(&whole, &parts),
            _ => Err(self.error(&whole, "unexpected declaration".into())),
        }
    }

    /// `a, b -e-> c -f-> d when GUARD with {...}`: one transition per arrow.
    fn transitions(&mut self, whole: &Pair<Rule>, parts: &[Pair<Rule>]) -> Result<(), PlotError> {
        let mut from: Option<(Value, Location)> = None;
        let mut arrows: Vec<(Value, Location, Option<String>, Location)> = Vec::new();
        let mut pending_events: Option<(Value, Location)> = None;
        let mut guard = None;
        let mut with = None;
        for part in parts {
            match part.as_rule() {
                Rule::names if from.is_none() => {
                    from = Some((names_value(part), self.at(part)));
                }
                Rule::arrow => {
                    let events = part
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::names);
                    let at = events
                        .as_ref()
                        .map_or_else(|| self.at(part), |n| self.at(n));
                    pending_events = Some((events.map_or(Value::Null, |n| names_value(&n)), at));
                }
                Rule::target => {
                    let to = match part.clone().into_inner().next() {
                        Some(name) if name.as_rule() == Rule::name => Some(name_text(&name)),
                        _ => None,
                    };
                    if let Some((events, at)) = pending_events.take() {
                        arrows.push((events, at, to, self.at(part)));
                    }
                }
                Rule::guard => {
                    let expr = part
                        .clone()
                        .into_inner()
                        .find(|p| p.as_rule() == Rule::expr);
                    guard = expr.map(|e| (e.as_str().trim().to_owned(), self.at(&e)));
                }
                Rule::with_clause => with = Some(part.clone()),
                _ => {}
            }
        }
        let (from, from_at) = from.ok_or_else(|| self.error(whole, "a state".into()))?;
        let mut previous_target: Option<(String, Location)> = None;
        for (events, at, to, to_at) in arrows {
            let index = self.sequence("transitions").len();
            let path = format!("transitions[{index}]");
            let mut base = Mapping::new();
            let (source, source_at) = match &previous_target {
                Some((target, target_at)) => (Value::from(target.clone()), *target_at),
                None => (from.clone(), from_at),
            };
            self.positions.insert(format!("{path}.from"), source_at);
            if to.is_some() {
                self.positions.insert(format!("{path}.to"), to_at);
            }
            base.insert(Value::from("from"), source);
            base.insert(Value::from("on"), events);
            if let Some(to) = &to {
                base.insert(Value::from("to"), Value::from(to.clone()));
            }
            if let Some((text, location)) = &guard {
                base.insert(Value::from("when"), Value::from(text.clone()));
                self.positions.insert(format!("{path}.when"), *location);
            }
            let value = self.with(with.clone(), &path, base)?;
            self.positions.insert(format!("{path}.on"), at);
            self.listed("transitions", self.at(whole), value);
            previous_target = to.map(|to| (to, to_at)).or(previous_target);
        }
        Ok(())
    }
}

/// Whether a YAML tag stands anywhere in `value` (a key included).
fn has_tag(value: &Value) -> bool {
    match value {
        Value::Tagged(_) => true,
        Value::Sequence(items) => items.iter().any(has_tag),
        Value::Mapping(entries) => entries
            .iter()
            .any(|(key, value)| has_tag(key) || has_tag(value)),
        _ => false,
    }
}

/// The first characters of a long text, for messages.
fn short(text: &str) -> String {
    let cut: String = text.chars().take(40).collect();
    if cut.len() < text.len() {
        format!("{cut}...")
    } else {
        cut
    }
}

/// A name's text: bare as written, quoted unescaped.
fn name_text(pair: &Pair<Rule>) -> String {
    let text = pair.as_str();
    if text.starts_with('"') {
        unquote(text)
    } else {
        text.to_owned()
    }
}

/// `a` or `[a, b]` from a `names` pair.
fn names_value(pair: &Pair<Rule>) -> Value {
    let names: Vec<Value> = (pair.clone().into_inner())
        .filter(|p| p.as_rule() == Rule::name)
        .map(|p| Value::from(name_text(&p)))
        .collect();
    match names.len() {
        1 => names.into_iter().next().unwrap_or(Value::Null),
        _ => Value::Sequence(names),
    }
}

/// A JSON string's text.
fn unquote(text: &str) -> String {
    serde_json::from_str(text).unwrap_or_else(|_| text.trim_matches('"').to_owned())
}

/// A pest error in words: where, and what was expected, named for people.
fn syntax_error(text: &str, error: &pest::error::Error<Rule>) -> PlotError {
    let offset = match error.location {
        pest::error::InputLocation::Pos(at) | pest::error::InputLocation::Span((at, _)) => at,
    };
    let (line, column) = match error.line_col {
        pest::error::LineColLocation::Pos(at) | pest::error::LineColLocation::Span(at, _) => at,
    };
    let message = match &error.variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            if let Some(misspelt) = misspelt_keyword(text, offset, positives) {
                return misspelt;
            }
            let mut wanted: Vec<&str> = (positives.iter())
                .map(|rule| rule_words(*rule))
                .filter(|words| !words.is_empty())
                .collect();
            wanted.sort_unstable();
            wanted.dedup();
            let found = text
                .get(offset..)
                .and_then(|rest| rest.split_whitespace().next());
            let found = found.map_or("the end of the file".to_owned(), |word| {
                format!("`{}`", short(word))
            });
            match wanted.split_last() {
                None => format!("unexpected {found}"),
                Some((last, [])) => format!("expected {last}, found {found}"),
                Some((last, rest)) => {
                    format!("expected {} or {last}, found {found}", rest.join(", "))
                }
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    };
    // `a -> b` or `a --go--> b`: an arrow without its event, or with a dash too many.
    let in_arrow = text
        .get(..offset)
        .is_some_and(|before| before.ends_with('-'))
        && text
            .get(offset..)
            .is_some_and(|rest| rest.starts_with(['>', '-']));
    PlotError {
        message,
        location: Location {
            line,
            column,
            offset,
            quoted: false,
        },
        help: in_arrow
            .then(|| "an arrow names its event between one dash and `->`: `a -go-> b`".to_owned()),
    }
}

/// A word taken for the start of a transition that has no arrow after it, when it is spelled
/// nearly as a keyword (`titel "..."`, `state closed finl`): the keyword misspelt, located
/// at the word. `offset` is where the parser wanted the arrow.
fn misspelt_keyword(text: &str, offset: usize, positives: &[Rule]) -> Option<PlotError> {
    let wanted_arrow = positives.contains(&Rule::arrow);
    let found_arrow = text.get(offset..)?.trim_start().starts_with('-');
    if !wanted_arrow || found_arrow {
        return None;
    }
    // The last word before the place, over blank and comment lines.
    let before = text.get(..offset)?;
    let mut end = before.len();
    for line in before.split_inclusive('\n').rev() {
        let code = line.trim();
        if !code.is_empty() && !code.starts_with('#') {
            break;
        }
        end -= line.len();
    }
    let before = before.get(..end)?.trim_end();
    let start = (before.char_indices().rev())
        .take_while(|(_, c)| c.is_ascii_alphanumeric() || *c == '_')
        .last()
        .map_or(before.len(), |(at, _)| at);
    let word = before.get(start..).filter(|word| !word.is_empty())?;
    let keywords = DECLARATION_KEYWORDS.iter().chain(&["final", "may_end"]);
    let keyword = crate::diagnostic::did_you_mean(word, keywords.copied())?;
    let (line, column) = pest::Position::new(text, start)?.line_col();
    Some(PlotError {
        message: format!("unknown keyword `{word}`"),
        location: Location {
            line,
            column,
            offset: start,
            quoted: false,
        },
        help: Some(format!("did you mean `{keyword}`?")),
    })
}

/// What a grammar rule is called in messages.
fn rule_words(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "the end of the file",
        Rule::name | Rule::bare | Rule::names | Rule::target => "a name",
        Rule::quoted => "a \"string\"",
        Rule::flow | Rule::flow_map | Rule::flow_seq => "a `{...}` or `[...]` value",
        Rule::arrow => "an arrow `-event->`",
        Rule::arrow_head => "`->`",
        Rule::comma => "`,`",
        Rule::with_clause | Rule::kw_with => "`with {...}`",
        Rule::guard | Rule::kw_when => "`when` and a guard",
        Rule::flag | Rule::kw_final | Rule::kw_may_end => "`final` or `may_end`",
        Rule::step => "a scenario step",
        Rule::kw_stay => "`stay`",
        Rule::expr => "an expression",
        Rule::lifecycle_decl
        | Rule::title_decl
        | Rule::description_decl
        | Rule::import_decl
        | Rule::source_decl
        | Rule::version_decl
        | Rule::initial_decl
        | Rule::properties_decl
        | Rule::enum_decl
        | Rule::event_decl
        | Rule::state_decl
        | Rule::meta_decl
        | Rule::rule_decl
        | Rule::deadline_decl
        | Rule::example_decl
        | Rule::scenario_decl
        | Rule::format_decl
        | Rule::transition_decl
        | Rule::kw_lifecycle
        | Rule::kw_title
        | Rule::kw_description
        | Rule::kw_import
        | Rule::kw_source
        | Rule::kw_version
        | Rule::kw_initial
        | Rule::kw_properties
        | Rule::kw_enum
        | Rule::kw_event
        | Rule::kw_state
        | Rule::kw_meta
        | Rule::kw_rule
        | Rule::kw_deadline
        | Rule::kw_example
        | Rule::kw_scenario
        | Rule::kw_format => "a declaration",
        Rule::WHITESPACE | Rule::COMMENT => "",
        _ => "an expression",
    }
}

/// A name as written in a `.plot` file: bare when it can be, else a JSON string.
pub fn name(text: &str) -> String {
    let mut chars = text.chars().peekable();
    let starts = chars
        .peek()
        .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_');
    let bytes = text.as_bytes();
    let rest = text.char_indices().all(|(i, c)| {
        c.is_ascii_alphanumeric()
            || c == '_'
            || c == '.'
            || (c == '-' && bytes.get(i + 1) != Some(&b'>'))
    });
    if starts && rest && !is_keyword(text) {
        text.to_owned()
    } else {
        quote(text)
    }
}

/// A JSON string.
fn quote(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// Comment lines to write, by YAML path: above declarations, and above entries nested in
/// them (which lay their collection out over several lines).
type Notes = RefCell<IndexMap<String, Vec<String>>>;

/// A value as a YAML flow collection: keys bare where they are plain words, strings as JSON
/// strings (which YAML reads alike), `{key: value, ...}` and `[a, b]` spaced for reading; the
/// value is at `path`, its entries' comments in `notes`.
fn flow_text(value: &Value, path: &str, notes: &Notes) -> String {
    pretty_flow(value, 0, path, notes)
}

/// The path of an entry of the collection at `path`: a key's, or an index's.
fn entry_path(path: &str, key: Option<&str>, index: usize) -> String {
    match key {
        Some(key) => format!("{path}.{key}"),
        None => format!("{path}[{index}]"),
    }
}

/// The entries of the collection `value` (at `path`), each with its path; none for a scalar.
fn entries<'v>(value: &'v Value, path: &str) -> Vec<(String, &'v Value)> {
    match value {
        Value::Mapping(entries) => (entries.iter().enumerate())
            .map(|(i, (key, value))| (entry_path(path, key.as_str(), i), value))
            .collect(),
        Value::Sequence(items) => (items.iter().enumerate())
            .map(|(i, item)| (entry_path(path, None, i), item))
            .collect(),
        _ => Vec::new(),
    }
}

/// Whether an entry nested in `value` (at `path`) has comments.
fn notes_within(value: &Value, path: &str, notes: &Notes) -> bool {
    (entries(value, path).into_iter())
        .any(|(at, value)| notes.borrow().contains_key(&at) || notes_within(value, &at, notes))
}

/// Takes the comments of `path` alone.
fn own_notes(path: &str, notes: &Notes) -> Vec<String> {
    notes.borrow_mut().shift_remove(path).unwrap_or_default()
}

/// Writes the comments of `path` alone, a line each.
fn write_own_notes(out: &mut String, path: &str, notes: &Notes) {
    for comment in own_notes(path, notes) {
        let _ = writeln!(out, "{comment}");
    }
}

/// Takes the comments of `path`, and then those of entries below it that no flow wrote (the
/// entries a declaration's line says in words: `from`, `to`, a state's flags).
fn take_notes(path: &str, notes: &Notes) -> Vec<String> {
    let mut taken = own_notes(path, notes);
    let mut notes = notes.borrow_mut();
    let below: Vec<String> = (notes.keys())
        .filter(|at| {
            at.strip_prefix(path)
                .is_some_and(|rest| rest.starts_with(['.', '[']))
        })
        .cloned()
        .collect();
    for at in below {
        taken.extend(notes.shift_remove(&at).unwrap_or_default());
    }
    taken
}

/// Lines a flow collection may take on one line before it is laid out over several.
const WIDTH: usize = 96;

/// `value` (at `path`) on one line when it fits in [`WIDTH`] and no entry in it has comments,
/// otherwise one entry per line, indented under its opening bracket (`indent` spaces deep),
/// each under its comments.
fn pretty_flow(value: &Value, indent: usize, path: &str, notes: &Notes) -> String {
    let mut inline = String::new();
    write_flow(&mut inline, value);
    if inline.len() + indent <= WIDTH && !notes_within(value, path, notes) {
        return inline;
    }
    let pad = " ".repeat(indent + 2);
    let noted = |at: &str, entry: String| -> String {
        let mut out = String::new();
        for comment in own_notes(at, notes) {
            let _ = write!(out, "{comment}\n{pad}");
        }
        out + &entry
    };
    let entries: Vec<String> = match value {
        Value::Mapping(entries) => (entries.iter())
            .enumerate()
            .map(|(index, (key, value))| {
                let at = entry_path(path, key.as_str(), index);
                let key = match key.as_str() {
                    Some(key) if plain(key) => key.to_owned(),
                    Some(key) => quote(key),
                    None => pretty_flow(key, indent + 2, "", notes),
                };
                let entry = format!("{key}: {}", pretty_flow(value, indent + 2, &at, notes));
                noted(&at, entry)
            })
            .collect(),
        Value::Sequence(items) => (items.iter().enumerate())
            .map(|(index, item)| {
                let at = entry_path(path, None, index);
                noted(&at, pretty_flow(item, indent + 2, &at, notes))
            })
            .collect(),
        _ => return inline,
    };
    let (open, close) = if value.is_mapping() {
        ('{', '}')
    } else {
        ('[', ']')
    };
    let mut out = String::from(open);
    for entry in entries {
        out.push('\n');
        out.push_str(&pad);
        out.push_str(&entry);
        out.push(',');
    }
    out.push('\n');
    out.push_str(&" ".repeat(indent));
    out.push(close);
    out
}

fn write_flow(out: &mut String, value: &Value) {
    match value {
        Value::Mapping(entries) => {
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                match key.as_str() {
                    Some(key) if plain(key) => out.push_str(key),
                    Some(key) => out.push_str(&quote(key)),
                    None => write_flow(out, key),
                }
                out.push_str(": ");
                write_flow(out, value);
            }
            out.push('}');
        }
        Value::Sequence(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_flow(out, item);
            }
            out.push(']');
        }
        Value::String(text) if plain(text) => out.push_str(text),
        Value::String(text) => out.push_str(&quote(text)),
        Value::Tagged(tagged) => write_flow(out, &tagged.value),
        scalar => {
            let json = serde_json::to_value(scalar).unwrap_or(serde_json::Value::Null);
            out.push_str(&json.to_string());
        }
    }
}

/// Whether a string can be written bare in a flow collection and reads back as the same
/// string: a word of letters, digits, `_`, `.` and `-` (not first) that YAML does not read
/// as anything else (`ts`, `10m` and `data.form` are bare; `true`, `5` and `1.0` are not).
fn plain(text: &str) -> bool {
    let mut chars = text.chars();
    let word = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'));
    word && serde_yaml::from_str::<Value>(text).ok() == Some(Value::String(text.to_owned()))
}

/// Removes `key` from a mapping value and gives it.
fn take(value: &mut Value, key: &str) -> Option<Value> {
    value.as_mapping_mut()?.shift_remove(key)
}

/// ` with {...}` for what is left of a mapping at `path`, or nothing.
fn with_rest(value: &Value, path: &str, notes: &Notes) -> String {
    match value {
        Value::Mapping(m) if !m.is_empty() => format!(" with {}", flow_text(value, path, notes)),
        _ => String::new(),
    }
}

/// Every comment line to write, by path, asked of `comments` in the order of the file: each
/// section, each declaration in it, and the entries nested in each (so that a declaration's
/// comments are its own, not taken by an entry written on its line).
fn gather_notes(root: &Mapping, comments: &mut dyn FnMut(&str) -> Vec<String>) -> Notes {
    fn nested(
        value: &Value,
        path: &str,
        comments: &mut dyn FnMut(&str) -> Vec<String>,
        notes: &mut IndexMap<String, Vec<String>>,
    ) {
        for (at, value) in entries(value, path) {
            let found = comments(&at);
            if !found.is_empty() {
                notes.insert(at.clone(), found);
            }
            nested(value, &at, comments, notes);
        }
    }
    let mut notes = IndexMap::new();
    for (key, value) in root {
        let Some(section) = key.as_str() else {
            continue;
        };
        let found = comments(section);
        if !found.is_empty() {
            notes.insert(section.to_owned(), found);
        }
        nested(value, section, comments, &mut notes);
    }
    RefCell::new(notes)
}

/// A string or list of names as written after `-` or before an arrow.
fn names_text(value: &Value) -> String {
    match value {
        Value::Sequence(items) => items.iter().map(scalar_name).collect::<Vec<_>>().join(", "),
        other => scalar_name(other),
    }
}

fn scalar_name(value: &Value) -> String {
    match value {
        Value::String(s) => name(s),
        other => name(serde_yaml::to_string(other).unwrap_or_default().trim()),
    }
}

/// The `.plot` text of a lifecycle file's YAML value; `comments` gives the comment lines to
/// write above a declaration, by its YAML path.
pub fn write(root: &Value, comments: &mut dyn FnMut(&str) -> Vec<String>) -> String {
    let mut out = String::new();
    let empty = Mapping::new();
    let root = root.as_mapping().unwrap_or(&empty);
    let get = |key: &str| root.get(key);
    let notes = gather_notes(root, comments);
    let notes = &notes;
    // A declaration's line (its flows take their entries' comments as they are written),
    // under the comments left for it.
    let block = |out: &mut String, path: &str, line: String| {
        for comment in take_notes(path, notes) {
            let _ = writeln!(out, "{comment}");
        }
        let _ = writeln!(out, "{line}");
    };
    // A blank line before a section, and the comments above the section's key.
    let gap = |out: &mut String, section: &str| {
        if !out.is_empty() && !out.ends_with("\n\n") {
            out.push('\n');
        }
        write_own_notes(out, section, notes);
    };
    if let Some(Value::String(n)) = get("name") {
        block(&mut out, "name", format!("lifecycle {}", name(n)));
    }
    for key in ["title", "description"] {
        if let Some(value) = get(key) {
            let text = value
                .as_str()
                .map(str::to_owned)
                .unwrap_or_else(|| serde_yaml::to_string(value).unwrap_or_default());
            block(
                &mut out,
                key,
                format!("{key} {}", quote(text.trim_end_matches('\n'))),
            );
        }
    }
    for section in ["imports", "sources"] {
        write_own_notes(&mut out, section, notes);
    }
    if let Some(Value::Sequence(items)) = get("imports") {
        for (i, item) in items.iter().enumerate() {
            block(
                &mut out,
                &format!("imports[{i}]"),
                format!("import {}", scalar_name(item)),
            );
        }
    }
    if let Some(Value::Sequence(items)) = get("sources") {
        for (i, item) in items.iter().enumerate() {
            let text = match item {
                Value::String(s) => quote(s),
                other => flow_text(other, &format!("sources[{i}]"), notes),
            };
            block(&mut out, &format!("sources[{i}]"), format!("source {text}"));
        }
    }
    if let Some(Value::Sequence(items)) = get("versions") {
        gap(&mut out, "versions");
        for (i, item) in items.iter().enumerate() {
            let mut rest = item.clone();
            let version = take(&mut rest, "name")
                .map(|v| scalar_name(&v))
                .unwrap_or_default();
            block(
                &mut out,
                &format!("versions[{i}]"),
                format!(
                    "version {version}{}",
                    with_rest(&rest, &format!("versions[{i}]"), notes)
                ),
            );
        }
    }
    if let Some(initial) = get("initial") {
        block(
            &mut out,
            "initial",
            format!("initial {}", scalar_name(initial)),
        );
    }
    for (section, keyword) in [("property_sets", "properties"), ("enums", "enum")] {
        if let Some(Value::Mapping(items)) = get(section) {
            gap(&mut out, section);
            for (key, value) in items {
                let key = key.as_str().unwrap_or_default();
                block(
                    &mut out,
                    &format!("{section}.{key}"),
                    format!(
                        "{keyword} {} {}",
                        name(key),
                        flow_text(value, &format!("{section}.{key}"), notes)
                    ),
                );
            }
        }
    }
    if let Some(Value::Mapping(items)) = get("events") {
        gap(&mut out, "events");
        for (key, value) in items {
            let key = key.as_str().unwrap_or_default();
            block(
                &mut out,
                &format!("events.{key}"),
                format!(
                    "event {}{}",
                    name(key),
                    with_rest(value, &format!("events.{key}"), notes)
                ),
            );
        }
    }
    if let Some(Value::Mapping(items)) = get("states") {
        gap(&mut out, "states");
        for (key, value) in items {
            let key = key.as_str().unwrap_or_default();
            let mut rest = value.clone();
            let mut line = format!("state {}", name(key));
            for flag in ["final", "may_end"] {
                match take(&mut rest, flag) {
                    Some(Value::Bool(true)) => line.push_str(&format!(" {flag}")),
                    Some(other) => {
                        if let Some(m) = rest.as_mapping_mut() {
                            m.insert(Value::from(flag), other);
                        }
                    }
                    None => {}
                }
            }
            line.push_str(&with_rest(&rest, &format!("states.{key}"), notes));
            block(&mut out, &format!("states.{key}"), line);
        }
    }
    if let Some(Value::Sequence(items)) = get("transitions") {
        gap(&mut out, "transitions");
        for (i, item) in items.iter().enumerate() {
            let mut rest = item.clone();
            let from = take(&mut rest, "from")
                .map(|v| names_text(&v))
                .unwrap_or_default();
            let on = take(&mut rest, "on")
                .map(|v| names_text(&v))
                .unwrap_or_default();
            let to = take(&mut rest, "to").map_or("stay".to_owned(), |v| scalar_name(&v));
            let mut line = format!("{from} -{on}-> {to}");
            if let Some(Value::String(when)) = take(&mut rest, "when") {
                line.push_str(&format!(" when {when}"));
            }
            line.push_str(&with_rest(&rest, &format!("transitions[{i}]"), notes));
            block(&mut out, &format!("transitions[{i}]"), line);
        }
    }
    if let Some(Value::Mapping(items)) = get("metadata") {
        gap(&mut out, "metadata");
        for (key, value) in items {
            let key = key.as_str().unwrap_or_default();
            let mut rest = value.clone();
            let ty = take(&mut rest, "type")
                .map(|v| scalar_name(&v))
                .unwrap_or_default();
            block(
                &mut out,
                &format!("metadata.{key}"),
                format!(
                    "meta {}: {ty}{}",
                    name(key),
                    with_rest(&rest, &format!("metadata.{key}"), notes)
                ),
            );
        }
    }
    for (section, keyword) in [("rules", "rule"), ("deadlines", "deadline")] {
        if let Some(Value::Sequence(items)) = get(section) {
            gap(&mut out, section);
            for (i, item) in items.iter().enumerate() {
                block(
                    &mut out,
                    &format!("{section}[{i}]"),
                    format!(
                        "{keyword} {}",
                        flow_text(item, &format!("{section}[{i}]"), notes)
                    ),
                );
            }
        }
    }
    if let Some(Value::Mapping(items)) = get("examples") {
        gap(&mut out, "examples");
        for (key, value) in items {
            let key = key.as_str().unwrap_or_default();
            let text = match value {
                Value::Mapping(_) | Value::Sequence(_) => {
                    flow_text(value, &format!("examples.{key}"), notes)
                }
                Value::String(s) => quote(s),
                other => serde_json::to_string(&serde_json::to_value(other).unwrap_or_default())
                    .unwrap_or_default(),
            };
            block(
                &mut out,
                &format!("examples.{key}"),
                format!("example {} {text}", name(key)),
            );
        }
    }
    if let Some(Value::Sequence(items)) = get("scenarios") {
        gap(&mut out, "scenarios");
        for (i, item) in items.iter().enumerate() {
            let mut rest = item.clone();
            let scenario = take(&mut rest, "name")
                .map(|v| scalar_name(&v))
                .unwrap_or_default();
            let description = match take(&mut rest, "description") {
                Some(Value::String(d)) => format!(" {}", quote(&d)),
                Some(other) => {
                    if let Some(m) = rest.as_mapping_mut() {
                        m.insert(Value::from("description"), other);
                    }
                    String::new()
                }
                None => String::new(),
            };
            let steps = match take(&mut rest, "events") {
                Some(Value::Sequence(steps)) => steps,
                _ => Vec::new(),
            };
            let path = format!("scenarios[{i}]");
            let step_text = |k: usize, step: &Value, indent: usize| match step {
                Value::String(s) => name(s),
                other => pretty_flow(other, indent, &format!("{path}.events[{k}]"), notes),
            };
            let inline: Vec<String> = (steps.iter().enumerate())
                .map(|(k, step)| step_text(k, step, 0))
                .collect();
            let mut line = format!(
                "scenario {scenario}{description}: {}{}",
                inline.join(", "),
                with_rest(&rest, &path, notes)
            );
            // Too long for a line: a step per line, then the rest.
            if line.len() > WIDTH || line.contains('\n') {
                line = format!("scenario {scenario}{description}:");
                for (k, step) in steps.iter().enumerate() {
                    line.push_str("\n  ");
                    line.push_str(&step_text(k, step, 2));
                    if k + 1 < steps.len() {
                        line.push(',');
                    }
                }
                if rest.as_mapping().is_some_and(|m| !m.is_empty()) {
                    line.push_str("\n  with ");
                    line.push_str(&pretty_flow(&rest, 2, &path, notes));
                }
            }
            block(&mut out, &format!("scenarios[{i}]"), line);
        }
    }
    if let Some(Value::Sequence(items)) = get("formats") {
        gap(&mut out, "formats");
        for (i, item) in items.iter().enumerate() {
            block(
                &mut out,
                &format!("formats[{i}]"),
                format!(
                    "format {}",
                    flow_text(item, &format!("formats[{i}]"), notes)
                ),
            );
        }
    }
    out
}
