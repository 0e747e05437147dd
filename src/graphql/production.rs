//! Production and assembly runs: what was baked and assembled, what it drew from stock,
//! and what it cost.

use super::connection::{Conn, PageArgs};
use super::context::detached;
use super::context::{caller_name, db};
use super::enums::{stored, ComponentKind};
use super::events::Event;
use super::goods::FinishedGood;
use super::ids;
use super::loaders::*;
use super::pantry::{Ingredient, InventoryLot};
use super::recipes::{FinishedUnit, Recipe};
use super::scalars::{utc, Decimal};
use crate::store::availability as availability_store;
use crate::store::production::{self as production_store, Idempotency, NewAssembly, NewProduction};
use crate::store::runs::{self as run_store, RunFilter};
use crate::store::stock::fingerprint;
use async_graphql::{ComplexObject, Context, InputObject, Object, Result, SimpleObject, ID};
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

/// Which production runs to list.
#[derive(InputObject, Default)]
pub struct ProductionRunFilter {
    /// Only runs attributed to this event.
    pub event_id: Option<ID>,
    /// Only runs of this recipe.
    pub recipe_id: Option<ID>,
    /// Only runs of this finished unit.
    pub finished_unit_id: Option<ID>,
    /// `true`: only standalone runs (no event); `false`: only runs with an event.
    pub standalone: Option<bool>,
    /// Only runs produced at or after this time.
    pub produced_after: Option<DateTime<Utc>>,
    /// Only runs produced before this time.
    pub produced_before: Option<DateTime<Utc>>,
}

/// Which assembly runs to list.
#[derive(InputObject, Default)]
pub struct AssemblyRunFilter {
    /// Only runs attributed to this event.
    pub event_id: Option<ID>,
    /// Only runs of this finished good.
    pub finished_good_id: Option<ID>,
    /// `true`: only standalone runs (no event); `false`: only runs with an event.
    pub standalone: Option<bool>,
    /// Only runs assembled at or after this time.
    pub assembled_after: Option<DateTime<Utc>>,
    /// Only runs assembled before this time.
    pub assembled_before: Option<DateTime<Utc>>,
}

impl ProductionRunFilter {
    fn decode(&self) -> Result<RunFilter> {
        Ok(RunFilter {
            event_id: ids::decode_opt(self.event_id.as_ref(), "Event")?,
            subject_id: ids::decode_opt(self.recipe_id.as_ref(), "Recipe")?,
            finished_unit_id: ids::decode_opt(self.finished_unit_id.as_ref(), "FinishedUnit")?,
            standalone: self.standalone,
            after: self.produced_after.map(|t| t.naive_utc()),
            before: self.produced_before.map(|t| t.naive_utc()),
        })
    }
}

impl AssemblyRunFilter {
    fn decode(&self) -> Result<RunFilter> {
        Ok(RunFilter {
            event_id: ids::decode_opt(self.event_id.as_ref(), "Event")?,
            subject_id: ids::decode_opt(self.finished_good_id.as_ref(), "FinishedGood")?,
            finished_unit_id: None,
            standalone: self.standalone,
            after: self.assembled_after.map(|t| t.naive_utc()),
            before: self.assembled_before.map(|t| t.naive_utc()),
        })
    }
}

/// A page of production runs, newest first (used by every `productionRuns` field).
pub async fn production_run_page(
    ctx: &Context<'_>,
    filter: RunFilter,
    page: PageArgs,
) -> Result<Conn<ProductionRun>> {
    let page = page.validate()?;
    let rows = run_store::production_runs(db(ctx), &filter, page.keyset()).await?;
    Ok(page.connection(rows, ProductionRun))
}

/// A page of assembly runs, newest first (used by every `assemblyRuns` field).
pub async fn assembly_run_page(
    ctx: &Context<'_>,
    filter: RunFilter,
    page: PageArgs,
) -> Result<Conn<AssemblyRun>> {
    let page = page.validate()?;
    let rows = run_store::assembly_runs(db(ctx), &filter, page.keyset()).await?;
    Ok(page.connection(rows, AssemblyRun))
}

/// Run queries.
#[derive(Default)]
pub struct RunsQuery;

#[Object]
impl RunsQuery {
    /// Production runs, newest first.
    async fn production_runs(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductionRunFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<ProductionRun>> {
        let filter = filter.unwrap_or_default().decode()?;
        production_run_page(ctx, filter, PageArgs::new(after, before, first, last)).await
    }

    /// Assembly runs, newest first.
    async fn assembly_runs(
        &self,
        ctx: &Context<'_>,
        filter: Option<AssemblyRunFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<AssemblyRun>> {
        let filter = filter.unwrap_or_default().decode()?;
        assembly_run_page(ctx, filter, PageArgs::new(after, before, first, last)).await
    }
}

/// Input of `recordProduction`.
#[derive(InputObject)]
pub struct RecordProductionInput {
    /// The recipe baked.
    pub recipe_id: ID,
    /// The recipe's finished unit the batches yielded.
    pub finished_unit_id: ID,
    /// Batches baked (> 0).
    pub num_batches: i32,
    /// Items the batches yielded (≥ 0); added to the finished unit's inventory.
    pub actual_yield: i32,
    /// The event the run counts for; omit for a standalone run.
    pub event_id: Option<ID>,
    /// When the batches were baked (default: now).
    pub produced_at: Option<DateTime<Utc>>,
    /// Free text.
    pub notes: Option<String>,
    /// Send the same key again (e.g. a retry after a network error) to get the first
    /// result back instead of recording twice.
    pub idempotency_key: Option<String>,
}

/// Input of `recordAssembly`.
#[derive(InputObject)]
pub struct RecordAssemblyInput {
    /// The finished good assembled.
    pub finished_good_id: ID,
    /// How many (> 0).
    pub quantity: i32,
    /// The event the run counts for; omit for a standalone run.
    pub event_id: Option<ID>,
    /// When they were assembled (default: now).
    pub assembled_at: Option<DateTime<Utc>>,
    /// Free text.
    pub notes: Option<String>,
    /// Send the same key again to get the first result back instead of recording twice.
    pub idempotency_key: Option<String>,
}

/// Result of `recordProduction`.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RecordProductionPayload {
    /// The recorded run (the first one, when replayed).
    pub production_run: ProductionRun,
    /// Not errors, but worth knowing (e.g. the event's target for the recipe is exceeded).
    pub warnings: Vec<String>,
    /// True when this was a retry of an earlier request with the same idempotency key:
    /// nothing new was recorded.
    pub replayed: bool,
}

/// Result of `recordAssembly`.
#[derive(SimpleObject)]
#[graphql(complex)]
pub struct RecordAssemblyPayload {
    /// The recorded run (the first one, when replayed).
    pub assembly_run: AssemblyRun,
    /// Not errors, but worth knowing (e.g. the event's target is exceeded).
    pub warnings: Vec<String>,
    /// True when this was a retry of an earlier request with the same idempotency key.
    pub replayed: bool,
}

#[ComplexObject]
impl RecordProductionPayload {
    /// The event's overall progress, read after the run was committed; `null` for a
    /// standalone run.
    async fn event_progress(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::progress::EventProgress>> {
        match self.production_run.0.event_id {
            Some(id) => super::progress::event_progress(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }
}

#[ComplexObject]
impl RecordAssemblyPayload {
    /// The event's overall progress, read after the run was committed; `null` for a
    /// standalone run.
    async fn event_progress(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::progress::EventProgress>> {
        match self.assembly_run.0.event_id {
            Some(id) => super::progress::event_progress(ctx, id).await.map(Some),
            None => Ok(None),
        }
    }
}

fn idempotency(key: Option<&str>, request: serde_json::Value) -> Result<Option<Idempotency>> {
    match key.map(str::trim) {
        None => Ok(None),
        Some("") => {
            Err(crate::error::AppError::bad_input("idempotencyKey must not be empty").into())
        }
        Some(key) if key.len() > 200 => Err(crate::error::AppError::bad_input(
            "idempotencyKey is longer than 200 characters",
        )
        .into()),
        Some(key) => Ok(Some(Idempotency {
            key: key.to_string(),
            fingerprint: fingerprint(&request),
        })),
    }
}

/// Recording mutations.
#[derive(Default)]
pub struct ProductionMutation;

#[Object]
impl ProductionMutation {
    /// Records batches baked, in one transaction: the recipe's aggregated ingredients are
    /// drawn from the pantry oldest lot first with their real cost, the finished unit's
    /// inventory and average cost grow. A shortfall of any ingredient records nothing and
    /// lists every short ingredient (`INSUFFICIENT_INVENTORY`).
    async fn record_production(
        &self,
        ctx: &Context<'_>,
        input: RecordProductionInput,
    ) -> Result<RecordProductionPayload> {
        let request = serde_json::json!({
            "recipeId": input.recipe_id.as_str(),
            "finishedUnitId": input.finished_unit_id.as_str(),
            "numBatches": input.num_batches,
            "actualYield": input.actual_yield,
            "eventId": input.event_id.as_ref().map(|id| id.as_str().to_string()),
            "producedAt": input.produced_at.map(|t| t.to_rfc3339()),
            "notes": input.notes,
        });
        let production = NewProduction {
            recipe_id: ids::decode(&input.recipe_id, "Recipe")?,
            finished_unit_id: ids::decode(&input.finished_unit_id, "FinishedUnit")?,
            num_batches: input.num_batches,
            actual_yield: input.actual_yield,
            event_id: ids::decode_opt(input.event_id.as_ref(), "Event")?,
            produced_at: input
                .produced_at
                .map(|t| t.naive_utc())
                .unwrap_or_else(crate::store::now),
            notes: input.notes.clone(),
            idempotency: idempotency(input.idempotency_key.as_deref(), request)?,
            recorded_by: caller_name(ctx),
        };
        let db = db(ctx).clone();
        let recorded =
            detached(async move { production_store::record_production(&db, production).await })
                .await?;
        if !recorded.replayed {
            super::feed::publish(
                ctx,
                super::feed::Change::ProductionRecorded {
                    run_id: recorded.run.id,
                    event_id: recorded.run.event_id,
                },
            );
            super::feed::event_changed(ctx, recorded.run.event_id);
        }
        Ok(RecordProductionPayload {
            production_run: ProductionRun(recorded.run),
            warnings: recorded.warnings,
            replayed: recorded.replayed,
        })
    }

    /// Records finished goods assembled, in one transaction: finished units and nested
    /// finished goods are drawn from inventory at their average cost, packaging from its
    /// lots oldest first. A shortfall of any component records nothing and lists every
    /// short component (`INSUFFICIENT_INVENTORY`).
    async fn record_assembly(
        &self,
        ctx: &Context<'_>,
        input: RecordAssemblyInput,
    ) -> Result<RecordAssemblyPayload> {
        let request = serde_json::json!({
            "finishedGoodId": input.finished_good_id.as_str(),
            "quantity": input.quantity,
            "eventId": input.event_id.as_ref().map(|id| id.as_str().to_string()),
            "assembledAt": input.assembled_at.map(|t| t.to_rfc3339()),
            "notes": input.notes,
        });
        let assembly = NewAssembly {
            finished_good_id: ids::decode(&input.finished_good_id, "FinishedGood")?,
            quantity: input.quantity,
            event_id: ids::decode_opt(input.event_id.as_ref(), "Event")?,
            assembled_at: input
                .assembled_at
                .map(|t| t.naive_utc())
                .unwrap_or_else(crate::store::now),
            notes: input.notes.clone(),
            idempotency: idempotency(input.idempotency_key.as_deref(), request)?,
            recorded_by: caller_name(ctx),
        };
        let db = db(ctx).clone();
        let recorded =
            detached(async move { production_store::record_assembly(&db, assembly).await }).await?;
        if !recorded.replayed {
            super::feed::event_changed(ctx, recorded.run.event_id);
        }
        Ok(RecordAssemblyPayload {
            assembly_run: AssemblyRun(recorded.run),
            warnings: recorded.warnings,
            replayed: recorded.replayed,
        })
    }
}

/// One ingredient a plan needs, against stock on hand (quantities in `unit`).
pub struct IngredientRequirement(pub availability_store::IngredientRequirement);

#[Object]
impl IngredientRequirement {
    /// The ingredient.
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Ingredient> {
        require(ctx, IngredientById(self.0.ingredient_id))
            .await
            .map(Ingredient)
    }
    /// What the plan needs.
    async fn needed(&self) -> Decimal {
        Decimal::quantity(self.0.needed)
    }
    /// What the pantry holds.
    async fn available(&self) -> Decimal {
        Decimal::quantity(self.0.available)
    }
    /// What is missing (0 when enough is on hand).
    async fn shortfall(&self) -> Decimal {
        Decimal::quantity((self.0.needed - self.0.available).max(0))
    }
    /// The ingredient's stock unit.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
}

/// Whether a recipe can be produced a number of times with the pantry as it is.
pub struct RecipeAvailability {
    batches: i32,
    requirements: Vec<availability_store::IngredientRequirement>,
}

#[Object]
impl RecipeAvailability {
    /// The batches asked about.
    async fn batches(&self) -> i32 {
        self.batches
    }
    /// True when every ingredient is on hand in the quantity needed.
    async fn can_produce(&self) -> bool {
        self.requirements.iter().all(|r| r.needed <= r.available)
    }
    /// Every ingredient the batches need.
    async fn requirements(&self) -> Vec<IngredientRequirement> {
        self.requirements
            .iter()
            .cloned()
            .map(IngredientRequirement)
            .collect()
    }
    /// Only the ingredients that are short.
    async fn missing(&self) -> Vec<IngredientRequirement> {
        self.requirements
            .iter()
            .filter(|r| r.needed > r.available)
            .cloned()
            .map(IngredientRequirement)
            .collect()
    }
}

/// One component an assembly needs, against inventory (quantities in `unit`).
pub struct ComponentRequirement(pub availability_store::ComponentRequirement);

#[Object]
impl ComponentRequirement {
    /// What kind of component.
    async fn kind(&self) -> ComponentKind {
        self.0.kind.into()
    }
    /// The finished unit (FINISHED_UNIT).
    async fn finished_unit(&self, ctx: &Context<'_>) -> Result<Option<FinishedUnit>> {
        if self.0.kind != crate::domain::kinds::ComponentKind::FinishedUnit {
            return Ok(None);
        }
        Ok(Some(
            require(ctx, FinishedUnitById(self.0.reference))
                .await
                .map(FinishedUnit)?,
        ))
    }
    /// The nested finished good (FINISHED_GOOD).
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<Option<FinishedGood>> {
        if self.0.kind != crate::domain::kinds::ComponentKind::FinishedGood {
            return Ok(None);
        }
        Ok(Some(
            require(ctx, FinishedGoodById(self.0.reference))
                .await
                .map(FinishedGood)?,
        ))
    }
    /// The packaging ingredient (PACKAGING).
    async fn packaging(&self, ctx: &Context<'_>) -> Result<Option<Ingredient>> {
        if self.0.kind != crate::domain::kinds::ComponentKind::Packaging {
            return Ok(None);
        }
        Ok(Some(
            require(ctx, IngredientById(self.0.reference))
                .await
                .map(Ingredient)?,
        ))
    }
    /// The component's name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What the assembly needs.
    async fn needed(&self) -> Decimal {
        Decimal::quantity(self.0.needed)
    }
    /// What is in inventory (units, goods) or the pantry (packaging).
    async fn available(&self) -> Decimal {
        Decimal::quantity(self.0.available)
    }
    /// What is missing (0 when enough is there).
    async fn shortfall(&self) -> Decimal {
        Decimal::quantity((self.0.needed - self.0.available).max(0))
    }
    /// "each" for finished units and goods; the ingredient's unit for packaging.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
}

/// Whether a finished good can be assembled a number of times from inventory as it is.
pub struct FinishedGoodAvailability {
    quantity: i32,
    requirements: Vec<availability_store::ComponentRequirement>,
}

#[Object]
impl FinishedGoodAvailability {
    /// The quantity asked about.
    async fn quantity(&self) -> i32 {
        self.quantity
    }
    /// True when every component is there in the quantity needed.
    async fn can_assemble(&self) -> bool {
        !self.requirements.is_empty() && self.requirements.iter().all(|r| r.needed <= r.available)
    }
    /// Every component the assembly needs.
    async fn requirements(&self) -> Vec<ComponentRequirement> {
        self.requirements
            .iter()
            .cloned()
            .map(ComponentRequirement)
            .collect()
    }
    /// Only the components that are short.
    async fn missing(&self) -> Vec<ComponentRequirement> {
        self.requirements
            .iter()
            .filter(|r| r.needed > r.available)
            .cloned()
            .map(ComponentRequirement)
            .collect()
    }
}

/// Availability of a recipe (used by `Recipe.availability`).
pub async fn recipe_availability(
    ctx: &Context<'_>,
    recipe_id: i64,
    batches: i32,
) -> Result<RecipeAvailability> {
    let requirements = availability_store::recipe_requirements(db(ctx), recipe_id, batches).await?;
    Ok(RecipeAvailability {
        batches,
        requirements,
    })
}

/// Availability of a finished good (used by `FinishedGood.availability`).
pub async fn good_availability(
    ctx: &Context<'_>,
    good_id: i64,
    quantity: i32,
) -> Result<FinishedGoodAvailability> {
    let requirements = availability_store::good_requirements(db(ctx), good_id, quantity).await?;
    Ok(FinishedGoodAvailability {
        quantity,
        requirements,
    })
}
