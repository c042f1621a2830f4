//! The fast check run straight over a payload's bytes, for payloads written plainly (strings
//! without escapes, integers that fit an `i64`): one pass, no deserializer between the
//! text and the schema. It answers only when it is sure, and then exactly what the
//! deserializer answers; anything else (escapes, fractions, a fault) gives `None`, and the
//! deserializer reads the payload again and has the last word.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::borrow::Cow;

use serde_json::{Number, Value};

use super::{bit, Keep, Kept, Node, ARRAY, BOOLEAN, INTEGER, NULL, OBJECT};
use crate::expr::doc::Doc;
use crate::plain_json::{after, after_fixed, integer, plain_str, scalar_end, skip_space};

/// Deeper than this the walk gives up (the deserializer has its own limit).
const MAX_DEPTH: usize = 100;

/// The room a kept array or object is made with.
const SMALL: usize = 4;

/// Every member of an object kept: one a rule reads whole.
const EVERYTHING: Keep = Keep {
    properties: u64::MAX,
    others: Vec::new(),
    all_others: true,
    count: SMALL,
};

/// The properties `keep` names of the object `text` holds (white space around it allowed),
/// checked against `root`; `None` when the walk is not sure.
pub(super) fn payload<'a>(root: &Node, keep: &Keep, text: &'a str) -> Option<Kept<'a>> {
    let mut walk = Walk {
        text,
        bytes: text.as_bytes(),
        at: skip_space(text.as_bytes(), 0),
        depth: 0,
    };
    let kept = walk.object(root, Some(keep))?;
    (skip_space(walk.bytes, walk.at) == walk.bytes.len()).then_some(kept)
}

/// A position in the payload's text.
struct Walk<'a> {
    text: &'a str,
    bytes: &'a [u8],
    at: usize,
    depth: usize,
}

impl<'a> Walk<'a> {
    fn space(&mut self) {
        self.at = skip_space(self.bytes, self.at);
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.at).copied()
    }

    /// `word` (`true`, `false`, `null`) at the position, stepped over.
    fn word<const N: usize>(&mut self, word: &[u8; N]) -> Option<()> {
        self.at = after_fixed(self.bytes, self.at, word)?;
        Some(())
    }

    /// A string without escapes, stepped over.
    #[inline]
    fn string(&mut self) -> Option<&'a str> {
        let (text, after) = plain_str(self.text, self.at)?;
        self.at = after;
        Some(text)
    }

    /// An integer that fits an `i64`, as the deserializer hands it on (not `-0`, which it
    /// reads as a float), stepped over.
    fn integer(&mut self) -> Option<Number> {
        let (value, after) = integer(self.bytes, self.at)?;
        if value == 0 && self.peek() == Some(b'-') {
            return None;
        }
        self.at = after;
        Some(Number::from(value))
    }

    /// The array (`close` `]`) or object (`}`) at the position, each of its items or members
    /// handed to `each`, stepped over.
    fn each_in(&mut self, close: u8, mut each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.depth += 1;
        self.at += 1;
        self.space();
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut more = self.peek() != Some(close);
        if !more {
            self.at += 1;
        }
        while more {
            each(self)?;
            self.space();
            more = match self.peek()? {
                b',' => true,
                byte if byte == close => false,
                _ => return None,
            };
            self.at += 1;
            self.space();
        }
        self.depth -= 1;
        Some(())
    }

    /// The items of the array at the position, each handed to `each`.
    fn items(&mut self, each: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        self.each_in(b']', each)
    }

    /// The members of the object at the position, each value handed to `each` with its key.
    fn members(&mut self, mut each: impl FnMut(&mut Self, &'a str) -> Option<()>) -> Option<()> {
        self.each_in(b'}', |walk| {
            let key = walk.key()?;
            each(walk, key)
        })
    }

    /// A member's key and its colon, stepped over with the white space around them.
    fn key(&mut self) -> Option<&'a str> {
        let key = self.string()?;
        self.space();
        if self.peek()? != b':' {
            return None;
        }
        self.at += 1;
        self.space();
        Some(key)
    }

    /// The members of the object at the position checked as properties of `node`: each value
    /// handed to `each` with its key and the property it is (`None`: none of `node`'s). A key
    /// written twice, or a required property missing, gives `None`. The key of the property
    /// after the last one found, when written plainly where it is expected, is matched
    /// without being read.
    fn properties<'n>(
        &mut self,
        node: &'n Node,
        mut each: impl FnMut(&mut Self, &'a str, Option<(usize, &'n Node)>) -> Option<()>,
    ) -> Option<()> {
        let (mut seen, mut guess) = (0u64, 0);
        self.each_in(b'}', |walk| {
            let (key, found) = match walk.written_key(node, guess) {
                Some(key) => (
                    key,
                    node.properties.get(guess).map(|(_, inner)| (guess, inner)),
                ),
                None => {
                    let key = walk.key()?;
                    (key, node.property_after(key, guess))
                }
            };
            if let Some((at, _)) = found {
                if seen & bit(at) != 0 {
                    return None;
                }
                seen |= bit(at);
                guess = at + 1;
            }
            each(walk, key, found)
        })?;
        (seen & node.required == node.required).then_some(())
    }

    /// The key of `node`'s property `at` when it is written at the position as a plain
    /// writer writes it (`"name":`), stepped over with the white space after it.
    fn written_key(&mut self, node: &Node, at: usize) -> Option<&'a str> {
        let written = node.written_keys.get(at)?.as_deref()?;
        let end = after(self.bytes, self.at, written)?;
        // Between the quotes: the name, valid UTF-8 as the text around it is.
        let key = self.text.get(self.at + 1..end - 2)?;
        self.at = end;
        self.space();
        Some(key)
    }

    /// An object checked against `node`, keeping the properties `keep` names.
    fn object(&mut self, node: &Node, keep: Option<&Keep>) -> Option<Kept<'a>> {
        if self.peek()? != b'{' {
            return None;
        }
        let mut kept = Vec::with_capacity(keep.map_or(0, |keep| keep.count));
        self.properties(node, |walk, key, found| {
            let wanted = keep.is_some_and(|keep| keep.wants(found.map(|(at, _)| at), key));
            match (found, wanted) {
                (None, _) if !node.additional => None,
                (Some((_, inner)), true) => {
                    kept.push((Cow::Borrowed(key), walk.kept(inner)?));
                    Some(())
                }
                (None, true) => {
                    kept.push((Cow::Borrowed(key), walk.doc()?));
                    Some(())
                }
                (Some((_, inner)), false) => walk.checked(inner),
                (None, false) => walk.skip(),
            }
        })?;
        Some(kept)
    }

    /// A value checked against `node`, not kept.
    fn checked(&mut self, node: &Node) -> Option<()> {
        let fits = match self.peek()? {
            b'n' => {
                self.word(b"null")?;
                node.scalar_fits(NULL, || Value::Null)
            }
            b't' => {
                self.word(b"true")?;
                node.scalar_fits(BOOLEAN, || Value::Bool(true))
            }
            b'f' => {
                self.word(b"false")?;
                node.scalar_fits(BOOLEAN, || Value::Bool(false))
            }
            b'"' => node.string_fits(self.string()?),
            b'[' => {
                if node.types & ARRAY == 0 || node.consts.is_some() {
                    return None;
                }
                let mut count = 0usize;
                self.items(|walk| {
                    count += 1;
                    match &node.items {
                        Some(items) => walk.checked(items),
                        None => walk.skip(),
                    }
                })?;
                node.items_count_holds(count)
            }
            b'{' => {
                if node.types & OBJECT == 0 || node.consts.is_some() {
                    return None;
                }
                self.object(node, None)?;
                true
            }
            _ => integer_fits(node, &self.integer()?),
        };
        fits.then_some(())
    }

    /// A value kept for rules and checked against `node` as it is read: what
    /// [`Node::accepts`] says of the value [`Walk::doc`] reads, in one pass over it (an array
    /// or object against a node with `const` or `enum` values is read, then judged whole).
    fn kept(&mut self, node: &Node) -> Option<Doc<'a>> {
        match self.peek()? {
            b'[' if node.consts.is_none() => {
                if node.types & ARRAY == 0 {
                    return None;
                }
                let mut items = Vec::with_capacity(SMALL);
                self.items(|walk| {
                    items.push(match &node.items {
                        Some(inner) => walk.kept(inner)?,
                        None => walk.doc()?,
                    });
                    Some(())
                })?;
                node.items_count_holds(items.len())
                    .then_some(Doc::Array(items))
            }
            b'{' if node.consts.is_none() => {
                if node.types & OBJECT == 0 {
                    return None;
                }
                self.object(node, Some(&EVERYTHING)).map(Doc::Object)
            }
            // Scalars are judged as `checked` judges them, without asking what was read.
            b'"' => {
                let text = self.string()?;
                node.string_fits(text)
                    .then_some(Doc::Str(Cow::Borrowed(text)))
            }
            b'-' | b'0'..=b'9' => {
                let value = self.integer()?;
                integer_fits(node, &value).then_some(Doc::Number(value))
            }
            _ => {
                let value = self.doc()?;
                node.accepts(&value).then_some(value)
            }
        }
    }

    /// A value kept for rules.
    fn doc(&mut self) -> Option<Doc<'a>> {
        Some(match self.peek()? {
            b'n' => self.word(b"null").map(|()| Doc::Null)?,
            b't' => self.word(b"true").map(|()| Doc::Bool(true))?,
            b'f' => self.word(b"false").map(|()| Doc::Bool(false))?,
            b'"' => Doc::Str(Cow::Borrowed(self.string()?)),
            b'[' => {
                // Room for a few at once: most kept arrays and objects are small.
                let mut items = Vec::with_capacity(SMALL);
                self.items(|walk| {
                    items.push(walk.doc()?);
                    Some(())
                })?;
                Doc::Array(items)
            }
            b'{' => {
                let mut members = Vec::with_capacity(SMALL);
                self.members(|walk, key| {
                    members.push((Cow::Borrowed(key), walk.doc()?));
                    Some(())
                })?;
                Doc::Object(members)
            }
            _ => Doc::Number(self.integer()?),
        })
    }

    /// Any value, its syntax checked.
    fn skip(&mut self) -> Option<()> {
        match self.peek()? {
            b'[' => self.items(Self::skip),
            b'{' => self.members(|walk, _| walk.skip()),
            _ => {
                let start = self.at;
                self.at = scalar_end(self.bytes, self.at)?;
                readable(self.bytes.get(start..self.at)?).then_some(())
            }
        }
    }
}

/// Whether an integer the walk read is one `node` allows, all told.
fn integer_fits(node: &Node, value: &Number) -> bool {
    node.scalar_fits(INTEGER, || Value::Number(value.clone())) && node.number_fits(value)
}

/// Whether the validator's reader reads the scalar `written`: a number that is not an `i64`
/// only when it is within a double's range (as that reader decides it).
fn readable(written: &[u8]) -> bool {
    let number = matches!(written.first(), Some(b'-' | b'0'..=b'9'));
    !number || integer(written, 0).is_some() || serde_json::from_slice::<f64>(written).is_ok()
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::{DataReads, FastCheck, Outcome};
    use super::*;

    /// What the deserializer makes of `text`, the authority the walk is held to.
    fn deserialized<'a>(check: &FastCheck, text: &'a str) -> Option<Kept<'a>> {
        match check.check_by_deserializer(text) {
            Outcome::Valid(Doc::Object(kept)) => Some(kept),
            _ => None,
        }
    }

    fn check(reads: &DataReads) -> FastCheck {
        let schema = json!({
            "type": "object",
            "properties": {
                "id": {"type": "string", "minLength": 1, "maxLength": 8},
                "n": {"type": "integer", "minimum": -5, "maximum": 1000, "multipleOf": 5},
                "x": {"type": "number"},
                "kind": {"enum": ["a", "b", 3, null]},
                "flag": {"type": "boolean"},
                "code": {"type": "string", "pattern": "^[0-9]+$"},
                "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 3},
                "inner": {
                    "type": "object",
                    "properties": {"k": {"anyOf": [{"const": "p"}, {"const": 2}]}},
                    "required": ["k"],
                    "additionalProperties": false
                },
                "nested": {
                    "type": "array",
                    "minItems": 1,
                    "items": {
                        "type": "object",
                        "properties": {
                            "a": {
                                "type": "object",
                                "properties": {"id": {"type": "string", "maxLength": 3}},
                                "required": ["id"]
                            },
                            "e": {"enum": [[1], {"b": 2}]}
                        }
                    }
                },
                "q\"uote": {"type": "integer"},
                "nothing": {"type": "null"},
                "any": {}
            },
            "required": ["id"]
        });
        let mut check = FastCheck::compile(&schema).expect("in the subset");
        check.keeping(reads);
        check
    }

    const PAYLOADS: &[&str] = &[
        r#"{"id":"a1"}"#,
        r#" { "id" : "a1" , "n" : 10 } "#,
        "{\"id\":\"a1\",\n\t\"n\":-5}\r\n",
        r#"{"id":"a1","n":7}"#,
        r#"{"id":"a1","n":1005}"#,
        r#"{"id":"a1","n":-0}"#,
        r#"{"id":"a1","n":10.0}"#,
        r#"{"id":"a1","n":1e1}"#,
        r#"{"id":"a1","n":01}"#,
        r#"{"id":"a1","n":-}"#,
        r#"{"id":"a1","x":1.5,"n":0}"#,
        r#"{"id":"a1","x":12345678901234567890}"#,
        r#"{"id":"a1","x":-9223372036854775808}"#,
        r#"{"id":"a1","x":9223372036854775807}"#,
        r#"{"id":"a1","kind":"a","flag":true}"#,
        r#"{"id":"a1","kind":"c"}"#,
        r#"{"id":"a1","kind":3}"#,
        r#"{"id":"a1","kind":3.0}"#,
        r#"{"id":"a1","kind":null,"flag":false}"#,
        r#"{"id":"a1","flag":"true"}"#,
        r#"{"id":"a1","code":"0123"}"#,
        r#"{"id":"a1","code":"12a"}"#,
        r#"{"id":"a1","tags":[]}"#,
        r#"{"id":"a1","tags":[ "x" , "y" ]}"#,
        r#"{"id":"a1","tags":["x","y","z","w"]}"#,
        r#"{"id":"a1","tags":["x",1]}"#,
        r#"{"id":"a1","tags":["x",]}"#,
        r#"{"id":"a1","inner":{"k":"p"}}"#,
        r#"{"id":"a1","inner":{"k":2}}"#,
        r#"{"id":"a1","inner":{"k":"q"}}"#,
        r#"{"id":"a1","inner":{}}"#,
        r#"{"id":"a1","inner":{"k":"p","z":1}}"#,
        r#"{"id":"a1","nothing":null,"any":[1,{"a":[true,false,null,"s",-1.5e-3]},{}]}"#,
        r#"{"id":"a1","other":{"deep":[[[]]],"s":"t"},"more":-12}"#,
        r#"{"id":"a1","nested":[{"a":{"id":"x"}},{"b":{"id":"long text"}},{}]}"#,
        r#"{"id":"a1","nested":[{"a":{"id":"long"}}]}"#,
        r#"{"id":"a1","nested":[{"a":{"k":"x"}}]}"#,
        r#"{"id":"a1","nested":[{"a":{"id":"x","id":"y"}}]}"#,
        r#"{"id":"a1","nested":[{"a":[]}]}"#,
        r#"{"id":"a1","nested":[]}"#,
        r#"{"id":"a1","nested":{}}"#,
        r#"{"id":"a1","nested":[{"e":[1]},{"e":{"b":2}}]}"#,
        r#"{"id":"a1","nested":[{"e":[2]}]}"#,
        r#"{"id":"a1","nested":[{"e":{"b":2,"c":3}}]}"#,
        r#"{"id":"a1","q\"uote":1}"#,
        r#"{"id":"a1","q":1}"#,
        r#"{"id":"a\"1"}"#,
        r#"{"id":"a\u00e91"}"#,
        r#"{"i\u0064":"a1"}"#,
        r#"{"id":"a1","other":"x\\y"}"#,
        r#"{"id":"héllo"}"#,
        r#"{"id":"123456789"}"#,
        r#"{"id":""}"#,
        r#"{"id":"a1","id":"b2"}"#,
        r#"{"n":5}"#,
        r#"{}"#,
        r#"{"id":"a1",}"#,
        r#"{"id":"a1"} x"#,
        r#"{"id":"a1"}}"#,
        r#"{"id" "a1"}"#,
        r#"{"id":"a1","flag":tru}"#,
        r#"{"id":"a1","flag":truex}"#,
        r#"["id"]"#,
        r#""id""#,
        "{\"id\":\"a\u{1}1\"}",
        r#"{"id":"a1","any":[1 2]}"#,
        r#"{"id":"a1","any":{"a":1,,"b":2}}"#,
        r#"{"id":"a1","zz":1e300,"any":[-2.5E-400,0e999]}"#,
        r#"{"id":"a1","zz":1e500}"#,
        r#"{"id":"a1","any":[1,{"y":-1.8e308}]}"#,
        r#"{"id":"a1","zz":123456789012345678901234567890}"#,
    ];

    #[test]
    fn the_walk_answers_as_the_deserializer_or_not_at_all() {
        let reads = [
            DataReads::Nothing,
            DataReads::Fields(vec!["id".into(), "any".into(), "other".into()]),
            DataReads::Fields(vec!["tags".into(), "inner".into(), "n".into()]),
            DataReads::Fields(vec!["nested".into(), "kind".into()]),
            DataReads::Everything,
        ];
        let mut answered = 0;
        for reads in &reads {
            let check = check(reads);
            for payload in PAYLOADS {
                // Every prefix too: broken texts the walk must leave alone.
                for end in (0..=payload.len()).filter(|end| payload.is_char_boundary(*end)) {
                    let text = &payload[..end];
                    let walked = payload_of(&check, text);
                    if deserialized(&check, text).is_some() {
                        // What either passes, the validator's reader reads.
                        assert!(serde_json::from_str::<Value>(text).is_ok(), "{text}");
                    }
                    if walked.is_some() {
                        answered += 1;
                        assert_eq!(walked, deserialized(&check, text), "{reads:?} {text}");
                    }
                }
            }
        }
        // The plain ones are answered: every valid payload without escapes or fractions.
        for reads in &reads {
            let check = check(reads);
            for text in [
                r#"{"id":"a1","n":10,"kind":"a","tags":["x"],"inner":{"k":2},"other":[{}]}"#,
                r#" {"id":"héllo" ,"code":"7","nothing":null,"any":{"a":[true,-3]}} "#,
                r#"{"id":"a1","nested":[{"a":{"id":"x"}},{"z":[]},{}]}"#,
            ] {
                assert!(deserialized(&check, text).is_some(), "{text}");
                assert_eq!(
                    payload_of(&check, text),
                    deserialized(&check, text),
                    "{text}"
                );
            }
        }
        assert!(answered >= 5 * 20, "{answered}");
        // An integer of 400 digits is beyond a double too: neither reader passes it.
        let huge = format!(r#"{{"id":"a1","zz":1{}}}"#, "0".repeat(400));
        let check = check(&DataReads::Nothing);
        assert_eq!(payload_of(&check, &huge), None);
        assert_eq!(deserialized(&check, &huge), None);
    }

    fn payload_of<'a>(check: &FastCheck, text: &'a str) -> Option<Kept<'a>> {
        payload(&check.root, &check.keep, text)
    }
}
