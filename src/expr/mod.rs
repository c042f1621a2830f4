//! The rule expression language: text to AST (`parse`), AST checked against the event payload
//! and the metadata fields (`types`), and the checked tree evaluated per event (`eval`).
//!
//! Expressions are small and total: they never fail at run time. A missing payload property
//! or an unset metadata field is *absent*; absent propagates through arithmetic
//! (`ts - meta.started` is absent until `started` is set) and is replaced with `??`. The type
//! checker tracks which values may be absent, so a guard or an assertion that could see one
//! must say what to do with it.

pub mod ast;
pub mod doc;
pub mod eval;
pub mod parse;
pub mod slot;
pub mod types;

pub use ast::Expr;
pub use doc::Doc;
pub use eval::{Env, Node, Val};
pub use parse::{parse, ParseError};
pub use slot::Slot;
pub use types::{Checker, Shape, Ty, TypeError};
