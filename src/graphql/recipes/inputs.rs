//! The input types of recipes and finished units, and the conversion of recipe lines and
//! components to the store's.

use crate::error::AppError;
use crate::graphql::enums::YieldMode;
use crate::graphql::ids;
use crate::graphql::pantry::parse_unit;
use crate::graphql::scalars::Decimal;
use crate::store::recipes as recipe_store;
use async_graphql::{InputObject, MaybeUndefined, ID};

/// An ingredient line of `createRecipe` / `updateRecipe`.
#[derive(InputObject)]
pub struct RecipeIngredientInput {
    /// The ingredient.
    pub ingredient_id: ID,
    /// Quantity for one batch (> 0).
    pub quantity: Decimal,
    /// A unit of the vocabulary, convertible to the ingredient's unit (mass ↔ volume needs
    /// the ingredient's density).
    pub unit: String,
    /// Free text.
    pub notes: Option<String>,
}

/// A sub-recipe component of `createRecipe` / `updateRecipe`.
#[derive(InputObject)]
pub struct RecipeComponentInput {
    /// The sub-recipe.
    pub recipe_id: ID,
    /// Batches of the sub-recipe per batch (> 0).
    pub quantity: Decimal,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of `createRecipe`.
#[derive(InputObject)]
pub struct CreateRecipeInput {
    /// Name, unique case-insensitively.
    pub name: String,
    /// Category.
    #[graphql(default)]
    pub category: String,
    /// What one batch yields (> 0), in `yieldUnit`.
    pub yield_quantity: Decimal,
    /// Unit of the yield, free text ("cookies", "cake").
    pub yield_unit: String,
    /// Free text about the yield.
    pub yield_description: Option<String>,
    /// Working time of one batch, in minutes (≥ 0).
    pub estimated_minutes: Option<i32>,
    /// Where the recipe comes from.
    pub source: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Ingredient lines, in order.
    #[graphql(default)]
    pub ingredients: Vec<RecipeIngredientInput>,
    /// Sub-recipes, in order (no cycles, at most 3 levels of nesting).
    #[graphql(default)]
    pub components: Vec<RecipeComponentInput>,
}

/// Input of `updateRecipe`: only the fields given change; `null` clears a nullable field;
/// `ingredients` / `components`, when given, replace the whole list.
#[derive(InputObject)]
pub struct UpdateRecipeInput {
    /// The recipe.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New yield quantity.
    pub yield_quantity: Option<Decimal>,
    /// New yield unit.
    pub yield_unit: Option<String>,
    /// New yield description, or `null` to clear it.
    pub yield_description: MaybeUndefined<String>,
    /// New working time, or `null` to clear it.
    pub estimated_minutes: MaybeUndefined<i32>,
    /// New source, or `null` to clear it.
    pub source: MaybeUndefined<String>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
    /// New ingredient lines (replace all).
    pub ingredients: Option<Vec<RecipeIngredientInput>>,
    /// New components (replace all).
    pub components: Option<Vec<RecipeComponentInput>>,
}

/// Input of `createFinishedUnit`.
#[derive(InputObject)]
pub struct CreateFinishedUnitInput {
    /// Display name.
    pub name: String,
    /// Unique URL-safe name; derived from the name when absent.
    pub slug: Option<String>,
    /// The recipe that makes it.
    pub recipe_id: ID,
    /// Pieces (`DISCRETE_COUNT`) or portions of a batch (`BATCH_PORTION`).
    pub yield_mode: YieldMode,
    /// Pieces per batch (> 0), with `DISCRETE_COUNT` only.
    pub items_per_batch: Option<i32>,
    /// What a piece is called ("cookie").
    pub item_unit: Option<String>,
    /// Percent of a batch one item is, in (0, 100], with `BATCH_PORTION` only.
    pub batch_percentage: Option<Decimal>,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of `updateFinishedUnit`: only the fields given change. The yield fields are
/// checked together; switching `yieldMode` drops the other mode's field.
#[derive(InputObject)]
pub struct UpdateFinishedUnitInput {
    /// The finished unit.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New slug.
    pub slug: Option<String>,
    /// Another recipe (refused once production runs recorded this unit).
    pub recipe_id: Option<ID>,
    /// New yield mode.
    pub yield_mode: Option<YieldMode>,
    /// New pieces per batch, or `null` to clear.
    pub items_per_batch: MaybeUndefined<i32>,
    /// New piece name, or `null` to clear.
    pub item_unit: MaybeUndefined<String>,
    /// New batch percentage, or `null` to clear.
    pub batch_percentage: MaybeUndefined<Decimal>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
}

/// The store's lines from the input's, in order; a bad unit names its line.
pub(super) fn line_inputs(
    lines: Vec<RecipeIngredientInput>,
) -> Result<Vec<recipe_store::LineInput>, AppError> {
    lines
        .into_iter()
        .enumerate()
        .map(|(i, line)| {
            let unit = parse_unit(&line.unit)
                .map_err(|e| AppError::bad_input(format!("ingredient line {}: {e}", i + 1)))?;
            Ok(recipe_store::LineInput {
                ingredient_id: ids::decode(&line.ingredient_id, "Ingredient")?,
                quantity: line.quantity.0,
                unit,
                notes: line.notes,
            })
        })
        .collect()
}

/// The store's components from the input's, in order.
pub(super) fn component_inputs(
    components: Vec<RecipeComponentInput>,
) -> Result<Vec<recipe_store::ComponentInput>, AppError> {
    components
        .into_iter()
        .map(|component| {
            Ok(recipe_store::ComponentInput {
                recipe_id: ids::decode(&component.recipe_id, "Recipe")?,
                quantity: component.quantity.0,
                notes: component.notes,
            })
        })
        .collect()
}
