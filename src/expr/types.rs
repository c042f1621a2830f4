//! Type checking: every expression is checked at load time against the payload shapes of the
//! events its rule runs on and the metadata fields, and lowered to an evaluable [`Node`].
//!
//! Types are sets of JSON kinds ([`Ty`]), with `ABSENT` for "may be missing". Payload paths
//! are resolved against [`Shape`]s built from the lifecycle's payload declarations, so a
//! misspelled property is an error with a suggestion, not a silent `absent` at run time.

use std::fmt;

use indexmap::IndexMap;
use serde_json::Value;

use super::ast::{BinaryOp, Expr, ExprKind, Literal, Part, Span, Step, UnaryOp};
use super::doc::Doc;
use super::eval::{Aggregate, Function, InterpPart, Lit, Node};
use crate::diagnostic::suggestion;

/// A set of JSON kinds a value may have.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ty(u8);

impl Ty {
    /// Missing: an absent property or an unset field.
    pub const ABSENT: Ty = Ty(1);
    /// JSON `null`.
    pub const NULL: Ty = Ty(2);
    /// A boolean.
    pub const BOOL: Ty = Ty(4);
    /// An integer.
    pub const INT: Ty = Ty(8);
    /// A number with a fraction.
    pub const FLOAT: Ty = Ty(16);
    /// A string.
    pub const STR: Ty = Ty(32);
    /// An array.
    pub const ARR: Ty = Ty(64);
    /// An object.
    pub const OBJ: Ty = Ty(128);
    /// Any number.
    pub const NUM: Ty = Ty(8 | 16);
    /// Anything at all.
    pub const ANY: Ty = Ty(255);
    /// Nothing (the empty set).
    pub const NONE: Ty = Ty(0);

    /// Union.
    pub fn or(self, other: Ty) -> Ty {
        Ty(self.0 | other.0)
    }
    /// Difference.
    pub fn without(self, other: Ty) -> Ty {
        Ty(self.0 & !other.0)
    }
    /// Whether every kind of `self` is in `other`.
    pub fn within(self, other: Ty) -> bool {
        self.0 & !other.0 == 0
    }
    /// Whether `self` and `other` share a kind.
    pub fn meets(self, other: Ty) -> bool {
        self.0 & other.0 != 0
    }
    /// Whether a value of `self` may equal one of `other`: a number any number, anything
    /// else a value of its own kind (absent equals absent).
    pub fn may_equal(self, other: Ty) -> bool {
        let numbers_as_one = |ty: Ty| match ty.meets(Ty::NUM) {
            true => ty.or(Ty::NUM),
            false => ty,
        };
        numbers_as_one(self).meets(numbers_as_one(other))
    }
    /// Whether `<`, `<=`, `>` or `>=` may hold between values of `self` and `other`: two
    /// numbers or two strings.
    pub fn may_order(self, other: Ty) -> bool {
        (self.meets(Ty::NUM) && other.meets(Ty::NUM))
            || (self.meets(Ty::STR) && other.meets(Ty::STR))
    }
    /// The kinds besides absent, when there are any: what a message names (absent is rarely
    /// the point).
    pub fn present(self) -> Ty {
        match self.without(Ty::ABSENT) {
            Ty::NONE => self,
            present => present,
        }
    }
}

/// The kinds as a sentence says them: "a string", "a number" (an integer or a float), "an
/// integer or absent".
impl fmt::Display for Ty {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if *self == Ty::ANY {
            return f.write_str("anything");
        }
        let names = [
            (Ty::BOOL, "a boolean"),
            (Ty::NUM, "a number"),
            (Ty::INT, "an integer"),
            (Ty::FLOAT, "a float"),
            (Ty::STR, "a string"),
            (Ty::ARR, "an array"),
            (Ty::OBJ, "an object"),
            (Ty::NULL, "null"),
            (Ty::ABSENT, "absent"),
        ];
        let mut said = Ty::NONE;
        let mut parts = Vec::new();
        for (ty, name) in names {
            if ty.within(*self) && !ty.within(said) {
                said = said.or(ty);
                parts.push(name);
            }
        }
        match parts.is_empty() {
            true => f.write_str("nothing"),
            false => f.write_str(&parts.join(" or ")),
        }
    }
}

/// The shape of a payload value, for resolving paths.
#[derive(Debug, Clone, PartialEq)]
pub enum Shape {
    /// Unknown: anything may be inside.
    Any,
    /// A scalar of these kinds.
    Scalar(Ty),
    /// A scalar of these kinds that is one of these values (an `enum`, or a `const`).
    Values(Ty, Vec<Value>),
    /// An array of elements of this shape.
    Array(Box<Shape>),
    /// An object with declared properties (`required` flag each). No properties: free-form.
    Object(IndexMap<String, (Shape, bool)>),
}

impl Shape {
    fn ty(&self) -> Ty {
        match self {
            Shape::Any => Ty::ANY,
            Shape::Scalar(ty) | Shape::Values(ty, _) => *ty,
            Shape::Array(_) => Ty::ARR,
            Shape::Object(_) => Ty::OBJ,
        }
    }
}

/// A type error at a byte span of the expression.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct TypeError {
    /// What is wrong.
    pub message: String,
    /// Where.
    pub span: Span,
    /// How to fix it.
    pub help: Option<String>,
    /// The name the error is that nothing declares, when it is.
    pub unknown: Option<Box<Unknown>>,
}

/// A name an expression uses that nothing declares.
#[derive(Debug, Clone, PartialEq)]
pub enum Unknown {
    /// A metadata field.
    MetadataField(String),
    /// A property.
    Property {
        /// Its name.
        name: String,
        /// Where it was looked for, as the message says it after the name (` (payload of
        /// `paid`)`, ` (element `i`)`).
        within: String,
        /// The way to it from there: the properties it is in (`None`: an array's items), then
        /// its name.
        path: Vec<Option<String>>,
    },
}

impl TypeError {
    /// Says where the walk that failed looked (` (payload of `paid`)`), after the message and
    /// after the unknown property's name.
    fn within(&mut self, place: &str) {
        self.message.push_str(place);
        if let Some(Unknown::Property { within, .. }) = self.unknown.as_deref_mut() {
            within.push_str(place);
        }
    }

    /// Says that the walk that failed went through `step` (a property's name, `None` for an
    /// array's items) to where it failed.
    fn through(mut self, step: Option<&str>) -> TypeError {
        if let Some(Unknown::Property { path, .. }) = self.unknown.as_deref_mut() {
            path.insert(0, step.map(str::to_owned));
        }
        self
    }
}

/// Where a payload path was looked for, as messages say it after a name: ` (payload of
/// `paid`)`.
fn in_payload_of(event: &str) -> String {
    format!(" (payload of `{event}`)")
}

/// The event of a place written as a payload's (` (payload of `paid`)`: `paid`), if it is one.
pub fn payload_event(place: &str) -> Option<&str> {
    place.strip_prefix(" (payload of `")?.strip_suffix("`)")
}

fn error(span: Span, message: impl Into<String>) -> TypeError {
    TypeError {
        message: message.into(),
        span,
        help: None,
        unknown: None,
    }
}

/// A comparison of two kinds of value that never decides by the values: `outcome` is what
/// it always is. The help names the quoting that likely caused it, when one side is a literal.
fn mismatch(op: BinaryOp, left: (&Expr, Ty), right: (&Expr, Ty), outcome: &str) -> TypeError {
    let help = [(left.0, right.1), (right.0, left.1)]
        .into_iter()
        .find_map(|(literal, other)| literal_help(literal, other))
        .unwrap_or_else(|| {
            "the two sides are never of kinds that compare: check how each is declared".into()
        });
    TypeError {
        help: Some(help),
        ..error(
            (left.0.span.0, right.0.span.1),
            format!(
                "`{}` compares {} with {}: it is {outcome}",
                op.symbol(),
                left.1.present(),
                right.1.present()
            ),
        )
    }
}

/// The fix when `literal` is a number written as text against numbers, a number against
/// strings, or `null` or `false` against what may be absent.
fn literal_help(literal: &Expr, other: Ty) -> Option<String> {
    match &literal.kind {
        ExprKind::Interpolation(parts) if other.meets(Ty::NUM) => match parts.as_slice() {
            [Part::Text(text)] if text.parse::<f64>().is_ok() => Some(format!(
                "to compare with the number, leave out the quotes: `{text}`"
            )),
            _ => None,
        },
        ExprKind::Literal(Literal::Null) if other.meets(Ty::ABSENT) => Some(
            "a missing property or an unset field is absent, not null: test it with `exists(...)`"
                .into(),
        ),
        ExprKind::Literal(Literal::Bool(false)) if other.meets(Ty::ABSENT) => Some(
            "an unset field (written `false` in the metadata block) or a missing property is \
             absent in an expression: test it with `exists(...)`"
                .into(),
        ),
        ExprKind::Literal(Literal::Int(n)) if other.meets(Ty::STR) => {
            Some(format!("to compare with the text, quote it: '{n}'"))
        }
        ExprKind::Literal(Literal::Float(x)) if other.meets(Ty::STR) => {
            Some(format!("to compare with the text, quote it: '{x}'"))
        }
        _ => None,
    }
}

/// The value a literal writes (a text without `${...}` is a string), if it is one.
fn literal_value(expr: &Expr) -> Option<Value> {
    Some(match &expr.kind {
        ExprKind::Literal(Literal::Null) => Value::Null,
        ExprKind::Literal(Literal::Bool(b)) => Value::Bool(*b),
        ExprKind::Literal(Literal::Int(n)) => Value::from(*n),
        ExprKind::Literal(Literal::Float(x)) => Value::from(*x),
        ExprKind::Interpolation(parts) => match parts.as_slice() {
            [] => Value::String(String::new()),
            [Part::Text(text)] => Value::String(text.clone()),
            _ => return None,
        },
        _ => return None,
    })
}

/// Whether two JSON values are equal as rules compare them (numbers by value: `3` is `3.0`).
fn same_value(a: &Value, b: &Value) -> bool {
    match (a.as_f64(), b.as_f64()) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

/// A metadata field as the checker sees it.
#[derive(Debug, Clone)]
pub struct FieldInfo {
    /// Field name.
    pub name: String,
    /// Slot in the metadata block.
    pub slot: usize,
    /// The field's type when set.
    pub ty: Ty,
    /// The value an unset field reads as, when its default is of its own type (a counter's 0).
    pub reads_as: Option<serde_json::Value>,
}

/// What an expression may refer to: the payload shapes of the events it runs on, by event
/// name (`None` for an event without a declared payload), and the metadata fields.
#[derive(Debug, Clone)]
pub struct Checker<'a> {
    /// The events' payloads.
    pub payloads: Vec<(&'a str, Option<&'a Shape>)>,
    /// The metadata fields.
    pub fields: &'a [FieldInfo],
    /// Whether `next_state` is known (in rules; not in the transition guards that decide it).
    pub next_state: bool,
    /// Element names bound by enclosing aggregates, outermost first, with their shapes.
    pub locals: Vec<(String, Shape)>,
}

/// The roots a path may start with.
pub const ROOTS: [&str; 6] = ["ts", "event", "data", "meta", "state", "next_state"];
/// The functions expressions may call.
pub const FUNCTIONS: [&str; 17] = [
    "len",
    "exists",
    "sum",
    "min",
    "max",
    "count",
    "any",
    "all",
    "abs",
    "round",
    "floor",
    "ceil",
    "lower",
    "upper",
    "starts_with",
    "ends_with",
    "contains",
];

/// The aggregate a function name calls, if it is one.
fn aggregate_named(name: &str) -> Option<Aggregate> {
    Some(match name {
        "sum" => Aggregate::Sum,
        "min" => Aggregate::Min,
        "max" => Aggregate::Max,
        "count" => Aggregate::Count,
        "any" => Aggregate::Any,
        "all" => Aggregate::All,
        _ => return None,
    })
}

/// The plain function a name calls, with its argument count.
fn function_named(name: &str) -> Option<(Function, usize)> {
    Some(match name {
        "abs" => (Function::Abs, 1),
        "round" => (Function::Round, 1),
        "floor" => (Function::Floor, 1),
        "ceil" => (Function::Ceil, 1),
        "lower" => (Function::Lower, 1),
        "upper" => (Function::Upper, 1),
        "starts_with" => (Function::StartsWith, 2),
        "ends_with" => (Function::EndsWith, 2),
        "contains" => (Function::Contains, 2),
        _ => return None,
    })
}

impl<'a> Checker<'a> {
    /// A checker for expressions over these payloads and fields, outside any aggregate, with
    /// `next_state` known.
    pub fn new(payloads: Vec<(&'a str, Option<&'a Shape>)>, fields: &'a [FieldInfo]) -> Self {
        Checker {
            payloads,
            fields,
            next_state: true,
            locals: Vec::new(),
        }
    }

    /// Checks `expr` and lowers it, returning the node and its type.
    pub fn check(&self, expr: &Expr) -> Result<(Node, Ty), TypeError> {
        match &expr.kind {
            ExprKind::Literal(literal) => Ok(match literal {
                Literal::Null => (Node::Const(Lit::Null), Ty::NULL),
                Literal::Bool(b) => (Node::Const(Lit::Bool(*b)), Ty::BOOL),
                Literal::Int(n) => (Node::Const(Lit::Int(*n)), Ty::INT),
                Literal::Float(x) => (Node::Const(Lit::Float(*x)), Ty::FLOAT),
            }),
            ExprKind::Interpolation(parts) => self.interpolation(parts),
            ExprKind::List(items) => {
                let nodes = items
                    .iter()
                    .map(|item| self.check(item).map(|(node, _)| node))
                    .collect::<Result<_, _>>()?;
                Ok((Node::List(nodes), Ty::ARR))
            }
            ExprKind::Path(path) => self.path(&path.root, &path.steps, expr.span),
            ExprKind::Unary(op, operand) => {
                let (node, ty) = self.check(operand)?;
                match op {
                    UnaryOp::Not => {
                        self.expect(ty, Ty::BOOL, operand.span, "`not`")?;
                        Ok((Node::Not(Box::new(node)), Ty::BOOL))
                    }
                    UnaryOp::Neg => {
                        self.expect(ty, Ty::NUM.or(Ty::ABSENT), operand.span, "`-`")?;
                        Ok((Node::Neg(Box::new(node)), ty))
                    }
                }
            }
            ExprKind::Binary(op, left, right) => self.binary(*op, left, right),
            ExprKind::Call(name, args) => self.call(name, args, expr.span),
            ExprKind::Lambda(..) => Err(TypeError {
                help: Some("write it as the second argument of an aggregate, e.g. `sum(data.items, i => i.price)`".into()),
                ..error(expr.span, "an element function (`x => ...`) is only allowed in sum, min, max, count, any and all")
            }),
        }
    }

    /// Checks a boolean expression (a guard or an assertion).
    pub fn check_condition(&self, expr: &Expr) -> Result<Node, TypeError> {
        let (node, ty) = self.check(expr)?;
        self.expect(ty, Ty::BOOL, expr.span, "a condition")?;
        Ok(node)
    }

    fn expect(&self, ty: Ty, allowed: Ty, span: Span, what: &str) -> Result<(), TypeError> {
        // `any` is a value the config does not describe (a free-form payload): trust it.
        if ty.within(allowed) || ty == Ty::ANY {
            return Ok(());
        }
        // What `allowed` takes besides absent is what the message names; absent is only
        // news when it is the fault.
        let wanted = allowed.present();
        let fitting = match Ty::ABSENT.within(allowed) {
            true => ty.without(Ty::ABSENT),
            false => ty,
        };
        let message = match fitting.meets(allowed) {
            true => format!(
                "{what} needs {wanted}, but this may be {}",
                ty.without(allowed)
            ),
            false => format!("{what} needs {wanted}, but this is {fitting}"),
        };
        let mut problem = error(span, message);
        if Ty::ABSENT.within(ty) && !Ty::ABSENT.within(allowed) {
            problem.help = Some(
                "a missing property or an unset field is absent: give a fallback with `??`, e.g. `x ?? false`"
                    .into(),
            );
        }
        Err(problem)
    }

    fn interpolation(&self, parts: &[Part]) -> Result<(Node, Ty), TypeError> {
        let mut lowered = Vec::with_capacity(parts.len());
        for part in parts {
            lowered.push(match part {
                Part::Text(text) => InterpPart::Text(text.clone()),
                Part::Expr(expr) => {
                    let (node, ty) = self.check(expr)?;
                    let scalar = Ty::BOOL.or(Ty::NUM).or(Ty::STR).or(Ty::NULL).or(Ty::ABSENT);
                    if !ty.meets(scalar) {
                        return Err(error(
                            expr.span,
                            format!("cannot interpolate {}", ty.present()),
                        ));
                    }
                    InterpPart::Expr(node)
                }
            });
        }
        if let [InterpPart::Text(text)] = lowered.as_slice() {
            return Ok((Node::Const(Lit::Str(text.clone())), Ty::STR));
        }
        if lowered.is_empty() {
            return Ok((Node::Const(Lit::Str(String::new())), Ty::STR));
        }
        Ok((Node::Interpolation(lowered), Ty::STR))
    }

    fn binary(&self, op: BinaryOp, left: &Expr, right: &Expr) -> Result<(Node, Ty), TypeError> {
        let (l, lt) = self.check(left)?;
        let (r, rt) = self.check(right)?;
        let what = format!("`{}`", op.symbol());
        let ty = match op {
            BinaryOp::Coalesce => {
                if !lt.meets(Ty::ABSENT.or(Ty::NULL)) {
                    return Err(TypeError {
                        help: Some("remove the `??` fallback".into()),
                        ..error(left.span, "this value is never absent or null")
                    });
                }
                lt.without(Ty::ABSENT.or(Ty::NULL)).or(rt)
            }
            BinaryOp::Or | BinaryOp::And => {
                self.expect(lt, Ty::BOOL, left.span, &what)?;
                self.expect(rt, Ty::BOOL, right.span, &what)?;
                Ty::BOOL
            }
            BinaryOp::Eq | BinaryOp::Ne => {
                let outcome = match op {
                    BinaryOp::Eq => "never true",
                    _ => "always true",
                };
                let scalar = Ty::NULL.or(Ty::BOOL).or(Ty::NUM).or(Ty::STR);
                let list_only = |ty: Ty| ty.without(Ty::ABSENT) == Ty::ARR;
                let scalar_only = |ty: Ty| ty.within(scalar.or(Ty::ABSENT)) && ty.meets(scalar);
                if (list_only(lt) && scalar_only(rt)) || (scalar_only(lt) && list_only(rt)) {
                    let other = if list_only(lt) { rt } else { lt };
                    return Err(TypeError {
                        help: Some("to test membership write `x in list`; to compare the elements, `any(list, e => e == x)`".into()),
                        ..error(
                            (left.span.0, right.span.1),
                            format!(
                                "`{}` compares a list with {}: it is {outcome}",
                                op.symbol(),
                                other.present()
                            ),
                        )
                    });
                }
                if !lt.may_equal(rt) {
                    return Err(mismatch(op, (left, lt), (right, rt), outcome));
                }
                for (path, literal) in [(left, right), (right, left)] {
                    self.expect_a_value(path, literal, |read, value, values| {
                        format!(
                            "`{}` compares `{read}` with {value}, which is not one of its values \
                             ({values}): it is {outcome}",
                            op.symbol()
                        )
                    })?;
                }
                Ty::BOOL
            }
            BinaryOp::Lt | BinaryOp::Le | BinaryOp::Gt | BinaryOp::Ge => {
                let comparable = Ty::NUM.or(Ty::STR).or(Ty::ABSENT);
                self.expect(lt, comparable, left.span, &what)?;
                self.expect(rt, comparable, right.span, &what)?;
                if !lt.may_order(rt) {
                    return Err(mismatch(op, (left, lt), (right, rt), "never true"));
                }
                Ty::BOOL
            }
            BinaryOp::In => {
                self.expect(rt, Ty::ARR.or(Ty::ABSENT), right.span, &what)?;
                if let ExprKind::List(items) = &right.kind {
                    for item in items {
                        self.expect_a_value(left, item, |read, value, values| {
                            format!(
                                "the list holds {value}, which is not one of the values of \
                                 `{read}` ({values}): it never matches"
                            )
                        })?;
                    }
                }
                Ty::BOOL
            }
            BinaryOp::Add | BinaryOp::Sub | BinaryOp::Mul | BinaryOp::Div | BinaryOp::Rem => {
                let numeric = Ty::NUM.or(Ty::ABSENT);
                self.expect(lt, numeric, left.span, &what)?;
                self.expect(rt, numeric, right.span, &what)?;
                let absent = lt.or(rt).meets(Ty::ABSENT);
                let mut ty = if op == BinaryOp::Div || lt.meets(Ty::FLOAT) || rt.meets(Ty::FLOAT) {
                    Ty::NUM
                } else {
                    Ty::INT
                };
                // Overflow and division by zero give absent rather than failing.
                if absent || matches!(op, BinaryOp::Div | BinaryOp::Rem) {
                    ty = ty.or(Ty::ABSENT);
                }
                ty
            }
        };
        Ok((Node::Binary(op, Box::new(l), Box::new(r)), ty))
    }

    fn call(&self, name: &str, args: &[Expr], span: Span) -> Result<(Node, Ty), TypeError> {
        if let Some(kind) = aggregate_named(name) {
            return self.aggregate(kind, name, args, span);
        }
        if let Some((function, arity)) = function_named(name) {
            return self.function(function, name, arity, args, span);
        }
        let [arg] = args else {
            if !FUNCTIONS.contains(&name) {
                return Err(TypeError {
                    help: suggestion(name, FUNCTIONS),
                    ..error(span, format!("unknown function `{name}`"))
                });
            }
            return Err(error(span, format!("`{name}` takes one argument")));
        };
        let (node, ty) = self.check(arg)?;
        match name {
            "len" => {
                self.expect(ty, Ty::ARR.or(Ty::STR).or(Ty::ABSENT), arg.span, "`len`")?;
                Ok((Node::Len(Box::new(node)), Ty::INT.or(ty.meet_absent())))
            }
            "exists" => Ok((Node::Exists(Box::new(node)), Ty::BOOL)),
            _ => Err(TypeError {
                help: suggestion(name, FUNCTIONS),
                ..error(span, format!("unknown function `{name}`"))
            }),
        }
    }

    fn aggregate(
        &self,
        kind: Aggregate,
        name: &str,
        args: &[Expr],
        span: Span,
    ) -> Result<(Node, Ty), TypeError> {
        let needs_function = matches!(kind, Aggregate::Any | Aggregate::All);
        let (list, body) = match args {
            [list] if !needs_function => (list, None),
            [list, body] => (list, Some(body)),
            _ => {
                let form = if needs_function {
                    format!("`{name}(list, x => condition)`")
                } else {
                    format!("`{name}(list)` or `{name}(list, x => expression)`")
                };
                return Err(error(span, format!("`{name}` is written {form}")));
            }
        };
        // A list written out is checked item by item once, which also gives its elements' type.
        let (list_node, list_ty, element) = match &list.kind {
            ExprKind::List(items) => {
                let mut nodes = Vec::with_capacity(items.len());
                let mut ty = Ty::NONE;
                for item in items {
                    let (node, item_ty) = self.check(item)?;
                    nodes.push(node);
                    ty = ty.or(item_ty);
                }
                let element = if ty.meets(Ty::ARR.or(Ty::OBJ)) {
                    Shape::Any
                } else {
                    Shape::Scalar(ty)
                };
                (Node::List(nodes), Ty::ARR, element)
            }
            _ => {
                let (node, ty) = self.check(list)?;
                let element = match self.shape_of(list) {
                    Shape::Array(items) => *items,
                    _ => Shape::Any,
                };
                (node, ty, element)
            }
        };
        self.expect(
            list_ty,
            Ty::ARR.or(Ty::ABSENT),
            list.span,
            &format!("`{name}`"),
        )?;
        let (body_node, element_ty) = match body {
            None => (None, element.ty()),
            Some(Expr {
                kind: ExprKind::Lambda(param, body),
                ..
            }) => {
                let mut inner = self.clone();
                inner.locals.push((param.clone(), element));
                let (node, ty) = inner.check(body)?;
                (Some(Box::new(node)), ty)
            }
            Some(other) => {
                return Err(TypeError {
                    help: Some(format!("e.g. `{name}(data.items, i => i.price)`")),
                    ..error(
                        other.span,
                        format!(
                            "the second argument of `{name}` is an element function `x => ...`"
                        ),
                    )
                })
            }
        };
        let what = format!("`{name}`");
        let ty = match kind {
            Aggregate::Count | Aggregate::Any | Aggregate::All => {
                if body.is_some() {
                    self.expect(element_ty, Ty::BOOL, body.map_or(span, |b| b.span), &what)?;
                }
                if kind == Aggregate::Count {
                    Ty::INT
                } else {
                    Ty::BOOL
                }
            }
            Aggregate::Sum | Aggregate::Min | Aggregate::Max => {
                let at = body.map_or(list.span, |b| b.span);
                self.expect(element_ty, Ty::NUM.or(Ty::ABSENT), at, &what)?;
                let mut ty = if element_ty.meets(Ty::FLOAT) || element_ty == Ty::ANY {
                    Ty::NUM
                } else {
                    Ty::INT
                };
                if kind != Aggregate::Sum || element_ty.meets(Ty::ABSENT) {
                    ty = ty.or(Ty::ABSENT);
                }
                ty
            }
        };
        Ok((Node::Aggregate(kind, Box::new(list_node), body_node), ty))
    }

    fn function(
        &self,
        function: Function,
        name: &str,
        arity: usize,
        args: &[Expr],
        span: Span,
    ) -> Result<(Node, Ty), TypeError> {
        if args.len() != arity {
            let count = if arity == 1 {
                "one argument"
            } else {
                "two arguments"
            };
            return Err(error(span, format!("`{name}` takes {count}")));
        }
        let mut nodes = Vec::with_capacity(arity);
        let mut types = Vec::with_capacity(arity);
        for arg in args {
            let (node, ty) = self.check(arg)?;
            nodes.push(node);
            types.push((ty, arg.span));
        }
        let what = format!("`{name}`");
        let absent = |ty: Ty| ty.meet_absent();
        let ty = match (function, types.as_slice()) {
            (Function::Abs, [(ty, at)]) => {
                self.expect(*ty, Ty::NUM.or(Ty::ABSENT), *at, &what)?;
                *ty
            }
            (Function::Round | Function::Floor | Function::Ceil, [(ty, at)]) => {
                self.expect(*ty, Ty::NUM.or(Ty::ABSENT), *at, &what)?;
                let overflow = if ty.meets(Ty::FLOAT) {
                    Ty::ABSENT
                } else {
                    Ty::NONE
                };
                Ty::INT.or(absent(*ty)).or(overflow)
            }
            (Function::Lower | Function::Upper, [(ty, at)]) => {
                self.expect(*ty, Ty::STR.or(Ty::ABSENT), *at, &what)?;
                Ty::STR.or(absent(*ty))
            }
            (Function::Contains, [(first, at), _]) => {
                self.expect(*first, Ty::STR.or(Ty::ARR).or(Ty::ABSENT), *at, &what)?;
                Ty::BOOL
            }
            (_, [(first, at), (second, second_at)]) => {
                self.expect(*first, Ty::STR.or(Ty::ABSENT), *at, &what)?;
                self.expect(*second, Ty::STR.or(Ty::ABSENT), *second_at, &what)?;
                Ty::BOOL
            }
            _ => return Err(error(span, format!("`{name}` takes {arity} arguments"))),
        };
        Ok((Node::Apply(function, nodes), ty))
    }

    /// When `path` reads a property with listed values (`enum`, `const`) and `literal` is a
    /// literal, that the literal is one of them: else an error at the literal, which `say`
    /// words from the path read, the literal's value and the values listed.
    fn expect_a_value(
        &self,
        path: &Expr,
        literal: &Expr,
        say: impl FnOnce(&str, &Value, &str) -> String,
    ) -> Result<(), TypeError> {
        let (Shape::Values(_, values), Some(value)) = (self.shape_of(path), literal_value(literal))
        else {
            return Ok(());
        };
        if values.iter().any(|allowed| same_value(allowed, &value)) {
            return Ok(());
        }
        let ExprKind::Path(read) = &path.kind else {
            return Ok(());
        };
        // A long list is shown in part: the first few and how many in all.
        const SHOWN: usize = 8;
        let mut shown: Vec<String> = values.iter().take(SHOWN).map(Value::to_string).collect();
        if values.len() > SHOWN {
            shown.push(format!("... {} in all", values.len()));
        }
        let texts = values.iter().filter_map(Value::as_str);
        let help = match &value {
            Value::String(text) => suggestion(text, texts),
            _ => None,
        };
        let read = format!("{}{}", read.root, steps_text(&read.steps));
        Err(TypeError {
            help,
            ..error(literal.span, say(&read, &value, &shown.join(", ")))
        })
    }

    /// The payload shape an expression has, as far as it is known (for an aggregate's
    /// elements, and the values a property lists).
    fn shape_of(&self, expr: &Expr) -> Shape {
        let ExprKind::Path(path) = &expr.kind else {
            return Shape::Any;
        };
        if path.root == "data" {
            let mut shapes = self.payloads.iter().map(|(_, shape)| match shape {
                Some(shape) => shape_at(shape, &path.steps),
                None => Shape::Any,
            });
            let Some(first) = shapes.next() else {
                return Shape::Any;
            };
            return if shapes.all(|other| other == first) {
                first
            } else {
                Shape::Any
            };
        }
        match self
            .locals
            .iter()
            .rev()
            .find(|(name, _)| *name == path.root)
        {
            Some((_, shape)) => shape_at(shape, &path.steps),
            None => Shape::Any,
        }
    }

    fn path(&self, root: &str, steps: &[Step], span: Span) -> Result<(Node, Ty), TypeError> {
        if let Some(depth) = self.locals.iter().rposition(|(name, _)| name == root) {
            let shape = self
                .locals
                .get(depth)
                .map_or(&Shape::Any, |(_, shape)| shape);
            let ty = walk(shape, steps, true).map_err(|mut problem| {
                problem.span = span;
                problem.within(&format!(" (element `{root}`)"));
                problem
            })?;
            return Ok((Node::Local(depth, steps.to_vec()), ty));
        }
        match root {
            "state" | "next_state" => {
                if !steps.is_empty() {
                    return Err(error(span, format!("`{root}` has no properties")));
                }
                if root == "next_state" && !self.next_state {
                    return Err(TypeError {
                        help: Some("a guard decides the next state: read `state` (the state before the event)".into()),
                        ..error(span, "`next_state` is not known in a transition guard")
                    });
                }
                Ok(if root == "state" {
                    (Node::State, Ty::STR)
                } else {
                    (Node::NextState, Ty::STR)
                })
            }
            "ts" | "event" => {
                if !steps.is_empty() {
                    return Err(error(span, format!("`{root}` has no properties")));
                }
                Ok(if root == "ts" {
                    (Node::Ts, Ty::INT)
                } else {
                    (Node::Event, Ty::STR)
                })
            }
            "meta" => self.meta_path(steps, span),
            "data" => self.data_path(steps, span),
            _ => {
                let names = ROOTS
                    .into_iter()
                    .chain(self.locals.iter().map(|(name, _)| name.as_str()));
                let mut help = suggestion(root, names);
                if steps.is_empty() {
                    help = Some(match help {
                        Some(close) if close.starts_with("did you mean") => {
                            format!("{close} Or, to write the text `{root}`, quote it: '{root}'")
                        }
                        _ => format!("to write the text `{root}`, quote it: '{root}'"),
                    });
                }
                Err(TypeError {
                    help,
                    ..error(span, format!("unknown name `{root}`"))
                })
            }
        }
    }

    fn meta_path(&self, steps: &[Step], span: Span) -> Result<(Node, Ty), TypeError> {
        let Some(Step::Field(name)) = steps.first() else {
            return Err(error(
                span,
                "`meta` needs a field name, e.g. `meta.started`",
            ));
        };
        let Some(field) = self.fields.iter().find(|field| &field.name == name) else {
            return Err(TypeError {
                help: suggestion(name, self.fields.iter().map(|f| f.name.as_str())),
                unknown: Some(Box::new(Unknown::MetadataField(name.clone()))),
                ..error(span, format!("unknown metadata field `{name}`"))
            });
        };
        let mut ty = field.ty;
        if field.reads_as.is_none() {
            ty = ty.or(Ty::ABSENT);
        }
        let rest = &steps[1..];
        if !rest.is_empty() {
            if !ty.meets(Ty::OBJ.or(Ty::ARR)) {
                return Err(error(
                    span,
                    format!(
                        "metadata field `{name}` is {}: it has no properties",
                        ty.present()
                    ),
                ));
            }
            ty = if rest.contains(&Step::Each) {
                Ty::ARR
            } else {
                Ty::ANY
            };
        }
        Ok((
            Node::Meta {
                slot: field.slot,
                reads_as: field.reads_as.clone().map(Doc::from),
                steps: rest.to_vec(),
            },
            ty,
        ))
    }

    fn data_path(&self, steps: &[Step], span: Span) -> Result<(Node, Ty), TypeError> {
        let mut ty = Ty::NONE;
        for (event, shape) in &self.payloads {
            let event_ty = match shape {
                None if !steps.is_empty() => {
                    let shown = steps_text(steps);
                    return Err(TypeError {
                        help: Some(format!(
                            "declare it under `events.{event}.payload.properties`, or `payload: {{properties: {{}}}}` for a free-form payload"
                        )),
                        ..error(span, format!("event `{event}` declares no payload, so `data{shown}` is unknown"))
                    });
                }
                None => Ty::ANY,
                Some(shape) => walk(shape, steps, true).map_err(|mut problem| {
                    problem.span = span;
                    problem.within(&in_payload_of(event));
                    problem
                })?,
            };
            ty = ty.or(event_ty);
        }
        if self.payloads.is_empty() {
            ty = Ty::ANY;
        }
        let ty = if steps.is_empty() {
            ty.or(Ty::ABSENT)
        } else {
            ty
        };
        Ok((Node::Data(steps.to_vec()), ty))
    }
}

impl Ty {
    fn meet_absent(self) -> Ty {
        if self.meets(Ty::ABSENT) {
            Ty::ABSENT
        } else {
            Ty::NONE
        }
    }
}

/// The steps of a path as written (`.a[*].b`).
fn steps_text(steps: &[Step]) -> String {
    steps
        .iter()
        .map(|step| match step {
            Step::Field(name) => format!(".{name}"),
            Step::Index(index) => format!("[{index}]"),
            Step::Each => "[*]".to_owned(),
        })
        .collect()
}

/// The shape at `steps` below `shape` (a `[*]` step makes it an array of what follows).
fn shape_at(shape: &Shape, steps: &[Step]) -> Shape {
    let Some((step, rest)) = steps.split_first() else {
        return shape.clone();
    };
    match (shape, step) {
        (Shape::Object(props), Step::Field(name)) => props
            .get(name)
            .map_or(Shape::Any, |(inner, _)| shape_at(inner, rest)),
        (Shape::Array(items), Step::Index(_)) => shape_at(items, rest),
        (Shape::Array(items), Step::Each) => Shape::Array(Box::new(shape_at(items, rest))),
        _ => Shape::Any,
    }
}

/// The type at `steps` below `shape`. `present` says whether the value at `shape` is surely
/// there. A `[*]` step makes the result an array.
fn walk(shape: &Shape, steps: &[Step], present: bool) -> Result<Ty, TypeError> {
    let absent = if present { Ty::NONE } else { Ty::ABSENT };
    let Some((step, rest)) = steps.split_first() else {
        return Ok(shape.ty().or(absent));
    };
    match (shape, step) {
        (Shape::Any, _) => Ok(if steps.contains(&Step::Each) {
            Ty::ARR
        } else {
            Ty::ANY
        }),
        (Shape::Object(props), Step::Field(name)) if props.is_empty() => {
            let _ = name;
            Ok(if rest.contains(&Step::Each) {
                Ty::ARR
            } else {
                Ty::ANY
            })
        }
        (Shape::Object(props), Step::Field(name)) => match props.get(name) {
            Some((inner, required)) => walk(inner, rest, present && *required)
                .map_err(|problem| problem.through(Some(name))),
            None => Err(TypeError {
                help: suggestion(name, props.keys().map(String::as_str)),
                unknown: Some(Box::new(Unknown::Property {
                    name: name.clone(),
                    within: String::new(),
                    path: vec![Some(name.clone())],
                })),
                ..error((0, 0), format!("unknown property `{name}`"))
            }),
        },
        (Shape::Array(items), Step::Index(_)) => {
            walk(items, rest, false).map_err(|problem| problem.through(None))
        }
        (Shape::Array(items), Step::Each) => walk(items, rest, false)
            .map(|_| Ty::ARR)
            .map_err(|problem| problem.through(None)),
        (other, step) => Err(error(
            (0, 0),
            format!(
                "{} has no {}",
                other.ty(),
                match step {
                    Step::Field(name) => format!("property `{name}`"),
                    Step::Index(_) | Step::Each => "elements".into(),
                }
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::expr::parse;

    fn shape() -> Shape {
        let mut items = IndexMap::new();
        items.insert("id".to_owned(), (Shape::Scalar(Ty::STR), true));
        let mut props = IndexMap::new();
        props.insert("orderKey".to_owned(), (Shape::Scalar(Ty::STR), true));
        props.insert(
            "orderId".to_owned(),
            (Shape::Scalar(Ty::INT.or(Ty::STR)), true),
        );
        props.insert("gift".to_owned(), (Shape::Scalar(Ty::BOOL), false));
        let status = vec![Value::from("open"), Value::from("paid"), Value::from(3)];
        props.insert(
            "status".to_owned(),
            (Shape::Values(Ty::STR.or(Ty::INT), status), true),
        );
        props.insert(
            "items".to_owned(),
            (Shape::Array(Box::new(Shape::Object(items))), true),
        );
        Shape::Object(props)
    }

    fn fields() -> Vec<FieldInfo> {
        vec![FieldInfo {
            name: "started".into(),
            slot: 0,
            ty: Ty::INT,
            reads_as: None,
        }]
    }

    fn check(text: &str) -> Result<Ty, TypeError> {
        let shape = shape();
        let fields = fields();
        let checker = Checker::new(vec![("e", Some(&shape))], &fields);
        checker.check(&parse(text).unwrap()).map(|(_, ty)| ty)
    }

    #[test]
    fn types_follow_the_payload_and_fields() {
        assert_eq!(check("ts - meta.started").unwrap(), Ty::INT.or(Ty::ABSENT));
        assert_eq!(check("data.gift ?? false").unwrap(), Ty::BOOL);
        assert_eq!(check("data.items[*].id").unwrap(), Ty::ARR);
        assert_eq!(
            check(r#""${data.orderId}_x" == data.orderKey"#).unwrap(),
            Ty::BOOL
        );
    }

    #[test]
    fn mistakes_are_errors_with_help() {
        let e = check("data.orderkey").unwrap_err();
        assert_eq!(e.message, "unknown property `orderkey` (payload of `e`)");
        assert_eq!(e.help.as_deref(), Some("did you mean `orderKey`?"));
        let e = check("meta.startd").unwrap_err();
        assert_eq!(e.help.as_deref(), Some("did you mean `started`?"));
        let e = check("data.gift and true").unwrap_err();
        assert!(e.help.unwrap().contains("??"));
        assert!(check("data.orderKey + 1").is_err());
        assert!(check("data.orderKey.x").is_err());
        assert!(check("lenn(data.items)").is_err());
    }

    #[test]
    fn aggregates_bind_elements_with_their_shapes() {
        assert_eq!(
            check("count(data.items, i => i.id == 'x')").unwrap(),
            Ty::INT
        );
        let e = check("any(data.items, i => i.idd == 'x')").unwrap_err();
        assert_eq!(e.message, "unknown property `idd` (element `i`)");
        assert_eq!(e.help.as_deref(), Some("did you mean `id`?"));
        let e = check("sum(data.items, i => i.id)").unwrap_err();
        assert_eq!(e.message, "`sum` needs a number, but this is a string");
        assert!(check("any(data.items)").is_err());
        assert!(check("len(i => 1)").is_err());
        assert_eq!(check("next_state == state").unwrap(), Ty::BOOL);
    }

    #[test]
    fn kinds_are_said_as_a_sentence_says_them() {
        assert_eq!(Ty::NUM.to_string(), "a number");
        assert_eq!(Ty::INT.or(Ty::ABSENT).to_string(), "an integer or absent");
        assert_eq!(
            Ty::STR.or(Ty::FLOAT).or(Ty::NULL).to_string(),
            "a float or a string or null"
        );
        assert_eq!(Ty::ANY.to_string(), "anything");
        assert_eq!(Ty::NONE.to_string(), "nothing");
    }

    #[test]
    fn comparisons_that_never_decide_by_the_values_are_errors() {
        assert!(Ty::INT.may_equal(Ty::FLOAT.or(Ty::ABSENT)));
        assert!(Ty::ABSENT.may_equal(Ty::STR.or(Ty::ABSENT)));
        assert!(!Ty::STR.may_equal(Ty::NUM.or(Ty::NULL)));
        assert!(Ty::ANY.may_equal(Ty::BOOL));
        assert!(!Ty::STR.may_order(Ty::INT.or(Ty::ABSENT)));
        assert!(!Ty::ABSENT.may_order(Ty::ABSENT));
        let e = check("data.orderKey == 5").unwrap_err();
        assert_eq!(
            e.message,
            "`==` compares a string with an integer: it is never true"
        );
        // A string or an integer: either may be what the other side is.
        assert!(check("data.orderId == 5 or data.orderId == '5'").is_ok());
        let e = check("data.gift != 'yes'").unwrap_err();
        assert_eq!(
            e.message,
            "`!=` compares a boolean with a string: it is always true"
        );
    }

    #[test]
    fn a_literal_compared_with_listed_values_is_one_of_them() {
        assert!(check("data.status == 'paid' or 3.0 == data.status").is_ok());
        assert!(check("data.status in ['open', 3]").is_ok());
        let e = check("data.status != 'piad'").unwrap_err();
        assert_eq!(
            e.message,
            "`!=` compares `data.status` with \"piad\", which is not one of its values \
             (\"open\", \"paid\", 3): it is always true"
        );
        assert_eq!(e.help.as_deref(), Some("did you mean `paid`?"));
        assert_eq!(e.span, (15, 21));
        let e = check("data.status in ['open', 4]").unwrap_err();
        assert_eq!(
            e.message,
            "the list holds 4, which is not one of the values of `data.status` (\"open\", \
             \"paid\", 3): it never matches"
        );
        assert_eq!(e.span, (24, 25));
        // Text built from parts is not a literal: nothing to hold it to.
        assert!(check("data.status == '${data.orderKey}'").is_ok());
    }

    #[test]
    fn lists_and_scalars_do_not_compare() {
        let e = check("data.items[*].id == 'x'").unwrap_err();
        assert_eq!(
            e.message,
            "`==` compares a list with a string: it is never true"
        );
        assert!(e.help.unwrap().contains("in list"));
        assert!(check("'x' in data.items[*].id").is_ok());
    }

    #[test]
    fn bare_words_get_a_hint_to_quote() {
        let e = check("yes").unwrap_err();
        assert_eq!(e.message, "unknown name `yes`");
        assert_eq!(
            e.help.as_deref(),
            Some("to write the text `yes`, quote it: 'yes'")
        );
        let e = check("stat").unwrap_err();
        assert_eq!(
            e.help.as_deref(),
            Some("did you mean `state`? Or, to write the text `stat`, quote it: 'stat'")
        );
    }

    #[test]
    fn guards_cannot_read_the_state_they_decide() {
        let fields = fields();
        let mut checker = Checker::new(vec![("e", None)], &fields);
        checker.next_state = false;
        let e = checker
            .check(&parse("next_state == 'x'").unwrap())
            .unwrap_err();
        assert_eq!(e.message, "`next_state` is not known in a transition guard");
        let e = checker.check(&parse("data.x").unwrap()).unwrap_err();
        assert_eq!(
            e.message,
            "event `e` declares no payload, so `data.x` is unknown"
        );
    }
}
