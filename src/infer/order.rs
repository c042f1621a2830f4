//! The order of events, learned from the interactions' event sequences by k-tails state
//! merging (Biermann and Feldman, "On the synthesis of finite-state machines from samples of
//! their behavior", IEEE Transactions on Computers, 1972).
//!
//! The sequences go into a prefix tree as they are read (one node per distinct prefix, so
//! memory grows with distinct sequences, not with lines). Two nodes are one state when the
//! same event strings of length `k` (or shorter, ending where an interaction ended) follow
//! both; the merged machine is then folded until it is deterministic (two nodes one event
//! leads to from one state are one state).

use std::collections::{BTreeSet, HashMap};

use crate::engine::histogram::Histogram;

/// The node before any event.
pub const ROOT: u32 = 0;

/// One distinct prefix of the sequences read.
#[derive(Debug, Default)]
struct Node {
    /// The node before it and the event that leads here (none for the root).
    parent: u32,
    event: u32,
    /// The nodes after it, by event.
    children: Vec<(u32, u32)>,
    /// Interactions that came here.
    passes: u64,
    /// Interactions that ended here, for sure (the stream went on long enough after them).
    ended: u64,
    /// Versions whose interactions took the event into it (one bit per version).
    versions: u64,
    /// Time from arriving here to the next event.
    dwell: Histogram,
}

/// The prefix tree of the sequences read.
#[derive(Debug)]
pub struct PrefixTree {
    nodes: Vec<Node>,
}

impl Default for PrefixTree {
    fn default() -> Self {
        PrefixTree {
            nodes: vec![Node::default()],
        }
    }
}

/// A learned state machine over event ids: state 0 is the initial one.
#[derive(Debug)]
pub struct Machine {
    /// Per state: interactions that came, interactions that ended there for sure, the event
    /// that led there most often, and the time spent there.
    pub states: Vec<StateStats>,
    /// `(from, event, to, interactions, versions)`, sorted.
    pub transitions: Vec<(usize, u32, usize, u64, u64)>,
}

/// What a learned state saw.
#[derive(Debug, Default)]
pub struct StateStats {
    /// Interactions that came here.
    pub passes: u64,
    /// Interactions that ended here for sure.
    pub ended: u64,
    /// Interactions that stopped here at the end of the stream, not surely ended.
    pub stopped: u64,
    /// The event that led here most often, and how often (by event id).
    pub entered_by: HashMap<u32, u64>,
    /// Time from arriving to the next event.
    pub dwell: Histogram,
}

impl PrefixTree {
    /// The node after `event` from `node`, made when new; `version` is the event's version bit.
    pub fn step(&mut self, node: u32, event: u32, version: u64) -> u32 {
        let found = (self.nodes.get(node as usize))
            .and_then(|n| n.children.iter().find(|(e, _)| *e == event))
            .map(|(_, child)| *child);
        let child = match found {
            Some(child) => child,
            None => {
                let child = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
                self.nodes.push(Node {
                    parent: node,
                    event,
                    ..Node::default()
                });
                if let Some(n) = self.nodes.get_mut(node as usize) {
                    n.children.push((event, child));
                }
                child
            }
        };
        if let Some(n) = self.nodes.get_mut(child as usize) {
            n.passes += 1;
            n.versions |= version;
        }
        child
    }

    /// Counts the time an interaction spent at `node` before its next event.
    pub fn dwell(&mut self, node: u32, ms: i64) {
        if let Some(n) = self.nodes.get_mut(node as usize) {
            n.dwell.add(ms);
        }
    }

    /// An interaction ended at `node` for sure.
    pub fn end(&mut self, node: u32) {
        if let Some(n) = self.nodes.get_mut(node as usize) {
            n.ended += 1;
        }
    }

    /// The events from the root to `node`, the last first, each with its node and how many
    /// interactions took it.
    pub fn path(&self, mut node: u32) -> Vec<(u32, u32, u64)> {
        let mut path = Vec::new();
        while node != ROOT {
            let Some(n) = self.nodes.get(node as usize) else {
                break;
            };
            path.push((n.event, node, n.passes));
            node = n.parent;
        }
        path
    }

    /// Forgets the nodes below `cut` and `cut` itself (sequences set aside).
    pub fn prune(&mut self, cut: &BTreeSet<u32>) {
        for node in &mut self.nodes {
            node.children.retain(|(_, child)| !cut.contains(child));
        }
    }

    /// The machine k-tails learns, with `stopped` counting, per node, the interactions that
    /// stopped there not surely ended.
    pub fn learn(&self, k: usize, stopped: &HashMap<u32, u64>) -> Machine {
        let reachable = self.reachable();
        // The k-tails of every node reached, bottom up through the memo.
        let mut memo: HashMap<(u32, usize), BTreeSet<Vec<u32>>> = HashMap::new();
        let mut classes: HashMap<BTreeSet<Vec<u32>>, usize> = HashMap::new();
        let mut union = UnionFind::new(self.nodes.len());
        let mut first_of: Vec<usize> = Vec::new();
        for &node in reachable.iter().filter(|&&node| node != ROOT) {
            let tails = self.tails(node, k, &mut memo);
            let class = *classes.entry(tails).or_insert_with(|| {
                first_of.push(node as usize);
                first_of.len() - 1
            });
            if let Some(&first) = first_of.get(class) {
                union.join(first, node as usize);
            }
        }
        // Folded until deterministic: what one event leads to from one state is one state.
        loop {
            let mut targets: HashMap<(usize, u32), usize> = HashMap::new();
            let mut changed = false;
            for &node in &reachable {
                let from = union.find(node as usize);
                for &(event, child) in self.children(node) {
                    let to = union.find(child as usize);
                    match targets.get(&(from, event)) {
                        Some(&other) if union.find(other) != to => {
                            union.join(other, to);
                            changed = true;
                        }
                        Some(_) => {}
                        None => {
                            targets.insert((from, event), to);
                        }
                    }
                }
            }
            if !changed {
                break;
            }
        }
        self.machine(&reachable, &mut union, stopped)
    }

    fn children(&self, node: u32) -> &[(u32, u32)] {
        self.nodes
            .get(node as usize)
            .map_or(&[], |n| n.children.as_slice())
    }

    /// The nodes reached from the root, parents first.
    fn reachable(&self) -> Vec<u32> {
        let mut order = vec![ROOT];
        let mut at = 0;
        while let Some(&node) = order.get(at) {
            order.extend(self.children(node).iter().map(|(_, child)| *child));
            at += 1;
        }
        order
    }

    /// The event strings of length `k` that follow `node`, and the shorter ones that end
    /// where an interaction ended (marked by `END`).
    fn tails(
        &self,
        node: u32,
        k: usize,
        memo: &mut HashMap<(u32, usize), BTreeSet<Vec<u32>>>,
    ) -> BTreeSet<Vec<u32>> {
        if let Some(tails) = memo.get(&(node, k)) {
            return tails.clone();
        }
        let mut tails = BTreeSet::new();
        if k == 0 {
            tails.insert(Vec::new());
        } else {
            if self.nodes.get(node as usize).is_some_and(|n| n.ended > 0) {
                tails.insert(vec![END]);
            }
            for &(event, child) in self.children(node) {
                for tail in self.tails(child, k - 1, memo) {
                    let mut string = vec![event];
                    string.extend(tail);
                    tails.insert(string);
                }
            }
        }
        memo.insert((node, k), tails.clone());
        tails
    }

    /// The merged machine: its states numbered in the order first reached (the initial one
    /// first), its transitions with the interactions and versions that took them.
    fn machine(
        &self,
        reachable: &[u32],
        union: &mut UnionFind,
        stopped: &HashMap<u32, u64>,
    ) -> Machine {
        let mut number: HashMap<usize, usize> = HashMap::new();
        let mut states: Vec<StateStats> = Vec::new();
        let mut edges: HashMap<(usize, u32, usize), (u64, u64)> = HashMap::new();
        for &node in reachable {
            let class = union.find(node as usize);
            let state = *number.entry(class).or_insert_with(|| {
                states.push(StateStats::default());
                states.len() - 1
            });
            let Some(n) = self.nodes.get(node as usize) else {
                continue;
            };
            if let Some(stats) = states.get_mut(state) {
                stats.passes += n.passes;
                stats.ended += n.ended;
                stats.stopped += stopped.get(&node).copied().unwrap_or(0);
                stats.dwell.absorb(&n.dwell);
                if node != ROOT {
                    *stats.entered_by.entry(n.event).or_default() += n.passes;
                }
            }
            for &(event, child) in &n.children {
                let to_class = union.find(child as usize);
                let to = *number.entry(to_class).or_insert_with(|| {
                    states.push(StateStats::default());
                    states.len() - 1
                });
                let (passes, versions) =
                    (self.nodes.get(child as usize)).map_or((0, 0), |c| (c.passes, c.versions));
                let edge = edges.entry((state, event, to)).or_default();
                edge.0 += passes;
                edge.1 |= versions;
            }
        }
        let mut transitions: Vec<_> = (edges.into_iter())
            .map(|((from, event, to), (passes, versions))| (from, event, to, passes, versions))
            .collect();
        transitions.sort_unstable();
        Machine {
            states,
            transitions,
        }
    }
}

/// The end of an interaction, in a tail.
const END: u32 = u32::MAX;

/// Disjoint sets of node indexes.
struct UnionFind(Vec<usize>);

impl UnionFind {
    fn new(size: usize) -> UnionFind {
        UnionFind((0..size).collect())
    }

    fn find(&mut self, mut at: usize) -> usize {
        while let Some(&parent) = self.0.get(at) {
            if parent == at {
                break;
            }
            let grand = self.0.get(parent).copied().unwrap_or(parent);
            if let Some(slot) = self.0.get_mut(at) {
                *slot = grand;
            }
            at = parent;
        }
        at
    }

    /// Joins two sets; the root (node 0) stays its own set's representative.
    fn join(&mut self, a: usize, b: usize) {
        let (a, b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        let (keep, other) = if a < b { (a, b) } else { (b, a) };
        if let Some(slot) = self.0.get_mut(other) {
            *slot = keep;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The machine learned from `sequences` (all ended), as `from -event-> to` triples.
    fn learn(sequences: &[&[u32]], k: usize) -> Vec<(usize, u32, usize)> {
        let mut tree = PrefixTree::default();
        for sequence in sequences {
            let mut node = ROOT;
            for &event in *sequence {
                node = tree.step(node, event, 1);
            }
            tree.end(node);
        }
        let machine = tree.learn(k, &HashMap::new());
        (machine.transitions.iter())
            .map(|&(from, event, to, ..)| (from, event, to))
            .collect()
    }

    #[test]
    fn a_repeated_event_becomes_a_loop() {
        // open, message*, close
        let sequences: [&[u32]; 4] = [&[0, 2], &[0, 1, 2], &[0, 1, 1, 2], &[0, 1, 1, 1, 2]];
        let transitions = learn(&sequences, 1);
        assert_eq!(transitions, vec![(0, 0, 1), (1, 1, 1), (1, 2, 2)]);
    }

    #[test]
    fn an_optional_step_joins_the_path_it_skips() {
        // ready, opened, (started)?, closed
        let sequences: [&[u32]; 2] = [&[0, 1, 3], &[0, 1, 2, 3]];
        let transitions = learn(&sequences, 2);
        assert_eq!(
            transitions,
            // opened (2) goes to started (4) or closed (3); started goes to closed.
            vec![(0, 0, 1), (1, 1, 2), (2, 2, 4), (2, 3, 3), (4, 3, 3)]
        );
    }
}
