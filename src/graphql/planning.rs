//! Planning of an event: recipe needs, suggested targets, shopping list and cost summary
//! (SPEC §1.6). Each is computed for many events at once behind a DataLoader keyed by
//! event id, so a page of events (or the dashboard) costs what one event costs.

use super::context::{db, detached};
use super::ids;
use super::loaders::{
    loaders, require, CostSummaryByEvent, FinishedUnitById, ProductById, RecipeById,
    RecipeNeedsByEvent, ShoppingListByEvent, SuggestedTargetsByEvent,
};
use super::pantry::{load_ingredient, Ingredient, Product};
use super::recipes::{FinishedUnit, Recipe};
use super::scalars::Decimal;
use super::targets::EventProductionTarget;
use crate::domain::fixed::{from_scaled, Scale};
use crate::domain::needs::variance_percent;
use crate::error::AppError;
use crate::store::planning as plan_store;
use async_graphql::{Context, Object, Result, ID};

/// A count as a GraphQL `Int`; larger counts are reported instead of wrapped.
fn int(value: i64, what: &str) -> Result<i32> {
    i32::try_from(value)
        .map_err(|_| AppError::bad_input(format!("{what} ({value}) is too large to return")).into())
}

/// What an event's assignments imply for one finished unit: assignments × package items ×
/// finished-good components (multiplied through nested finished goods).
pub struct RecipeNeed(pub plan_store::RecipeNeed);

#[Object]
impl RecipeNeed {
    /// The recipe that makes the finished unit.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.0.recipe_id)).await.map(Recipe)
    }
    /// The finished unit needed.
    async fn finished_unit(&self, ctx: &Context<'_>) -> Result<FinishedUnit> {
        require(ctx, FinishedUnitById(self.0.finished_unit_id))
            .await
            .map(FinishedUnit)
    }
    /// Items of the finished unit needed.
    async fn units_needed(&self) -> Result<i32> {
        int(self.0.units_needed, "unitsNeeded")
    }
    /// Batches of the recipe for those items, rounded up for this finished unit alone:
    /// DISCRETE_COUNT ⌈units / itemsPerBatch⌉, BATCH_PORTION ⌈units × batchPercentage / 100⌉.
    /// Finished units of the same recipe are baked separately, so a recipe's batches are
    /// the sum of its finished units' batches (see `Event.suggestedTargets`).
    async fn batches_needed(&self) -> Result<i32> {
        int(self.0.batches_needed, "batchesNeeded")
    }
}

/// A production target suggested by an event's needs.
pub struct SuggestedTarget(pub plan_store::SuggestedTarget);

#[Object]
impl SuggestedTarget {
    /// The recipe.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.0.recipe_id)).await.map(Recipe)
    }
    /// Batches: the sum of the rounded-up `batchesNeeded` of the recipe's finished units.
    async fn batches(&self) -> Result<i32> {
        int(self.0.batches, "batches")
    }
}

/// An ingredient an event is short of for its remaining batches, and what to buy.
pub struct ShoppingListItem(pub plan_store::ShoppingItem);

#[Object]
impl ShoppingListItem {
    /// The ingredient.
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Ingredient> {
        load_ingredient(ctx, self.0.ingredient_id).await
    }
    /// Needed for the remaining batches, in `unit`.
    async fn needed(&self) -> Decimal {
        Decimal::quantity(self.0.needed)
    }
    /// In stock (sum of the lots' remaining quantities), in `unit`.
    async fn on_hand(&self) -> Decimal {
        Decimal::quantity(self.0.on_hand)
    }
    /// `needed − onHand` (always > 0: ingredients with enough stock are not listed).
    async fn shortfall(&self) -> Decimal {
        Decimal::quantity(self.0.shortfall)
    }
    /// The ingredient's stock unit, of every quantity here.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// The product to buy: the ingredient's preferred product, else its first; `null`
    /// when it has none.
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        match self.0.product_id {
            Some(id) => require(ctx, ProductById(id))
                .await
                .map(|p| Some(Product(p))),
            None => Ok(None),
        }
    }
    /// Whole packages of `product` covering the shortfall:
    /// ⌈shortfall / package size in `unit`⌉; `null` without a product.
    async fn packages_to_buy(&self) -> Result<Option<i32>> {
        self.0
            .packages_to_buy
            .map(|n| int(n, "packagesToBuy"))
            .transpose()
    }
    /// Estimated cost at the ingredient's latest purchase price (unit cost of its latest
    /// lot, by purchase date then creation), rounded to 4 places: packagesToBuy × package
    /// size × price with a product, shortfall × price without; `null` when the
    /// ingredient was never bought.
    async fn estimated_cost(&self) -> Option<Decimal> {
        self.0.estimated_cost.map(Decimal::money)
    }
}

fn money(raw: i64) -> rust_decimal::Decimal {
    from_scaled(raw, Scale::Money)
}

/// Planned against actual cost of one recipe for an event.
pub struct RecipeCostLine(pub plan_store::CostLine);

#[Object]
impl RecipeCostLine {
    /// The recipe.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.0.recipe_id)).await.map(Recipe)
    }
    /// The event's production target for the recipe, else its need (0 when the recipe only
    /// has attributed runs).
    async fn batches_planned(&self) -> Result<i32> {
        int(self.0.batches_planned, "batchesPlanned")
    }
    /// Batches of the production runs attributed to the event.
    async fn batches_produced(&self) -> Result<i32> {
        int(self.0.batches_produced, "batchesProduced")
    }
    /// `batchesPlanned` × the recipe's estimated batch cost today.
    async fn planned_cost(&self) -> Decimal {
        Decimal::money(self.0.planned_cost)
    }
    /// Ingredient cost of the production runs attributed to the event.
    async fn actual_cost(&self) -> Decimal {
        Decimal::money(self.0.actual_cost)
    }
    /// `actualCost − plannedCost` (negative when under plan).
    async fn variance(&self) -> Decimal {
        Decimal::money(self.0.actual_cost - self.0.planned_cost)
    }
    /// `variance / plannedCost × 100`; `null` when the planned cost is 0.
    async fn variance_percent(&self) -> Option<f64> {
        variance_percent(
            money(self.0.actual_cost - self.0.planned_cost),
            money(self.0.planned_cost),
        )
    }
}

/// Planned against actual cost of an event.
pub struct EventCostSummary(pub plan_store::CostSummary);

#[Object]
impl EventCostSummary {
    /// Sum of the recipes' planned cost.
    async fn planned_cost(&self) -> Decimal {
        Decimal::money(self.0.planned_cost)
    }
    /// Sum of the recipes' actual cost.
    async fn actual_cost(&self) -> Decimal {
        Decimal::money(self.0.actual_cost)
    }
    /// `actualCost − plannedCost`.
    async fn variance(&self) -> Decimal {
        Decimal::money(self.0.actual_cost - self.0.planned_cost)
    }
    /// `variance / plannedCost × 100`; `null` when the planned cost is 0.
    async fn variance_percent(&self) -> Option<f64> {
        variance_percent(
            money(self.0.actual_cost - self.0.planned_cost),
            money(self.0.planned_cost),
        )
    }
    /// One line per recipe with a production target, a need or attributed production
    /// runs, ordered by recipe name.
    async fn recipes(&self) -> Vec<RecipeCostLine> {
        self.0.recipes.iter().cloned().map(RecipeCostLine).collect()
    }
}

/// The recipe needs of an event (backs `Event.recipeNeeds`).
pub async fn recipe_needs_of(ctx: &Context<'_>, event_id: i64) -> Result<Vec<RecipeNeed>> {
    let rows = loaders(ctx).load_one(RecipeNeedsByEvent(event_id)).await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(RecipeNeed)
        .collect())
}

/// The suggested targets of an event (backs `Event.suggestedTargets`).
pub async fn suggested_targets_of(
    ctx: &Context<'_>,
    event_id: i64,
) -> Result<Vec<SuggestedTarget>> {
    let rows = loaders(ctx)
        .load_one(SuggestedTargetsByEvent(event_id))
        .await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(SuggestedTarget)
        .collect())
}

/// The shopping list of an event (backs `Event.shoppingList`).
pub async fn shopping_list_of(ctx: &Context<'_>, event_id: i64) -> Result<Vec<ShoppingListItem>> {
    let rows = loaders(ctx).load_one(ShoppingListByEvent(event_id)).await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(ShoppingListItem)
        .collect())
}

/// The cost summary of an event, batched with every other event's of the request
/// (backs `Event.costSummary` and the dashboard's `EventDashboardEntry.costSummary`).
pub async fn event_cost_summary(ctx: &Context<'_>, event_id: i64) -> Result<EventCostSummary> {
    let summary = loaders(ctx).load_one(CostSummaryByEvent(event_id)).await?;
    Ok(EventCostSummary(summary.unwrap_or_default()))
}

/// Planning mutations.
#[derive(Default)]
pub struct PlanningMutation;

#[Object]
impl PlanningMutation {
    /// Sets the event's production targets from its recipe needs (`Event.suggestedTargets`:
    /// per recipe, the sum of its finished units' rounded-up batches), in one transaction.
    /// Existing targets of those recipes are updated (their notes kept); recipes without a
    /// need keep their targets. Returns the targets set, by recipe name. Running it again
    /// without changes sets the same targets.
    async fn apply_suggested_targets(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
    ) -> Result<Vec<EventProductionTarget>> {
        let event_id = ids::decode(&event_id, "Event")?;
        let db = db(ctx).clone();
        let rows =
            detached(async move { plan_store::apply_suggested_targets(&db, event_id).await })
                .await?;
        super::feed::event_changed(ctx, Some(event_id));
        Ok(rows.into_iter().map(EventProductionTarget).collect())
    }
}
