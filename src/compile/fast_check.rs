//! A payload check compiled into a deserializer: validates a payload straight from its JSON
//! text, without building a `serde_json::Value`, and keeps only the properties rules read.
//!
//! It understands the subset of JSON Schema that [`super::payload`] writes (`type`, `enum`,
//! `anyOf` of `const`s, `properties`, `required`, `additionalProperties: false`, `items`, and
//! annotations). A schema outside that subset gets no fast check. The `jsonschema` validator
//! stays the authority: a payload the fast check rejects, or cannot judge (a repeated key),
//! goes through it, which also writes the messages. Tests hold the two to the same verdicts.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::fmt;
use std::sync::Arc;

use serde::de::{self, Deserialize, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use crate::expr::doc::{Doc, KeySeed};
use crate::short_eq;

mod formats;
mod walk;

/// Which top-level payload properties the rules of an event read.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum DataReads {
    /// None.
    #[default]
    Nothing,
    /// These properties (and anything below them).
    Fields(Vec<String>),
    /// The whole payload.
    Everything,
}

impl DataReads {
    /// Adds what `other` reads.
    pub fn merge(&mut self, other: &DataReads) {
        match (&mut *self, other) {
            (_, DataReads::Nothing) | (DataReads::Everything, _) => {}
            (_, DataReads::Everything) => *self = DataReads::Everything,
            (DataReads::Nothing, fields) => *self = fields.clone(),
            (DataReads::Fields(mine), DataReads::Fields(theirs)) => {
                for name in theirs {
                    if !mine.contains(name) {
                        mine.push(name.clone());
                    }
                }
            }
        }
    }

    /// Whether anything is read.
    pub fn any(&self) -> bool {
        *self != DataReads::Nothing
    }
}

/// JSON types, as bits.
const NULL: u8 = 1;
const BOOLEAN: u8 = 2;
const INTEGER: u8 = 4;
const NUMBER: u8 = 8;
const STRING: u8 = 16;
const ARRAY: u8 = 32;
const OBJECT: u8 = 64;
const ANY: u8 = 127;

/// A compiled schema node.
#[derive(Debug, Clone)]
struct Node {
    types: u8,
    additional: bool,
    /// Bit `i` set: `properties[i]` is required.
    required: u64,
    consts: Option<Box<[Value]>>,
    properties: Vec<(String, Node)>,
    /// `"name":` for each of `properties` whose name needs no escape: how a plain writer
    /// writes its key, matched where it is expected without reading the key.
    written_keys: Vec<Option<Box<[u8]>>>,
    items: Option<Box<Node>>,
    /// Bounds, lengths and counts, when the schema sets any: few do, so they are kept out
    /// of the node, which a walk reads a property at a time (a property with its node spans
    /// two cache lines, not five).
    limits: Option<Box<Limits>>,
    /// `pattern` and `format`, judged by the same validator the payload has (so the two
    /// cannot disagree).
    text: Option<Arc<jsonschema::Validator>>,
    /// `text` is `format: email` alone: an address [`formats::surely_email`] accepts needs
    /// no call to it.
    email_only: bool,
}

/// A node's numeric limits.
#[derive(Debug, Clone, Copy, Default)]
struct Limits {
    /// `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`.
    bounds: [Option<f64>; 4],
    /// An integral `multipleOf`.
    multiple_of: Option<u64>,
    /// `minLength` and `maxLength` of strings.
    text_length: Count,
    /// `minItems` and `maxItems` of arrays.
    items_count: Count,
}

/// A least and a most count, either or both unbounded.
#[derive(Debug, Clone, Copy, Default)]
struct Count {
    least: Option<u64>,
    most: Option<u64>,
}

impl Count {
    fn is_bounded(self) -> bool {
        self.least.is_some() || self.most.is_some()
    }

    fn holds(self, count: usize) -> bool {
        let count = count as u64;
        self.least.is_none_or(|least| count >= least) && self.most.is_none_or(|most| count <= most)
    }
}

impl Limits {
    /// Whether any limit is set.
    fn is_set(&self) -> bool {
        self.bounds.iter().any(Option::is_some)
            || self.multiple_of.is_some()
            || self.text_length.is_bounded()
            || self.items_count.is_bounded()
    }

    /// Whether a number is within the bounds and a multiple as required.
    fn number_fits(&self, n: &serde_json::Number) -> bool {
        let [minimum, maximum, above, below] = self.bounds;
        if self.bounds.iter().any(Option::is_some) {
            let Some(x) = n.as_f64().filter(|x| x.abs() < EXACT_FLOAT) else {
                return false;
            };
            let holds = minimum.is_none_or(|m| x >= m)
                && maximum.is_none_or(|m| x <= m)
                && above.is_none_or(|m| x > m)
                && below.is_none_or(|m| x < m);
            if !holds {
                return false;
            }
        }
        match self.multiple_of {
            None => true,
            Some(m) => match (n.as_i64(), n.as_u64()) {
                (Some(v), _) => v.unsigned_abs() % m == 0,
                (None, Some(v)) => v % m == 0,
                // A float: the validator judges it.
                _ => false,
            },
        }
    }
}

/// `Ok` when a value fits, else the error that sends the payload to the full validator.
fn fits<E: de::Error>(fits: bool) -> Result<(), E> {
    if fits {
        Ok(())
    } else {
        Err(E::custom(""))
    }
}

/// Numbers beyond this magnitude are not compared as floats here: the validator judges them.
const EXACT_FLOAT: f64 = 9_007_199_254_740_992.0;

/// What the fast check concluded.
#[derive(Debug, PartialEq)]
pub enum Outcome<'a> {
    /// Valid; the properties the rules read, as an object borrowing from the text.
    Valid(Doc<'a>),
    /// Not valid, or not for the fast check to say: ask the full validator.
    Ask,
}

/// A payload schema compiled to a deserializer.
#[derive(Debug, Clone)]
pub struct FastCheck {
    root: Node,
    keep: Keep,
}

/// Which top-level properties a check keeps, worked out once from the [`DataReads`].
#[derive(Debug, Clone, Default)]
struct Keep {
    /// Bit `i` set: the schema's `properties[i]` is kept.
    properties: u64,
    /// Properties the schema does not name that are kept.
    others: Vec<String>,
    /// Whether every property the schema does not name is kept.
    all_others: bool,
    /// How many properties are usually kept.
    count: usize,
}

impl Keep {
    /// Whether the member `key` is kept: the schema's property `found` when it names one.
    fn wants(&self, found: Option<usize>, key: &str) -> bool {
        match found {
            Some(at) => self.properties & bit(at) != 0,
            None => self.all_others || self.others.iter().any(|name| name == key),
        }
    }
}

impl FastCheck {
    /// Compiles `schema`, keeping nothing; `None` when it uses anything outside the subset.
    pub fn compile(schema: &Value) -> Option<FastCheck> {
        let root = node(schema)?;
        (root.types == OBJECT).then_some(FastCheck {
            root,
            keep: Keep::default(),
        })
    }

    /// Keeps the top-level properties `reads` names from now on.
    pub fn keeping(&mut self, reads: &DataReads) {
        let properties = &self.root.properties;
        self.keep = match reads {
            DataReads::Nothing => Keep::default(),
            DataReads::Everything => Keep {
                properties: (0..properties.len()).fold(0, |mask, at| mask | bit(at)),
                others: Vec::new(),
                all_others: true,
                count: properties.len(),
            },
            DataReads::Fields(names) => {
                let mut keep = Keep {
                    count: names.len(),
                    ..Keep::default()
                };
                for name in names {
                    match properties.iter().position(|(property, _)| property == name) {
                        Some(at) => keep.properties |= bit(at),
                        None => keep.others.push(name.clone()),
                    }
                }
                keep
            }
        };
    }

    /// The check as a deserializer seed, for a reader that meets the payload inside a larger
    /// text: it gives the kept properties as an object, or fails where [`FastCheck::check`]
    /// would answer [`Outcome::Ask`].
    pub fn seed(&self) -> PayloadSeed<'_> {
        PayloadSeed(Root {
            node: &self.root,
            keep: &self.keep,
        })
    }

    /// Checks the payload `json` (an object's text), keeping the top-level properties set by
    /// [`FastCheck::keeping`].
    pub fn check<'a>(&self, json: &'a str) -> Outcome<'a> {
        self.seed().read(json).map_or(Outcome::Ask, Outcome::Valid)
    }

    /// [`FastCheck::check`] by the deserializer alone, never by the walk over the bytes: the
    /// answer the walk is held to (by tests and the fuzz target of the stream reader).
    pub fn check_by_deserializer<'a>(&self, json: &'a str) -> Outcome<'a> {
        self.seed()
            .deserialized(json)
            .map_or(Outcome::Ask, Outcome::Valid)
    }
}

fn types_of(value: &Value) -> Option<u8> {
    let name_bits = |name: &Value| match name.as_str()? {
        "null" => Some(NULL),
        "boolean" => Some(BOOLEAN),
        "integer" => Some(INTEGER),
        "number" => Some(NUMBER | INTEGER),
        "string" => Some(STRING),
        "array" => Some(ARRAY),
        "object" => Some(OBJECT),
        _ => None,
    };
    match value {
        Value::Array(names) => names
            .iter()
            .try_fold(0, |bits, name| Some(bits | name_bits(name)?)),
        name => name_bits(name),
    }
}

fn node(schema: &Value) -> Option<Node> {
    let map = schema.as_object()?;
    let mut node = Node {
        types: ANY,
        consts: None,
        properties: Vec::new(),
        written_keys: Vec::new(),
        required: 0,
        additional: true,
        items: None,
        limits: None,
        text: None,
        email_only: false,
    };
    let mut limits = Limits::default();
    let bound = |value: &Value| value.as_f64().filter(|x| x.abs() < EXACT_FLOAT);
    let count = |value: &Value| value.as_u64();
    for (keyword, value) in map {
        match keyword.as_str() {
            "description" | "title" | "writeOnly" => {}
            "type" => node.types = types_of(value)?,
            "enum" => node.consts = Some(value.as_array()?.clone().into()),
            "anyOf" => {
                let consts = value.as_array()?.iter().map(|option| {
                    let option = option.as_object()?;
                    let only_const = option.keys().all(|k| k == "const" || k == "title");
                    only_const.then(|| option.get("const").cloned())?
                });
                node.consts = Some(consts.collect::<Option<Box<[Value]>>>()?);
            }
            "properties" => {
                for (name, inner) in value.as_object()? {
                    node.properties.push((name.clone(), self::node(inner)?));
                }
            }
            "required" | "additionalProperties" | "items" => {}
            "minimum" => limits.bounds[0] = Some(bound(value)?),
            "maximum" => limits.bounds[1] = Some(bound(value)?),
            "exclusiveMinimum" => limits.bounds[2] = Some(bound(value)?),
            "exclusiveMaximum" => limits.bounds[3] = Some(bound(value)?),
            "multipleOf" => limits.multiple_of = Some(count(value).filter(|m| *m > 0)?),
            "minLength" => limits.text_length.least = Some(count(value)?),
            "maxLength" => limits.text_length.most = Some(count(value)?),
            "minItems" => limits.items_count.least = Some(count(value)?),
            "maxItems" => limits.items_count.most = Some(count(value)?),
            "const" => node.consts = Some(Box::new([value.clone()])),
            "pattern" | "format" => {
                if node.text.is_none() {
                    let mut text = serde_json::Map::new();
                    for keyword in ["pattern", "format"] {
                        if let Some(value) = map.get(keyword) {
                            text.insert(keyword.to_owned(), value.clone());
                        }
                    }
                    node.email_only = text.len() == 1
                        && text.get("format").and_then(Value::as_str) == Some("email");
                    let validator = super::payload::validator(&Value::Object(text)).ok()?;
                    node.text = Some(Arc::new(validator));
                }
            }
            _ => return None,
        }
    }
    if node.properties.len() > 64 {
        return None;
    }
    if limits.is_set() {
        node.limits = Some(Box::new(limits));
    }
    node.written_keys = (node.properties.iter())
        .map(|(name, _)| written_key(name))
        .collect();
    if let Some(required) = map.get("required") {
        for name in required.as_array()? {
            let at = node
                .properties
                .iter()
                .position(|(property, _)| Some(property.as_str()) == name.as_str())?;
            node.required |= bit(at);
        }
    }
    match map.get("additionalProperties") {
        None => {}
        Some(Value::Bool(additional)) => node.additional = *additional,
        Some(_) => return None,
    }
    if let Some(items) = map.get("items") {
        node.items = Some(Box::new(self::node(items)?));
    }
    Some(node)
}

/// `"name":`, the key of a property named `name` as a plain writer writes it; `None` when the
/// name holds a byte a JSON string must escape.
fn written_key(name: &str) -> Option<Box<[u8]>> {
    let plain = !name.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20);
    plain.then(|| format!("\"{name}\":").into_bytes().into_boxed_slice())
}

/// Numbers and strings compare as JSON Schema compares them (`1 == 1.0`).
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => match (x.as_i64(), y.as_i64()) {
            (Some(x), Some(y)) => x == y,
            _ => x.as_f64() == y.as_f64() && x.as_f64().is_some(),
        },
        _ => a == b,
    }
}

/// [`same`] for a value kept for rules.
fn same_doc(a: &Value, b: &Doc<'_>) -> bool {
    match (a, b) {
        (Value::Null, Doc::Null) => true,
        (Value::Bool(x), Doc::Bool(y)) => x == y,
        (Value::Number(_), Doc::Number(y)) => same(a, &Value::Number(y.clone())),
        (Value::String(x), Doc::Str(y)) => short_eq::same_str(x, y),
        (Value::Array(_) | Value::Object(_), Doc::Array(_) | Doc::Object(_)) => *a == b.to_value(),
        _ => false,
    }
}

impl Node {
    /// Whether a whole value (kept for rules) is valid.
    fn accepts(&self, value: &Doc<'_>) -> bool {
        let bits = match value {
            Doc::Null => NULL,
            Doc::Bool(_) => BOOLEAN,
            Doc::Number(n) if is_integer(n) => INTEGER,
            Doc::Number(_) => NUMBER,
            Doc::Str(_) => STRING,
            Doc::Array(_) => ARRAY,
            Doc::Object(_) => OBJECT,
        };
        if self.types & bits == 0 {
            return false;
        }
        if let Some(consts) = &self.consts {
            if !consts.iter().any(|c| same_doc(c, value)) {
                return false;
            }
        }
        let fits = match value {
            Doc::Number(n) => self.number_fits(n),
            Doc::Str(text) => self.text_fits(text),
            Doc::Array(items) => self.items_count_holds(items.len()),
            _ => true,
        };
        if !fits {
            return false;
        }
        match value {
            Doc::Array(items) => self
                .items
                .as_ref()
                .is_none_or(|node| items.iter().all(|item| node.accepts(item))),
            Doc::Object(members) => {
                let mut seen = 0u64;
                for (name, inner) in members {
                    match self.property(name) {
                        Some((at, node)) => {
                            if seen & bit(at) != 0 || !node.accepts(inner) {
                                // A repeated key is for the full validator to judge.
                                return false;
                            }
                            seen |= bit(at);
                        }
                        None if !self.additional => return false,
                        None => {}
                    }
                }
                seen & self.required == self.required
            }
            _ => true,
        }
    }

    fn property(&self, name: &str) -> Option<(usize, &Node)> {
        self.property_after(name, 0)
    }

    /// [`Node::property`], looked for at `guess` first: payloads mostly list their properties
    /// in the schema's order, so the one after the last found is usually the next.
    fn property_after(&self, name: &str, guess: usize) -> Option<(usize, &Node)> {
        if let Some((property, node)) = self.properties.get(guess) {
            if short_eq::same_str(property, name) {
                return Some((guess, node));
            }
        }
        self.properties
            .iter()
            .enumerate()
            .find(|(_, (property, _))| short_eq::same_str(property, name))
            .map(|(at, (_, node))| (at, node))
    }

    /// Whether an array of `count` items has as many as required.
    fn items_count_holds(&self, count: usize) -> bool {
        self.limits
            .as_ref()
            .is_none_or(|limits| limits.items_count.holds(count))
    }

    /// Whether a number is within the bounds and a multiple as required.
    #[inline]
    fn number_fits(&self, n: &serde_json::Number) -> bool {
        self.limits
            .as_ref()
            .is_none_or(|limits| limits.number_fits(n))
    }

    /// Whether a string has the length, pattern and format required.
    #[inline]
    fn text_fits(&self, text: &str) -> bool {
        if let Some(limits) = &self.limits {
            let length = limits.text_length;
            if length.is_bounded() && !length.holds(text.chars().count()) {
                return false;
            }
        }
        self.text.as_ref().is_none_or(|validator| {
            (self.email_only && formats::surely_email(text))
                || validator.is_valid(&Value::String(text.to_owned()))
        })
    }

    /// Whether a scalar of type `bits` whose value is `value()` is one the node allows (its
    /// length, bounds and pattern aside).
    fn scalar_fits(&self, bits: u8, value: impl FnOnce() -> Value) -> bool {
        self.types & bits != 0
            && self.consts.as_ref().is_none_or(|consts| {
                let value = value();
                consts.iter().any(|c| same(c, &value))
            })
    }

    /// Whether a string is one the node allows, all told.
    fn string_fits(&self, text: &str) -> bool {
        self.types & STRING != 0
            && self.consts.as_ref().is_none_or(|consts| {
                consts
                    .iter()
                    .any(|c| c.as_str().is_some_and(|c| short_eq::same_str(c, text)))
            })
            && self.text_fits(text)
    }
}

fn bit(at: usize) -> u64 {
    if at < 64 {
        1 << at
    } else {
        0
    }
}

fn is_integer(n: &serde_json::Number) -> bool {
    n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|x| x.fract() == 0.0)
}

/// The top-level object, keeping what rules read.
struct Root<'n> {
    node: &'n Node,
    keep: &'n Keep,
}

/// [`FastCheck::seed`]: the kept properties as an object.
pub struct PayloadSeed<'s>(Root<'s>);

impl PayloadSeed<'_> {
    /// The kept properties of the payload `text` (an object, white space around it allowed)
    /// when it is valid; `None` where [`FastCheck::check`] answers [`Outcome::Ask`]. A payload
    /// written plainly is walked over its bytes; any other is read by the deserializer.
    pub fn read<'a>(self, text: &'a str) -> Option<Doc<'a>> {
        let Root { node, keep } = self.0;
        match walk::payload(node, keep, text) {
            Some(kept) => Some(Doc::Object(kept)),
            None => self.deserialized(text),
        }
    }

    /// [`PayloadSeed::read`] by the deserializer.
    fn deserialized<'a>(self, text: &'a str) -> Option<Doc<'a>> {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        let kept = self.deserialize(&mut deserializer).ok()?;
        deserializer.end().ok()?;
        Some(kept)
    }
}

impl<'de> DeserializeSeed<'de> for PayloadSeed<'_> {
    type Value = Doc<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(deserializer).map(Doc::Object)
    }
}

/// The members of an object kept for rules.
type Kept<'de> = Vec<(std::borrow::Cow<'de, str>, Doc<'de>)>;

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = Kept<'de>;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Self::Value, D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = Kept<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        object(self.node, map, Some(self.keep))
    }
}

/// Checks an object against `node`, keeping (as values) the properties `keep` names.
fn object<'de, A: MapAccess<'de>>(
    node: &Node,
    mut map: A,
    keep: Option<&Keep>,
) -> Result<Kept<'de>, A::Error> {
    let mut kept = Vec::with_capacity(keep.map_or(0, |keep| keep.count));
    let mut seen = 0u64;
    while let Some(key) = map.next_key_seed(KeySeed)? {
        let found = node.property(&key);
        if let Some((at, _)) = found {
            if seen & bit(at) != 0 {
                // A repeated key: the last one counts, which only the full validator sees.
                return Err(de::Error::custom(""));
            }
            seen |= bit(at);
        }
        let wanted = keep.is_some_and(|keep| keep.wants(found.map(|(at, _)| at), &key));
        match (found, wanted) {
            (None, _) if !node.additional => return Err(de::Error::custom("")),
            (Some((_, inner)), true) => {
                let value: Doc = map.next_value()?;
                if !inner.accepts(&value) {
                    return Err(de::Error::custom(""));
                }
                kept.push((key, value));
            }
            (None, true) => {
                let value: Doc = map.next_value()?;
                kept.push((key, value));
            }
            (Some((_, inner)), false) => map.next_value_seed(inner)?,
            (None, false) => map.next_value::<Readable>().map(|_| ())?,
        }
    }
    if seen & node.required != node.required {
        return Err(de::Error::custom(""));
    }
    Ok(kept)
}

/// Any value, read through as the validator's reader reads it and dropped. Skipped unread
/// (`IgnoredAny`), a number out of a double's range would pass here and fail there.
struct Readable;

impl<'de> Deserialize<'de> for Readable {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(Readable)
    }
}

impl<'de> Visitor<'de> for Readable {
    type Value = Readable;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Readable, E> {
        Ok(Readable)
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Readable, E> {
        Ok(Readable)
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Readable, E> {
        Ok(Readable)
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Readable, E> {
        Ok(Readable)
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Readable, E> {
        Ok(Readable)
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<Readable, E> {
        Ok(Readable)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Readable, A::Error> {
        while seq.next_element::<Readable>()?.is_some() {}
        Ok(Readable)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Readable, A::Error> {
        while map.next_entry::<Readable, Readable>()?.is_some() {}
        Ok(Readable)
    }
}

impl<'de> DeserializeSeed<'de> for &Node {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for &Node {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        fits(self.scalar_fits(NULL, || Value::Null))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<(), E> {
        fits(self.scalar_fits(BOOLEAN, || Value::Bool(v)))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<(), E> {
        fits(
            self.scalar_fits(INTEGER, || Value::from(v))
                && self.number_fits(&serde_json::Number::from(v)),
        )
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<(), E> {
        fits(
            self.scalar_fits(INTEGER, || Value::from(v))
                && self.number_fits(&serde_json::Number::from(v)),
        )
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<(), E> {
        let bits = if v.fract() == 0.0 { INTEGER } else { NUMBER };
        fits(
            self.scalar_fits(bits, || Value::from(v))
                && serde_json::Number::from_f64(v).is_some_and(|n| self.number_fits(&n)),
        )
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(), E> {
        fits(self.string_fits(v))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        if self.types & ARRAY == 0 || self.consts.is_some() {
            // An array enum value is rare: the full validator judges it.
            return Err(de::Error::custom(""));
        }
        let mut count = 0usize;
        match &self.items {
            Some(items) => {
                while seq.next_element_seed(&**items)?.is_some() {
                    count += 1;
                }
            }
            None => {
                while seq.next_element::<Readable>()?.is_some() {
                    count += 1;
                }
            }
        }
        fits(self.items_count_holds(count))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        if self.types & OBJECT == 0 || self.consts.is_some() {
            return Err(de::Error::custom(""));
        }
        object(self, map, None).map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_payload_has_a_fast_check() {
        let (files, _) = crate::config::load_builtin();
        let catalog = crate::compile::compile(&files)
            .0
            .expect("the built-in catalog compiles");
        for lifecycle in &catalog.lifecycles {
            for version in &lifecycle.versions {
                for event in &version.events {
                    if let Some(payload) = &event.payload {
                        assert!(
                            payload.fast.is_some(),
                            "{} {} {}: {}",
                            lifecycle.name,
                            version.name,
                            event.name,
                            payload.schema
                        );
                    }
                    assert_ne!(event.data_reads, DataReads::Everything, "{}", event.name);
                }
            }
        }
    }
}
