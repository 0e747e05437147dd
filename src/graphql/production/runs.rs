//! Production and assembly runs as the API shows them: what was baked and assembled,
//! what it drew from stock, and what it cost.

use crate::graphql::enums::{stored, ComponentKind};
use crate::graphql::events::Event;
use crate::graphql::goods::FinishedGood;
use crate::graphql::ids;
use crate::graphql::loaders::*;
use crate::graphql::pantry::{Ingredient, InventoryLot};
use crate::graphql::recipes::{FinishedUnit, Recipe};
use crate::graphql::scalars::{utc, Decimal};
use crate::store::runs as run_store;
use async_graphql::{Context, Object, Result, ID};
use chrono::{DateTime, Utc};

/// Batches of a recipe baked, the stock they consumed and what they cost.
pub struct ProductionRun(pub run_store::ProductionRun);

#[Object]
impl ProductionRun {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("ProductionRun", self.0.id)
    }
    /// The recipe baked.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.0.recipe_id)).await.map(Recipe)
    }
    /// The finished unit the batches yielded.
    async fn finished_unit(&self, ctx: &Context<'_>) -> Result<FinishedUnit> {
        require(ctx, FinishedUnitById(self.0.finished_unit_id))
            .await
            .map(FinishedUnit)
    }
    /// The event the run counts for; `null` for a standalone run.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        let Some(id) = self.0.event_id else {
            return Ok(None);
        };
        Ok(Some(require(ctx, EventById(id)).await.map(Event)?))
    }
    /// Batches baked.
    async fn num_batches(&self) -> i32 {
        self.0.num_batches
    }
    /// Items the batches should yield.
    async fn expected_yield(&self) -> i32 {
        self.0.expected_yield
    }
    /// Items they did yield (added to the finished unit's inventory).
    async fn actual_yield(&self) -> i32 {
        self.0.actual_yield
    }
    /// When the batches were baked.
    async fn produced_at(&self) -> DateTime<Utc> {
        utc(self.0.produced_at)
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Sum of the consumption costs.
    async fn total_ingredient_cost(&self) -> Decimal {
        Decimal::money(self.0.total_ingredient_cost)
    }
    /// Total cost / actual yield (0 when nothing was yielded).
    async fn per_unit_cost(&self) -> Decimal {
        Decimal::unit_price(self.0.per_unit_cost)
    }
    /// Who recorded the run: the name of the API token used; `null` when it was recorded
    /// with authentication off (or before authors were kept).
    async fn recorded_by(&self) -> Option<&str> {
        self.0.recorded_by.as_deref()
    }
    /// What the run drew, one record per lot.
    async fn consumptions(&self, ctx: &Context<'_>) -> Result<Vec<ProductionConsumption>> {
        let rows = loaders(ctx)
            .load_one(ConsumptionsByProductionRun(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(ProductionConsumption)
            .collect())
    }
    /// When the run was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
}

/// What a production run drew from one inventory lot.
pub struct ProductionConsumption(pub run_store::ProductionConsumption);

#[Object]
impl ProductionConsumption {
    /// The ingredient (`null` if it was deleted since; `ingredientName` keeps its name).
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Option<Ingredient>> {
        let Some(id) = self.0.ingredient_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)
            .load_one(IngredientById(id))
            .await?
            .map(Ingredient))
    }
    /// The ingredient's name when the run was recorded.
    async fn ingredient_name(&self) -> &str {
        &self.0.ingredient_name
    }
    /// The lot drawn from (`null` if it was deleted since).
    async fn lot(&self, ctx: &Context<'_>) -> Result<Option<InventoryLot>> {
        let Some(id) = self.0.lot_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).load_one(LotById(id)).await?.map(InventoryLot))
    }
    /// Quantity drawn, in `unit`.
    async fn quantity(&self) -> Decimal {
        Decimal::quantity(self.0.quantity)
    }
    /// The ingredient's stock unit.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// The lot's unit cost.
    async fn unit_cost(&self) -> Decimal {
        Decimal::unit_price(self.0.unit_cost)
    }
    /// quantity × unit cost.
    async fn cost(&self) -> Decimal {
        Decimal::money(self.0.cost)
    }
}

/// Finished goods put together from finished units, nested finished goods and packaging.
pub struct AssemblyRun(pub run_store::AssemblyRun);

#[Object]
impl AssemblyRun {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("AssemblyRun", self.0.id)
    }
    /// The finished good assembled.
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<FinishedGood> {
        require(ctx, FinishedGoodById(self.0.finished_good_id))
            .await
            .map(FinishedGood)
    }
    /// The event the run counts for; `null` for a standalone run.
    async fn event(&self, ctx: &Context<'_>) -> Result<Option<Event>> {
        let Some(id) = self.0.event_id else {
            return Ok(None);
        };
        Ok(Some(require(ctx, EventById(id)).await.map(Event)?))
    }
    /// How many were assembled.
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// When they were assembled.
    async fn assembled_at(&self) -> DateTime<Utc> {
        utc(self.0.assembled_at)
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Sum of the consumption costs.
    async fn total_component_cost(&self) -> Decimal {
        Decimal::money(self.0.total_component_cost)
    }
    /// Total cost / quantity.
    async fn per_unit_cost(&self) -> Decimal {
        Decimal::unit_price(self.0.per_unit_cost)
    }
    /// Who recorded the run: the name of the API token used; `null` when it was recorded
    /// with authentication off (or before authors were kept).
    async fn recorded_by(&self) -> Option<&str> {
        self.0.recorded_by.as_deref()
    }
    /// What the run drew: finished units and goods at their average cost, packaging per lot.
    async fn consumptions(&self, ctx: &Context<'_>) -> Result<Vec<AssemblyConsumption>> {
        let rows = loaders(ctx)
            .load_one(ConsumptionsByAssemblyRun(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(AssemblyConsumption)
            .collect())
    }
    /// When the run was recorded.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
}

/// What an assembly run drew from one component (or one packaging lot).
pub struct AssemblyConsumption(pub run_store::AssemblyConsumption);

#[Object]
impl AssemblyConsumption {
    /// What kind of component was drawn.
    async fn kind(&self) -> ComponentKind {
        stored::<crate::domain::kinds::ComponentKind>(&self.0.kind).into()
    }
    /// The finished unit drawn (FINISHED_UNIT).
    async fn finished_unit(&self, ctx: &Context<'_>) -> Result<Option<FinishedUnit>> {
        let Some(id) = self.0.finished_unit_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)
            .load_one(FinishedUnitById(id))
            .await?
            .map(FinishedUnit))
    }
    /// The nested finished good drawn (FINISHED_GOOD).
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<Option<FinishedGood>> {
        let Some(id) = self.0.finished_good_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)
            .load_one(FinishedGoodById(id))
            .await?
            .map(FinishedGood))
    }
    /// The packaging ingredient drawn (PACKAGING; `null` if deleted since).
    async fn packaging(&self, ctx: &Context<'_>) -> Result<Option<Ingredient>> {
        let Some(id) = self.0.ingredient_id else {
            return Ok(None);
        };
        Ok(loaders(ctx)
            .load_one(IngredientById(id))
            .await?
            .map(Ingredient))
    }
    /// The packaging lot drawn from (PACKAGING).
    async fn lot(&self, ctx: &Context<'_>) -> Result<Option<InventoryLot>> {
        let Some(id) = self.0.lot_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).load_one(LotById(id)).await?.map(InventoryLot))
    }
    /// The component's name when the run was recorded.
    async fn component_name(&self) -> &str {
        &self.0.component_name
    }
    /// Quantity drawn, in `unit`.
    async fn quantity(&self) -> Decimal {
        Decimal::quantity(self.0.quantity)
    }
    /// "each" for finished units and goods; the ingredient's unit for packaging.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// Average unit cost (units, goods) or the lot's unit cost (packaging).
    async fn unit_cost(&self) -> Decimal {
        Decimal::unit_price(self.0.unit_cost)
    }
    /// quantity × unit cost.
    async fn cost(&self) -> Decimal {
        Decimal::money(self.0.cost)
    }
}
