//! Where each value of a YAML file stands, for diagnostics.
//!
//! serde gives the loader a typed model but no positions. A second, event-level pass over the
//! same text (with `yaml-rust2`) records the line and column of every key and scalar under its
//! path (`transitions[3].from`, `events.submitted.payload`), so the compiler can report any
//! model value at its place in the file.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::{Marker, TScalarStyle};

/// A position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Location {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Byte offset from the start of the file.
    pub offset: usize,
    /// Whether the value is a quoted scalar (its text starts one character later).
    pub quoted: bool,
}

/// Positions of the values of one YAML file, by path, and of the keys written before them.
#[derive(Debug, Default, Clone)]
pub struct SourceMap {
    positions: HashMap<String, Place>,
    duplicates: Vec<Duplicate>,
}

/// Where a value is, and the key it is written after (none for an item of a list).
#[derive(Debug, Clone, Copy)]
pub struct Place {
    /// The value's place.
    pub value: Location,
    /// Its key's place.
    pub key: Option<Location>,
}

impl Place {
    /// A value at `value` written without a key.
    fn unkeyed(value: Location) -> Place {
        Place { value, key: None }
    }
}

/// A key written twice in one mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The key's path (`states.closed`).
    pub path: String,
    /// Where it is first.
    pub first: Location,
    /// Where it is again.
    pub again: Location,
}

impl SourceMap {
    /// Indexes `text`. A file that does not parse gives an empty map (serde reports the error).
    pub fn build(text: &str) -> SourceMap {
        let mut builder = Builder {
            line_starts: line_starts(text),
            text,
            stack: Vec::new(),
            positions: HashMap::new(),
            duplicates: Vec::new(),
        };
        let mut parser = Parser::new_from_str(text);
        // A parse error here is reported by serde with its own location; keep what was indexed.
        let _ = parser.load(&mut builder, false);
        SourceMap {
            positions: builder.positions,
            duplicates: builder.duplicates,
        }
    }

    /// A map of the given positions of values and of keys (for files not read as YAML).
    pub fn from_positions(
        positions: HashMap<String, Location>,
        mut keys: HashMap<String, Location>,
    ) -> SourceMap {
        let positions = (positions.into_iter())
            .map(|(path, value)| {
                let key = keys.remove(&path);
                (path, Place { value, key })
            })
            .collect();
        SourceMap {
            positions,
            duplicates: Vec::new(),
        }
    }

    /// The location of the value at exactly `path`, if it is indexed.
    pub fn get(&self, path: &str) -> Option<Location> {
        self.positions.get(path).map(|place| place.value)
    }

    /// Every indexed path and its place.
    pub fn places(&self) -> impl Iterator<Item = (&String, &Place)> {
        self.positions.iter()
    }

    /// Where the key of the value at `path` is written, or the value's place when it has no
    /// key (an item of a list) or is not indexed (its nearest indexed ancestor's).
    pub fn locate_key(&self, path: &str) -> Location {
        (self.positions.get(path))
            .and_then(|place| place.key)
            .unwrap_or_else(|| self.locate(path))
    }

    /// The keys written twice in one mapping, in file order.
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// The location of the value at `path`, or of its nearest indexed ancestor.
    pub fn locate(&self, path: &str) -> Location {
        let mut path = path;
        loop {
            if let Some(place) = self.positions.get(path) {
                return place.value;
            }
            match path.rfind(['.', '[']) {
                Some(cut) => path = &path[..cut],
                None => return Location::default(),
            }
        }
    }
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        seen: HashMap<String, Location>,
    },
    Seq {
        path: String,
        index: usize,
    },
}

struct Builder<'t> {
    text: &'t str,
    line_starts: Vec<usize>,
    stack: Vec<Frame>,
    positions: HashMap<String, Place>,
    duplicates: Vec<Duplicate>,
}

fn line_starts(text: &str) -> Vec<usize> {
    std::iter::once(0)
        .chain(text.match_indices('\n').map(|(i, _)| i + 1))
        .collect()
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_owned()
    } else {
        format!("{parent}.{key}")
    }
}

impl Builder<'_> {
    fn location(&self, mark: Marker, quoted: bool) -> Location {
        let line = mark.line().max(1);
        let start = self.line_starts.get(line - 1).copied().unwrap_or(0);
        let rest = self.text.get(start..).unwrap_or("");
        let byte_col = rest
            .char_indices()
            .nth(mark.col())
            .map_or(rest.len(), |(i, _)| i);
        Location {
            line,
            column: mark.col() + 1,
            offset: start + byte_col,
            quoted,
        }
    }

    /// Decides what the next node is: a key (returns None after recording it) or a value at
    /// the returned path.
    fn next_node(&mut self, scalar_key: Option<&str>, mark: Marker) -> Option<String> {
        let location = self.location(mark, false);
        match self.stack.last_mut() {
            None => Some(String::new()),
            Some(Frame::Seq { path, index }) => {
                let child = format!("{path}[{index}]");
                *index += 1;
                Some(child)
            }
            Some(Frame::Map { path, key, seen }) => match key.take() {
                Some(key) => Some(join(path, &key)),
                None => {
                    let key = scalar_key.unwrap_or("?").to_owned();
                    let child = join(path, &key);
                    if scalar_key.is_some() {
                        if let Some(first) = seen.insert(key.clone(), location) {
                            self.duplicates.push(Duplicate {
                                path: child.clone(),
                                first,
                                again: location,
                            });
                        }
                    }
                    let written = scalar_key.map(|_| location);
                    let place = Place {
                        value: location,
                        key: written,
                    };
                    self.positions.insert(child, place);
                    if let Some(Frame::Map { key: slot, .. }) = self.stack.last_mut() {
                        *slot = Some(key);
                    }
                    None
                }
            },
        }
    }
}

impl MarkedEventReceiver for Builder<'_> {
    fn on_event(&mut self, event: Event, mark: Marker) {
        match event {
            Event::Scalar(value, style, _, _) => {
                if let Some(path) = self.next_node(Some(&value), mark) {
                    if !value.is_empty() || !self.positions.contains_key(&path) {
                        let quoted = matches!(
                            style,
                            TScalarStyle::SingleQuoted | TScalarStyle::DoubleQuoted
                        );
                        let location = self.location(mark, quoted);
                        (self.positions.entry(path))
                            .and_modify(|place| place.value = location)
                            .or_insert(Place::unkeyed(location));
                    }
                }
            }
            Event::Alias(_) => {
                self.next_node(None, mark);
            }
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                let path = self.next_node(None, mark).unwrap_or_default();
                if !self.positions.contains_key(&path) {
                    let location = self.location(mark, false);
                    self.positions
                        .insert(path.clone(), Place::unkeyed(location));
                }
                self.stack
                    .push(if matches!(event, Event::MappingStart(..)) {
                        Frame::Map {
                            path,
                            key: None,
                            seen: HashMap::new(),
                        }
                    } else {
                        Frame::Seq { path, index: 0 }
                    });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_keys_and_scalars_by_path() {
        let text = "name: x\nstates:\n  ready:\n  closed: {final: true}\ntransitions:\n  - from: ready\n    on: [opened, \"closed\"]\n";
        let map = SourceMap::build(text);
        assert_eq!(map.locate("name").line, 1);
        assert_eq!(map.locate("states.closed").line, 4);
        assert_eq!(map.locate("states.closed").column, 3);
        let from = map.locate("transitions[0].from");
        assert_eq!((from.line, from.column), (6, 11));
        assert_eq!(&text[from.offset..from.offset + 5], "ready");
        let second = map.locate("transitions[0].on[1]");
        assert_eq!((second.line, second.column, second.quoted), (7, 18, true));
        // A value's key is found too; an item of a list has none but its own place.
        let key = map.locate_key("transitions[0].from");
        assert_eq!((key.line, key.column), (6, 5));
        let item = map.locate_key("transitions[0].on[1]");
        assert_eq!((item.line, item.column), (7, 18));
        // Unknown paths fall back to the nearest ancestor.
        assert_eq!(map.locate("transitions[0].on[1].x").line, 7);
        assert!(map.duplicates().is_empty());
    }

    #[test]
    fn finds_keys_written_twice() {
        let text = "states:\n  closed:\n  open: {a: 1, a: 2}\n  closed: {final: true}\n";
        let map = SourceMap::build(text);
        let found: Vec<(&str, usize, usize)> = map
            .duplicates()
            .iter()
            .map(|d| (d.path.as_str(), d.first.line, d.again.line))
            .collect();
        assert_eq!(found, [("states.open.a", 3, 3), ("states.closed", 2, 4)]);
    }
}
