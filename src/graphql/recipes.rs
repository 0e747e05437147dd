//! Recipes API: recipes with ingredient lines and sub-recipe components, and the
//! finished units they yield.

use super::connection::{Conn, PageArgs};
use super::context::{db, detached};
use super::enums::{stored, YieldMode};
use super::ids;
use super::loaders::{
    loaders, require, ComponentsByRecipe, FinishedUnitsByRecipe, LinesByRecipe, RecipeById,
    RecipeTreeByRecipe,
};
use super::pantry::{load_ingredient, parse_unit, Ingredient};
use super::scalars::{utc, Decimal};
use super::DeletePayload;
use crate::error::AppError;
use crate::store::{finished_units as unit_store, recipes as recipe_store};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
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
            .load_one(super::loaders::EstimatedBatchCost(self.0.id))
            .await?;
        Ok(Decimal::money(cost.unwrap_or(0)))
    }
    /// Whether `batches` batches can be produced with the pantry as it is, and what is missing.
    async fn availability(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = 1, desc = "Number of batches (> 0).")] batches: i32,
    ) -> Result<super::production::RecipeAvailability> {
        super::production::recipe_availability(ctx, self.0.id, batches).await
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
    ) -> Result<super::connection::Conn<super::production::ProductionRun>> {
        let filter = crate::store::runs::RunFilter {
            event_id: super::ids::decode_opt(event_id.as_ref(), "Event")?,
            subject_id: Some(self.0.id),
            ..Default::default()
        };
        super::production::production_run_page(
            ctx,
            filter,
            super::connection::PageArgs::new(after, before, first, last),
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

fn maybe<T, U>(value: MaybeUndefined<T>, f: impl FnOnce(T) -> U) -> Option<Option<U>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v))),
    }
}

fn line_inputs(
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

fn component_inputs(
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

/// Recipe and finished unit queries.
#[derive(Default)]
pub struct RecipesQuery;

#[Object]
impl RecipesQuery {
    /// Recipes ordered by name.
    #[allow(clippy::too_many_arguments)]
    async fn recipes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only this category.")] category: Option<String>,
        #[graphql(
            desc = "Case-insensitive part of the name (at most 200 characters; `%` and `_` match themselves)."
        )]
        search: Option<String>,
    ) -> Result<Conn<Recipe>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = recipe_store::RecipeFilter { category, search };
        let rows = recipe_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, Recipe))
    }

    /// Finished units ordered by name.
    async fn finished_units(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only the finished units of this recipe.")] recipe_id: Option<ID>,
    ) -> Result<Conn<FinishedUnit>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = unit_store::FinishedUnitFilter {
            recipe_id: ids::decode_opt(recipe_id.as_ref(), "Recipe")?,
        };
        let rows = unit_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, FinishedUnit))
    }
}

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
            yield_description: maybe(input.yield_description, |v| v),
            estimated_minutes: maybe(input.estimated_minutes, |v| v),
            source: maybe(input.source, |v| v),
            notes: maybe(input.notes, |v| v),
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
            items_per_batch: maybe(input.items_per_batch, |v| v),
            item_unit: maybe(input.item_unit, |v| v),
            batch_percentage: maybe(input.batch_percentage, |p| p.0),
            notes: maybe(input.notes, |v| v),
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
