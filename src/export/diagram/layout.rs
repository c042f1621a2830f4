//! A layered layout of a [`Diagram`], top to bottom, so that pictures need no Graphviz. It
//! follows the method of Sugiyama, Tagawa and Toda that Graphviz's `dot` and dagre use, with
//! every label a box of its own in the layering, so that the drawing is clear by
//! construction:
//!
//! 1. **Ranks.** Edges that close a cycle are set aside (an edge keeps the graph acyclic when
//!    it leads further from the initial state, or as far and closes no cycle); a state's rank
//!    is the longest path to it over the others.
//! 2. **Chains.** States sit on even rows, labels on the odd row under an edge's upper end;
//!    an edge is a chain of vertices one row apart: its upper state, its label, a point on
//!    every row it crosses, its lower state. An edge back up is laid out as the same edge
//!    downwards and drawn the other way; a loop, or an edge between states of one rank, goes
//!    down to its label and back up.
//! 3. **Order** within each row: sweeps placing each vertex at the mean place of its
//!    neighbours, keeping the order with the fewest crossings.
//! 4. **Places**: each vertex as near as it may to the mean of its neighbours while the
//!    boxes of a row stay apart (an isotonic regression, solved exactly).
//! 5. **Routes**: within a row an edge runs straight through its own vertex, between rows it
//!    is a curve in the band between them, where nothing else is; each edge leaves and enters
//!    a state at a port of its own.
//!
//! So no label covers another or a state, no edge crosses a state or a label, and no two
//! edges share a stretch.

use std::fmt::Write;

use super::Diagram;

/// Height of a state's box.
pub const NODE_HEIGHT: f64 = 40.0;
/// Height of an edge's label box (one line of 11 px text).
const LABEL_HEIGHT: f64 = 18.0;
/// Vertical distance between rows.
const ROW_GAP: f64 = 24.0;
/// The band under a row is at least this deep for each pixel its edges travel sideways...
const SLOPE: f64 = 0.4;
/// ...up to this.
const MAX_ROW_GAP: f64 = 160.0;
/// Horizontal distance between the boxes of one row.
const GAP: f64 = 14.0;
/// Width a point of an edge takes in its row.
const POINT_WIDTH: f64 = 8.0;
/// Least distance between the ports of one side of a state.
const PORT_GAP: f64 = 12.0;
/// Margin around the drawing.
const MARGIN: f64 = 12.0;
/// Where an edge runs along its label box, from the box's left (its text starts further).
const LABEL_LINE: f64 = 4.0;
/// Where a label's text starts, from the box's left, when its edge runs along that side.
const LABEL_TEXT: f64 = 10.0;
/// Sweeps of ordering and of placing.
const ORDER_SWEEPS: usize = 12;
const PLACE_SWEEPS: usize = 24;

/// Where a state's box is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Placed {
    /// Its centre.
    pub x: f64,
    /// Its centre.
    pub y: f64,
    /// Its width.
    pub width: f64,
    /// Its rank (0: the initial state's).
    pub rank: usize,
}

/// How an edge is drawn: an SVG path and where its label goes.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    /// The SVG path data (`M ... C ...`), from the edge's source to its target.
    pub path: String,
    /// Where its label is anchored (the baseline's start or middle).
    pub label_at: (f64, f64),
    /// How the label sits at that point: `start` (to its right) or `middle`.
    pub anchor: &'static str,
}

/// A laid-out diagram.
#[derive(Debug, Clone, PartialEq)]
pub struct Layout {
    /// By state index.
    pub nodes: Vec<Placed>,
    /// By edge index.
    pub edges: Vec<Route>,
    /// Width of the drawing.
    pub width: f64,
    /// Height of the drawing.
    pub height: f64,
}

/// What a vertex of the layering stands for.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    /// A state.
    State,
    /// An edge's label that its edge runs through, along the box's left side.
    Label,
    /// An edge's label that its edge goes down to and back up from, over the box's top.
    Turn,
    /// A point of an edge on a row it crosses.
    Point,
}

/// A vertex of the layering.
#[derive(Debug, Clone)]
struct Vertex {
    kind: Kind,
    row: usize,
    width: f64,
    /// Its centre, once placed.
    x: f64,
}

impl Vertex {
    /// Where edges meet it, as an offset from its centre.
    fn line(&self) -> f64 {
        match self.kind {
            Kind::Label => -self.width / 2.0 + LABEL_LINE,
            _ => 0.0,
        }
    }

    fn left(&self) -> f64 {
        self.x - self.width / 2.0
    }

    fn right(&self) -> f64 {
        self.x + self.width / 2.0
    }
}

/// An edge as vertices, from the upper end down (a turn: `[from, label, to]`).
#[derive(Debug, Clone)]
struct Chain {
    vertices: Vec<usize>,
    /// Drawn from the last vertex to the first (an edge back up).
    upward: bool,
}

/// Lays out `diagram`; `label_width(i)` is the width the box of state `i` needs and
/// `edge_label_width(i)` that of edge `i`'s label text.
pub fn layout(
    diagram: &Diagram,
    label_width: &dyn Fn(usize) -> f64,
    edge_label_width: &dyn Fn(usize) -> f64,
) -> Layout {
    let count = diagram.nodes.len();
    let ranks = ranks(diagram);
    let mut vertices: Vec<Vertex> = (0..count)
        .map(|i| Vertex {
            kind: Kind::State,
            row: 2 * ranks[i],
            width: label_width(i),
            x: 0.0,
        })
        .collect();
    let add = |vertices: &mut Vec<Vertex>, kind, row, width| {
        vertices.push(Vertex {
            kind,
            row,
            width,
            x: 0.0,
        });
        vertices.len() - 1
    };
    let mut chains = Vec::with_capacity(diagram.edges.len());
    for (i, edge) in diagram.edges.iter().enumerate() {
        let (from, to) = (edge.from, edge.to);
        let text = edge_label_width(i);
        let chain = if ranks[from] == ranks[to] {
            let width = (text + 2.0 * GAP).max(28.0);
            let turn = add(&mut vertices, Kind::Turn, 2 * ranks[from] + 1, width);
            Chain {
                vertices: vec![from, turn, to],
                upward: false,
            }
        } else {
            let (upper, lower) = match ranks[from] < ranks[to] {
                true => (from, to),
                false => (to, from),
            };
            let top = 2 * ranks[upper];
            let mut chain = vec![upper];
            chain.push(add(
                &mut vertices,
                Kind::Label,
                top + 1,
                text + LABEL_TEXT + 4.0,
            ));
            for row in top + 2..2 * ranks[lower] {
                chain.push(add(&mut vertices, Kind::Point, row, POINT_WIDTH));
            }
            chain.push(lower);
            Chain {
                vertices: chain,
                upward: upper == to,
            }
        };
        chains.push(chain);
    }
    // A state is wide enough for its edges' ports to stand apart.
    let mut sides = vec![(0usize, 0usize); count];
    for chain in &chains {
        if let (Some(&first), Some(&last)) = (chain.vertices.first(), chain.vertices.last()) {
            sides[first].1 += 1;
            match vertices[chain.vertices[1]].kind == Kind::Turn {
                true => sides[last].1 += 1,
                false => sides[last].0 += 1,
            }
        }
    }
    for (state, (above, below)) in sides.into_iter().enumerate() {
        let ports = above.max(below) as f64;
        vertices[state].width = vertices[state].width.max(16.0 + PORT_GAP * ports);
    }
    let rows_count = vertices.iter().map(|v| v.row + 1).max().unwrap_or(0);
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); vertices.len()];
    for chain in &chains {
        for pair in chain.vertices.windows(2) {
            neighbours[pair[0]].push(pair[1]);
            neighbours[pair[1]].push(pair[0]);
        }
    }
    let rows = order(&vertices, &neighbours, rows_count);
    place(&mut vertices, &neighbours, &rows);

    // Rows' heights and tops: the band under a row is deeper where its edges travel far
    // sideways, so that curves side by side stay apart.
    let mut travel = vec![0.0f64; rows.len()];
    for chain in &chains {
        for pair in chain.vertices.windows(2) {
            let (a, b) = (&vertices[pair[0]], &vertices[pair[1]]);
            let sideways = (a.x + a.line() - b.x - b.line()).abs();
            let upper = a.row.min(b.row);
            travel[upper] = travel[upper].max(sideways);
        }
    }
    let mut tops = Vec::with_capacity(rows.len());
    let mut heights = Vec::with_capacity(rows.len());
    let mut y = MARGIN;
    let mut last_gap = 0.0;
    for (index, row) in rows.iter().enumerate() {
        let height = match (index % 2 == 0, row.is_empty()) {
            (_, true) => 0.0,
            (true, false) => NODE_HEIGHT,
            (false, false) => LABEL_HEIGHT,
        };
        tops.push(y);
        heights.push(height);
        if !row.is_empty() {
            last_gap = (travel[index] * SLOPE).clamp(ROW_GAP, MAX_ROW_GAP);
            y += height + last_gap;
        }
    }
    let height = y - last_gap + MARGIN;
    let (least, most) = (vertices.iter()).fold((f64::MAX, f64::MIN), |(l, m), v| {
        (l.min(v.left()), m.max(v.right()))
    });
    let shift = if vertices.is_empty() {
        0.0
    } else {
        MARGIN - least
    };
    for vertex in &mut vertices {
        vertex.x += shift;
    }
    let width = if vertices.is_empty() {
        2.0 * MARGIN
    } else {
        most - least + 2.0 * MARGIN
    };

    let ports = ports(&vertices, &chains);
    let top = |v: usize| tops[vertices[v].row];
    let bottom = |v: usize| tops[vertices[v].row] + heights[vertices[v].row];
    let edges = (chains.iter().enumerate())
        .map(|(i, chain)| route(chain, &vertices, &ports[i], &top, &bottom))
        .collect();
    let nodes = (0..count)
        .map(|i| Placed {
            x: vertices[i].x,
            y: tops[vertices[i].row] + NODE_HEIGHT / 2.0,
            width: vertices[i].width,
            rank: ranks[i],
        })
        .collect();
    Layout {
        nodes,
        edges,
        width,
        height: height.max(2.0 * MARGIN),
    }
}

/// Each state's rank: the longest path to it over the edges that keep the graph acyclic:
/// every edge on no cycle, and of those on one, the edges leading further from the initial
/// state (by the fewest edges), or as far when they close no cycle.
fn ranks(diagram: &Diagram) -> Vec<usize> {
    let count = diagram.nodes.len();
    let distance = distances(diagram);
    let mut all: Vec<Vec<usize>> = vec![Vec::new(); count];
    for edge in &diagram.edges {
        all[edge.from].push(edge.to);
    }
    let mut successors: Vec<Vec<usize>> = vec![Vec::new(); count];
    for edge in &diagram.edges {
        let (from, to) = (edge.from, edge.to);
        let on_cycle = from == to || reaches(&all, to, from);
        let keep = match distance[to].cmp(&distance[from]) {
            _ if !on_cycle => true,
            std::cmp::Ordering::Greater => true,
            std::cmp::Ordering::Equal => from != to && !reaches(&successors, to, from),
            std::cmp::Ordering::Less => false,
        };
        if keep && !successors[from].contains(&to) {
            successors[from].push(to);
        }
    }
    // Longest paths, in a topological order (Kahn's).
    let mut incoming = vec![0usize; count];
    for list in &successors {
        for &to in list {
            incoming[to] += 1;
        }
    }
    let mut rank = vec![0usize; count];
    let mut ready: Vec<usize> = (0..count).filter(|&s| incoming[s] == 0).rev().collect();
    while let Some(state) = ready.pop() {
        for &to in &successors[state] {
            rank[to] = rank[to].max(rank[state] + 1);
            incoming[to] -= 1;
            if incoming[to] == 0 {
                ready.push(to);
            }
        }
    }
    rank
}

/// Each state's distance in edges from the initial state (states not reached: from the
/// first of them, in declared order, and so on).
fn distances(diagram: &Diagram) -> Vec<usize> {
    let count = diagram.nodes.len();
    let mut distance = vec![usize::MAX; count];
    let starts = std::iter::once(diagram.initial).chain(0..count);
    for start in starts.filter(|&s| s < count) {
        if distance[start] != usize::MAX {
            continue;
        }
        distance[start] = 0;
        let mut queue = std::collections::VecDeque::from([start]);
        while let Some(state) = queue.pop_front() {
            for edge in diagram.edges.iter().filter(|e| e.from == state) {
                if distance[edge.to] == usize::MAX {
                    distance[edge.to] = distance[state] + 1;
                    queue.push_back(edge.to);
                }
            }
        }
    }
    distance
}

/// Whether `to` can be reached from `from` over `successors`.
fn reaches(successors: &[Vec<usize>], from: usize, to: usize) -> bool {
    let mut seen = vec![false; successors.len()];
    let mut stack = vec![from];
    while let Some(state) = stack.pop() {
        if state == to {
            return true;
        }
        if !std::mem::replace(&mut seen[state], true) {
            stack.extend(&successors[state]);
        }
    }
    false
}

/// The vertices of each row, ordered to keep crossings few: first as they come, then
/// sweeps down and up placing each at the mean place of its neighbours in the row before;
/// the order with the fewest crossings is kept.
fn order(vertices: &[Vertex], neighbours: &[Vec<usize>], rows_count: usize) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); rows_count];
    for (index, vertex) in vertices.iter().enumerate() {
        rows[vertex.row].push(index);
    }
    let mut position = vec![0.0f64; vertices.len()];
    let number = |rows: &[Vec<usize>], position: &mut [f64]| {
        for row in rows {
            for (at, &v) in row.iter().enumerate() {
                position[v] = at as f64;
            }
        }
    };
    number(&rows, &mut position);
    let mut best = (
        crossings(&rows, vertices, neighbours, &position),
        rows.clone(),
    );
    for sweep in 0..ORDER_SWEEPS {
        let downward = sweep % 2 == 0;
        let order: Vec<usize> = match downward {
            true => (1..rows_count).collect(),
            false => (0..rows_count.saturating_sub(1)).rev().collect(),
        };
        for index in order {
            let before = if downward { index - 1 } else { index + 1 };
            let mut keyed: Vec<(f64, usize)> = (rows[index].iter())
                .map(|&v| {
                    let (sum, n) = (neighbours[v].iter())
                        .filter(|&&u| vertices[u].row == before)
                        .fold((0.0, 0usize), |(sum, n), &u| (sum + position[u], n + 1));
                    let key = if n == 0 { position[v] } else { sum / n as f64 };
                    (key, v)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            rows[index] = keyed.into_iter().map(|(_, v)| v).collect();
            for (at, &v) in rows[index].iter().enumerate() {
                position[v] = at as f64;
            }
        }
        let now = crossings(&rows, vertices, neighbours, &position);
        if now < best.0 {
            best = (now, rows.clone());
        }
    }
    best.1
}

/// How many pairs of segments between adjacent rows cross.
fn crossings(
    rows: &[Vec<usize>],
    vertices: &[Vertex],
    neighbours: &[Vec<usize>],
    position: &[f64],
) -> usize {
    let mut total = 0;
    for row in rows {
        let segments: Vec<(f64, f64)> = (row.iter())
            .flat_map(|&v| {
                (neighbours[v].iter())
                    .filter(move |&&u| vertices[u].row == vertices[v].row + 1)
                    .map(move |&u| (position[v], position[u]))
            })
            .collect();
        for (i, a) in segments.iter().enumerate() {
            for b in &segments[i + 1..] {
                if (a.0 - b.0) * (a.1 - b.1) < 0.0 {
                    total += 1;
                }
            }
        }
    }
    total
}

/// Places the vertices of each row, in their order, each as near as it may to the mean of
/// its neighbours, sweeping down and up.
fn place(vertices: &mut [Vertex], neighbours: &[Vec<usize>], rows: &[Vec<usize>]) {
    for row in rows {
        let mut x = 0.0;
        for &v in row {
            vertices[v].x = x + vertices[v].width / 2.0;
            x += vertices[v].width + GAP;
        }
    }
    for sweep in 0..PLACE_SWEEPS {
        let order: Vec<&Vec<usize>> = match sweep % 2 == 0 {
            true => rows.iter().collect(),
            false => rows.iter().rev().collect(),
        };
        for row in order {
            let wanted: Vec<f64> = (row.iter())
                .map(|&v| {
                    let lines = neighbours[v]
                        .iter()
                        .map(|&u| vertices[u].x + vertices[u].line());
                    let (sum, n) = lines.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
                    match n {
                        0 => vertices[v].x,
                        _ => sum / n as f64 - vertices[v].line(),
                    }
                })
                .collect();
            let widths: Vec<f64> = row.iter().map(|&v| vertices[v].width).collect();
            for (&v, x) in row.iter().zip(apart(&wanted, &widths)) {
                vertices[v].x = x;
            }
        }
    }
}

/// The centres nearest to `wanted` (least squares) that keep boxes of `widths`, in this
/// order, [`GAP`] apart: with each centre less the room the boxes before it need, the
/// constraint is that the values do not decrease, an isotonic regression (pool adjacent
/// violators).
fn apart(wanted: &[f64], widths: &[f64]) -> Vec<f64> {
    let mut offsets = Vec::with_capacity(wanted.len());
    let mut offset = 0.0;
    for (i, width) in widths.iter().enumerate() {
        if i > 0 {
            offset += (widths[i - 1] + width) / 2.0 + GAP;
        }
        offsets.push(offset);
    }
    // Blocks of (sum, count), means not decreasing.
    let mut blocks: Vec<(f64, usize)> = Vec::new();
    for (w, o) in wanted.iter().zip(&offsets) {
        blocks.push((w - o, 1));
        while blocks.len() > 1 {
            let (b, a) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
            if a.0 / a.1 as f64 <= b.0 / b.1 as f64 {
                break;
            }
            blocks.pop();
            let last = blocks.len() - 1;
            blocks[last] = (a.0 + b.0, a.1 + b.1);
        }
    }
    let values = blocks
        .iter()
        .flat_map(|&(sum, n)| std::iter::repeat_n(sum / n as f64, n));
    values.zip(&offsets).map(|(value, o)| value + o).collect()
}

/// Where each edge meets the states at its ends: by edge, the x of its port at the first
/// and at the last vertex of its chain. The ports of one side of a state are spread over it
/// in the order of where their edges go.
fn ports(vertices: &[Vertex], chains: &[Chain]) -> Vec<(f64, f64)> {
    // By state: (side below?, x of the other end, edge, at the chain's end?)
    let mut sides: Vec<Vec<(bool, f64, usize, bool)>> = vec![Vec::new(); vertices.len()];
    for (i, chain) in chains.iter().enumerate() {
        let vs = &chain.vertices;
        let (Some(&first), Some(&last)) = (vs.first(), vs.last()) else {
            continue;
        };
        let next = |at: usize| vertices[vs[at]].x + vertices[vs[at]].line();
        if vs.len() == 3 && vertices[vs[1]].kind == Kind::Turn {
            // Down from the left of the pair to the turn's left corner, back up from its
            // right; a loop leaves on the left.
            let turn = &vertices[vs[1]];
            let from_left = vertices[first].x <= vertices[last].x;
            let (a, b) = match from_left {
                true => (turn.left(), turn.right()),
                false => (turn.right(), turn.left()),
            };
            sides[first].push((true, a - 0.001, i, false));
            sides[last].push((true, b + 0.001, i, true));
        } else {
            sides[first].push((true, next(1), i, false));
            sides[last].push((false, next(vs.len() - 2), i, true));
        }
    }
    let mut ports = vec![(0.0, 0.0); chains.len()];
    for (state, mut list) in sides.into_iter().enumerate() {
        list.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.total_cmp(&b.1)));
        for below in [false, true] {
            let side: Vec<_> = list.iter().filter(|p| p.0 == below).collect();
            let vertex = &vertices[state];
            let room = (vertex.width - 16.0).max(0.0);
            for (k, &&(_, _, edge, at_end)) in side.iter().enumerate() {
                let x = vertex.left() + 8.0 + room * (k as f64 + 0.5) / side.len() as f64;
                match at_end {
                    false => ports[edge].0 = x,
                    true => ports[edge].1 = x,
                }
            }
        }
    }
    ports
}

/// The path of one edge and where its label goes.
fn route(
    chain: &Chain,
    vertices: &[Vertex],
    ports: &(f64, f64),
    top: &dyn Fn(usize) -> f64,
    bottom: &dyn Fn(usize) -> f64,
) -> Route {
    let vs = &chain.vertices;
    // Points from the upper end down; `true` where the stretch from the point before is
    // straight (within a vertex), else a curve between rows.
    let mut points: Vec<((f64, f64), bool)> = Vec::new();
    let mut label = ((0.0, 0.0), "start");
    if let [from, turn, to] = vs[..] {
        if vertices[turn].kind == Kind::Turn {
            let t = &vertices[turn];
            let from_left = vertices[from].x <= vertices[to].x;
            let (a, b) = match from_left {
                true => (t.left(), t.right()),
                false => (t.right(), t.left()),
            };
            let y = top(turn);
            points.push(((ports.0, bottom(from)), false));
            points.push(((a, y), false));
            points.push(((b, y), true));
            points.push(((ports.1, bottom(to)), false));
            return Route {
                path: path(&points),
                label_at: (t.x, y + LABEL_HEIGHT - 4.0),
                anchor: "middle",
            };
        }
    }
    for (at, &v) in vs.iter().enumerate() {
        let x = vertices[v].x + vertices[v].line();
        if at == 0 {
            points.push(((ports.0, bottom(v)), false));
        } else if at == vs.len() - 1 {
            points.push(((ports.1, top(v)), false));
        } else {
            points.push(((x, top(v)), false));
            points.push(((x, bottom(v)), true));
            if vertices[v].kind == Kind::Label {
                let baseline = top(v) + LABEL_HEIGHT - 5.0;
                label = ((vertices[v].left() + LABEL_TEXT, baseline), "start");
            }
        }
    }
    if chain.upward {
        // Drawn from the source below: the same stretches, the other way.
        let flags: Vec<bool> = points.iter().map(|p| p.1).collect();
        points.reverse();
        for (point, straight) in points.iter_mut().zip(
            std::iter::once(false).chain(
                flags
                    .iter()
                    .rev()
                    .take(flags.len().saturating_sub(1))
                    .copied(),
            ),
        ) {
            point.1 = straight;
        }
    }
    Route {
        path: path(&points),
        label_at: label.0,
        anchor: label.1,
    }
}

/// SVG path data through `points`: straight stretches as lines, the others as curves that
/// leave and arrive vertically.
fn path(points: &[((f64, f64), bool)]) -> String {
    let mut out = String::new();
    for (i, &((x, y), straight)) in points.iter().enumerate() {
        if i == 0 {
            let _ = write!(out, "M {x:.1} {y:.1}");
            continue;
        }
        let (x0, y0) = points[i - 1].0;
        if straight {
            let _ = write!(out, " L {x:.1} {y:.1}");
        } else {
            let middle = (y0 + y) / 2.0;
            let _ = write!(
                out,
                " C {x0:.1} {middle:.1}, {x:.1} {middle:.1}, {x:.1} {y:.1}"
            );
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Edge, Node, Trigger};
    use super::*;

    fn diagram(names: &[&str], edges: &[(usize, usize)]) -> Diagram {
        Diagram {
            name: "test".into(),
            nodes: (names.iter())
                .map(|name| Node {
                    name: (*name).into(),
                    is_final: false,
                    may_end: false,
                })
                .collect(),
            initial: 0,
            edges: (edges.iter())
                .map(|&(from, to)| Edge {
                    from,
                    to,
                    trigger: Trigger::Events {
                        events: vec!["e".into()],
                        guard: None,
                    },
                })
                .collect(),
        }
    }

    #[test]
    fn ranks_follow_the_longest_forward_path_and_cycles_go_back() {
        // a -> b -> c, a -> c, c -> a (back), b -> b (loop)
        let d = diagram(&["a", "b", "c"], &[(0, 1), (1, 2), (0, 2), (2, 0), (1, 1)]);
        let laid = layout(&d, &|_| 60.0, &|_| 20.0);
        let ranks: Vec<usize> = laid.nodes.iter().map(|n| n.rank).collect();
        assert_eq!(ranks, [0, 1, 2]);
        assert!(laid.nodes[0].y < laid.nodes[1].y && laid.nodes[1].y < laid.nodes[2].y);
        // The back edge starts at c (below) and ends at a (above).
        let start_y = |path: &str| -> f64 {
            let numbers: Vec<f64> = (path.split([' ', ',']))
                .filter_map(|t| t.parse().ok())
                .collect();
            numbers[1]
        };
        assert!(start_y(&laid.edges[3].path) > laid.nodes[2].y - NODE_HEIGHT);
        assert!(laid.edges[3]
            .path
            .ends_with(&format!("{:.1}", laid.nodes[0].y + 20.0)));
        assert_eq!(
            laid.edges[4].anchor, "middle",
            "the loop turns under its label"
        );
    }

    #[test]
    fn a_state_reached_early_by_a_shortcut_stays_below_the_longer_way() {
        // a -> b -> c -> d and a -> d: d is drawn last, not beside b.
        let d = diagram(&["a", "b", "c", "d"], &[(0, 1), (1, 2), (2, 3), (0, 3)]);
        let laid = layout(&d, &|_| 60.0, &|_| 20.0);
        let ranks: Vec<usize> = laid.nodes.iter().map(|n| n.rank).collect();
        assert_eq!(ranks, [0, 1, 2, 3]);
    }

    #[test]
    fn boxes_of_one_row_never_overlap_and_fit_the_drawing() {
        let d = diagram(
            &["start", "left", "middle", "right", "end"],
            &[(0, 3), (0, 1), (0, 2), (1, 4), (2, 4), (3, 4), (4, 4)],
        );
        let laid = layout(&d, &|i| 50.0 + 10.0 * i as f64, &|_| 30.0);
        let mut row: Vec<&Placed> = laid.nodes.iter().filter(|n| n.rank == 1).collect();
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        assert_eq!(row.len(), 3);
        for pair in row.windows(2) {
            assert!(
                pair[0].x + pair[0].width / 2.0 + GAP <= pair[1].x - pair[1].width / 2.0 + 0.01
            );
        }
        for node in &laid.nodes {
            assert!(node.x - node.width / 2.0 >= 0.0 && node.x + node.width / 2.0 <= laid.width);
            assert!(node.y + NODE_HEIGHT / 2.0 <= laid.height);
        }
    }

    #[test]
    fn apart_keeps_order_and_distance_and_moves_as_little_as_it_can() {
        assert_eq!(apart(&[0.0, 100.0], &[10.0, 10.0]), [0.0, 100.0]);
        // Both want 50: they share the push.
        let both = apart(&[50.0, 50.0], &[10.0, 10.0]);
        assert_eq!(both, [50.0 - 12.0, 50.0 + 12.0]);
        let three = apart(&[30.0, 0.0, 100.0], &[20.0, 20.0, 20.0]);
        assert!(
            three[1] - three[0] >= 34.0 - 1e-9 && three[2] == 100.0,
            "{three:?}"
        );
    }

    #[test]
    fn unreachable_states_still_get_a_place() {
        let d = diagram(&["a", "b", "island"], &[(0, 1)]);
        let laid = layout(&d, &|_| 40.0, &|_| 10.0);
        assert_eq!(laid.nodes[2].rank, 0);
        assert_ne!(laid.nodes[2].x, laid.nodes[0].x);
    }
}
