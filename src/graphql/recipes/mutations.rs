//! The mutations of recipes and finished units.

use super::inputs::{component_inputs, line_inputs};
use super::{
    CreateFinishedUnitInput, CreateRecipeInput, FinishedUnit, Recipe, UpdateFinishedUnitInput,
    UpdateRecipeInput,
};
use crate::graphql::changes::{nullable, nullable_map};
use crate::graphql::context::{db, detached};
use crate::graphql::ids;
use crate::graphql::DeletePayload;
use crate::store::{finished_units as unit_store, recipes as recipe_store};
use async_graphql::{Context, Object, Result, ID};

/// Recipe and finished unit mutations.
#[derive(Default)]
pub struct RecipesMutation;

#[Object]
impl RecipesMutation {
    /// Creates a recipe with its ingredient lines and sub-recipe components.
    async fn create_recipe(&self, ctx: &Context<'_>, input: CreateRecipeInput) -> Result<Recipe> {
        let new = recipe_store::NewRecipe {
            name: input.name,
            category: input.category,
            yield_quantity: input.yield_quantity.0,
            yield_unit: input.yield_unit,
            yield_description: input.yield_description,
            estimated_minutes: input.estimated_minutes,
            source: input.source,
            notes: input.notes,
            ingredients: line_inputs(input.ingredients)?,
            components: component_inputs(input.components)?,
        };
        let db = db(ctx).clone();
        detached(async move { recipe_store::create(&db, new).await })
            .await
            .map(Recipe)
    }

    /// Changes a recipe; given `ingredients` / `components` replace the old lists.
    async fn update_recipe(&self, ctx: &Context<'_>, input: UpdateRecipeInput) -> Result<Recipe> {
        let id = ids::decode(&input.id, "Recipe")?;
        let changes = recipe_store::RecipeChanges {
            name: input.name,
            category: input.category,
            yield_quantity: input.yield_quantity.map(|q| q.0),
            yield_unit: input.yield_unit,
            yield_description: nullable(input.yield_description),
            estimated_minutes: nullable(input.estimated_minutes),
            source: nullable(input.source),
            notes: nullable(input.notes),
            ingredients: input.ingredients.map(line_inputs).transpose()?,
            components: input.components.map(component_inputs).transpose()?,
        };
        let db = db(ctx).clone();
        detached(async move { recipe_store::update(&db, id, changes).await })
            .await
            .map(Recipe)
    }

    /// Deletes a recipe with its lines and components (refused while production targets,
    /// production runs, finished units or parent recipes reference it).
    async fn delete_recipe(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "Recipe")?;
        let db = db(ctx).clone();
        detached(async move { recipe_store::delete(&db, pk).await }).await?;
        Ok(DeletePayload { deleted_id: id })
    }

    /// Creates a finished unit of a recipe, with zero inventory.
    async fn create_finished_unit(
        &self,
        ctx: &Context<'_>,
        input: CreateFinishedUnitInput,
    ) -> Result<FinishedUnit> {
        let new = unit_store::NewFinishedUnit {
            name: input.name,
            slug: input.slug,
            recipe_id: ids::decode(&input.recipe_id, "Recipe")?,
            yield_mode: input.yield_mode.into(),
            items_per_batch: input.items_per_batch,
            item_unit: input.item_unit,
            batch_percentage: input.batch_percentage.map(|p| p.0),
            notes: input.notes,
        };
        let db = db(ctx).clone();
        detached(async move { unit_store::create(&db, new).await })
            .await
            .map(FinishedUnit)
    }

    /// Changes a finished unit. Inventory and average cost are moved only by production
    /// and assembly.
    async fn update_finished_unit(
        &self,
        ctx: &Context<'_>,
        input: UpdateFinishedUnitInput,
    ) -> Result<FinishedUnit> {
        let id = ids::decode(&input.id, "FinishedUnit")?;
        let changes = unit_store::FinishedUnitChanges {
            name: input.name,
            slug: input.slug,
            recipe_id: ids::decode_opt(input.recipe_id.as_ref(), "Recipe")?,
            yield_mode: input.yield_mode.map(Into::into),
            items_per_batch: nullable(input.items_per_batch),
            item_unit: nullable(input.item_unit),
            batch_percentage: nullable_map(input.batch_percentage, |p| p.0),
            notes: nullable(input.notes),
        };
        let db = db(ctx).clone();
        detached(async move { unit_store::update(&db, id, changes).await })
            .await
            .map(FinishedUnit)
    }

    /// Deletes a finished unit (refused while production runs, finished goods or assembly
    /// records reference it).
    async fn delete_finished_unit(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "FinishedUnit")?;
        let db = db(ctx).clone();
        detached(async move { unit_store::delete(&db, pk).await }).await?;
        Ok(DeletePayload { deleted_id: id })
    }
}
