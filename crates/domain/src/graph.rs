//! Containment graphs (a finished good containing other finished goods): paths and cycles.
//!
//! Edges are `(parent, child)` pairs of ids. The store loads the part of the graph that
//! matters in one query; these functions only walk it.

use std::collections::{HashMap, HashSet, VecDeque};

/// The shortest path `from → … → to` following `(parent, child)` edges, or `None` when `to`
/// cannot be reached. A path from a node to itself is `[from]`. Ties between equally short
/// paths go to the edge listed first, so the answer is deterministic.
pub fn path(from: i64, to: i64, edges: &[(i64, i64)]) -> Option<Vec<i64>> {
    if from == to {
        return Some(vec![from]);
    }
    let mut children: HashMap<i64, Vec<i64>> = HashMap::new();
    for &(parent, child) in edges {
        children.entry(parent).or_default().push(child);
    }
    let mut came_from: HashMap<i64, i64> = HashMap::new();
    let mut seen: HashSet<i64> = HashSet::from([from]);
    let mut queue = VecDeque::from([from]);
    while let Some(node) = queue.pop_front() {
        for &child in children.get(&node).map(Vec::as_slice).unwrap_or(&[]) {
            if !seen.insert(child) {
                continue;
            }
            came_from.insert(child, node);
            if child == to {
                let mut path = vec![to];
                let mut at = to;
                while let Some(&prev) = came_from.get(&at) {
                    path.push(prev);
                    at = prev;
                }
                path.reverse();
                return Some(path);
            }
            queue.push_back(child);
        }
    }
    None
}

/// The cycle that giving `root` the direct children `children` would close, given the
/// existing `edges` (the root's own current edges are ignored, since they are replaced):
/// `[root, child, …, root]`, or `None` when the new children keep the graph acyclic.
/// Children are tried in the order given, so the first offending one is reported.
pub fn cycle_through(root: i64, children: &[i64], edges: &[(i64, i64)]) -> Option<Vec<i64>> {
    let kept: Vec<(i64, i64)> = edges
        .iter()
        .copied()
        .filter(|&(parent, _)| parent != root)
        .collect();
    children.iter().find_map(|&child| {
        path(child, root, &kept).map(|tail| {
            let mut cycle = Vec::with_capacity(tail.len() + 1);
            cycle.push(root);
            cycle.extend(tail);
            cycle
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_shortest_paths() {
        let edges = [(1, 2), (2, 3), (3, 4), (1, 4), (5, 1)];
        assert_eq!(path(1, 4, &edges), Some(vec![1, 4]));
        assert_eq!(path(2, 4, &edges), Some(vec![2, 3, 4]));
        assert_eq!(path(5, 3, &edges), Some(vec![5, 1, 2, 3]));
        assert_eq!(path(4, 1, &edges), None);
        assert_eq!(path(7, 7, &edges), Some(vec![7]));
    }

    #[test]
    fn terminates_on_cyclic_input() {
        let edges = [(1, 2), (2, 1), (2, 3)];
        assert_eq!(path(1, 3, &edges), Some(vec![1, 2, 3]));
        assert_eq!(path(1, 9, &edges), None);
    }

    #[test]
    fn detects_direct_and_indirect_cycles() {
        // 2 contains 3, 3 contains 1: giving 1 the child 2 closes 1 → 2 → 3 → 1.
        let edges = [(2, 3), (3, 1), (4, 5)];
        assert_eq!(cycle_through(1, &[1], &edges), Some(vec![1, 1]));
        assert_eq!(cycle_through(1, &[4, 2], &edges), Some(vec![1, 2, 3, 1]));
        assert_eq!(cycle_through(1, &[3], &edges), Some(vec![1, 3, 1]));
        assert_eq!(cycle_through(1, &[4, 5], &edges), None);
        assert_eq!(cycle_through(1, &[], &edges), None);
    }

    #[test]
    fn ignores_the_roots_replaced_edges() {
        // 1 currently contains 2; replacing its children with [3] where 3 contains 2 is fine.
        let edges = [(1, 2), (3, 2)];
        assert_eq!(cycle_through(1, &[3], &edges), None);
    }
}
