//! Rules: expressions parsed once, type-checked against each event they run on, lowered to
//! nodes over metadata slots.

use super::catalog::{Field, Rule, Version};
use super::context::{Context, NameKind};
use super::fast_check::DataReads;
use super::lifecycle::ANY_OPEN_STATE;
use crate::config::model::{FieldType, LifecycleFile, PropertyDecl, RuleDecl};
use crate::expr::ast::{BinaryOp, Expr, ExprKind, Part};
use crate::expr::types::{payload_event, FieldInfo, Unknown};
use crate::expr::{parse, Checker, Node, Ty};

/// The `on` name meaning every event.
pub const EVERY_EVENT: &str = "*";

/// The kinds a field may hold.
pub fn field_kinds(ty: FieldType) -> Ty {
    match ty {
        FieldType::Boolean => Ty::BOOL,
        FieldType::Integer | FieldType::Timestamp | FieldType::Duration => Ty::INT,
        FieldType::Number => Ty::NUM,
        FieldType::String => Ty::STR,
        FieldType::Array => Ty::ARR,
        FieldType::Object => Ty::OBJ,
    }
}

fn value_kinds(value: &serde_json::Value) -> Ty {
    match value {
        serde_json::Value::Null => Ty::NULL,
        serde_json::Value::Bool(_) => Ty::BOOL,
        serde_json::Value::Number(n) if n.is_i64() || n.is_u64() => Ty::INT,
        serde_json::Value::Number(_) => Ty::FLOAT,
        serde_json::Value::String(_) => Ty::STR,
        serde_json::Value::Array(_) => Ty::ARR,
        serde_json::Value::Object(_) => Ty::OBJ,
    }
}

/// The metadata fields as the expression checker sees them.
pub fn field_infos(fields: &[Field]) -> Vec<FieldInfo> {
    fields
        .iter()
        .enumerate()
        .map(|(slot, field)| {
            let ty = field_kinds(field.ty);
            let default_ty = value_kinds(&field.default);
            FieldInfo {
                name: field.name.clone(),
                slot,
                ty,
                reads_as: default_ty.within(ty).then(|| field.default.clone()),
            }
        })
        .collect()
}

/// Parses and checks the expression `text` at config path `at`: a condition when `target` is
/// `None`, else a value for a field holding `target`. Errors are reported; `None` then.
/// Texts compared with `state` that name none of `states`, or none of those `around` says
/// it can be when given (and likewise `next_state`), or with `event` that name no event of
/// the file, are warned of.
pub fn expression(
    ctx: &mut Context,
    checker: &Checker,
    text: &str,
    at: &str,
    (target, states, around): (Option<Ty>, &[&str], Option<&Around>),
) -> Option<Node> {
    let expr = match parse(text) {
        Ok(expr) => expr,
        Err(error) => {
            ctx.expression_error(
                at,
                error.offset,
                1,
                format!("syntax error: {}", error.message),
                None,
            );
            return None;
        }
    };
    let checked = match target {
        None => checker.check_condition(&expr).map(|node| (node, Ty::BOOL)),
        Some(_) => checker.check(&expr),
    };
    match checked {
        Ok((node, ty)) => {
            warn_of_unknown_names(ctx, at, &expr, states);
            if let Some(around) = around {
                warn_of_states_not_here(ctx, at, &expr, states, around);
            }
            if let Some(target) = target {
                let value_ty = ty.without(Ty::ABSENT.or(Ty::NULL));
                if !value_ty.within(target) && ty != Ty::ANY {
                    ctx.expression_error(
                        at,
                        expr.span.0,
                        expr.span.1 - expr.span.0,
                        format!(
                            "this field holds {target}, but the expression gives {}",
                            ty.present()
                        ),
                        None,
                    );
                    return None;
                }
            }
            Some(node)
        }
        Err(error) => {
            match error.unknown.as_deref() {
                Some(Unknown::MetadataField(name)) => {
                    let elsewhere = ctx.file.model.metadata.get(name.as_str());
                    match elsewhere.map(|decl| decl.versioned().written()) {
                        Some(range) if !range.is_empty() => {
                            let what = format!("metadata field `{name}`");
                            not_in_every_version(ctx, (at, error.span), &what, &range);
                        }
                        _ => {
                            let declared = checker.fields.iter().map(|f| f.name.as_str());
                            let field = (NameKind::MetadataField, name.as_str(), "");
                            ctx.unknown_name_in_expression(field, (at, error.span), declared);
                        }
                    }
                }
                Some(Unknown::Property { name, within, path }) => {
                    let elsewhere = payload_event(within)
                        .and_then(|event| versions_declaring(ctx, event, path));
                    match elsewhere {
                        Some(ranges) => {
                            let what = format!("property `{name}`{within}");
                            not_in_every_version(ctx, (at, error.span), &what, &ranges);
                        }
                        None => {
                            let property = (NameKind::Property, name.as_str(), within.as_str());
                            ctx.unknown_name_helped(property, (at, error.span), error.help);
                        }
                    }
                }
                None => ctx.expression_error(
                    at,
                    error.span.0,
                    error.span.1.saturating_sub(error.span.0),
                    error.message,
                    error.help,
                ),
            }
            None
        }
    }
}

/// Reports that `what`, which an expression at `at` reads, is declared only in the versions
/// `ranges` says, while the expression runs in others too.
fn not_in_every_version(
    ctx: &mut Context,
    (at, span): (&str, (usize, usize)),
    what: &str,
    ranges: &str,
) {
    ctx.expression_error(
        at,
        span.0,
        span.1.saturating_sub(span.0),
        format!("{what} is declared with `{ranges}`, and this runs on versions without it"),
        Some(format!(
            "give the rule or transition the same version range ({ranges})"
        )),
    );
}

/// The version range of `decl` as written, or the one it is within (`outer`) when it has none.
fn ranged(decl: &PropertyDecl, outer: &str) -> String {
    let own = decl.versioned().written();
    if own.is_empty() {
        outer.to_owned()
    } else {
        own
    }
}

/// The version ranges (`since: 2.0`) in which the payload of `event` declares the property at
/// `path` (names from the payload down, `None` for an array's items), when it declares it
/// only in some versions: a read of it that is unknown in one version is then no
/// misspelling. A property declared in every version of the one it is in has that one's
/// range.
fn versions_declaring(ctx: &Context, event: &str, path: &[Option<String>]) -> Option<String> {
    let payload = ctx.file.model.events.get(event)?.0.payload.as_ref()?;
    let (Some(first), rest) = path.split_first()? else {
        return None;
    };
    let spec = (payload.properties.get(first)).or_else(|| {
        (payload.uses.iter()).find_map(|set| ctx.property_set(set)?.0.properties.get(first))
    })?;
    let mut found: Vec<(String, &PropertyDecl)> = (spec.variants().iter())
        .map(|decl| (ranged(decl, ""), decl))
        .collect();
    for step in rest {
        found = (found.iter())
            .flat_map(|(range, decl)| {
                let inner: Vec<&PropertyDecl> = match step {
                    Some(name) => (decl.properties.get(name))
                        .map_or(Vec::new(), |spec| spec.variants().iter().collect()),
                    None => decl.items.as_deref().into_iter().collect(),
                };
                inner
                    .into_iter()
                    .map(move |decl| (ranged(decl, range), decl))
            })
            .collect();
    }
    let ranges: Vec<String> = found.into_iter().map(|(range, _)| range).collect();
    (!ranges.is_empty() && !ranges.iter().any(String::is_empty)).then(|| ranges.join("; "))
}

/// Warns of each text compared with `state` or `next_state` (`==`, `!=`, `in [...]`) that
/// names no state of the version (`states`), and with `event` that names no event of the
/// file: such a comparison never holds as written.
fn warn_of_unknown_names(ctx: &mut Context, at: &str, expr: &Expr, states: &[&str]) {
    let mut compared = Vec::new();
    texts_compared_with(expr, &["state", "next_state"], &mut compared);
    for (span, name) in compared {
        if !states.contains(&name.as_str()) {
            let states = states.iter().copied();
            ctx.unknown_name_compared((NameKind::State, &name), (at, span), states);
        }
    }
    // An event any version of the file declares: a rule may be meant for several versions.
    let mut compared = Vec::new();
    texts_compared_with(expr, &["event"], &mut compared);
    let events = &ctx.file.model.events;
    for (span, name) in compared {
        if !events.contains_key(&name) {
            let declared = events.keys().map(String::as_str);
            ctx.unknown_name_compared((NameKind::Event, &name), (at, span), declared);
        }
    }
}

/// The states `state` and `next_state` can be when an expression runs on an event that is
/// legal where the interaction is (`None`: any): comparing either with another state never
/// holds there.
pub struct Around<'s> {
    /// The states `state` can be: a guard's transition's sources, or the sources of the
    /// transitions on a rule's events.
    pub before: Option<Vec<&'s str>>,
    /// The states `next_state` can be: the targets of those transitions (not known in a
    /// guard).
    pub after: Option<Vec<&'s str>>,
    /// Whether the expression is a guard (else a rule's).
    pub guard: bool,
}

impl<'s> Around<'s> {
    /// Around the guard of a transition from `from`.
    pub fn guard(from: Vec<&'s str>) -> Around<'s> {
        Around {
            before: Some(from),
            after: None,
            guard: true,
        }
    }

    /// Around a rule on the events `on` (by name, `*` for all), in any version of `model`:
    /// the states the transitions on them are from and lead to, as written (a rule of
    /// several versions is warned of only where it never holds in any).
    pub fn rule(model: &'s LifecycleFile, on: &[String]) -> Around<'s> {
        let every = on.iter().any(|name| name == EVERY_EVENT);
        let (mut before, mut after) = (Some(Vec::new()), Some(Vec::new()));
        let add = |states: &mut Option<Vec<&'s str>>, name: &'s str| match states {
            _ if name == ANY_OPEN_STATE => *states = None,
            Some(list) if !list.contains(&name) => list.push(name),
            _ => {}
        };
        let transitions = (model.transitions.iter())
            .filter(|decl| every || decl.on.names().iter().any(|event| on.contains(event)));
        for decl in transitions {
            for from in decl.from.names() {
                add(&mut before, from);
                add(&mut after, decl.to.as_deref().unwrap_or(from));
            }
        }
        Around {
            before,
            after,
            guard: false,
        }
    }
}

/// Warns of each state of the version (`states`) that `state` or `next_state` is compared
/// with while `around` says it cannot be that state there: such a comparison never holds
/// (in a rule: only on an event that is itself illegal).
fn warn_of_states_not_here(
    ctx: &mut Context,
    at: &str,
    expr: &Expr,
    states: &[&str],
    around: &Around,
) {
    let (here, transitions, are) = match around.guard {
        true => ("in this guard", "its transition", "is"),
        false => (
            "where this rule's events are legal",
            "their transitions",
            "are",
        ),
    };
    let roots = [
        ("state", &around.before, format!("{are} from")),
        ("next_state", &around.after, "go to".to_owned()),
    ];
    for (root, can_be, linked) in roots {
        // Any state, or none to compare with: an event no transition takes (the lint says so).
        let Some(can_be) = can_be.as_ref().filter(|states| !states.is_empty()) else {
            continue;
        };
        let mut compared = Vec::new();
        texts_compared_with(expr, &[root], &mut compared);
        for ((start, end), name) in compared {
            if states.contains(&name.as_str()) && !can_be.contains(&name.as_str()) {
                let listed: Vec<String> = can_be.iter().map(|state| format!("`{state}`")).collect();
                ctx.expression_warning(
                    at,
                    (start, end.saturating_sub(start)),
                    format!(
                        "`{root}` is never `{name}` {here}: {transitions} {linked} {}",
                        listed.join(", ")
                    ),
                    None,
                );
            }
        }
    }
}

/// The plain texts (with their spans) that `expr` compares with one of the names `roots`
/// (`state`, `event`).
fn texts_compared_with(expr: &Expr, roots: &[&str], found: &mut Vec<((usize, usize), String)>) {
    let is_root = |e: &Expr| {
        matches!(&e.kind, ExprKind::Path(path)
            if path.steps.is_empty() && roots.contains(&path.root.as_str()))
    };
    let text = |e: &Expr| match &e.kind {
        ExprKind::Interpolation(parts) => match parts.as_slice() {
            [Part::Text(text)] => Some((e.span, text.clone())),
            [] => Some((e.span, String::new())),
            _ => None,
        },
        _ => None,
    };
    match &expr.kind {
        ExprKind::Binary(BinaryOp::Eq | BinaryOp::Ne, left, right) => {
            for (a, b) in [(left, right), (right, left)] {
                if is_root(a) {
                    found.extend(text(b));
                }
            }
        }
        ExprKind::Binary(BinaryOp::In, left, right) if is_root(left) => {
            if let ExprKind::List(items) = &right.kind {
                found.extend(items.iter().filter_map(text));
            }
        }
        _ => {}
    }
    match &expr.kind {
        ExprKind::Binary(_, left, right) => {
            texts_compared_with(left, roots, found);
            texts_compared_with(right, roots, found);
        }
        ExprKind::Unary(_, inner) | ExprKind::Lambda(_, inner) => {
            texts_compared_with(inner, roots, found)
        }
        ExprKind::List(items) | ExprKind::Call(_, items) => items
            .iter()
            .for_each(|item| texts_compared_with(item, roots, found)),
        ExprKind::Interpolation(parts) => {
            for part in parts {
                if let Part::Expr(inner) = part {
                    texts_compared_with(inner, roots, found);
                }
            }
        }
        ExprKind::Literal(_) | ExprKind::Path(_) => {}
    }
}

/// Compiles `set` (field name to expression) at config path `path`: the slots and their
/// nodes, or `None` when any is wrong (reported).
pub fn assignments(
    ctx: &mut Context,
    checker: &Checker,
    set: &indexmap::IndexMap<String, String>,
    (path, states, around): (&str, &[&str], Option<&Around>),
) -> Option<Vec<(usize, Node)>> {
    let mut nodes = Vec::new();
    let mut failed = false;
    for (field_name, text) in set {
        let at = format!("{path}.set.{field_name}");
        match checker.fields.iter().find(|f| &f.name == field_name) {
            Some(field) => {
                match expression(ctx, checker, text, &at, (Some(field.ty), states, around)) {
                    Some(node) => nodes.push((field.slot, node)),
                    None => failed = true,
                }
            }
            None if ctx.file.model.metadata.contains_key(field_name) => {
                // A field of another version only: not set in this one.
            }
            None => {
                let declared = checker.fields.iter().map(|f| f.name.as_str());
                ctx.unknown_name(NameKind::MetadataField, field_name, &at, declared);
                failed = true;
            }
        }
    }
    (!failed).then_some(nodes)
}

/// Compiles the rules of version `index` into `version`, attaching each to its events.
pub fn compile(ctx: &mut Context, index: usize, version: &mut Version) {
    let file = ctx.file;
    let fields = field_infos(&version.fields);
    let mut compiled: Vec<(usize, &RuleDecl, Vec<usize>)> = Vec::new();
    for (r, decl) in file.model.rules.iter().enumerate() {
        let path = format!("rules[{r}]");
        if !ctx.active(decl.versioned(), &path, index) {
            continue;
        }
        let Some(events) = rule_events(ctx, decl, &path, version) else {
            continue;
        };
        for (earlier, earlier_decl, earlier_events) in &compiled {
            let shared: Vec<&str> = (events.iter())
                .filter(|event| earlier_events.contains(event))
                .filter_map(|&event| Some(version.events.get(event)?.name.as_str()))
                .collect();
            if !shared.is_empty() {
                warn_of_repeat(ctx, (&path, decl), (*earlier, earlier_decl), &shared);
            }
        }
        compiled.push((r, decl, events.clone()));
        if let Some(rule) = compile_rule(ctx, decl, &path, r, version, &events, &fields) {
            let rule_index = version.rules.len();
            version.rules.push(rule);
            for event in events {
                if let Some(event) = version.events.get_mut(event) {
                    event.rules.push(rule_index);
                    event
                        .data_reads
                        .merge(&version.rules[rule_index].data_reads);
                }
            }
        }
    }
    for (name, decl) in &file.model.metadata {
        let default_ty = value_kinds(&decl.default);
        if !default_ty.within(field_kinds(decl.ty).or(Ty::BOOL).or(Ty::NULL)) {
            ctx.error(
                &format!("metadata.{name}.default"),
                format!(
                    "default {} does not fit a field of type {:?}",
                    decl.default, decl.ty
                ),
                Some(
                    "use `false` (the widgets' \"not set\") or a value of the field's type".into(),
                ),
            );
        }
    }
}

/// Warns when the rule `decl` (at `path`) repeats what rule `earlier` does on the events both
/// run on (`shared`), under the same condition (written alike): the same assertion, whose
/// every fault would be reported twice, or the same field set to the same expression.
fn warn_of_repeat(
    ctx: &mut Context,
    (path, decl): (&str, &RuleDecl),
    (earlier, earlier_decl): (usize, &RuleDecl),
    shared: &[&str],
) {
    if written(&decl.when) != written(&earlier_decl.when) {
        return;
    }
    let on = match shared {
        [one] => format!("`{one}`"),
        [first, rest @ ..] => format!("`{first}` and {} more", rest.len()),
        [] => return,
    };
    if decl.assert.is_some() && written(&decl.assert) == written(&earlier_decl.assert) {
        ctx.warning(
            &format!("{path}.assert"),
            format!(
                "rules[{earlier}] asserts this too, on {on}: each fault there would be reported twice"
            ),
            Some("remove one of the two assertions".into()),
        );
    }
    for (field, value) in &decl.set {
        let same = (earlier_decl.set.get(field)).is_some_and(|was| was.trim() == value.trim());
        if same {
            ctx.warning(
                &format!("{path}.set.{field}"),
                format!(
                    "rules[{earlier}] sets `{field}` to this too, on {on}: it is set twice there"
                ),
                Some("remove one of the two".into()),
            );
        }
    }
}

/// An optional expression's text, without the white space around it.
fn written(text: &Option<String>) -> Option<&str> {
    text.as_deref().map(str::trim)
}

/// The events of `version` a rule runs on; `None` when it names one the file does not
/// declare (reported): checked against the events left, its expressions would report what
/// only that misspelling causes.
fn rule_events(
    ctx: &mut Context,
    decl: &RuleDecl,
    path: &str,
    version: &Version,
) -> Option<Vec<usize>> {
    let mut events = Vec::new();
    let mut unknown = false;
    for (i, name) in decl.on.names().iter().enumerate() {
        if name == EVERY_EVENT {
            events.extend(0..version.events.len());
        } else if let Some(&id) = version.event_ids.get(name) {
            events.push(usize::from(id));
        } else if !ctx.file.model.events.contains_key(name) {
            let declared = version.event_ids.keys().map(String::as_str);
            ctx.unknown_name(NameKind::Event, name, &format!("{path}.on[{i}]"), declared);
            unknown = true;
        } else {
            let version_name = &version.name;
            ctx.warning(
                &format!("{path}.on[{i}]"),
                format!("the rule runs on `{name}`, which is not in version {version_name}"),
                Some("give the rule the event's version range (`since`/`until`)".into()),
            );
        }
    }
    events.sort_unstable();
    events.dedup();
    (!unknown).then_some(events)
}

fn compile_rule(
    ctx: &mut Context,
    decl: &RuleDecl,
    path: &str,
    index: usize,
    version: &Version,
    events: &[usize],
    fields: &[FieldInfo],
) -> Option<Rule> {
    let checker = Checker::new(
        events
            .iter()
            .filter_map(|&e| version.events.get(e))
            .map(|event| {
                (
                    event.name.as_str(),
                    event.payload.as_ref().map(|p| &p.shape),
                )
            })
            .collect(),
        fields,
    );
    let mut failed = false;
    let states: Vec<&str> = version.states.iter().map(|s| s.name.as_str()).collect();
    let around = Around::rule(&ctx.file.model, decl.on.names());
    let mut condition = |ctx: &mut Context, text: &Option<String>, at: &str| {
        let text = text.as_ref()?;
        let at = format!("{path}.{at}");
        let node = expression(ctx, &checker, text, &at, (None, &states, Some(&around)));
        failed |= node.is_none();
        node
    };
    let when = condition(ctx, &decl.when, "when");
    let assert = condition(ctx, &decl.assert, "assert");
    let set = assignments(ctx, &checker, &decl.set, (path, &states, Some(&around)));
    if decl.set.is_empty() && decl.assert.is_none() {
        ctx.warning(
            path,
            "this rule neither sets a field nor asserts anything",
            None,
        );
    }
    let set = set?;
    let mut data_reads = DataReads::Nothing;
    for node in when
        .iter()
        .chain(assert.iter())
        .chain(set.iter().map(|(_, n)| n))
    {
        collect_reads(node, &mut data_reads);
    }
    (!failed).then(|| Rule {
        source: rule_source(decl),
        name: decl
            .name
            .clone()
            .unwrap_or_else(|| format!("rules[{index}]")),
        when,
        set,
        assert,
        message: decl.message.clone().unwrap_or_else(|| {
            format!(
                "assertion `{}` does not hold",
                decl.assert.as_deref().unwrap_or("")
            )
        }),
        data_reads,
    })
}

/// Adds the payload properties `node` reads to `reads`.
pub fn collect_reads(node: &Node, reads: &mut DataReads) {
    use crate::expr::ast::Step;
    use crate::expr::eval::InterpPart;
    match node {
        Node::Data(steps) => reads.merge(&match steps.first() {
            Some(Step::Field(name)) => DataReads::Fields(vec![name.clone()]),
            _ => DataReads::Everything,
        }),
        Node::Const(_)
        | Node::Ts
        | Node::Event
        | Node::Meta { .. }
        | Node::State
        | Node::NextState
        | Node::Local(..) => {}
        Node::Aggregate(_, list, body) => {
            collect_reads(list, reads);
            if let Some(body) = body {
                collect_reads(body, reads);
            }
        }
        Node::Apply(_, args) => args.iter().for_each(|arg| collect_reads(arg, reads)),
        Node::List(items) => items.iter().for_each(|item| collect_reads(item, reads)),
        Node::Interpolation(parts) => {
            for part in parts {
                if let InterpPart::Expr(node) = part {
                    collect_reads(node, reads);
                }
            }
        }
        Node::Not(x) | Node::Neg(x) | Node::Len(x) | Node::Exists(x) => collect_reads(x, reads),
        Node::Binary(_, a, b) => {
            collect_reads(a, reads);
            collect_reads(b, reads);
        }
    }
}

/// A rule as one line: `on a, b: when W; set f = E; assert A`.
fn rule_source(decl: &RuleDecl) -> String {
    let mut parts = Vec::new();
    if let Some(when) = &decl.when {
        parts.push(format!("when {when}"));
    }
    if !decl.set.is_empty() {
        let sets: Vec<String> = decl.set.iter().map(|(f, e)| format!("{f} = {e}")).collect();
        parts.push(format!("set {}", sets.join(", ")));
    }
    if let Some(assert) = &decl.assert {
        parts.push(format!("assert {assert}"));
    }
    format!("on {}: {}", decl.on.names().join(", "), parts.join("; "))
}
