//! Aggregated ingredients: the exact math over a loaded recipe tree (SPEC §1.3).

use super::tree::trees_by_recipe_ids;
use crate::db::Db;
use crate::domain::aggregate::{self, AggregateError, AggregatedLine, RecipeTree};
use crate::domain::entity::Entity;
use crate::error::{AppError, AppResult};
use rust_decimal::Decimal;

impl From<AggregateError> for AppError {
    fn from(error: AggregateError) -> Self {
        match error {
            AggregateError::Conversion(_) | AggregateError::Overflow(_) => {
                AppError::BadInput(error.to_string())
            }
            AggregateError::MissingRecipe(_)
            | AggregateError::MissingIngredient(_)
            | AggregateError::Cycle(_) => AppError::Internal(error.to_string()),
        }
    }
}

/// The aggregated ingredients of `recipe_id` for `batches` (> 0) batches from a loaded
/// tree: exact, converted to each ingredient's stock unit, ordered by ingredient name.
pub fn aggregate_tree(
    tree: &RecipeTree,
    recipe_id: i64,
    batches: Decimal,
) -> AppResult<Vec<AggregatedLine>> {
    if batches <= Decimal::ZERO {
        return Err(AppError::bad_input(format!(
            "batches must be greater than zero (got {batches})"
        )));
    }
    if !tree.recipes.contains_key(&recipe_id) {
        return Err(AppError::not_found(Entity::Recipe, recipe_id));
    }
    Ok(aggregate::aggregate(tree, recipe_id, batches)?)
}

/// The aggregated ingredients of a recipe for `batches` batches (SPEC §1.3).
pub async fn aggregated_ingredients(
    db: &Db,
    recipe_id: i64,
    batches: Decimal,
) -> AppResult<Vec<AggregatedLine>> {
    let tree = trees_by_recipe_ids(db, &[recipe_id]).await?;
    match tree.get(&recipe_id) {
        Some(tree) => aggregate_tree(tree, recipe_id, batches),
        None => Err(AppError::not_found(Entity::Recipe, recipe_id)),
    }
}
