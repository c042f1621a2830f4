//! State diagrams of a lifecycle version (`plotline graph`): the compiled machine as a graph
//! of states and edges, written as Mermaid (`mermaid.rs`) or Graphviz DOT (`dot.rs`); and the
//! machine as an executable W3C SCXML statechart (`scxml.rs`).

pub mod dot;
pub mod layout;
pub mod mermaid;
pub mod scxml;
pub mod svg;
pub mod text;

use crate::compile::catalog::{Move, Version};

/// A state of the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Its name.
    pub name: String,
    /// Whether interactions end here.
    pub is_final: bool,
    /// Whether an interaction may end here without being final.
    pub may_end: bool,
}

/// What an edge stands for.
#[derive(Debug, Clone, PartialEq)]
pub enum Trigger {
    /// Events (one or more, in declared order) with the guard of the transition, if any.
    Events {
        /// The event names.
        events: Vec<String>,
        /// The guard as written.
        guard: Option<String>,
    },
    /// A state's timeout, after this many milliseconds (without activity, when idle).
    Timeout(i64, bool),
    /// A deadline across states that moves the interaction: this many milliseconds after
    /// the event named.
    Deadline(i64, String),
}

/// A transition of the diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Edge {
    /// Index of the state it leaves.
    pub from: usize,
    /// Index of the state it enters.
    pub to: usize,
    /// What takes it.
    pub trigger: Trigger,
}

/// A lifecycle version as a graph.
#[derive(Debug, Clone, PartialEq)]
pub struct Diagram {
    /// The lifecycle's name.
    pub name: String,
    /// States, in declared order (the initial one first).
    pub nodes: Vec<Node>,
    /// Index of the initial state.
    pub initial: usize,
    /// Edges, in the order of their source state, then of their events; edges with the same
    /// ends and guard share one, listing their events.
    pub edges: Vec<Edge>,
}

impl Diagram {
    /// The diagram of `version` of the lifecycle `name`.
    pub fn of(name: &str, version: &Version) -> Diagram {
        let nodes = (version.states.iter())
            .map(|state| Node {
                name: state.name.clone(),
                is_final: state.is_final,
                may_end: state.may_end,
            })
            .collect();
        let mut edges: Vec<Edge> = Vec::new();
        for (from, state) in version.states.iter().enumerate() {
            let here = version
                .moves()
                .filter(|(at, _, _)| usize::from(*at) == from);
            for (_, event, step) in here {
                let name = version
                    .events
                    .get(usize::from(event))
                    .map_or("", |e| e.name.as_str());
                match step {
                    Move::Illegal => {}
                    Move::To(to) => add(&mut edges, from, usize::from(to), name, None),
                    Move::Guarded(list) => {
                        for guarded in list {
                            let guard = guarded.when.as_ref().map(|_| guarded.source.as_str());
                            add(&mut edges, from, usize::from(guarded.target), name, guard);
                        }
                    }
                }
            }
            if let Some(timeout) = &state.timeout {
                let to = timeout.to.map_or(from, usize::from);
                edges.push(Edge {
                    from,
                    to,
                    trigger: Trigger::Timeout(timeout.after, timeout.idle),
                });
            }
        }
        // A deadline that moves the interaction: an edge from every state its clock may be
        // running in (reached after its event, not final) to where it goes.
        for deadline in &version.deadlines {
            let Some(to) = deadline.to else {
                continue;
            };
            let from_event = (version.events.get(usize::from(deadline.from)))
                .map_or(String::new(), |e| e.name.clone());
            for state in running_states(version, deadline.from) {
                if state != usize::from(to) {
                    edges.push(Edge {
                        from: state,
                        to: usize::from(to),
                        trigger: Trigger::Deadline(deadline.within, from_event.clone()),
                    });
                }
            }
        }
        Diagram {
            name: name.to_owned(),
            nodes,
            initial: usize::from(version.initial),
            edges,
        }
    }
}

/// The states an interaction may be in after `event` (by any transition or timeout), final
/// ones left out, in state order.
fn running_states(version: &Version, event: crate::compile::catalog::EventId) -> Vec<usize> {
    let states = version.states.len();
    let mut reached = vec![false; states];
    let mut queue: Vec<usize> = Vec::new();
    for (state, on, _) in version.moves() {
        if on == event {
            queue.extend(version.targets(state, on).into_iter().map(usize::from));
        }
    }
    while let Some(state) = queue.pop() {
        match reached.get_mut(state) {
            Some(seen) if !*seen => *seen = true,
            _ => continue,
        }
        let Ok(id) = crate::compile::catalog::StateId::try_from(state) else {
            continue;
        };
        for on in (0..version.events.len()).filter_map(|e| e.try_into().ok()) {
            queue.extend(version.targets(id, on).into_iter().map(usize::from));
        }
        queue.extend(version.timeout(id).and_then(|t| t.to).map(usize::from));
    }
    (0..states)
        .filter(|&s| reached[s] && !version.states[s].is_final)
        .collect()
}

/// Adds `event` to the edge from `from` to `to` with `guard`, or a new edge.
fn add(edges: &mut Vec<Edge>, from: usize, to: usize, event: &str, guard: Option<&str>) {
    let same = edges.iter_mut().find(|edge| {
        edge.from == from
            && edge.to == to
            && matches!(&edge.trigger, Trigger::Events { guard: g, .. } if g.as_deref() == guard)
    });
    match same {
        Some(Edge {
            trigger: Trigger::Events { events, .. },
            ..
        }) => events.push(event.to_owned()),
        _ => edges.push(Edge {
            from,
            to,
            trigger: Trigger::Events {
                events: vec![event.to_owned()],
                guard: guard.map(str::to_owned),
            },
        }),
    }
}

/// A duration for people: `250 ms`, `30 s`, `5 min`, `2 h`, `1 d` (whole units only).
pub fn duration(ms: i64) -> String {
    for (unit, size) in [
        ("d", 86_400_000),
        ("h", 3_600_000),
        ("min", 60_000),
        ("s", 1000),
    ] {
        if ms >= size && ms % size == 0 {
            return format!("{} {unit}", ms / size);
        }
    }
    format!("{ms} ms")
}

/// The label of a trigger: `a, b [guard]` or `after 5 min`.
pub fn label(trigger: &Trigger) -> String {
    match trigger {
        Trigger::Events { events, guard } => match guard {
            Some(guard) => format!("{} [{guard}]", events.join(", ")),
            None => events.join(", "),
        },
        Trigger::Timeout(after, false) => format!("after {}", duration(*after)),
        Trigger::Timeout(after, true) => format!("after {} idle", duration(*after)),
        Trigger::Deadline(within, event) => format!("{} after {event}", duration(*within)),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn durations_read_well() {
        assert_eq!(super::duration(300_000), "5 min");
        assert_eq!(super::duration(10_000), "10 s");
        assert_eq!(super::duration(1500), "1500 ms");
        assert_eq!(super::duration(1_800_000), "30 min");
    }
}
