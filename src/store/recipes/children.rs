//! A recipe's children, its ingredient lines and sub-recipe components: checking lines
//! against their ingredients and writing both, inside a write transaction.

use super::input::{ValidComponent, ValidLine};
use crate::db::schema::{ingredients, recipe_components, recipe_ingredients};
use crate::domain::entity::Entity;
use crate::domain::units::convert;
use crate::error::{AppError, AppResult};
use crate::store::ingredients::Ingredient;
use crate::store::new_uuid;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::future::Future;

/// Steps on a recipe's lines and components inside a write transaction.
pub(super) trait RecipeChildren: Send {
    /// Loads the ingredients of the lines and checks each line: its ingredient exists and
    /// its unit converts to the ingredient's stock unit.
    fn verify_lines(&mut self, lines: &[ValidLine]) -> impl Future<Output = AppResult<()>> + Send;

    /// Inserts lines and components of `recipe`, in input order, stamped `ts` (one
    /// statement per row: diesel-async cannot send a multi-row insert to SQLite).
    fn insert_children(
        &mut self,
        recipe: i64,
        ts: NaiveDateTime,
        lines: &[ValidLine],
        components: &[ValidComponent],
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl RecipeChildren {
        async fn verify_lines(&mut self, lines: &[ValidLine]) -> AppResult<()> {
            if !lines.is_empty() {
                let ids: Vec<i64> = lines.iter().map(|l| l.ingredient_id).collect();
                let found: Vec<Ingredient> = ingredients::table
                    .filter(ingredients::id.eq_any(&ids))
                    .select(Ingredient::as_select())
                    .load(self)
                    .await?;
                check_lines(lines, found)?;
            }
            Ok(())
        }

        async fn insert_children(
            &mut self,
            recipe: i64,
            ts: NaiveDateTime,
            lines: &[ValidLine],
            components: &[ValidComponent],
        ) -> AppResult<()> {
            for (i, line) in lines.iter().enumerate() {
                diesel::insert_into(recipe_ingredients::table)
                    .values((
                        recipe_ingredients::uuid.eq(new_uuid()),
                        recipe_ingredients::created_at.eq(ts),
                        recipe_ingredients::updated_at.eq(ts),
                        recipe_ingredients::recipe_id.eq(recipe),
                        recipe_ingredients::ingredient_id.eq(line.ingredient_id),
                        recipe_ingredients::position.eq(i as i32),
                        recipe_ingredients::quantity.eq(line.quantity),
                        recipe_ingredients::unit.eq(line.unit.name()),
                        recipe_ingredients::notes.eq(&line.notes),
                    ))
                    .execute(self)
                    .await?;
            }
            for (i, component) in components.iter().enumerate() {
                diesel::insert_into(recipe_components::table)
                    .values((
                        recipe_components::uuid.eq(new_uuid()),
                        recipe_components::created_at.eq(ts),
                        recipe_components::updated_at.eq(ts),
                        recipe_components::recipe_id.eq(recipe),
                        recipe_components::component_recipe_id.eq(component.recipe_id),
                        recipe_components::position.eq(i as i32),
                        recipe_components::quantity.eq(component.quantity),
                        recipe_components::notes.eq(&component.notes),
                    ))
                    .execute(self)
                    .await?;
            }
            Ok(())
        }
    }
}

/// Checks every line against its ingredient (exists, unit convertible to its stock unit).
fn check_lines(lines: &[ValidLine], found: Vec<Ingredient>) -> AppResult<()> {
    let by_id = crate::store::index_by(found, |i| i.id);
    for line in lines {
        let ingredient = by_id
            .get(&line.ingredient_id)
            .ok_or_else(|| AppError::not_found(Entity::Ingredient, line.ingredient_id))?;
        convert(
            line.quantity_exact,
            line.unit,
            ingredient.stock_unit(),
            ingredient.density().as_ref(),
            &ingredient.name,
        )?;
    }
    Ok(())
}
