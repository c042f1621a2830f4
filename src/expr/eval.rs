//! Evaluation of checked expressions. Total: every input gives a value, `Absent` where a
//! path is missing, arithmetic overflows or divides by zero, `Unknown` where it depends on
//! what the stream cannot tell (an invalid part of the payload, a field an unseen event
//! would have set): every operation on `Unknown` gives `Unknown`, except `??`, which replaces
//! it, and `and`/`or` when their other side decides them alone.

// Indexes here come from input: every access is checked.
#![deny(clippy::indexing_slicing)]

use std::borrow::Cow;

use serde_json::Value;

use super::ast::{BinaryOp, Step};
use super::doc::Doc;
use super::slot::Slot;
use crate::short_eq;

/// A constant.
#[derive(Debug, Clone, PartialEq)]
pub enum Lit {
    /// `null`.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(String),
}

/// A piece of an interpolated string.
#[derive(Debug, Clone, PartialEq)]
pub enum InterpPart {
    /// Literal text.
    Text(String),
    /// A value to format.
    Expr(Node),
}

/// A checked expression, names resolved to slots.
#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    /// A constant.
    Const(Lit),
    /// The event's timestamp.
    Ts,
    /// The event's name.
    Event,
    /// A path into the payload.
    Data(Vec<Step>),
    /// A metadata field (and a path below it).
    Meta {
        /// The field's slot.
        slot: usize,
        /// What an unset field reads as.
        reads_as: Option<Doc<'static>>,
        /// Steps below the field.
        steps: Vec<Step>,
    },
    /// `[a, b]`.
    List(Vec<Node>),
    /// `"a${b}"`.
    Interpolation(Vec<InterpPart>),
    /// `not x`.
    Not(Box<Node>),
    /// `-x`.
    Neg(Box<Node>),
    /// `a op b`.
    Binary(BinaryOp, Box<Node>, Box<Node>),
    /// `len(x)`.
    Len(Box<Node>),
    /// `exists(x)`.
    Exists(Box<Node>),
    /// The interaction's state before the event.
    State,
    /// The interaction's state after the event.
    NextState,
    /// An element bound by an enclosing aggregate (by depth), and a path below it.
    Local(usize, Vec<Step>),
    /// `sum(xs)`, `count(xs, x => x.ok)`: an aggregate over a list, with an element function.
    Aggregate(Aggregate, Box<Node>, Option<Box<Node>>),
    /// A function of one or two values (`abs(x)`, `starts_with(a, b)`).
    Apply(Function, Vec<Node>),
}

/// Aggregates over a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Aggregate {
    /// The sum of the numbers (0 for none).
    Sum,
    /// The least number (absent for none).
    Min,
    /// The greatest number (absent for none).
    Max,
    /// How many elements (or how many for which the function holds).
    Count,
    /// Whether the function holds for some element.
    Any,
    /// Whether the function holds for every element.
    All,
}

/// Functions of plain values.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// `abs(x)`.
    Abs,
    /// `round(x)`: the nearest integer, halves away from zero.
    Round,
    /// `floor(x)`.
    Floor,
    /// `ceil(x)`.
    Ceil,
    /// `lower(s)`.
    Lower,
    /// `upper(s)`.
    Upper,
    /// `starts_with(s, prefix)`.
    StartsWith,
    /// `ends_with(s, suffix)`.
    EndsWith,
    /// `contains(s, part)`, or `contains(list, value)`.
    Contains,
}

/// A runtime value, borrowing from the event and the metadata block where it can.
#[derive(Debug, Clone, PartialEq)]
pub enum Val<'a> {
    /// Missing.
    Absent,
    /// Not knowable from the stream: read from an invalid part of the payload, or from a
    /// field whose value depends on an event the stream lost.
    Unknown,
    /// JSON null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A float.
    Float(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An array or object from the payload or the metadata.
    Json(&'a Doc<'a>),
    /// A list built by the expression (`[a, b]`, `x[*]`).
    List(Vec<Val<'a>>),
}

/// What an expression sees of the event being processed.
#[derive(Debug, Clone, Copy)]
pub struct Env<'a> {
    /// The event's timestamp.
    pub ts: i64,
    /// The event's name.
    pub event: &'a str,
    /// The payload (as far as rules read it), if any.
    pub data: Option<&'a Doc<'a>>,
    /// Where the payload failed its schema: a read at, above or below one of these is
    /// unknown (the empty path: the whole payload).
    pub invalid: &'a [Vec<String>],
    /// The metadata slots before this rule (missing slots are unset).
    pub meta: &'a [Slot],
    /// The interaction's state before the event.
    pub state: &'a str,
    /// Its state after the event (the same as `state` in a transition guard).
    pub next_state: &'a str,
    /// The elements bound by enclosing aggregates, outermost first.
    pub locals: &'a [Val<'a>],
}

impl<'a> Val<'a> {
    /// A JSON value as a runtime value.
    pub fn from_doc(value: &'a Doc<'a>) -> Val<'a> {
        match value {
            Doc::Null => Val::Null,
            Doc::Bool(b) => Val::Bool(*b),
            Doc::Number(n) => n
                .as_i64()
                .map(Val::Int)
                .or_else(|| n.as_f64().map(Val::Float))
                .unwrap_or(Val::Absent),
            Doc::Str(s) => Val::Str(Cow::Borrowed(s)),
            Doc::Array(_) | Doc::Object(_) => Val::Json(value),
        }
    }

    /// The value as JSON, `None` when absent.
    pub fn to_json(&self) -> Option<Value> {
        Some(match self {
            Val::Absent | Val::Unknown => return None,
            Val::Null => Value::Null,
            Val::Bool(b) => Value::Bool(*b),
            Val::Int(n) => Value::from(*n),
            Val::Float(x) => serde_json::Number::from_f64(*x).map_or(Value::Null, Value::Number),
            Val::Str(s) => Value::String(s.to_string()),
            Val::Json(value) => value.to_value(),
            Val::List(items) => Value::Array(items.iter().filter_map(Val::to_json).collect()),
        })
    }

    fn as_f64(&self) -> Option<f64> {
        match self {
            Val::Int(n) => Some(*n as f64),
            Val::Float(x) => Some(*x),
            _ => None,
        }
    }

    fn elements(&self) -> Vec<Val<'a>> {
        match self {
            Val::List(items) => items.clone(),
            Val::Json(Doc::Array(items)) => items.iter().map(Val::from_doc).collect(),
            _ => Vec::new(),
        }
    }

    /// The elements of a list or array, taken rather than copied.
    fn into_elements(self) -> Vec<Val<'a>> {
        match self {
            Val::List(items) => items,
            other => other.elements(),
        }
    }

    /// Whether a list or array has an element equal to `needle` (`false` for anything else).
    fn has_element(&self, needle: &Val<'_>) -> bool {
        match self {
            Val::List(items) => items.iter().any(|item| item.equals(needle)),
            Val::Json(Doc::Array(items)) => {
                items.iter().any(|item| Val::from_doc(item).equals(needle))
            }
            _ => false,
        }
    }

    fn equals(&self, other: &Val<'_>) -> bool {
        match (self, other) {
            (Val::Int(a), Val::Int(b)) => a == b,
            (Val::Int(_) | Val::Float(_), Val::Int(_) | Val::Float(_)) => {
                self.as_f64() == other.as_f64()
            }
            (Val::Str(a), Val::Str(b)) => short_eq::same_str(a, b),
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (Val::Null, Val::Null) | (Val::Absent, Val::Absent) => true,
            (Val::Json(Doc::Object(_)), Val::Json(Doc::Object(_))) => {
                self.to_json() == other.to_json()
            }
            (Val::List(_) | Val::Json(Doc::Array(_)), Val::List(_) | Val::Json(Doc::Array(_))) => {
                let (a, b) = (self.elements(), other.elements());
                a.len() == b.len() && a.iter().zip(&b).all(|(x, y)| x.equals(y))
            }
            _ => false,
        }
    }

    /// What is left of `text` after this value as [`Val::write_to`] writes it, if `text`
    /// starts with it.
    fn written_before<'t>(&self, text: &'t str) -> Option<&'t str> {
        match self {
            Val::Absent | Val::Unknown => Some(text),
            Val::Str(s) => short_eq::strip_prefix(text, s),
            Val::Int(n) => short_eq::strip_prefix(text, itoa::Buffer::new().format(*n)),
            _ => {
                let mut written = String::new();
                self.write_to(&mut written);
                text.strip_prefix(written.as_str())
            }
        }
    }

    fn write_to(&self, out: &mut String) {
        match self {
            Val::Absent | Val::Unknown => {}
            Val::Null => out.push_str("null"),
            Val::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Val::Int(n) => out.push_str(itoa::Buffer::new().format(*n)),
            Val::Float(x) => out.push_str(&x.to_string()),
            Val::Str(s) => out.push_str(s),
            Val::Json(value) => out.push_str(&value.to_value().to_string()),
            Val::List(_) => out.push_str(&self.to_json().unwrap_or(Value::Null).to_string()),
        }
    }
}

fn follow<'a>(start: Val<'a>, steps: &[Step]) -> Val<'a> {
    match start {
        _ if steps.is_empty() => start,
        Val::Json(value) => follow_doc(value, steps),
        Val::Unknown => Val::Unknown,
        _ => Val::Absent,
    }
}

/// The value `steps` lead to from `value`, borrowed all the way (nothing to drop on a path
/// that leads nowhere).
fn follow_doc<'a>(value: &'a Doc<'a>, steps: &[Step]) -> Val<'a> {
    let Some((step, rest)) = steps.split_first() else {
        return Val::from_doc(value);
    };
    match (value, step) {
        (Doc::Array(items), Step::Each) => Val::List(
            items
                .iter()
                .map(|item| follow_doc(item, rest))
                .filter(|val| !matches!(val, Val::Absent))
                .collect(),
        ),
        _ => match child(value, step) {
            Some(inner) => follow_doc(inner, rest),
            None => Val::Absent,
        },
    }
}

/// `follow_doc(value, steps).has_element(needle)`, without building the list a `[*]` makes.
fn has_element_at(value: &Doc<'_>, steps: &[Step], needle: &Val<'_>) -> bool {
    let Some((step, rest)) = steps.split_first() else {
        return Val::from_doc(value).has_element(needle);
    };
    match (value, step) {
        (Doc::Array(items), Step::Each) => items.iter().any(|item| {
            let value = follow_doc(item, rest);
            !matches!(value, Val::Absent) && value.equals(needle)
        }),
        _ => child(value, step).is_some_and(|inner| has_element_at(inner, rest, needle)),
    }
}

/// The member (`.name`) or item (`[n]`, negative from the end) one step names; `None` for
/// `[*]` and for a step the value does not have.
#[inline]
fn child<'d, 'a>(value: &'d Doc<'a>, step: &Step) -> Option<&'d Doc<'a>> {
    match (value, step) {
        (Doc::Object(_), Step::Field(name)) => value.get(name),
        (Doc::Array(items), Step::Index(index)) => {
            let at = if *index < 0 {
                items.len().checked_sub(index.unsigned_abs() as usize)
            } else {
                Some(*index as usize)
            };
            at.and_then(|at| items.get(at))
        }
        _ => None,
    }
}

/// Whether the string `parts` make is `text`, compared part by part without building it;
/// `None` when a part is unknown (which decides, whatever the parts before it gave).
fn interpolation_is(parts: &[InterpPart], text: &str, env: &Env<'_>) -> Option<bool> {
    let mut rest = Some(text);
    for part in parts {
        rest = match part {
            InterpPart::Text(written) => {
                rest.and_then(|rest| short_eq::strip_prefix(rest, written))
            }
            InterpPart::Expr(node) => match node.eval(env) {
                Val::Unknown => return None,
                value => rest.and_then(|rest| value.written_before(rest)),
            },
        };
    }
    Some(rest == Some(""))
}

fn arithmetic<'a>(op: BinaryOp, left: Val<'a>, right: Val<'a>) -> Val<'a> {
    match (left, right) {
        (Val::Unknown, _) | (_, Val::Unknown) => Val::Unknown,
        (Val::Int(a), Val::Int(b)) if op != BinaryOp::Div => match op {
            BinaryOp::Add => a.checked_add(b),
            BinaryOp::Sub => a.checked_sub(b),
            BinaryOp::Mul => a.checked_mul(b),
            _ => a.checked_rem(b),
        }
        .map_or(Val::Absent, Val::Int),
        (left, right) => match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => {
                let x = match op {
                    BinaryOp::Add => a + b,
                    BinaryOp::Sub => a - b,
                    BinaryOp::Mul => a * b,
                    BinaryOp::Div => a / b,
                    _ => a % b,
                };
                if !x.is_finite() {
                    Val::Absent
                } else if x.fract() == 0.0 && x.abs() < 9.0e15 {
                    Val::Int(x as i64)
                } else {
                    Val::Float(x)
                }
            }
            _ => Val::Absent,
        },
    }
}

/// Folds a list with an aggregate, each element (or its element function's value) in turn;
/// `any` and `all` stop at the first element that decides them.
fn aggregate<'a>(
    kind: Aggregate,
    list: &'a Node,
    body: Option<&'a Node>,
    env: &Env<'a>,
) -> Val<'a> {
    let mut locals: Vec<Val<'a>> = Vec::new();
    if body.is_some() {
        locals.extend_from_slice(env.locals);
    }
    let mut count = 0i64;
    let mut folded: Option<Val<'a>> = None;
    // An element whose value is unknown leaves `any` and `all` undecided unless another
    // element decides them, and every other aggregate unknown.
    let mut undecided = false;
    let items = list.eval(env);
    if matches!(items, Val::Unknown) {
        return Val::Unknown;
    }
    for item in items.into_elements() {
        let value = match body {
            None => scalar(&item),
            Some(body) => {
                locals.push(item);
                let inner = Env {
                    locals: &locals,
                    ..*env
                };
                let value = scalar(&body.eval(&inner));
                locals.pop();
                value
            }
        };
        if matches!(value, Val::Unknown) {
            match kind {
                Aggregate::Any | Aggregate::All => {
                    undecided = true;
                    continue;
                }
                _ => return Val::Unknown,
            }
        }
        let holds = value == Val::Bool(true);
        match kind {
            Aggregate::Count => count += i64::from(body.is_none() || holds),
            Aggregate::Any if holds => return Val::Bool(true),
            Aggregate::All if !holds => return Val::Bool(false),
            Aggregate::Any | Aggregate::All => {}
            Aggregate::Sum | Aggregate::Min | Aggregate::Max => {
                if !matches!(value, Val::Int(_) | Val::Float(_)) {
                    return Val::Absent;
                }
                folded = Some(match folded {
                    None => value,
                    Some(acc) => match kind {
                        Aggregate::Sum => arithmetic(BinaryOp::Add, acc, value),
                        Aggregate::Min if compare(BinaryOp::Lt, &value, &acc) => value,
                        Aggregate::Max if compare(BinaryOp::Gt, &value, &acc) => value,
                        _ => acc,
                    },
                });
            }
        }
    }
    match kind {
        Aggregate::Any | Aggregate::All if undecided => Val::Unknown,
        Aggregate::Count => Val::Int(count),
        Aggregate::Any => Val::Bool(false),
        Aggregate::All => Val::Bool(true),
        Aggregate::Sum => folded.unwrap_or(Val::Int(0)),
        Aggregate::Min | Aggregate::Max => folded.unwrap_or(Val::Absent),
    }
}

/// A number or boolean as an owned value (what aggregates use of an element); else absent.
fn scalar<'a>(value: &Val<'_>) -> Val<'a> {
    match value {
        Val::Int(n) => Val::Int(*n),
        Val::Float(x) => Val::Float(*x),
        Val::Bool(b) => Val::Bool(*b),
        Val::Unknown => Val::Unknown,
        _ => Val::Absent,
    }
}

fn apply<'a>(function: Function, args: &'a [Node], env: &Env<'a>) -> Val<'a> {
    let mut values = args.iter().map(|arg| arg.eval(env));
    let first = values.next().unwrap_or(Val::Absent);
    let second = values.next().unwrap_or(Val::Absent);
    let to_int = |x: f64| {
        if x.is_finite() && x.abs() < 9.0e18 {
            Val::Int(x as i64)
        } else {
            Val::Absent
        }
    };
    match (function, first, second) {
        (_, Val::Unknown, _) | (_, _, Val::Unknown) => Val::Unknown,
        (Function::Abs, Val::Int(n), _) => n.checked_abs().map_or(Val::Absent, Val::Int),
        (Function::Abs, Val::Float(x), _) => Val::Float(x.abs()),
        (Function::Round | Function::Floor | Function::Ceil, Val::Int(n), _) => Val::Int(n),
        (Function::Round, Val::Float(x), _) => to_int(x.round()),
        (Function::Floor, Val::Float(x), _) => to_int(x.floor()),
        (Function::Ceil, Val::Float(x), _) => to_int(x.ceil()),
        (Function::Lower, Val::Str(s), _) => Val::Str(Cow::Owned(s.to_lowercase())),
        (Function::Upper, Val::Str(s), _) => Val::Str(Cow::Owned(s.to_uppercase())),
        (Function::StartsWith, Val::Str(s), Val::Str(part)) => Val::Bool(s.starts_with(&*part)),
        (Function::EndsWith, Val::Str(s), Val::Str(part)) => Val::Bool(s.ends_with(&*part)),
        (Function::Contains, Val::Str(s), Val::Str(part)) => Val::Bool(s.contains(&*part)),
        (Function::Contains, list @ (Val::List(_) | Val::Json(Doc::Array(_))), needle) => {
            Val::Bool(list.has_element(&needle))
        }
        _ => Val::Absent,
    }
}

fn compare(op: BinaryOp, left: &Val<'_>, right: &Val<'_>) -> bool {
    let ordering = match (left, right) {
        (Val::Str(a), Val::Str(b)) => a.partial_cmp(b),
        _ => match (left.as_f64(), right.as_f64()) {
            (Some(a), Some(b)) => a.partial_cmp(&b),
            _ => None,
        },
    };
    ordering.is_some_and(|ordering| match op {
        BinaryOp::Lt => ordering.is_lt(),
        BinaryOp::Le => ordering.is_le(),
        BinaryOp::Gt => ordering.is_gt(),
        _ => ordering.is_ge(),
    })
}

/// Whether the payload path `steps` reads a place of the payload the stream cannot tell.
#[inline]
fn reads_unknown(steps: &[Step], env: &Env<'_>) -> bool {
    !env.invalid.is_empty() && reads_invalid(steps, env.invalid)
}

/// Whether a payload path reads at, above or below one of the places the payload failed
/// its schema (`[*]` and negative indexes match any element).
fn reads_invalid(steps: &[Step], invalid: &[Vec<String>]) -> bool {
    invalid.iter().any(|place| {
        steps.iter().zip(place).all(|(step, segment)| match step {
            Step::Field(name) => name == segment,
            Step::Index(index) if *index >= 0 => segment.parse() == Ok(*index),
            Step::Index(_) | Step::Each => true,
        })
    })
}

impl Node {
    /// Evaluates the node.
    pub fn eval<'a>(&'a self, env: &Env<'a>) -> Val<'a> {
        match self {
            Node::Const(lit) => match lit {
                Lit::Null => Val::Null,
                Lit::Bool(b) => Val::Bool(*b),
                Lit::Int(n) => Val::Int(*n),
                Lit::Float(x) => Val::Float(*x),
                Lit::Str(s) => Val::Str(Cow::Borrowed(s)),
            },
            Node::Ts => Val::Int(env.ts),
            Node::Event => Val::Str(Cow::Borrowed(env.event)),
            Node::Data(steps) if reads_unknown(steps, env) => Val::Unknown,
            Node::Data(steps) => match env.data {
                Some(data) => follow_doc(data, steps),
                None => Val::Absent,
            },
            Node::Meta {
                slot,
                reads_as,
                steps,
            } => match env.meta.get(*slot).and_then(Slot::to_val) {
                Some(value) => follow(value, steps),
                None => match reads_as {
                    Some(value) => follow_doc(value, steps),
                    None => Val::Absent,
                },
            },
            Node::List(items) => {
                let values: Vec<Val<'a>> = items.iter().map(|item| item.eval(env)).collect();
                match values.iter().any(|value| matches!(value, Val::Unknown)) {
                    true => Val::Unknown,
                    false => Val::List(values),
                }
            }
            Node::Interpolation(parts) => {
                let mut out = String::with_capacity(32);
                for part in parts {
                    match part {
                        InterpPart::Text(text) => out.push_str(text),
                        InterpPart::Expr(node) => match node.eval(env) {
                            Val::Unknown => return Val::Unknown,
                            value => value.write_to(&mut out),
                        },
                    }
                }
                Val::Str(Cow::Owned(out))
            }
            Node::Not(x) => match x.eval(env) {
                Val::Bool(b) => Val::Bool(!b),
                Val::Unknown => Val::Unknown,
                _ => Val::Absent,
            },
            Node::Neg(x) => match x.eval(env) {
                Val::Int(n) => n.checked_neg().map_or(Val::Absent, Val::Int),
                Val::Float(f) => Val::Float(-f),
                Val::Unknown => Val::Unknown,
                _ => Val::Absent,
            },
            Node::Binary(op, left, right) => self.binary(*op, left, right, env),
            Node::Len(x) => match x.eval(env) {
                Val::Str(s) => Val::Int(s.chars().count() as i64),
                Val::Json(Doc::Array(items)) => Val::Int(items.len() as i64),
                Val::List(items) => Val::Int(items.len() as i64),
                Val::Unknown => Val::Unknown,
                _ => Val::Absent,
            },
            Node::Exists(x) => match x.eval(env) {
                Val::Unknown => Val::Unknown,
                value => Val::Bool(!matches!(value, Val::Absent)),
            },
            Node::State => Val::Str(Cow::Borrowed(env.state)),
            Node::NextState => Val::Str(Cow::Borrowed(env.next_state)),
            Node::Local(depth, steps) => match env.locals.get(*depth) {
                Some(value) => follow(value.clone(), steps),
                None => Val::Absent,
            },
            Node::Aggregate(kind, list, body) => aggregate(*kind, list, body.as_deref(), env),
            Node::Apply(function, args) => apply(*function, args, env),
        }
    }

    fn binary<'a>(
        &'a self,
        op: BinaryOp,
        left: &'a Node,
        right: &'a Node,
        env: &Env<'a>,
    ) -> Val<'a> {
        match op {
            BinaryOp::Coalesce => match left.eval(env) {
                Val::Absent | Val::Null | Val::Unknown => right.eval(env),
                value => value,
            },
            BinaryOp::And => match left.eval(env) {
                Val::Bool(false) => Val::Bool(false),
                Val::Bool(true) => right.eval(env),
                Val::Unknown => match right.eval(env) {
                    Val::Bool(false) => Val::Bool(false),
                    _ => Val::Unknown,
                },
                _ => Val::Absent,
            },
            BinaryOp::Or => match left.eval(env) {
                Val::Bool(true) => Val::Bool(true),
                Val::Bool(false) => right.eval(env),
                Val::Unknown => match right.eval(env) {
                    Val::Bool(true) => Val::Bool(true),
                    _ => Val::Unknown,
                },
                _ => Val::Absent,
            },
            BinaryOp::Eq | BinaryOp::Ne => {
                let a = left.eval(env);
                // A string against an interpolation: compared as the parts come, not built.
                if let (Val::Str(text), Node::Interpolation(parts)) = (&a, right) {
                    return interpolation_is(parts, text, env)
                        .map_or(Val::Unknown, |same| Val::Bool(same == (op == BinaryOp::Eq)));
                }
                let b = right.eval(env);
                if matches!(a, Val::Unknown) || matches!(b, Val::Unknown) {
                    return Val::Unknown;
                }
                Val::Bool(a.equals(&b) == (op == BinaryOp::Eq))
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let (a, b) = (left.eval(env), right.eval(env));
                if matches!(a, Val::Unknown) || matches!(b, Val::Unknown) {
                    return Val::Unknown;
                }
                Val::Bool(compare(op, &a, &b))
            }
            BinaryOp::In => {
                // A payload path through `[*]`: its elements looked at where they are.
                if let (Node::Data(steps), Some(data)) = (right, env.data) {
                    if !reads_unknown(steps, env) {
                        return match left.eval(env) {
                            Val::Unknown => Val::Unknown,
                            needle => Val::Bool(has_element_at(data, steps, &needle)),
                        };
                    }
                }
                let (needle, list) = (left.eval(env), right.eval(env));
                if matches!(needle, Val::Unknown) || matches!(list, Val::Unknown) {
                    return Val::Unknown;
                }
                Val::Bool(list.has_element(&needle))
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                arithmetic(op, left.eval(env), right.eval(env))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::types::{Checker, FieldInfo, Ty};

    fn eval(text: &str, data: &Value, meta: &[Slot]) -> Option<Value> {
        let data = Doc::from(data.clone());
        let fields = vec![
            FieldInfo {
                name: "started".into(),
                slot: 0,
                ty: Ty::INT,
                reads_as: None,
            },
            FieldInfo {
                name: "count".into(),
                slot: 1,
                ty: Ty::INT,
                reads_as: Some(Value::from(0)),
            },
        ];
        let checker = Checker::new(vec![], &fields);
        let (node, _) = checker.check(&crate::expr::parse(text).unwrap()).unwrap();
        let env = Env {
            ts: 5000,
            event: "e",
            data: Some(&data),
            invalid: &[],
            meta,
            state: "s",
            next_state: "s",
            locals: &[],
        };
        node.eval(&env).to_json()
    }

    #[test]
    fn absent_propagates_and_falls_back() {
        let data = serde_json::json!({"a": 1, "b": "x", "c": [{"id": "1"}, {"id": "2"}, {}]});
        assert_eq!(
            eval("ts - meta.started", &data, &[Slot::Unset, Slot::Unset]),
            None
        );
        assert_eq!(
            eval("ts - meta.started", &data, &[Slot::Int(1000), Slot::Unset]),
            Some(4000.into())
        );
        assert_eq!(
            eval("meta.count + 1", &data, &[Slot::Unset, Slot::Unset]),
            Some(1.into())
        );
        assert_eq!(eval("data.zz ?? false", &data, &[]), Some(false.into()));
        assert_eq!(
            eval(r#""${data.a}_${data.b}""#, &data, &[]),
            Some("1_x".into())
        );
        assert_eq!(
            eval(r#""2" in data.c[*].id"#, &data, &[]),
            Some(true.into())
        );
        assert_eq!(eval("len(data.c[*].id)", &data, &[]), Some(2.into()));
        assert_eq!(eval("1 / 0", &data, &[]), None);
        assert_eq!(eval("9223372036854775807 + 1", &data, &[]), None);
        assert_eq!(eval("1 == 1.0 and 3 > 2.5", &data, &[]), Some(true.into()));
        assert_eq!(eval("data.c[-1].id", &data, &[]), None);
        assert_eq!(eval("data.c[0].id", &data, &[]), Some("1".into()));
    }
    #[test]
    fn aggregates_numbers_and_text() {
        let data = serde_json::json!({
            "revenue": 21.5,
            "products": [{"price": 2.5, "quantity": 3}, {"price": 14, "quantity": 1}],
            "tags": ["a", "b"],
            "name": "Ann Lee",
        });
        let cases: [(&str, Value); 16] = [
            ("sum(data.products, p => p.price * p.quantity)", 21.5.into()),
            (
                "abs(data.revenue - sum(data.products, p => p.price * p.quantity)) <= 0.01",
                true.into(),
            ),
            ("sum(data.products[*].quantity)", 4.into()),
            ("min(data.products, p => p.price)", 2.5.into()),
            ("max(data.products, p => p.price)", 14.into()),
            ("count(data.products)", 2.into()),
            ("count(data.products, p => p.quantity > 1)", 1.into()),
            ("any(data.products, p => p.price > 10)", true.into()),
            ("all(data.products, p => p.price > 10)", false.into()),
            (
                "all(data.tags, t => any(data.tags, u => u == t))",
                true.into(),
            ),
            ("round(2.5) + floor(-1.5) + ceil(1.2)", 3.into()),
            ("abs(-3)", 3.into()),
            (
                "lower(data.name) == 'ann lee' and upper('x') == \"X\"",
                true.into(),
            ),
            (
                "starts_with(data.name, 'Ann') and ends_with(data.name, 'Lee')",
                true.into(),
            ),
            (
                "contains(data.name, 'n L') and contains(data.tags, 'b')",
                true.into(),
            ),
            ("sum([])", 0.into()),
        ];
        for (text, expected) in cases {
            assert_eq!(eval(text, &data, &[]), Some(expected), "{text}");
        }
        assert_eq!(eval("min(data.tags[*].x)", &data, &[]), None);
    }

    /// What `texts` evaluate to on `data`, with the payload's places `invalid` unknown, handed
    /// to `judge`; `None` when one does not type-check.
    fn eval_all(
        texts: &[&str],
        data: &Value,
        invalid: &[Vec<String>],
        judge: impl FnOnce(&[Val<'_>]) -> String,
    ) -> Option<String> {
        let data = Doc::from(data.clone());
        let checker = Checker::new(vec![], &[]);
        let mut nodes = Vec::new();
        for text in texts {
            nodes.push(checker.check(&crate::expr::parse(text).ok()?).ok()?.0);
        }
        let env = Env {
            ts: 1,
            event: "e",
            data: Some(&data),
            invalid,
            meta: &[],
            state: "s",
            next_state: "s",
            locals: &[],
        };
        let values: Vec<Val<'_>> = nodes.iter().map(|node| node.eval(&env)).collect();
        Some(judge(&values))
    }

    #[test]
    fn membership_and_interpolated_equality_decide_as_the_values_built_whole() {
        let data = serde_json::json!({
            "x": "2", "n": 2, "f": 1.5, "a": 1, "b": "x", "s": "1_x",
            "c": [{"id": "1"}, {"id": "2"}, {}, {"id": 2}],
            "m": [[1, 2], [3], []], "o": {"k": [1, "2"]}, "l": [1, 2]
        });
        let unknown: [&[Vec<String>]; 3] = [
            &[],
            &[vec!["c".into(), "1".into()]],
            &[vec!["b".into()], vec!["x".into()]],
        ];
        let mut compared = 0;
        // `needle in path` looks where the elements are, as `has_element` on the list built.
        let needles = ["data.x", "data.n", "\"3\"", "2", "data.zz", "[3]", "data.b"];
        let paths = [
            "data.c[*].id",
            "data.c",
            "data.c[1].id",
            "data.c[-1]",
            "data.m[*]",
            "data.m[*][*]",
            "data.o.k",
            "data.zz[*].id",
            "data.c[*]",
            "data.l",
        ];
        for invalid in unknown {
            for needle in needles {
                for path in paths {
                    let text = format!("{needle} in {path}");
                    let fast = eval_all(&[&text], &data, invalid, |v| {
                        v.first().map(|v| format!("{v:?}")).unwrap_or_default()
                    });
                    let whole = eval_all(&[needle, path], &data, invalid, |v| match v {
                        [Val::Unknown, _] | [_, Val::Unknown] => "Unknown".to_owned(),
                        [needle, list] => format!("{:?}", Val::Bool(list.has_element(needle))),
                        _ => String::new(),
                    });
                    if let (Some(fast), Some(whole)) = (&fast, &whole) {
                        compared += 1;
                        assert_eq!(fast, whole, "{needle} in {path}, {invalid:?}");
                    }
                }
            }
            // A string against an interpolation is compared part by part; written the other
            // way round, the interpolation is built whole first.
            let templates = [
                "${data.a}_${data.b}",
                "${data.a}_",
                "_${data.zz}",
                "${data.f}${data.n}",
                "${data.l}",
            ];
            let texts = [
                "data.s",
                "\"1_\"",
                "\"1_xy\"",
                "\"\"",
                "\"_\"",
                "\"1.52\"",
                "\"[1,2]\"",
                "data.n",
            ];
            for template in templates {
                for text in texts {
                    for op in ["==", "!="] {
                        let fast = format!("{text} {op} \"{template}\"");
                        let whole = format!("\"{template}\" {op} {text}");
                        let show =
                            |v: &[Val<'_>]| v.first().map(|v| format!("{v:?}")).unwrap_or_default();
                        let fast = eval_all(&[&fast], &data, invalid, show);
                        let whole = eval_all(&[&whole], &data, invalid, show);
                        if let (Some(fast), Some(whole)) = (&fast, &whole) {
                            compared += 1;
                            assert_eq!(fast, whole, "{text} {op} {template}, {invalid:?}");
                        }
                    }
                }
            }
        }
        assert!(compared > 300, "{compared} compared");
    }

    #[test]
    fn the_deepest_accepted_expressions_fit_a_small_stack() {
        use crate::expr::parse::{MAX_NESTING, MAX_OPERATORS};
        let (n, ops) = (MAX_NESTING, MAX_OPERATORS);
        let nested = |open: &str, inner: &str, close: &str| {
            format!("{}{inner}{}", open.repeat(n), close.repeat(n))
        };
        let data = serde_json::json!({"a": 1});
        let cases = [
            nested("(", "1", ")"),
            nested("len(", "data.c", ")"),
            nested("[", "1", "]"),
            nested("(-", "1", ")"),
            nested("(", &format!("{}1", "-".repeat(ops - n)), ")"),
            format!("{}true", "not ".repeat(ops)),
            format!("1{}", " + 1".repeat(ops)),
            format!("{}1{}", "\"${".repeat(n / 2), "}\"".repeat(n / 2)),
        ];
        for text in &cases {
            let parsed = crate::expr::parse(text);
            assert!(parsed.is_ok(), "{text}: {parsed:?}");
            // Checking and evaluating must not overflow either (a type error is fine).
            let fields = [];
            let checker = Checker::new(vec![], &fields);
            if let Ok((node, _)) = checker.check(&parsed.expect("parsed")) {
                let doc = Doc::from(data.clone());
                let env = Env {
                    ts: 1,
                    event: "e",
                    data: Some(&doc),
                    invalid: &[],
                    meta: &[],
                    state: "s",
                    next_state: "s",
                    locals: &[],
                };
                let _ = node.eval(&env);
            }
        }
        for text in [
            format!("{}1{}", "(".repeat(n + 1), ")".repeat(n + 1)),
            format!("{}1", "-".repeat(ops + 1)),
            format!("{}true", "not ".repeat(ops + 1)),
        ] {
            assert!(crate::expr::parse(&text).is_err(), "{text}");
        }
    }
}
