//! The structure rule of the recipe graph, checked inside a write transaction: the
//! components exist, none is listed twice, and with them the graph stays acyclic and at most
//! [`MAX_NESTING`] levels deep.

use super::input::ValidComponent;
use crate::db::schema::{recipe_components, recipes};
use crate::domain::entity::Entity;
use crate::domain::recipe_graph::{RecipeGraph, MAX_NESTING};
use crate::error::{AppError, AppResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::{HashMap, HashSet};
use std::future::Future;

/// The id the graph check uses for a recipe that is being created (database ids start at 1).
const NEW_RECIPE: i64 = 0;

/// Checks changes to the components of a recipe inside a write transaction.
pub(super) trait RecipeStructure: Send {
    /// Locks the recipe graph, loads the part of it around `recipe` (descendants through
    /// the new `components`, and, for an existing recipe, its ancestors), one query per
    /// level, and checks the rules with the new components in place. `recipe` is `None`
    /// for a recipe that is being created (it has no ancestors yet).
    fn check_structure(
        &mut self,
        recipe: Option<i64>,
        name: &str,
        components: &[ValidComponent],
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl RecipeStructure {
        async fn check_structure(
            &mut self,
            recipe: Option<i64>,
            name: &str,
            components: &[ValidComponent],
        ) -> AppResult<()> {
            let existing = recipe.is_some();
            let recipe = recipe.unwrap_or(NEW_RECIPE);
            if let Some(sql) = graph_lock_sql(&*self) {
                diesel::sql_query(sql).execute(self).await?;
            }
            let ids: Vec<i64> = components.iter().map(|c| c.recipe_id).collect();
            let found: Vec<(i64, String)> = if ids.is_empty() {
                Vec::new()
            } else {
                recipes::table
                    .filter(recipes::id.eq_any(&ids))
                    .select((recipes::id, recipes::name))
                    .load(self)
                    .await?
            };
            let names = check_components(components, found)?;
            let mut graph = RecipeGraph::new();
            for (id, name) in &names {
                graph.add_recipe(*id, name.clone());
            }
            // Descendants, level by level; the recipe's own stored components are replaced.
            let mut seen: HashSet<i64> = ids.iter().copied().collect();
            seen.insert(recipe);
            let mut frontier: Vec<i64> = ids.iter().copied().filter(|id| *id != recipe).collect();
            for _ in 0..MAX_NESTING {
                if frontier.is_empty() {
                    break;
                }
                let edges: Vec<(i64, i64, String)> = recipe_components::table
                    .inner_join(
                        recipes::table.on(recipes::id.eq(recipe_components::component_recipe_id)),
                    )
                    .filter(recipe_components::recipe_id.eq_any(&frontier))
                    .select((
                        recipe_components::recipe_id,
                        recipe_components::component_recipe_id,
                        recipes::name,
                    ))
                    .load(self)
                    .await?;
                frontier = Vec::new();
                for (parent, child, name) in edges {
                    graph.add_recipe(child, name);
                    graph.add_component(parent, child);
                    if seen.insert(child) {
                        frontier.push(child);
                    }
                }
            }
            // Ancestors, level by level (a new recipe has none).
            if existing {
                let mut seen: HashSet<i64> = HashSet::from([recipe]);
                let mut frontier = vec![recipe];
                for _ in 0..MAX_NESTING {
                    if frontier.is_empty() {
                        break;
                    }
                    let edges: Vec<(i64, i64, String)> = recipe_components::table
                        .inner_join(recipes::table.on(recipes::id.eq(recipe_components::recipe_id)))
                        .filter(recipe_components::component_recipe_id.eq_any(&frontier))
                        .select((
                            recipe_components::recipe_id,
                            recipe_components::component_recipe_id,
                            recipes::name,
                        ))
                        .load(self)
                        .await?;
                    frontier = Vec::new();
                    for (parent, child, name) in edges {
                        if parent != recipe {
                            graph.add_recipe(parent, name);
                            graph.add_component(parent, child);
                        }
                        if seen.insert(parent) {
                            frontier.push(parent);
                        }
                    }
                }
            }
            graph.add_recipe(recipe, name);
            graph.set_components(recipe, &ids);
            graph
                .check(recipe)
                .map_err(|e| AppError::bad_input(e.to_string()))
        }
    }
}

/// Checks that the component recipes exist and none is listed twice; returns their names.
fn check_components(
    components: &[ValidComponent],
    found: Vec<(i64, String)>,
) -> AppResult<HashMap<i64, String>> {
    let names: HashMap<i64, String> = found.into_iter().collect();
    let mut seen = HashSet::new();
    for component in components {
        let name = names
            .get(&component.recipe_id)
            .ok_or_else(|| AppError::not_found(Entity::Recipe, component.recipe_id))?;
        if !seen.insert(component.recipe_id) {
            return Err(AppError::bad_input(format!(
                "the sub-recipe \"{name}\" is listed twice among the components; give it once with the combined quantity"
            )));
        }
    }
    Ok(names)
}

/// Which statement serializes changes to the recipe graph on a backend: a transaction-level
/// advisory lock on PostgreSQL; nothing on SQLite, whose write transactions already hold the
/// single writer lock.
trait GraphLock {
    const SQL: Option<&'static str>;
}

impl GraphLock for diesel_async::AsyncPgConnection {
    const SQL: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(727274001)");
}

impl GraphLock for crate::db::SqliteConn {
    const SQL: Option<&'static str> = None;
}

fn graph_lock_sql<C: GraphLock>(_conn: &C) -> Option<&'static str> {
    C::SQL
}
