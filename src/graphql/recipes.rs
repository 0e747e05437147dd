//! Recipes API: recipes with ingredient lines and sub-recipe components, and the
//! finished units they yield.

use super::enums::{stored, YieldMode};
use super::ids;
use super::scalars::{utc, Decimal};
use crate::store::{finished_units as unit_store, recipes as recipe_store};
use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

/// A recipe: what one batch takes and yields.
pub struct Recipe(pub recipe_store::Recipe);

#[Object]
impl Recipe {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Recipe", self.0.id)
    }
    /// Stable UUID.
    async fn uuid(&self) -> &str {
        &self.0.uuid
    }
    /// Name (unique, case-insensitive).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Free-form category ("Cookies", "Cakes").
    async fn category(&self) -> &str {
        &self.0.category
    }
    /// What one batch yields, in `yieldUnit`.
    async fn yield_quantity(&self) -> Decimal {
        Decimal::quantity(self.0.yield_quantity)
    }
    /// Unit of the yield ("cookies", "cake").
    async fn yield_unit(&self) -> &str {
        &self.0.yield_unit
    }
    /// Free text about the yield.
    async fn yield_description(&self) -> Option<&str> {
        self.0.yield_description.as_deref()
    }
    /// Working time of one batch.
    async fn estimated_minutes(&self) -> Option<i32> {
        self.0.estimated_minutes
    }
    /// Where the recipe comes from.
    async fn source(&self) -> Option<&str> {
        self.0.source.as_deref()
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// What a recipe yields, as counted in inventory: pieces (cookies) or portions of a batch
/// (a cake is 100% of a batch).
pub struct FinishedUnit(pub unit_store::FinishedUnit);

#[Object]
impl FinishedUnit {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("FinishedUnit", self.0.id)
    }
    /// Unique URL-safe name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Pieces per batch or portion of a batch.
    async fn yield_mode(&self) -> YieldMode {
        stored::<crate::domain::kinds::YieldMode>(&self.0.yield_mode).into()
    }
    /// Pieces one batch yields (DISCRETE_COUNT).
    async fn items_per_batch(&self) -> Option<i32> {
        self.0.items_per_batch
    }
    /// What a piece is called ("cookie").
    async fn item_unit(&self) -> Option<&str> {
        self.0.item_unit.as_deref()
    }
    /// Percent of a batch one item is (BATCH_PORTION), in (0, 100].
    async fn batch_percentage(&self) -> Option<Decimal> {
        self.0.batch_percentage.map(Decimal::quantity)
    }
    /// Items in stock.
    async fn inventory_count(&self) -> i32 {
        self.0.inventory_count
    }
    /// Moving weighted average cost of one item over the production runs that added to it.
    async fn average_unit_cost(&self) -> Decimal {
        Decimal::unit_price(self.0.average_unit_cost)
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}
