//! The object types of recipes: recipes, their lines and components, their aggregated
//! ingredients, and the finished units they yield.

use crate::graphql::enums::{stored, YieldMode};
use crate::graphql::ids;
use crate::graphql::loaders::{
    loaders, require, ComponentsByRecipe, FinishedUnitsByRecipe, LinesByRecipe, RecipeById,
    RecipeTreeByRecipe,
};
use crate::graphql::pantry::{load_ingredient, Ingredient};
use crate::graphql::scalars::{utc, Decimal};
use crate::store::{finished_units as unit_store, recipes as recipe_store};
use async_graphql::{Context, Object, Result, ID};
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
    /// Ingredient lines for one batch, in their given order.
    async fn ingredients(&self, ctx: &Context<'_>) -> Result<Vec<RecipeIngredient>> {
        let rows = loaders(ctx).load_one(LinesByRecipe(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(RecipeIngredient)
            .collect())
    }
    /// Sub-recipes one batch uses, in their given order.
    async fn components(&self, ctx: &Context<'_>) -> Result<Vec<RecipeComponent>> {
        let rows = loaders(ctx).load_one(ComponentsByRecipe(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(RecipeComponent)
            .collect())
    }
    /// What the recipe yields, as counted in inventory, by name.
    async fn finished_units(&self, ctx: &Context<'_>) -> Result<Vec<FinishedUnit>> {
        let rows = loaders(ctx)
            .load_one(FinishedUnitsByRecipe(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(FinishedUnit)
            .collect())
    }
    /// Everything `batches` batches take: the recipe's lines plus its sub-recipes' lines
    /// multiplied through, converted to each ingredient's stock unit and summed exactly
    /// (rounded to 6 places per ingredient), ordered by ingredient name.
    async fn aggregated_ingredients(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Decimal(rust_decimal::Decimal::ONE)",
            desc = "Number of batches (> 0)."
        )]
        batches: Decimal,
    ) -> Result<Vec<AggregatedIngredient>> {
        let tree = require(ctx, RecipeTreeByRecipe(self.0.id)).await?;
        let lines = recipe_store::aggregate_tree(&tree, self.0.id, batches.0)?;
        Ok(lines.into_iter().map(AggregatedIngredient).collect())
    }
    /// What one batch would cost today: a FIFO dry run over the current lots, any shortfall
    /// priced at the ingredient's latest purchase price (zero if never bought).
    async fn estimated_batch_cost(&self, ctx: &Context<'_>) -> Result<Decimal> {
        let cost = loaders(ctx)
            .load_one(crate::graphql::loaders::EstimatedBatchCost(self.0.id))
            .await?;
        Ok(Decimal::money(cost.unwrap_or(0)))
    }
    /// Whether `batches` batches can be produced with the pantry as it is, and what is missing.
    async fn availability(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 1, desc = "Number of batches (> 0).")] batches: i32,
    ) -> Result<crate::graphql::production::RecipeAvailability> {
        crate::graphql::production::recipe_availability(ctx, self.0.id, batches).await
    }
    /// Production runs of this recipe, newest first (optionally only those of one event).
    async fn production_runs(
        &self,
        ctx: &Context<'_>,
        event_id: Option<ID>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<crate::graphql::connection::Conn<crate::graphql::production::ProductionRun>> {
        let filter = crate::store::runs::RunFilter {
            event_id: crate::graphql::ids::decode_opt(event_id.as_ref(), "Event")?,
            subject_id: Some(self.0.id),
            ..Default::default()
        };
        crate::graphql::production::production_run_page(
            ctx,
            filter,
            crate::graphql::connection::PageArgs::new(after, before, first, last),
        )
        .await
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
    /// The recipe that makes it.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.0.recipe_id)).await.map(Recipe)
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

/// One ingredient line of a recipe: how much of an ingredient one batch takes.
pub struct RecipeIngredient(pub recipe_store::RecipeIngredient);

#[Object]
impl RecipeIngredient {
    /// The ingredient.
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Ingredient> {
        load_ingredient(ctx, self.0.ingredient_id).await
    }
    /// Quantity for one batch, in `unit`.
    async fn quantity(&self) -> Decimal {
        Decimal::quantity(self.0.quantity)
    }
    /// The unit as written in the recipe (convertible to the ingredient's unit).
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// Free text ("sifted", "room temperature").
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// A sub-recipe used by a recipe: `quantity` batches of it per batch of the parent.
pub struct RecipeComponent(pub recipe_store::RecipeComponent);

#[Object]
impl RecipeComponent {
    /// The sub-recipe.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.0.component_recipe_id))
            .await
            .map(Recipe)
    }
    /// Batches of the sub-recipe per batch of the parent (the batch multiplier).
    async fn quantity(&self) -> Decimal {
        Decimal::quantity(self.0.quantity)
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
}

/// The total of one ingredient over a recipe and its sub-recipes.
pub struct AggregatedIngredient(pub crate::domain::aggregate::AggregatedLine);

#[Object]
impl AggregatedIngredient {
    /// The ingredient.
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Ingredient> {
        load_ingredient(ctx, self.0.ingredient_id).await
    }
    /// Total quantity, exact to 6 decimal places, in `unit`.
    async fn quantity(&self) -> Decimal {
        self.0.quantity.into()
    }
    /// The ingredient's stock unit.
    async fn unit(&self) -> &str {
        self.0.unit.name()
    }
}
