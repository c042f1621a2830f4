//! A layered layout of a [`Diagram`], top to bottom, so that pictures need no Graphviz: ranks
//! by the longest path from the initial state (back edges set aside), states ordered within
//! their rank by the barycenter of their neighbours, edges as curves (back edges and loops
//! around the side).

use super::Diagram;

/// Height of a state's box.
pub const NODE_HEIGHT: f64 = 40.0;
/// Vertical distance between ranks.
const RANK_GAP: f64 = 70.0;
/// Horizontal distance between boxes of one rank.
const NODE_GAP: f64 = 40.0;
/// Margin around the drawing.
const MARGIN: f64 = 20.0;
/// Width of a character of a label, roughly, at the size pictures use.
pub const CHAR_WIDTH: f64 = 7.2;

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
    /// The SVG path data (`M ... C ...`).
    pub path: String,
    /// Where its label is anchored.
    pub label_at: (f64, f64),
    /// How the label sits at that point: `start` (to its right), `middle` or `end`.
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

/// Lays out `diagram`; `label_width(i)` is the width the box of state `i` needs and
/// `edge_label_width(i)` that of edge `i`'s label.
pub fn layout(
    diagram: &Diagram,
    label_width: &dyn Fn(usize) -> f64,
    edge_label_width: &dyn Fn(usize) -> f64,
) -> Layout {
    let count = diagram.nodes.len();
    let back = back_edges(diagram);
    let mut ranks = ranks(diagram, &back);
    let mut widths: Vec<f64> = (0..count).map(label_width).collect();

    // An edge across several ranks passes through a point on each rank between (a dummy
    // vertex, ordered like a state), so that it goes around the states in its way. Its label
    // sits on the first of them.
    let mut segments: Vec<(usize, usize)> = Vec::new();
    let mut through: Vec<Vec<usize>> = vec![Vec::new(); diagram.edges.len()];
    for (i, edge) in diagram.edges.iter().enumerate() {
        if back[i] || edge.from == edge.to {
            continue;
        }
        let mut previous = edge.from;
        for rank in ranks[edge.from] + 1..ranks[edge.to] {
            let dummy = ranks.len();
            ranks.push(rank);
            widths.push(match through[i].is_empty() {
                true => edge_label_width(i) + 8.0,
                false => 8.0,
            });
            through[i].push(dummy);
            segments.push((previous, dummy));
            previous = dummy;
        }
        segments.push((previous, edge.to));
    }
    let rows = order(&ranks, &segments);

    // Places every row centred on the widest.
    let row_width = |row: &[usize]| -> f64 {
        row.iter().map(|&n| widths[n]).sum::<f64>() + NODE_GAP * row.len().saturating_sub(1) as f64
    };
    let side = (diagram.edges.iter().enumerate())
        .filter(|(i, edge)| back[*i] || edge.from == edge.to)
        .map(|(i, _)| edge_label_width(i) + 40.0)
        .fold(0.0, f64::max);
    let widest = rows.iter().map(|row| row_width(row)).fold(0.0, f64::max);
    let unplaced = Placed {
        x: 0.0,
        y: 0.0,
        width: 0.0,
        rank: 0,
    };
    let mut placed = vec![unplaced; ranks.len()];
    for (rank, row) in rows.iter().enumerate() {
        let mut x = MARGIN + (widest - row_width(row)) / 2.0;
        for &n in row {
            placed[n] = Placed {
                x: x + widths[n] / 2.0,
                y: MARGIN + NODE_HEIGHT / 2.0 + rank as f64 * (NODE_HEIGHT + RANK_GAP),
                width: widths[n],
                rank,
            };
            x += widths[n] + NODE_GAP;
        }
    }
    // Labels of edges that leave one state side by side sit at different heights.
    let direct = |i: usize| {
        let edge = &diagram.edges[i];
        !back[i] && edge.from != edge.to && through[i].is_empty()
    };
    let edges = (diagram.edges.iter().enumerate())
        .map(|(i, edge)| {
            let (from, to) = (&placed[edge.from], &placed[edge.to]);
            let siblings: Vec<usize> = (0..diagram.edges.len())
                .filter(|&j| direct(j) && diagram.edges[j].from == edge.from)
                .collect();
            let at = match siblings.iter().position(|&j| j == i) {
                Some(k) if siblings.len() > 1 => 0.3 + 0.4 * k as f64 / (siblings.len() - 1) as f64,
                _ => 0.5,
            };
            match (edge.from == edge.to, back[i]) {
                (true, _) => around_itself(from),
                (false, true) => around_the_side(from, to),
                (false, false) => down(from, &through[i], &placed, to, at),
            }
        })
        .collect();
    placed.truncate(count);
    Layout {
        nodes: placed,
        edges,
        width: widest + side + 2.0 * MARGIN,
        height: rows.len() as f64 * (NODE_HEIGHT + RANK_GAP) - RANK_GAP + 2.0 * MARGIN,
    }
}

/// Which edges close a cycle (found by a depth-first walk from the initial state, then from
/// every state not reached yet), and self-loops.
fn back_edges(diagram: &Diagram) -> Vec<bool> {
    let count = diagram.nodes.len();
    let mut back = vec![false; diagram.edges.len()];
    // 0: not seen, 1: on the walk, 2: done.
    let mut mark = vec![0u8; count];
    let starts = std::iter::once(diagram.initial).chain(0..count);
    for start in starts {
        if start >= count || mark[start] != 0 {
            continue;
        }
        // (state, index of its next edge to look at)
        let mut stack = vec![(start, 0usize)];
        mark[start] = 1;
        while let Some((node, next)) = stack.last_mut() {
            let node = *node;
            let found = (diagram.edges.iter().enumerate())
                .skip(*next)
                .find(|(_, edge)| edge.from == node);
            match found {
                Some((i, edge)) => {
                    *next = i + 1;
                    match mark[edge.to] {
                        0 => {
                            mark[edge.to] = 1;
                            stack.push((edge.to, 0));
                        }
                        1 => back[i] = true,
                        _ => {}
                    }
                }
                None => {
                    mark[node] = 2;
                    stack.pop();
                }
            }
        }
    }
    back
}

/// Each state's rank: the longest path of forward edges to it (the initial state's is 0).
fn ranks(diagram: &Diagram, back: &[bool]) -> Vec<usize> {
    let count = diagram.nodes.len();
    let mut rank = vec![0usize; count];
    // Forward edges form a DAG, so `count` rounds of relaxing settle every rank.
    for _ in 0..count {
        let mut changed = false;
        for (i, edge) in diagram.edges.iter().enumerate() {
            if back[i] || edge.from == edge.to {
                continue;
            }
            if rank[edge.to] < rank[edge.from] + 1 {
                rank[edge.to] = rank[edge.from] + 1;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    rank
}

/// The vertices of each rank, ordered to keep edges short: first as they come, then a few
/// sweeps down and up placing each at the mean position of its neighbours on `segments`
/// (edges between adjacent ranks).
fn order(ranks: &[usize], segments: &[(usize, usize)]) -> Vec<Vec<usize>> {
    let depth = ranks.iter().copied().max().map_or(0, |m| m + 1);
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    for (vertex, &rank) in ranks.iter().enumerate() {
        rows[rank].push(vertex);
    }
    let mut position = vec![0.0f64; ranks.len()];
    for sweep in 0..8 {
        let downward = sweep % 2 == 0;
        for row in &rows {
            for (at, &vertex) in row.iter().enumerate() {
                position[vertex] = at as f64;
            }
        }
        let range: Vec<usize> = match downward {
            true => (1..depth).collect(),
            false => (0..depth.saturating_sub(1)).rev().collect(),
        };
        for rank in range {
            let mut keyed: Vec<(f64, usize)> = (rows[rank].iter().enumerate())
                .map(|(at, &vertex)| {
                    let (sum, n) = (segments.iter())
                        .filter_map(|&(from, to)| match downward {
                            true if to == vertex => Some(position[from]),
                            false if from == vertex => Some(position[to]),
                            _ => None,
                        })
                        .fold((0.0, 0usize), |(sum, n), p| (sum + p, n + 1));
                    let key = if n == 0 { at as f64 } else { sum / n as f64 };
                    (key, vertex)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.total_cmp(&b.0));
            rows[rank] = keyed.into_iter().map(|(_, vertex)| vertex).collect();
            for (at, &vertex) in rows[rank].iter().enumerate() {
                position[vertex] = at as f64;
            }
        }
    }
    rows
}

/// A loop on the right of a state.
fn around_itself(a: &Placed) -> Route {
    let (x, y) = (a.x + a.width / 2.0, a.y);
    Route {
        path: format!(
            "M {x:.1} {:.1} C {:.1} {:.1}, {:.1} {:.1}, {x:.1} {:.1}",
            y - 8.0,
            x + 36.0,
            y - 26.0,
            x + 36.0,
            y + 26.0,
            y + 8.0
        ),
        label_at: (x + 30.0, y + 4.0),
        anchor: "start",
    }
}

/// An edge back up, around the right: out of the source's right, into the target's right.
fn around_the_side(a: &Placed, b: &Placed) -> Route {
    let (x1, y1) = (a.x + a.width / 2.0, a.y);
    let (x2, y2) = (b.x + b.width / 2.0, b.y);
    let bulge = x1.max(x2) + 30.0 + (y1 - y2).abs() / 6.0;
    Route {
        path: format!(
            "M {x1:.1} {y1:.1} C {bulge:.1} {y1:.1}, {bulge:.1} {y2:.1}, {x2:.1} {y2:.1}"
        ),
        label_at: (bulge - 4.0, (y1 + y2) / 2.0),
        anchor: "start",
    }
}

/// An edge down from `a` to `b` through the points `through` (one per rank between): a
/// curve leaving and entering each point straight down. Its label is on the first point
/// between, or else beside the curve at `at` (0 to 1) of the way.
fn down(a: &Placed, through: &[usize], placed: &[Placed], b: &Placed, at: f64) -> Route {
    let half = NODE_HEIGHT / 2.0;
    let mut points = vec![(a.x, a.y + half)];
    points.extend(through.iter().map(|&v| (placed[v].x, placed[v].y)));
    points.push((b.x, b.y - half));
    let mut path = format!("M {:.1} {:.1}", points[0].0, points[0].1);
    for pair in points.windows(2) {
        let ((x1, y1), (x2, y2)) = (pair[0], pair[1]);
        let bend = (y2 - y1) / 2.0;
        path.push_str(&format!(
            " C {x1:.1} {:.1}, {x2:.1} {:.1}, {x2:.1} {y2:.1}",
            y1 + bend,
            y2 - bend
        ));
    }
    if let Some(&v) = through.first() {
        return Route {
            path,
            label_at: (placed[v].x, placed[v].y + 4.0),
            anchor: "middle",
        };
    }
    // The point of the curve at `at`, and the label on its outer side.
    let ((x1, y1), (x2, y2)) = (points[0], points[1]);
    let u = 1.0 - at;
    let x = (u * u * u + 3.0 * u * u * at) * x1 + (3.0 * u * at * at + at * at * at) * x2;
    let bend = (y2 - y1) / 2.0;
    let y = u * u * u * y1
        + 3.0 * u * u * at * (y1 + bend)
        + 3.0 * u * at * at * (y2 - bend)
        + at * at * at * y2;
    let (x, anchor) = if x2 < x1 - 1.0 {
        (x - 6.0, "end")
    } else {
        (x + 6.0, "start")
    };
    Route {
        path,
        label_at: (x, y + 4.0),
        anchor,
    }
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
        assert_eq!(
            laid.edges[3].anchor, "start",
            "the back edge goes around the side"
        );
        assert_eq!(laid.edges[4].anchor, "start", "the loop too");
        // a -> c spans two ranks: its label sits on its point in rank 1, centred.
        assert_eq!(laid.edges[2].anchor, "middle");
        assert_eq!(laid.edges[2].label_at.1, laid.nodes[1].y + 4.0);
    }

    #[test]
    fn boxes_of_one_rank_never_overlap_and_fit_the_drawing() {
        let d = diagram(
            &["start", "left", "middle", "right", "end"],
            &[(0, 3), (0, 1), (0, 2), (1, 4), (2, 4), (3, 4)],
        );
        let laid = layout(&d, &|i| 50.0 + 10.0 * i as f64, &|_| 10.0);
        let mut row: Vec<&Placed> = laid.nodes.iter().filter(|n| n.rank == 1).collect();
        row.sort_by(|a, b| a.x.total_cmp(&b.x));
        assert_eq!(row.len(), 3);
        for pair in row.windows(2) {
            assert!(pair[0].x + pair[0].width / 2.0 < pair[1].x - pair[1].width / 2.0);
        }
        for node in &laid.nodes {
            assert!(node.x - node.width / 2.0 >= 0.0 && node.x + node.width / 2.0 <= laid.width);
            assert!(node.y + NODE_HEIGHT / 2.0 <= laid.height);
        }
    }

    #[test]
    fn unreachable_states_still_get_a_place() {
        let d = diagram(&["a", "b", "island"], &[(0, 1)]);
        let laid = layout(&d, &|_| 40.0, &|_| 10.0);
        assert_eq!(laid.nodes[2].rank, 0);
        assert_ne!(laid.nodes[2].x, laid.nodes[0].x);
    }
}
