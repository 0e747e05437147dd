//! The structure of recipes made of other recipes (SPEC §1.3): a recipe never contains
//! itself, directly or through others, and nesting is at most [`MAX_NESTING`] levels deep
//! (a recipe without components is one level).
//!
//! The store loads the part of the graph around a recipe being written (its descendants
//! through the new components and its existing ancestors), replaces the recipe's own
//! components with the new ones, and asks [`RecipeGraph::check`] whether the result is valid.

use std::collections::{HashMap, HashSet};
use thiserror::Error;

/// The longest allowed chain of recipes, counting the top recipe and the leaf.
pub const MAX_NESTING: usize = 3;

/// A structure rule the components of a recipe would break; the message names the recipes.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphError {
    /// The recipe would contain itself; the names run from the recipe back to itself.
    #[error("a recipe cannot contain itself: {} is a cycle; remove one of these components", .0.join(" → "))]
    Cycle(Vec<String>),
    /// A chain of nested recipes would be longer than allowed; the names run top to leaf.
    #[error("recipes nest at most {MAX_NESTING} levels deep, but {} would be {} levels", .0.join(" → "), .0.len())]
    TooDeep(Vec<String>),
}

/// Recipes (by id) and which recipes each one uses as components.
#[derive(Debug, Clone, Default)]
pub struct RecipeGraph {
    names: HashMap<i64, String>,
    children: HashMap<i64, Vec<i64>>,
    parents: HashMap<i64, Vec<i64>>,
}

impl RecipeGraph {
    /// An empty graph.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a recipe's display name (used in error messages).
    pub fn add_recipe(&mut self, id: i64, name: impl Into<String>) {
        self.names.insert(id, name.into());
    }

    /// Records that `parent` uses `child` as a component (a repeated edge is kept once).
    pub fn add_component(&mut self, parent: i64, child: i64) {
        let children = self.children.entry(parent).or_default();
        if !children.contains(&child) {
            children.push(child);
            self.parents.entry(child).or_default().push(parent);
        }
    }

    /// Replaces every component of `parent` with `children`.
    pub fn set_components(&mut self, parent: i64, children: &[i64]) {
        for old in self.children.remove(&parent).unwrap_or_default() {
            if let Some(parents) = self.parents.get_mut(&old) {
                parents.retain(|p| *p != parent);
            }
        }
        for child in children {
            self.add_component(parent, *child);
        }
    }

    fn name(&self, id: i64) -> String {
        self.names
            .get(&id)
            .cloned()
            .unwrap_or_else(|| format!("recipe #{id}"))
    }

    fn names_of(&self, ids: &[i64]) -> Vec<String> {
        ids.iter().map(|id| self.name(*id)).collect()
    }

    /// Checks every rule for the chains that pass through `recipe`: no cycle through it, and
    /// no chain through it longer than [`MAX_NESTING`]. Chains elsewhere are assumed valid
    /// (they were checked when they were written).
    pub fn check(&self, recipe: i64) -> Result<(), GraphError> {
        if let Some(cycle) = self.cycle_through(recipe) {
            return Err(GraphError::Cycle(self.names_of(&cycle)));
        }
        let down = self.longest_chain(
            recipe,
            &self.children,
            &mut HashMap::new(),
            &mut HashSet::new(),
        );
        let mut up = self.longest_chain(
            recipe,
            &self.parents,
            &mut HashMap::new(),
            &mut HashSet::new(),
        );
        up.reverse();
        let mut chain = up;
        chain.pop();
        chain.extend(down);
        if chain.len() > MAX_NESTING {
            return Err(GraphError::TooDeep(self.names_of(&chain)));
        }
        Ok(())
    }

    /// A path `recipe → … → recipe` through components, if there is one.
    fn cycle_through(&self, recipe: i64) -> Option<Vec<i64>> {
        let mut visited = HashSet::new();
        let mut path = vec![recipe];
        if self.path_back(recipe, recipe, &mut visited, &mut path) {
            Some(path)
        } else {
            None
        }
    }

    fn path_back(
        &self,
        from: i64,
        target: i64,
        visited: &mut HashSet<i64>,
        path: &mut Vec<i64>,
    ) -> bool {
        for child in self.children.get(&from).into_iter().flatten() {
            path.push(*child);
            if *child == target {
                return true;
            }
            if visited.insert(*child) && self.path_back(*child, target, visited, path) {
                return true;
            }
            path.pop();
        }
        false
    }

    /// The longest chain starting at `node` along `edges` (node first). Edges back into the
    /// chain being built are ignored, so a malformed graph cannot loop forever.
    fn longest_chain(
        &self,
        node: i64,
        edges: &HashMap<i64, Vec<i64>>,
        memo: &mut HashMap<i64, Vec<i64>>,
        on_path: &mut HashSet<i64>,
    ) -> Vec<i64> {
        if let Some(chain) = memo.get(&node) {
            return chain.clone();
        }
        on_path.insert(node);
        let mut best: Vec<i64> = Vec::new();
        for next in edges.get(&node).into_iter().flatten() {
            if on_path.contains(next) {
                continue;
            }
            let chain = self.longest_chain(*next, edges, memo, on_path);
            if chain.len() > best.len() {
                best = chain;
            }
        }
        on_path.remove(&node);
        let mut chain = Vec::with_capacity(best.len() + 1);
        chain.push(node);
        chain.extend(best);
        memo.insert(node, chain.clone());
        chain
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Recipes 1..=n named A, B, C… with the given edges.
    fn graph(n: i64, edges: &[(i64, i64)]) -> RecipeGraph {
        let mut g = RecipeGraph::new();
        for id in 1..=n {
            g.add_recipe(id, ((b'A' + (id - 1) as u8) as char).to_string());
        }
        for (p, c) in edges {
            g.add_component(*p, *c);
        }
        g
    }

    #[test]
    fn accepts_chains_up_to_three_levels() {
        let g = graph(3, &[(1, 2), (2, 3)]);
        assert_eq!(g.check(1), Ok(()));
        assert_eq!(g.check(2), Ok(()));
        assert_eq!(g.check(3), Ok(()));
        // A new recipe (id 0) using a leaf: two levels.
        let mut g = graph(3, &[(2, 3)]);
        g.add_recipe(0, "New");
        g.set_components(0, &[2]);
        assert_eq!(g.check(0), Ok(()));
    }

    #[test]
    fn refuses_a_recipe_containing_itself() {
        let mut g = graph(1, &[]);
        g.set_components(1, &[1]);
        let err = g.check(1).unwrap_err();
        assert_eq!(err, GraphError::Cycle(vec!["A".into(), "A".into()]));
        assert!(err.to_string().contains("A → A is a cycle"));
    }

    #[test]
    fn names_an_indirect_cycle() {
        // B → C already; A → B exists; now C gets A as a component.
        let mut g = graph(3, &[(1, 2), (2, 3)]);
        g.set_components(3, &[1]);
        let err = g.check(3).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a recipe cannot contain itself: C → A → B → C is a cycle; remove one of these components"
        );
        let mut g = graph(2, &[(1, 2)]);
        g.set_components(2, &[1]);
        assert_eq!(
            g.check(2),
            Err(GraphError::Cycle(vec!["B".into(), "A".into(), "B".into()]))
        );
    }

    #[test]
    fn refuses_a_fourth_level_below() {
        let mut g = graph(4, &[(2, 3), (3, 4)]);
        g.set_components(1, &[2]);
        let err = g.check(1).unwrap_err();
        assert_eq!(
            err.to_string(),
            "recipes nest at most 3 levels deep, but A → B → C → D would be 4 levels"
        );
    }

    #[test]
    fn refuses_a_fourth_level_through_existing_parents() {
        // A → B → C exists; giving C a component D makes A's chain four long.
        let mut g = graph(4, &[(1, 2), (2, 3)]);
        g.set_components(3, &[4]);
        assert_eq!(
            g.check(3),
            Err(GraphError::TooDeep(
                ["A", "B", "C", "D"].map(String::from).to_vec()
            ))
        );
        // Giving B a second leaf keeps it at three levels.
        let mut g = graph(4, &[(1, 2), (2, 3)]);
        g.set_components(2, &[3, 4]);
        assert_eq!(g.check(2), Ok(()));
    }

    #[test]
    fn replacing_components_drops_the_old_edges() {
        let mut g = graph(4, &[(1, 2), (2, 3), (3, 4)]);
        g.set_components(2, &[4]);
        assert_eq!(g.check(2), Ok(()));
        g.set_components(2, &[]);
        assert_eq!(g.check(1), Ok(()));
        assert_eq!(
            g.longest_chain(1, &g.children, &mut HashMap::new(), &mut HashSet::new()),
            vec![1, 2]
        );
    }
}
