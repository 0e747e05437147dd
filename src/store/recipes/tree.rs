//! Loading recipe trees as plain data: the recipes under some roots with their lines,
//! components and ingredients, ready for [`aggregate_tree`](super::aggregate_tree).

use crate::db::models::Ingredient;
use crate::db::schema::{ingredients, recipe_components, recipe_ingredients, recipes};
use crate::db::Db;
use crate::db_run;
use crate::domain::aggregate::{RecipeTree, TreeComponent, TreeIngredient, TreeLine, TreeRecipe};
use crate::domain::fixed::{from_scaled, Scale};
use crate::domain::recipe_graph::MAX_NESTING;
use crate::error::{AppError, AppResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;
use std::sync::Arc;

/// Loads recipe trees on any connection, also inside a write transaction.
pub trait LoadRecipeTree: Send {
    /// The recipe trees under the recipe ids `roots`, as one plain-data tree: one query for
    /// the roots, two per nesting level, one for the ingredients. Roots that do not exist
    /// are simply absent from it.
    fn load_recipe_tree(
        &mut self,
        roots: &[i64],
    ) -> impl Future<Output = AppResult<RecipeTree>> + Send;
}

crate::impl_for_backends! {
    impl LoadRecipeTree {
        async fn load_recipe_tree(&mut self, roots: &[i64]) -> AppResult<RecipeTree> {
            let mut tree = RecipeTree::default();
            let found: Vec<(i64, String)> = recipes::table
                .filter(recipes::id.eq_any(roots))
                .select((recipes::id, recipes::name))
                .load(self)
                .await?;
            let mut frontier = Vec::new();
            for (id, name) in found {
                tree.recipes.insert(
                    id,
                    TreeRecipe {
                        name,
                        ..TreeRecipe::default()
                    },
                );
                frontier.push(id);
            }
            let mut ingredient_ids = BTreeSet::new();
            // One level more than allowed, so stored data can never loop forever.
            for _ in 0..=MAX_NESTING {
                if frontier.is_empty() {
                    break;
                }
                let lines: Vec<(i64, i64, i64, String)> = recipe_ingredients::table
                    .filter(recipe_ingredients::recipe_id.eq_any(&frontier))
                    .order((
                        recipe_ingredients::recipe_id,
                        recipe_ingredients::position,
                        recipe_ingredients::id,
                    ))
                    .select((
                        recipe_ingredients::recipe_id,
                        recipe_ingredients::ingredient_id,
                        recipe_ingredients::quantity,
                        recipe_ingredients::unit,
                    ))
                    .load(self)
                    .await?;
                for (recipe_id, ingredient_id, quantity, unit) in lines {
                    ingredient_ids.insert(ingredient_id);
                    let unit = unit.parse().map_err(|_| {
                        AppError::Internal(format!("stored unit {unit:?} is invalid"))
                    })?;
                    if let Some(recipe) = tree.recipes.get_mut(&recipe_id) {
                        recipe.lines.push(TreeLine {
                            ingredient_id,
                            quantity: from_scaled(quantity, Scale::Quantity),
                            unit,
                        });
                    }
                }
                let components: Vec<(i64, i64, i64, String)> = recipe_components::table
                    .inner_join(
                        recipes::table.on(recipes::id.eq(recipe_components::component_recipe_id)),
                    )
                    .filter(recipe_components::recipe_id.eq_any(&frontier))
                    .order((
                        recipe_components::recipe_id,
                        recipe_components::position,
                        recipe_components::id,
                    ))
                    .select((
                        recipe_components::recipe_id,
                        recipe_components::component_recipe_id,
                        recipe_components::quantity,
                        recipes::name,
                    ))
                    .load(self)
                    .await?;
                frontier = Vec::new();
                for (recipe_id, child, quantity, name) in components {
                    if let Some(recipe) = tree.recipes.get_mut(&recipe_id) {
                        recipe.components.push(TreeComponent {
                            recipe_id: child,
                            multiplier: from_scaled(quantity, Scale::Quantity),
                        });
                    }
                    if let std::collections::hash_map::Entry::Vacant(entry) =
                        tree.recipes.entry(child)
                    {
                        entry.insert(TreeRecipe {
                            name,
                            ..TreeRecipe::default()
                        });
                        frontier.push(child);
                    }
                }
            }
            if !ingredient_ids.is_empty() {
                let ids: Vec<i64> = ingredient_ids.into_iter().collect();
                let rows: Vec<Ingredient> = ingredients::table
                    .filter(ingredients::id.eq_any(&ids))
                    .select(Ingredient::as_select())
                    .load(self)
                    .await?;
                for row in rows {
                    tree.ingredients.insert(
                        row.id,
                        TreeIngredient {
                            unit: row.stock_unit(),
                            density: row.density(),
                            name: row.name,
                        },
                    );
                }
            }
            Ok(tree)
        }
    }
}

/// The recipe trees of many recipes, loaded together (a bounded number of queries): every
/// found recipe id maps to the same shared tree, which holds them all.
pub async fn trees_by_recipe_ids(db: &Db, ids: &[i64]) -> AppResult<HashMap<i64, Arc<RecipeTree>>> {
    let tree: RecipeTree = db_run!(db, |conn| conn.load_recipe_tree(ids).await)?;
    let tree = Arc::new(tree);
    Ok(ids
        .iter()
        .filter(|id| tree.recipes.contains_key(id))
        .map(|id| (*id, Arc::clone(&tree)))
        .collect())
}
