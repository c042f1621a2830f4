//! W3C SCXML 1.0 with the ECMAScript data model: the machine as a standard statechart that
//! other interpreters run.
//!
//! Each state is a `<state>` (a final one a `<final>`), each transition a `<transition
//! event= target=>` in the order Plotline tries them, a guard a `cond` over `_event.data` (the
//! event's payload) where it translates, and a timeout a delayed `<send>` sent on entry,
//! cancelled on exit, and taken as an event `plotline.timeout.N`. A guard that reads what an
//! SCXML event does not carry (metadata, the timestamp) or that uses aggregates does not
//! translate: the transition is kept with `cond="false"` and the guard in a comment, and
//! [`Scxml::untranslated`] counts them.

use std::fmt::Write as _;

use quick_xml::escape::escape;

use crate::compile::catalog::{EventId, Move, StateId, Version};
use crate::expr::ast::{BinaryOp, Step};
use crate::expr::eval::{Function, Lit, Node};

/// ECMAScript helpers the conditions call, with Plotline's semantics: a missing value makes a
/// comparison false, `and`/`or` of a non-boolean is no boolean, only `true` takes a guard.
const HELPERS: &str = r#"
function pl_get(v, path) {
  for (var i = 0; i < path.length; i++) {
    if (v === null || typeof v !== 'object') return undefined;
    var k = path[i];
    if (typeof k === 'number' && Array.isArray(v) && k < 0) k = v.length + k;
    v = v[k];
  }
  return v;
}
function pl_eq(a, b) {
  if (typeof a === 'number' && typeof b === 'number') return a === b;
  return JSON.stringify(a === undefined ? null : a) === JSON.stringify(b === undefined ? null : b)
    && (a === undefined) === (b === undefined);
}
function pl_cmp(op, a, b) {
  var ok = (typeof a === 'string' && typeof b === 'string') || (typeof a === 'number' && typeof b === 'number');
  if (!ok) return false;
  return op === '<' ? a < b : op === '<=' ? a <= b : op === '>' ? a > b : a >= b;
}
function pl_and(a, b) { return a === false ? false : a === true ? b() : undefined; }
function pl_or(a, b) { return a === true ? true : a === false ? b() : undefined; }
function pl_not(a) { return typeof a === 'boolean' ? !a : undefined; }
function pl_coalesce(a, b) { return a === undefined || a === null ? b() : a; }
function pl_num(op, a, b) {
  if (op === '+' && typeof a === 'string' && typeof b === 'string') return a + b;
  if (typeof a !== 'number' || typeof b !== 'number') return undefined;
  if ((op === '/' || op === '%') && b === 0) return undefined;
  return op === '+' ? a + b : op === '-' ? a - b : op === '*' ? a * b : op === '/' ? a / b : a % b;
}
function pl_len(v) { return typeof v === 'string' || Array.isArray(v) ? v.length : undefined; }
function pl_in(a, list) {
  if (!Array.isArray(list)) return false;
  for (var i = 0; i < list.length; i++) if (pl_eq(a, list[i])) return true;
  return false;
}
function pl_holds(v) { return v === true; }
"#;

/// An SCXML document and how many guards did not translate.
#[derive(Debug, Clone, PartialEq)]
pub struct Scxml {
    /// The document.
    pub text: String,
    /// Guards kept as `cond="false"` because they do not translate.
    pub untranslated: usize,
}

/// The SCXML document of `version` of the lifecycle `name`.
pub fn scxml(name: &str, version: &Version) -> Scxml {
    let ids: Vec<String> = (version.states.iter().enumerate())
        .map(|(index, state)| state_id(&state.name, index))
        .collect();
    let mut untranslated = 0;
    let mut text = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let _ = writeln!(
        text,
        "<!-- Lifecycle `{}`, version {}, as written by `plotline graph` in SCXML. Events carry \
         the payload as their data; timeouts are events plotline.timeout.N. -->",
        comment(name),
        comment(&version.name)
    );
    let _ = writeln!(
        text,
        "<scxml xmlns=\"http://www.w3.org/2005/07/scxml\" version=\"1.0\" datamodel=\"ecmascript\" name=\"{}\" initial=\"{}\">",
        escape(name),
        ids[usize::from(version.initial)]
    );
    if !version.deadlines.is_empty() {
        text.push_str("  <datamodel>\n");
        for k in 0..version.deadlines.len() {
            let _ = writeln!(text, "    <data id=\"pl_deadline_{k}\" expr=\"false\"/>");
        }
        text.push_str("  </datamodel>\n");
    }
    let _ = writeln!(text, "  <script>{}  </script>", escape(HELPERS));
    // A deadline starts at the first of its events: a delayed `<send>` on that transition.
    let close = |event: EventId| {
        let starts: String = (version.deadlines.iter().enumerate())
            .filter(|(_, deadline)| deadline.from == event)
            .map(|(k, deadline)| {
                format!(
                    "<if cond=\"!pl_deadline_{k}\"><assign location=\"pl_deadline_{k}\" expr=\"true\"/><send id=\"plotline-deadline-{k}\" event=\"plotline.deadline.{k}\" delay=\"{}ms\"/></if>",
                    deadline.within
                )
            })
            .collect();
        match starts.is_empty() {
            true => "/>".to_owned(),
            false => format!(">{starts}</transition>"),
        }
    };
    for (index, state) in version.states.iter().enumerate() {
        let Ok(state_id) = StateId::try_from(index) else {
            continue;
        };
        let id = &ids[index];
        if state.name != *id {
            let _ = writeln!(text, "  <!-- state `{}` -->", comment(&state.name));
        }
        if state.is_final {
            let _ = writeln!(text, "  <final id=\"{id}\"/>");
            continue;
        }
        let _ = writeln!(text, "  <state id=\"{id}\">");
        if let Some(timeout) = &state.timeout {
            let _ = writeln!(
                text,
                "    <onentry><send id=\"plotline-timeout-{index}\" event=\"plotline.timeout.{index}\" delay=\"{}ms\"/></onentry>",
                timeout.after
            );
            let _ = writeln!(
                text,
                "    <onexit><cancel sendid=\"plotline-timeout-{index}\"/></onexit>"
            );
        }
        // An event that keeps the state does not restart its timeout (it stays, without
        // leaving), unless the timeout is idle (it leaves and enters again).
        let keeps_timer = state.timeout.as_ref().is_some_and(|timeout| !timeout.idle);
        let target = |to: StateId| match to == state_id && keeps_timer {
            true => String::new(),
            false => format!(" target=\"{}\"", ids[usize::from(to)]),
        };
        for (event_index, event) in version.events.iter().enumerate() {
            let Ok(event_id) = EventId::try_from(event_index) else {
                continue;
            };
            let descriptor = event_descriptor(&event.name);
            if descriptor != event.name {
                let _ = writeln!(text, "    <!-- event `{}` -->", comment(&event.name));
            }
            match version.step(state_id, event_id) {
                Move::Illegal => {}
                Move::To(to) => {
                    let _ = writeln!(
                        text,
                        "    <transition event=\"{descriptor}\"{}{}",
                        target(to),
                        close(event_id)
                    );
                }
                Move::Guarded(list) => {
                    for guarded in list {
                        let target = target(guarded.target);
                        let Some(when) = &guarded.when else {
                            let _ = writeln!(
                                text,
                                "    <transition event=\"{descriptor}\"{target}{}",
                                close(event_id)
                            );
                            continue;
                        };
                        let here = &state.name;
                        let next = &version.states[usize::from(guarded.target)].name;
                        let cond = match js(when, here, next) {
                            Some(js) => format!("pl_holds({js})"),
                            None => {
                                untranslated += 1;
                                let _ = writeln!(
                                    text,
                                    "    <!-- guard not translated: {} -->",
                                    comment(&guarded.source)
                                );
                                "false".to_owned()
                            }
                        };
                        let _ = writeln!(
                            text,
                            "    <transition event=\"{descriptor}\" cond=\"{}\"{target}{}",
                            escape(cond.as_str()),
                            close(event_id)
                        );
                    }
                }
            }
        }
        if let Some(timeout) = &state.timeout {
            let target = timeout
                .to
                .map(|to| format!(" target=\"{}\"", ids[usize::from(to)]))
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "    <transition event=\"plotline.timeout.{index}\"{target}/>"
            );
        }
        for (k, deadline) in version.deadlines.iter().enumerate() {
            let target = (deadline.to)
                .map(|to| format!(" target=\"{}\"", ids[usize::from(to)]))
                .unwrap_or_default();
            let _ = writeln!(
                text,
                "    <transition event=\"plotline.deadline.{k}\"{target}/>"
            );
        }
        let _ = writeln!(text, "  </state>");
    }
    text.push_str("</scxml>\n");
    Scxml { text, untranslated }
}

/// A state's id: its name when that is an XML name SCXML takes, otherwise `plotline-state-`
/// and its index (a name never starts with `plotline` here, so ids never clash).
pub fn state_id(name: &str, index: usize) -> String {
    let mut chars = name.chars();
    let first_ok = chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
    let rest_ok = name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-'));
    if first_ok && rest_ok && !name.starts_with("plotline") {
        name.to_owned()
    } else {
        format!("plotline-state-{index}")
    }
}

/// An event descriptor: the name, with anything but letters, digits, `_`, `-`, `.` and `:`
/// replaced by `_` (SCXML descriptors are space-separated tokens).
fn event_descriptor(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, '_' | '-' | '.' | ':') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Text safe inside an XML comment (no `--`).
fn comment(text: &str) -> String {
    escape(text).replace("--", "- -")
}

/// An ECMAScript literal of a string.
fn string(text: &str) -> String {
    serde_json::Value::String(text.to_owned()).to_string()
}

/// `node` as an ECMAScript expression for a transition from `here` to `next`; `None` where it
/// reads what an SCXML event does not carry.
fn js(node: &Node, here: &str, next: &str) -> Option<String> {
    let both = |a: &Node, b: &Node| Some((js(a, here, next)?, js(b, here, next)?));
    Some(match node {
        Node::Const(Lit::Null) => "null".to_owned(),
        Node::Const(Lit::Bool(b)) => b.to_string(),
        Node::Const(Lit::Int(n)) => n.to_string(),
        Node::Const(Lit::Float(x)) if x.is_finite() => format!("{x:?}"),
        Node::Const(Lit::Float(_)) => return None,
        Node::Const(Lit::Str(s)) => string(s),
        Node::Event => "_event.name".to_owned(),
        Node::State => string(here),
        Node::NextState => string(next),
        Node::Data(steps) => {
            let keys: Option<Vec<String>> = (steps.iter())
                .map(|step| match step {
                    Step::Field(name) => Some(string(name)),
                    Step::Index(n) => Some(n.to_string()),
                    Step::Each => None,
                })
                .collect();
            format!("pl_get(_event.data, [{}])", keys?.join(", "))
        }
        Node::List(items) => {
            let items: Option<Vec<String>> = items.iter().map(|i| js(i, here, next)).collect();
            format!("[{}]", items?.join(", "))
        }
        Node::Not(inner) => format!("pl_not({})", js(inner, here, next)?),
        Node::Neg(inner) => format!("pl_num('-', 0, {})", js(inner, here, next)?),
        Node::Len(inner) => format!("pl_len({})", js(inner, here, next)?),
        Node::Exists(inner) => format!("({} !== undefined)", js(inner, here, next)?),
        Node::Binary(op, a, b) => {
            let (a, b) = both(a, b)?;
            match op {
                BinaryOp::And => format!("pl_and({a}, function () {{ return {b}; }})"),
                BinaryOp::Or => format!("pl_or({a}, function () {{ return {b}; }})"),
                BinaryOp::Coalesce => format!("pl_coalesce({a}, function () {{ return {b}; }})"),
                BinaryOp::Eq => format!("pl_eq({a}, {b})"),
                BinaryOp::Ne => format!("!pl_eq({a}, {b})"),
                BinaryOp::Lt => format!("pl_cmp('<', {a}, {b})"),
                BinaryOp::Le => format!("pl_cmp('<=', {a}, {b})"),
                BinaryOp::Gt => format!("pl_cmp('>', {a}, {b})"),
                BinaryOp::Ge => format!("pl_cmp('>=', {a}, {b})"),
                BinaryOp::In => format!("pl_in({a}, {b})"),
                BinaryOp::Add => format!("pl_num('+', {a}, {b})"),
                BinaryOp::Sub => format!("pl_num('-', {a}, {b})"),
                BinaryOp::Mul => format!("pl_num('*', {a}, {b})"),
                BinaryOp::Div => format!("pl_num('/', {a}, {b})"),
                BinaryOp::Rem => format!("pl_num('%', {a}, {b})"),
            }
        }
        Node::Apply(Function::Abs, args) if args.len() == 1 => {
            let x = js(&args[0], here, next)?;
            format!("(typeof {x} === 'number' ? Math.abs({x}) : undefined)")
        }
        Node::Ts
        | Node::Meta { .. }
        | Node::Local(..)
        | Node::Aggregate(..)
        | Node::Interpolation(_)
        | Node::Apply(..) => return None,
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn ids_and_descriptors_are_safe() {
        assert_eq!(super::state_id("opened", 2), "opened");
        assert_eq!(super::state_id("end: here", 2), "plotline-state-2");
        assert_eq!(super::state_id("2fa", 3), "plotline-state-3");
        assert_eq!(super::state_id("plotline-state-1", 0), "plotline-state-0");
        assert_eq!(
            super::event_descriptor("Order: Completed"),
            "Order:_Completed"
        );
        assert_eq!(super::comment("a -- b"), "a - - b");
    }
}
