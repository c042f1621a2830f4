//! Text to AST with pest (`grammar/expr.pest`) and a Pratt parser for operator precedence.

use std::sync::OnceLock;

use pest::iterators::{Pair, Pairs};
use pest::pratt_parser::{Assoc, Op, PrattParser};
use pest::Parser;

use super::ast::{BinaryOp, Expr, ExprKind, Literal, Part, Path, Span, Step, UnaryOp};

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/expr.pest"]
struct ExprParser;

/// Deepest nesting of brackets, parentheses and interpolations accepted. With
/// [`MAX_OPERATORS`] it bounds the recursion of parsing, checking and evaluation, so that
/// hostile config cannot exhaust the stack (tests hold it on a 2 MiB thread, unoptimized).
pub const MAX_NESTING: usize = 32;

/// Most operators (and operator characters) in one expression: chains such as `- - - 1` or
/// `1 + 1 + ...` nest as deeply as brackets do.
pub const MAX_OPERATORS: usize = 100;

/// A syntax error, with its byte offset in the expression text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ParseError {
    /// What is wrong.
    pub message: String,
    /// Where, as a byte offset.
    pub offset: usize,
}

fn pratt() -> &'static PrattParser<Rule> {
    static PRATT: OnceLock<PrattParser<Rule>> = OnceLock::new();
    PRATT.get_or_init(|| {
        PrattParser::new()
            .op(Op::infix(Rule::coalesce, Assoc::Left))
            .op(Op::infix(Rule::or_op, Assoc::Left))
            .op(Op::infix(Rule::and_op, Assoc::Left))
            .op(Op::prefix(Rule::not_op))
            .op(Op::infix(Rule::eq, Assoc::Left)
                | Op::infix(Rule::ne, Assoc::Left)
                | Op::infix(Rule::lt, Assoc::Left)
                | Op::infix(Rule::le, Assoc::Left)
                | Op::infix(Rule::gt, Assoc::Left)
                | Op::infix(Rule::ge, Assoc::Left)
                | Op::infix(Rule::in_op, Assoc::Left))
            .op(Op::infix(Rule::add, Assoc::Left) | Op::infix(Rule::sub, Assoc::Left))
            .op(Op::infix(Rule::mul, Assoc::Left)
                | Op::infix(Rule::div, Assoc::Left)
                | Op::infix(Rule::rem, Assoc::Left))
            .op(Op::prefix(Rule::neg))
    })
}

/// Parses an expression.
pub fn parse(text: &str) -> Result<Expr, ParseError> {
    check_size(text)?;
    let mut pairs = ExprParser::parse(Rule::expression, text).map_err(|error| {
        let offset = match error.location {
            pest::error::InputLocation::Pos(at) => at,
            pest::error::InputLocation::Span((at, _)) => at,
        };
        ParseError {
            message: describe(&error.variant),
            offset,
        }
    })?;
    let expression = pairs.next().ok_or_else(|| ParseError {
        message: "empty expression".into(),
        offset: 0,
    })?;
    let expr = expression.into_inner().next().ok_or_else(|| ParseError {
        message: "empty expression".into(),
        offset: 0,
    })?;
    build_expr(expr.into_inner())
}

fn describe(variant: &pest::error::ErrorVariant<Rule>) -> String {
    match variant {
        pest::error::ErrorVariant::ParsingError { positives, .. } => {
            let mut wanted: Vec<&str> = positives.iter().map(|rule| rule_name(*rule)).collect();
            wanted.sort_unstable();
            wanted.dedup();
            if wanted.is_empty() {
                "unexpected input".into()
            } else {
                format!("expected {}", wanted.join(", "))
            }
        }
        pest::error::ErrorVariant::CustomError { message } => message.clone(),
    }
}

fn rule_name(rule: Rule) -> &'static str {
    match rule {
        Rule::EOI => "end of expression",
        Rule::expr
        | Rule::null
        | Rule::boolean
        | Rule::number
        | Rule::string
        | Rule::list
        | Rule::call
        | Rule::path
        | Rule::ident
        | Rule::not_op
        | Rule::neg => "a value",
        Rule::each | Rule::index => "`*` or an index",
        Rule::lambda => "`name => expression`",
        _ => "an operator",
    }
}

fn check_size(text: &str) -> Result<(), ParseError> {
    let mut depth = 0usize;
    let mut operators = 0usize;
    let mut word_start: Option<usize> = None;
    let too_many = |offset| ParseError {
        message: format!("expression has more than {MAX_OPERATORS} operators; split it"),
        offset,
    };
    for (offset, byte) in text.bytes().chain([b' ']).enumerate() {
        if byte.is_ascii_alphanumeric() || byte == b'_' {
            word_start.get_or_insert(offset);
            continue;
        }
        if let Some(start) = word_start.take() {
            if matches!(&text[start..offset], "not" | "and" | "or" | "in") {
                operators += 1;
            }
        }
        match byte {
            b'(' | b'[' | b'{' => {
                depth += 1;
                if depth > MAX_NESTING {
                    return Err(ParseError {
                        message: format!("expression nested more than {MAX_NESTING} deep"),
                        offset,
                    });
                }
            }
            b')' | b']' | b'}' => depth = depth.saturating_sub(1),
            b'+' | b'-' | b'*' | b'/' | b'%' | b'<' | b'>' | b'=' | b'!' | b'?' => operators += 1,
            _ => {}
        }
        if operators > MAX_OPERATORS {
            return Err(too_many(offset.min(text.len())));
        }
    }
    Ok(())
}

fn span_of(pair: &Pair<Rule>) -> Span {
    let span = pair.as_span();
    (span.start(), span.end())
}

fn build_expr(pairs: Pairs<Rule>) -> Result<Expr, ParseError> {
    pratt()
        .map_primary(build_primary)
        .map_prefix(|op, operand| {
            let operand = operand?;
            let op_kind = match op.as_rule() {
                Rule::not_op => UnaryOp::Not,
                _ => UnaryOp::Neg,
            };
            let span = (op.as_span().start(), operand.span.1);
            // Fold `-literal` so that `-5` is a literal.
            if let (UnaryOp::Neg, ExprKind::Literal(Literal::Int(n))) = (op_kind, &operand.kind) {
                return Ok(Expr {
                    kind: ExprKind::Literal(Literal::Int(-n)),
                    span,
                });
            }
            Ok(Expr {
                kind: ExprKind::Unary(op_kind, Box::new(operand)),
                span,
            })
        })
        .map_infix(|left, op, right| {
            let (left, right) = (left?, right?);
            let op = match op.as_rule() {
                Rule::coalesce => BinaryOp::Coalesce,
                Rule::or_op => BinaryOp::Or,
                Rule::and_op => BinaryOp::And,
                Rule::eq => BinaryOp::Eq,
                Rule::ne => BinaryOp::Ne,
                Rule::lt => BinaryOp::Lt,
                Rule::le => BinaryOp::Le,
                Rule::gt => BinaryOp::Gt,
                Rule::ge => BinaryOp::Ge,
                Rule::in_op => BinaryOp::In,
                Rule::add => BinaryOp::Add,
                Rule::sub => BinaryOp::Sub,
                Rule::mul => BinaryOp::Mul,
                Rule::div => BinaryOp::Div,
                _ => BinaryOp::Rem,
            };
            let span = (left.span.0, right.span.1);
            Ok(Expr {
                kind: ExprKind::Binary(op, Box::new(left), Box::new(right)),
                span,
            })
        })
        .parse(pairs)
}

fn build_primary(pair: Pair<Rule>) -> Result<Expr, ParseError> {
    let span = span_of(&pair);
    let kind = match pair.as_rule() {
        Rule::expr => return build_expr(pair.into_inner()),
        Rule::null => ExprKind::Literal(Literal::Null),
        Rule::boolean => ExprKind::Literal(Literal::Bool(pair.as_str().starts_with('t'))),
        Rule::number => ExprKind::Literal(number(pair.as_str(), span.0)?),
        Rule::string => ExprKind::Interpolation(
            pair.into_inner()
                .map(|part| match part.as_rule() {
                    Rule::text | Rule::single_text => Ok(Part::Text(unescape(part.as_str()))),
                    _ => {
                        let inner = part.into_inner().next().ok_or_else(|| ParseError {
                            message: "empty interpolation".into(),
                            offset: span.0,
                        })?;
                        build_expr(inner.into_inner()).map(Part::Expr)
                    }
                })
                .collect::<Result<_, _>>()?,
        ),
        Rule::list => ExprKind::List(
            pair.into_inner()
                .map(|item| build_expr(item.into_inner()))
                .collect::<Result<_, _>>()?,
        ),
        Rule::call => {
            let mut inner = pair.into_inner();
            let name = inner
                .next()
                .map(|p| p.as_str().to_owned())
                .unwrap_or_default();
            let args = inner.map(build_argument).collect::<Result<_, _>>()?;
            ExprKind::Call(name, args)
        }
        Rule::path => ExprKind::Path(build_path(pair)?),
        other => {
            return Err(ParseError {
                message: format!("unexpected {other:?}"),
                offset: span.0,
            })
        }
    };
    Ok(Expr { kind, span })
}

/// A call argument: an expression, or `name => body` (the element function of an aggregate).
fn build_argument(pair: Pair<Rule>) -> Result<Expr, ParseError> {
    if pair.as_rule() != Rule::lambda {
        return build_expr(pair.into_inner());
    }
    let span = span_of(&pair);
    let mut inner = pair.into_inner();
    let name = inner
        .next()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let body = inner.next().ok_or_else(|| ParseError {
        message: "expected a body after `=>`".into(),
        offset: span.1,
    })?;
    Ok(Expr {
        kind: ExprKind::Lambda(name, Box::new(build_expr(body.into_inner())?)),
        span,
    })
}

fn number(text: &str, offset: usize) -> Result<Literal, ParseError> {
    let too_big = || ParseError {
        message: format!("number `{text}` is out of range"),
        offset,
    };
    if text.contains('.') {
        text.parse().map(Literal::Float).map_err(|_| too_big())
    } else {
        text.parse().map(Literal::Int).map_err(|_| too_big())
    }
}

fn build_path(pair: Pair<Rule>) -> Result<Path, ParseError> {
    let mut inner = pair.into_inner();
    let root = inner
        .next()
        .map(|p| p.as_str().to_owned())
        .unwrap_or_default();
    let mut steps = Vec::new();
    for step in inner {
        steps.push(match step.as_rule() {
            Rule::field => Step::Field(step.as_str().trim_start_matches('.').to_owned()),
            Rule::each => Step::Each,
            _ => Step::Index(step.as_str().parse().map_err(|_| ParseError {
                message: format!("index `{}` is out of range", step.as_str()),
                offset: step.as_span().start(),
            })?),
        });
    }
    Ok(Path { root, steps })
}

fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some(other) => out.push(other),
                None => {}
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shape(text: &str) -> String {
        fn show(e: &Expr) -> String {
            match &e.kind {
                ExprKind::Literal(l) => format!("{l:?}"),
                ExprKind::Interpolation(parts) => parts
                    .iter()
                    .map(|p| match p {
                        Part::Text(t) => format!("{t:?}"),
                        Part::Expr(e) => format!("${{{}}}", show(e)),
                    })
                    .collect::<Vec<_>>()
                    .join("~"),
                ExprKind::List(items) => {
                    format!("[{}]", items.iter().map(show).collect::<Vec<_>>().join(","))
                }
                ExprKind::Path(p) => format!("{}{:?}", p.root, p.steps),
                ExprKind::Unary(op, x) => format!("({op:?} {})", show(x)),
                ExprKind::Binary(op, a, b) => format!("({} {} {})", show(a), op.symbol(), show(b)),
                ExprKind::Lambda(name, body) => format!("{name} => {}", show(body)),
                ExprKind::Call(name, args) => {
                    format!(
                        "{name}({})",
                        args.iter().map(show).collect::<Vec<_>>().join(",")
                    )
                }
            }
        }
        show(&parse(text).unwrap())
    }

    #[test]
    fn precedence_and_forms() {
        assert_eq!(
            shape("ts - meta.started"),
            r#"(ts[] - meta[Field("started")])"#
        );
        assert_eq!(
            shape("a ?? b or c and not d"),
            "(a[] ?? (b[] or (c[] and (Not d[]))))"
        );
        assert_eq!(
            shape("1 + 2 * 3 == 7"),
            "((Int(1) + (Int(2) * Int(3))) == Int(7))"
        );
        assert_eq!(shape("x in [1, 2,]"), "(x[] in [Int(1),Int(2)])");
        assert_eq!(shape("-3"), "Int(-3)");
        assert_eq!(
            shape(r#""${data.a}_${data.b}""#),
            r#"${data[Field("a")]}~"_"~${data[Field("b")]}"#
        );
        assert_eq!(
            shape("data.c[*].id"),
            r#"data[Field("c"), Each, Field("id")]"#
        );
        assert_eq!(shape("len(data.x)"), r#"len(data[Field("x")])"#);
        assert_eq!(shape("notes and india"), "(notes[] and india[])");
        assert_eq!(shape("'a' == \"a\""), r#"("a" == "a")"#);
        assert_eq!(
            shape("sum(data.p, p => p.n * 2)"),
            r#"sum(data[Field("p")],p => (p[Field("n")] * Int(2)))"#
        );
        assert_eq!(
            shape(r"'don\'t ${data.a}'"),
            r#""don't "~${data[Field("a")]}"#
        );
    }

    #[test]
    fn errors_have_offsets() {
        let error = parse("ts - ").unwrap_err();
        assert_eq!(error.offset, 5);
        assert!(error.message.contains("a value"), "{}", error.message);
        assert!(parse(&"(".repeat(100_000)).is_err());
        assert!(parse("99999999999999999999").is_err());
    }
}
