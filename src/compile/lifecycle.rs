//! One lifecycle file to a [`Lifecycle`]: every version in turn, each with its own ids,
//! transition table, fields, payloads and rules.

use std::collections::{BTreeMap, HashMap};

use super::catalog::{
    Deadline, Event, EventId, Field, Guarded, Lifecycle, Payload, Scenario, State, StateId, Step,
    Timeout, UnsetBlock, Version, GUARDED, NO_STATE,
};
use super::context::{Context, NameKind};
use super::fast_check::{DataReads, FastCheck};
use super::names::NameMap;
use super::version::VersionKey;
use super::{format, lint, payload, rules};
use crate::config::model::{Nullable, ScenarioEvent, ScenarioStep, StateDecl};
use crate::config::LoadedFile;
use crate::diagnostic::Diagnostic;
use crate::expr::types::FieldInfo;
use crate::expr::{Checker, Node};

/// The `from` name meaning "every state that is neither initial nor final".
pub const ANY_OPEN_STATE: &str = "*";

/// Compiles one file, with the files it imports (and whether every import was found).
/// Returns the lifecycle (when it has no error) and all diagnostics.
pub fn compile_file<'a>(
    file: &'a LoadedFile,
    (imports, imports_whole): (Vec<&'a LoadedFile>, bool),
) -> (Option<Lifecycle>, Vec<Diagnostic>) {
    let model = &file.model;
    let Some((names, keys)) = versions(file) else {
        let (_, diagnostics) = (None::<()>, version_errors(file));
        return (None, diagnostics);
    };
    let mut ctx = Context::new(file, (imports, imports_whole), names.clone(), keys.clone());
    let versions: Vec<Version> = (0..names.len())
        .map(|index| compile_version(&mut ctx, index))
        .collect();
    ctx.report_findings();
    let scenarios = scenarios(&mut ctx, &versions);
    let formats = format::compile_formats(&mut ctx, &model.formats, &versions);
    ctx.report_unknown_names();
    let diagnostics = ctx.into_diagnostics();
    let lifecycle = (!diagnostics.iter().any(Diagnostic::is_error)).then(|| Lifecycle {
        name: model.name.clone(),
        title: model.title.clone(),
        description: model.description.clone(),
        file: file.source.name.clone(),
        versions,
        keys,
        scenarios,
        formats,
    });
    (lifecycle, diagnostics)
}

type VersionNames = (Vec<String>, Vec<VersionKey>);

fn versions(file: &LoadedFile) -> Option<VersionNames> {
    if !version_errors(file).is_empty() {
        return None;
    }
    let names: Vec<String> = file.model.versions.iter().map(|v| v.name.clone()).collect();
    let keys = names
        .iter()
        .filter_map(|name| VersionKey::parse(name))
        .collect();
    Some((names, keys))
}

fn version_errors(file: &LoadedFile) -> Vec<Diagnostic> {
    let mut errors = Vec::new();
    let error =
        |path: &str, message: String| Diagnostic::error(&file.source, file.locate(path), message);
    if file.model.versions.is_empty() {
        errors.push(
            error("versions", "a lifecycle needs at least one version".into())
                .with_help("add `versions: [{name: \"1.0\"}]`"),
        );
    }
    let mut previous: Option<VersionKey> = None;
    for (i, version) in file.model.versions.iter().enumerate() {
        let path = format!("versions[{i}].name");
        match VersionKey::parse(&version.name) {
            None => errors.push(
                error(
                    &path,
                    format!("version `{}` is not a dotted number", version.name),
                )
                .with_help("write versions as widgets do, e.g. `9.0.002.06`"),
            ),
            Some(key) => {
                if previous.as_ref().is_some_and(|previous| *previous >= key) {
                    errors.push(
                        error(
                            &path,
                            format!(
                                "version `{}` is not newer than the one before it",
                                version.name
                            ),
                        )
                        .with_help("list versions oldest first, each once"),
                    );
                }
                previous = Some(key);
            }
        }
    }
    errors
}

fn compile_version(ctx: &mut Context, index: usize) -> Version {
    let errors_before = ctx.errors_raised();
    let model = &ctx.file.model;
    let name = ctx.version_names.get(index).cloned().unwrap_or_default();
    let description = model
        .versions
        .get(index)
        .and_then(|v| v.description.clone());

    // Events.
    let mut events = Vec::new();
    let mut event_ids = NameMap::default();
    for (event_name, Nullable(decl)) in &model.events {
        let path = format!("events.{event_name}");
        if !ctx.active(decl.versioned(), &path, index) {
            continue;
        }
        let payload = decl.payload.as_ref().and_then(|payload| {
            let errors_before = ctx.errors_raised();
            let resolved = payload::resolve(ctx, payload, &format!("{path}.payload"), index);
            match payload::validator(&resolved.schema) {
                Ok(validator) => Some(Payload {
                    fast: FastCheck::compile(&resolved.schema),
                    schema: resolved.schema,
                    shape: resolved.shape,
                    validator,
                }),
                // A declaration of the payload was wrong, and said so where it is written:
                // the schema made of it failing as well is that error again.
                Err(_) if ctx.errors_raised() > errors_before => None,
                Err(error) => {
                    ctx.error(
                        &path,
                        format!("payload schema does not compile: {error}"),
                        None,
                    );
                    None
                }
            }
        });
        let Ok(id) = EventId::try_from(events.len()) else {
            ctx.error(&path, "too many events", None);
            break;
        };
        event_ids.insert(event_name.clone(), id);
        events.push(Event {
            name: event_name.clone(),
            description: decl.description.clone(),
            payload,
            resync: None,
            rules: Vec::new(),
            data_reads: DataReads::Nothing,
        });
    }

    // States: the initial one first.
    let mut states = vec![State {
        name: model.initial.clone(),
        description: Some("before the first event".into()),
        is_final: false,
        may_end: false,
        timeout: None,
    }];
    for (state_name, Nullable(decl)) in &model.states {
        let path = format!("states.{state_name}");
        if *state_name == model.initial {
            ctx.error(
                &path,
                format!("`{state_name}` is the initial state: it needs no entry in `states`"),
                Some("remove it, or name the initial state otherwise with `initial:`".into()),
            );
            continue;
        }
        if ctx.active(decl.versioned(), &path, index) {
            states.push(state(state_name, decl));
        }
    }
    if states.len() >= usize::from(GUARDED) {
        ctx.error("states", format!("more than {} states", GUARDED - 1), None);
        states.truncate(usize::from(GUARDED) - 1);
    }
    let fields = fields(ctx, index);
    let unset_block = UnsetBlock::of(&fields);
    let mut version = Version {
        name,
        description,
        events,
        event_ids,
        states,
        initial: 0,
        table: Vec::new(),
        guarded: Vec::new(),
        fields,
        unset_block,
        rules: Vec::new(),
        deadlines: Vec::new(),
    };
    let field_infos = rules::field_infos(&version.fields);
    let (table, guarded) = transitions(ctx, index, &mut version, &field_infos);
    version.table = table;
    version.guarded = guarded;
    timeouts(ctx, index, &mut version, &field_infos);
    version.deadlines = deadlines(ctx, index, &version, &field_infos);
    rules::compile(ctx, index, &mut version);
    for event in &mut version.events {
        if let Some(fast) = event.payload.as_mut().and_then(|p| p.fast.as_mut()) {
            fast.keeping(&event.data_reads);
        }
    }
    if ctx.errors_raised() == errors_before {
        lint::check(ctx, index, &version);
    }
    version
}

fn state(name: &str, decl: &StateDecl) -> State {
    State {
        name: name.to_owned(),
        description: decl.description.clone(),
        is_final: decl.is_final,
        may_end: decl.may_end,
        timeout: None,
    }
}

/// Compiles the deadlines of version `index` (after its states, events and fields).
fn deadlines(
    ctx: &mut Context,
    index: usize,
    version: &Version,
    fields: &[FieldInfo],
) -> Vec<Deadline> {
    let model = &ctx.file.model;
    let mut compiled = Vec::new();
    for (d, decl) in model.deadlines.iter().enumerate() {
        let path = format!("deadlines[{d}]");
        if !ctx.active(decl.versioned(), &path, index) {
            continue;
        }
        let Some(&from) = version.event_ids.get(&decl.from) else {
            report_unknown(
                ctx,
                NameKind::Event,
                &decl.from,
                &format!("{path}.from"),
                index,
                version.event_ids.keys().map(String::as_str),
                |n| model.events.get(n).map(|Nullable(d)| d.versioned()),
            );
            continue;
        };
        let Some(within) =
            positive_millis(ctx, &format!("{path}.within"), &decl.within, "deadline")
        else {
            continue;
        };
        let names: Vec<&str> = version.states.iter().map(|s| s.name.as_str()).collect();
        let to = match &decl.to {
            None => None,
            Some(target) => match state_named(ctx, index, version, target, &format!("{path}.to")) {
                Some(id) => Some(id),
                None => continue,
            },
        };
        if to.is_none() && decl.violation.is_none() {
            ctx.error(
                &path,
                "this deadline neither moves the interaction nor reports anything",
                Some("give it `to: STATE`, `violation: MESSAGE`, or both".into()),
            );
            continue;
        }
        let checker = Checker::new(Vec::new(), fields);
        let Some(set) = rules::assignments(ctx, &checker, &decl.set, (&path, &names, None)) else {
            continue;
        };
        compiled.push(Deadline {
            from,
            within,
            to,
            violation: decl.violation.clone(),
            set,
        });
    }
    compiled
}

/// A timeout's or deadline's length (`what` names it) at config `path`, in milliseconds:
/// more than 0, or an error.
fn positive_millis(
    ctx: &mut Context,
    path: &str,
    duration: &crate::config::model::DurationDecl,
    what: &str,
) -> Option<i64> {
    match duration.millis() {
        Ok(ms) if ms > 0 => Some(ms),
        Ok(_) => {
            ctx.error(path, format!("a {what} must be longer than 0 ms"), None);
            None
        }
        Err(message) => {
            ctx.error(path, message, None);
            None
        }
    }
}

/// The state of `version` named `target` (at config `path`), or an error naming the states.
fn state_named(
    ctx: &mut Context,
    index: usize,
    version: &Version,
    target: &str,
    path: &str,
) -> Option<StateId> {
    if let Some(id) = version.state_id(target) {
        return Some(id);
    }
    let model = &ctx.file.model;
    let names: Vec<&str> = version.states.iter().map(|s| s.name.as_str()).collect();
    report_unknown(
        ctx,
        NameKind::State,
        target,
        path,
        index,
        names.into_iter(),
        |n| model.states.get(n).map(|Nullable(d)| d.versioned()),
    );
    None
}

/// Compiles the states' timeouts into `version` (after its states and fields).
fn timeouts(ctx: &mut Context, index: usize, version: &mut Version, fields: &[FieldInfo]) {
    let model = &ctx.file.model;
    for state in 1..version.states.len() {
        let name = version.states[state].name.clone();
        let Some(Nullable(decl)) = model.states.get(&name) else {
            continue;
        };
        let Some(timeout) = &decl.timeout else {
            continue;
        };
        let path = format!("states.{name}.timeout");
        let Some(after) = positive_millis(ctx, &format!("{path}.after"), &timeout.after, "timeout")
        else {
            continue;
        };
        if decl.is_final {
            ctx.error(
                &path,
                format!("final state `{name}` cannot time out: interactions end there"),
                Some("remove the timeout, or make the state not final".into()),
            );
            continue;
        }
        let to = match &timeout.to {
            None => None,
            Some(target) => match state_named(ctx, index, version, target, &format!("{path}.to")) {
                Some(id) if usize::from(id) == state => {
                    ctx.error(
                        &format!("{path}.to"),
                        format!("a timeout of `{name}` cannot go to `{name}` itself"),
                        Some("leave out `to` to stay in the state".into()),
                    );
                    continue;
                }
                Some(id) => Some(id),
                None => continue,
            },
        };
        if to.is_none() && timeout.violation.is_none() {
            ctx.error(
                &path,
                "this timeout neither goes anywhere nor reports anything",
                Some("give it `to: STATE`, `violation: MESSAGE`, or both".into()),
            );
            continue;
        }
        let checker = Checker::new(Vec::new(), fields);
        let names: Vec<String> = version.states.iter().map(|s| s.name.clone()).collect();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let Some(set) = rules::assignments(ctx, &checker, &timeout.set, (&path, &names, None))
        else {
            continue;
        };
        version.states[state].timeout = Some(Timeout {
            after,
            idle: timeout.idle,
            to,
            violation: timeout.violation.clone(),
            set,
        });
    }
    // Timeouts leading to timeouts must end: each state has at most one, so a cycle would
    // go round for ever on a long gap.
    for start in 1..version.states.len() {
        let mut seen = vec![start];
        let mut at = start;
        while let Some(next) = version.states[at]
            .timeout
            .as_ref()
            .and_then(|t| t.to)
            .map(usize::from)
        {
            if next == start {
                let chain: Vec<&str> = seen
                    .iter()
                    .chain([&start])
                    .map(|&s| version.states[s].name.as_str())
                    .collect();
                ctx.error(
                    &format!("states.{}.timeout", version.states[start].name),
                    format!("timeouts form a cycle: {}", chain.join(" -> ")),
                    Some("end the chain in a state without a timeout".into()),
                );
                break;
            }
            if seen.contains(&next) {
                break;
            }
            seen.push(next);
            at = next;
        }
    }
}

/// One transition's claim on a table cell.
struct Claim {
    /// Index of the declaration in `transitions`.
    index: usize,
    /// Whether it came from `from: "*"`.
    wildcard: bool,
    guard: Option<(Node, String)>,
    target: StateId,
}

/// The transition table, the guarded cells, and each event's resynchronization target.
fn transitions(
    ctx: &mut Context,
    index: usize,
    version: &mut Version,
    fields: &[FieldInfo],
) -> (Vec<StateId>, Vec<Vec<Guarded>>) {
    let model = &ctx.file.model;
    let states = &version.states;
    let state_names: Vec<&str> = states.iter().map(|s| s.name.as_str()).collect();
    let state_ids: HashMap<&str, StateId> = states
        .iter()
        .enumerate()
        .filter_map(|(i, s)| Some((s.name.as_str(), StateId::try_from(i).ok()?)))
        .collect();
    let width = version.events.len();
    let mut claims: BTreeMap<usize, Vec<Claim>> = BTreeMap::new();
    let mut targets: Vec<Vec<StateId>> = vec![Vec::new(); width];
    let mut guard_reads: Vec<DataReads> = vec![DataReads::Nothing; width];
    let open_states: Vec<StateId> = (1..states.len())
        .filter(|&s| !states[s].is_final)
        .filter_map(|s| StateId::try_from(s).ok())
        .collect();

    for (t, decl) in model.transitions.iter().enumerate() {
        let path = format!("transitions[{t}]");
        if !ctx.active(decl.versioned(), &path, index) {
            continue;
        }
        let resolve_state = |ctx: &mut Context, name: &str, at: &str| -> Option<StateId> {
            let found = state_ids.get(name).copied();
            if found.is_none() {
                report_unknown(
                    ctx,
                    NameKind::State,
                    name,
                    at,
                    index,
                    state_ids.keys().copied(),
                    |n| model.states.get(n).map(|Nullable(d)| d.versioned()),
                );
            }
            found
        };
        let to = match &decl.to {
            Some(name) => match resolve_state(ctx, name, &format!("{path}.to")) {
                Some(id) => Some(id),
                None => continue,
            },
            None => None,
        };
        let mut sources = Vec::new();
        let mut wildcard = false;
        for (i, name) in decl.from.names().iter().enumerate() {
            if name == ANY_OPEN_STATE {
                wildcard = true;
                sources.extend(open_states.iter().copied());
            } else if let Some(id) = resolve_state(ctx, name, &format!("{path}.from[{i}]")) {
                sources.push(id);
            }
        }
        // The states a guard of this transition may see, for every event it is on.
        let around = rules::Around::guard(
            (sources.iter())
                .filter_map(|&id| Some(states.get(usize::from(id))?.name.as_str()))
                .collect(),
        );
        for (i, event_name) in decl.on.names().iter().enumerate() {
            let Some(&event) = version.event_ids.get(event_name) else {
                report_unknown(
                    ctx,
                    NameKind::Event,
                    event_name,
                    &format!("{path}.on[{i}]"),
                    index,
                    version.event_ids.keys().map(String::as_str),
                    |n| model.events.get(n).map(|Nullable(d)| d.versioned()),
                );
                continue;
            };
            let e = usize::from(event);
            let guard = match &decl.when {
                None => None,
                Some(text) => {
                    let payload = version.events[e].payload.as_ref().map(|p| &p.shape);
                    let mut checker = Checker::new(vec![(event_name.as_str(), payload)], fields);
                    checker.next_state = false;
                    let at = format!("{path}.when");
                    let held = (None, state_names.as_slice(), Some(&around));
                    match rules::expression(ctx, &checker, text, &at, held) {
                        Some(node) => {
                            rules::collect_reads(&node, &mut guard_reads[e]);
                            Some((node, text.clone()))
                        }
                        None => continue,
                    }
                }
            };
            if let Some(target) = to {
                if !targets[e].contains(&target) {
                    targets[e].push(target);
                }
            }
            for &source in &sources {
                let cell = usize::from(source) * width + e;
                claims.entry(cell).or_default().push(Claim {
                    index: t,
                    wildcard,
                    guard: guard.clone(),
                    target: to.unwrap_or(source),
                });
            }
        }
    }

    let mut table = vec![NO_STATE; states.len() * width];
    let mut guarded = Vec::new();
    for (cell, mut list) in claims {
        // Explicit transitions override those from `*`.
        if list.iter().any(|claim| !claim.wildcard) {
            list.retain(|claim| !claim.wildcard);
        }
        let state_name = &states[cell / width].name;
        let event_name = &version.events[cell % width].name;
        if let Some(at) = list.iter().position(|claim| claim.guard.is_none()) {
            if let Some(after) = list.get(at + 1) {
                let first = list[at].index;
                let (message, help) = if after.guard.is_none() {
                    (
                        format!("two transitions for state `{state_name}` and event `{event_name}` (this one and transitions[{first}])"),
                        "keep one; an interaction must have one next state, or give the first a `when` guard",
                    )
                } else {
                    (
                        format!("this transition never runs for state `{state_name}` and event `{event_name}`: transitions[{first}] before it has no guard"),
                        "move the transition without `when` after the guarded ones",
                    )
                };
                ctx.error(
                    &format!("transitions[{}]", after.index),
                    message,
                    Some(help.into()),
                );
                list.truncate(at + 1);
            }
        }
        let Some(slot) = table.get_mut(cell) else {
            continue;
        };
        match list.as_slice() {
            [] => {}
            [Claim {
                guard: None,
                target,
                ..
            }] => *slot = *target,
            _ => {
                let Some(id) = StateId::try_from(guarded.len())
                    .ok()
                    .and_then(|i| i.checked_add(GUARDED))
                    .filter(|id| *id < NO_STATE)
                else {
                    ctx.error("transitions", "too many guarded transitions", None);
                    continue;
                };
                *slot = id;
                guarded.push(
                    list.into_iter()
                        .map(|claim| {
                            let (when, source) = match claim.guard {
                                Some((node, text)) => (Some(node), text),
                                None => (None, String::new()),
                            };
                            Guarded {
                                when,
                                source,
                                target: claim.target,
                            }
                        })
                        .collect(),
                );
            }
        }
    }
    for ((event, targets), reads) in version.events.iter_mut().zip(targets).zip(guard_reads) {
        if let [only] = targets.as_slice() {
            event.resync = Some(*only);
        }
        event.data_reads.merge(&reads);
    }
    (table, guarded)
}

/// Reports an unknown name, saying when it exists but not in this version.
fn report_unknown<'n, 'm>(
    ctx: &mut Context,
    kind: NameKind,
    name: &str,
    path: &str,
    index: usize,
    known: impl Iterator<Item = &'n str> + Clone,
    declared: impl Fn(&str) -> Option<crate::config::model::Versioned<'m>>,
) {
    let version = ctx.version_names.get(index).cloned().unwrap_or_default();
    let what = kind.word();
    if let Some(versioned) = declared(name) {
        let range = versioned.written();
        ctx.error(
            path,
            format!("{what} `{name}` is not in version {version}"),
            Some(format!(
                "give this item the same version range as the {what} ({range})"
            )),
        );
    } else {
        ctx.unknown_name(kind, name, path, known);
    }
}

fn fields(ctx: &mut Context, index: usize) -> Vec<Field> {
    let model = &ctx.file.model;
    let mut fields = Vec::new();
    for (name, decl) in &model.metadata {
        let path = format!("metadata.{name}");
        if ctx.active(decl.versioned(), &path, index) {
            // A string always has a JSON text: the fallback is never taken.
            let key = serde_json::to_string(name).unwrap_or_else(|_| format!("{name:?}"));
            fields.push(Field {
                name: name.clone(),
                ty: decl.ty,
                default: decl.default.clone(),
                written_key: format!("{key}:"),
                description: decl.description.clone(),
                internal: decl.internal,
                pii: decl.pii,
            });
        }
    }
    fields
}

/// A scenario's step at config path `at`, as it is run (a gap that is no duration reported).
fn scenario_step(ctx: &mut Context, at: &str, step: &ScenarioStep) -> Step {
    match step {
        ScenarioStep::Name(name) => Step {
            event: name.clone(),
            after: None,
            data: None,
            metadata: None,
        },
        ScenarioStep::Full(full) => Step {
            event: full.event.clone(),
            after: (full.after.as_ref()).and_then(|gap| match gap.millis() {
                Ok(ms) => Some(ms),
                Err(message) => {
                    ctx.error(&format!("{at}.after"), message, None);
                    None
                }
            }),
            data: full.data.clone(),
            metadata: full.metadata.clone(),
        },
    }
}

fn scenarios(ctx: &mut Context, versions: &[Version]) -> Vec<Scenario> {
    let model = &ctx.file.model;
    let mut scenarios = Vec::new();
    let mut near_keys = lint::NearKeys::default();
    let mut names: HashMap<(&str, usize), usize> = HashMap::new();
    for (s, decl) in model.scenarios.iter().enumerate() {
        let path = format!("scenarios[{s}]");
        let range = ctx.range(decl.versioned(), &path);
        let applies: Vec<usize> = (0..versions.len()).filter(|&v| range.contains(v)).collect();
        for &v in &applies {
            if let Some(previous) = names.insert((decl.name.as_str(), v), s) {
                ctx.error(
                    &format!("{path}.name"),
                    format!(
                        "scenario `{}` is also scenarios[{previous}] in version {}",
                        decl.name, versions[v].name
                    ),
                    Some("rename one, or give them version ranges that do not overlap".into()),
                );
            }
        }
        let steps: Vec<Step> = (decl.events.iter().enumerate())
            .map(|(i, step)| scenario_step(ctx, &format!("{path}.events[{i}]"), step))
            .collect();
        // An event the file does not declare is unknown in every version: said once.
        for (i, step) in steps.iter().enumerate() {
            if !applies.is_empty() && !model.events.contains_key(&step.event) {
                let declared = model.events.keys().map(String::as_str);
                let at = format!("{path}.events[{i}]");
                ctx.unknown_name(NameKind::Event, &step.event, &at, declared);
            }
        }
        for (i, step) in decl.events.iter().enumerate() {
            let ScenarioStep::Full(ScenarioEvent {
                event,
                data: Some(data),
                ..
            }) = step
            else {
                continue;
            };
            for &v in &applies {
                let version = &versions[v];
                let payload = (version.event_ids.get(event))
                    .and_then(|&id| version.events.get(usize::from(id))?.payload.as_ref());
                if let Some(payload) = payload {
                    let at = format!("{path}.events[{i}].data");
                    near_keys.look(event, &payload.shape, data, &at);
                }
            }
        }
        scenarios.push(Scenario {
            name: decl.name.clone(),
            description: decl.description.clone(),
            source: decl.source.clone(),
            steps,
            expect: decl.expect.clone(),
            versions: applies,
            file: ctx.file.source.clone(),
            location: ctx.file.locate(&path),
        });
    }
    // Said once for each key, and only of a file without errors: a property misspelt where it
    // is declared makes the right key look wrong, and has its own error.
    if ctx.errors_raised() == 0 {
        near_keys.report(ctx);
    }
    scenarios
}
