//! Recipe input as given by callers, and the checks on it that need no database.

use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::units::Unit;
use crate::error::{AppError, AppResult};
use crate::store::clean_text;
use rust_decimal::Decimal;

/// One ingredient line as given: `quantity unit` of an ingredient for one batch.
#[derive(Debug, Clone)]
pub struct LineInput {
    /// Ingredient primary key.
    pub ingredient_id: i64,
    /// Quantity for one batch (> 0), in `unit`.
    pub quantity: Decimal,
    /// Unit of the vocabulary, convertible to the ingredient's stock unit.
    pub unit: Unit,
    /// Free text ("sifted").
    pub notes: Option<String>,
}

/// One sub-recipe component as given.
#[derive(Debug, Clone)]
pub struct ComponentInput {
    /// The sub-recipe's primary key.
    pub recipe_id: i64,
    /// Batches of the sub-recipe one batch takes (> 0).
    pub quantity: Decimal,
    /// Free text.
    pub notes: Option<String>,
}

/// A new recipe with its lines and components.
#[derive(Debug, Clone)]
pub struct NewRecipe {
    /// Display name, unique case-insensitively.
    pub name: String,
    /// Category (may be empty).
    pub category: String,
    /// What one batch yields (> 0), in `yield_unit`.
    pub yield_quantity: Decimal,
    /// Unit of the yield, free text ("cookies").
    pub yield_unit: String,
    /// Free text about the yield.
    pub yield_description: Option<String>,
    /// Working time of one batch (≥ 0).
    pub estimated_minutes: Option<i32>,
    /// Where the recipe comes from.
    pub source: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Ingredient lines, in order.
    pub ingredients: Vec<LineInput>,
    /// Sub-recipes, in order.
    pub components: Vec<ComponentInput>,
}

/// Changes to a recipe; `None` keeps a field, `Some(None)` clears a nullable one, and a
/// given list replaces the whole list.
#[derive(Debug, Clone, Default)]
pub struct RecipeChanges {
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New yield quantity.
    pub yield_quantity: Option<Decimal>,
    /// New yield unit.
    pub yield_unit: Option<String>,
    /// New yield description.
    pub yield_description: Option<Option<String>>,
    /// New working time.
    pub estimated_minutes: Option<Option<i32>>,
    /// New source.
    pub source: Option<Option<String>>,
    /// New notes.
    pub notes: Option<Option<String>>,
    /// New ingredient lines (replacing all).
    pub ingredients: Option<Vec<LineInput>>,
    /// New components (replacing all).
    pub components: Option<Vec<ComponentInput>>,
}

/// A line after the checks that need no database: its scaled quantity.
#[derive(Debug, Clone)]
pub(super) struct ValidLine {
    pub(super) ingredient_id: i64,
    pub(super) quantity: i64,
    pub(super) quantity_exact: Decimal,
    pub(super) unit: Unit,
    pub(super) notes: Option<String>,
}

/// A component after the checks that need no database.
#[derive(Debug, Clone)]
pub(super) struct ValidComponent {
    pub(super) recipe_id: i64,
    pub(super) quantity: i64,
    pub(super) notes: Option<String>,
}

/// The scaled yield of one batch, which must be greater than zero.
pub(super) fn yield_quantity(quantity: Decimal) -> AppResult<i64> {
    let raw = to_scaled(quantity, Scale::Quantity)?;
    if raw <= 0 {
        return Err(AppError::bad_input(format!(
            "yieldQuantity must be greater than zero (got {quantity})"
        )));
    }
    Ok(raw)
}

/// The yield unit as stored (a cleaned name), which must not be empty.
pub(super) fn yield_unit(unit: &str) -> AppResult<String> {
    let unit = crate::domain::text::name(crate::domain::text::YIELD_UNIT, unit)?;
    if unit.is_empty() {
        return Err(AppError::bad_input(
            "yieldUnit must not be empty (say what a batch yields, e.g. \"cookies\")",
        ));
    }
    Ok(unit)
}

/// The working time of one batch, which must not be negative.
pub(super) fn minutes(value: Option<i32>) -> AppResult<Option<i32>> {
    match value {
        Some(m) if m < 0 => Err(AppError::bad_input(format!(
            "estimatedMinutes must not be negative (got {m})"
        ))),
        other => Ok(other),
    }
}

/// Checks the given ingredient lines (quantity > 0, notes within limits) and scales them.
pub(super) fn valid_lines(lines: &[LineInput]) -> AppResult<Vec<ValidLine>> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let quantity = to_scaled(line.quantity, Scale::Quantity)?;
            if quantity <= 0 {
                return Err(AppError::bad_input(format!(
                    "ingredient line {}: quantity must be greater than zero (got {})",
                    i + 1,
                    line.quantity
                )));
            }
            Ok(ValidLine {
                ingredient_id: line.ingredient_id,
                quantity,
                quantity_exact: line.quantity,
                unit: line.unit,
                notes: clean_text(crate::domain::text::NOTES, line.notes.clone())?,
            })
        })
        .collect()
}

/// Checks the given components (quantity > 0, notes within limits) and scales them.
pub(super) fn valid_components(components: &[ComponentInput]) -> AppResult<Vec<ValidComponent>> {
    components
        .iter()
        .enumerate()
        .map(|(i, component)| {
            let quantity = to_scaled(component.quantity, Scale::Quantity)?;
            if quantity <= 0 {
                return Err(AppError::bad_input(format!(
                    "component {}: quantity (batches of the sub-recipe) must be greater than zero (got {})",
                    i + 1,
                    component.quantity
                )));
            }
            Ok(ValidComponent {
                recipe_id: component.recipe_id,
                quantity,
                notes: clean_text(crate::domain::text::NOTES, component.notes.clone())?,
            })
        })
        .collect()
}
