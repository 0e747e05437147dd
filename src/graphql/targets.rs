//! Event targets: how many batches of each recipe and how many of each finished good an
//! event needs.

use super::changes::nullable;
use super::connection::{Conn, PageArgs};
use super::context::{db, detached};
use super::events::Event;
use super::goods::FinishedGood;
use super::ids;
use super::loaders::*;
use super::production::{AssemblyRun, ProductionRun};
use super::recipes::Recipe;
use super::scalars::utc;
use crate::store::targets as target_store;
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
use chrono::{DateTime, Utc};

/// How many batches of a recipe an event needs.
pub struct EventProductionTarget(pub target_store::EventProductionTarget);

#[Object]
impl EventProductionTarget {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("EventProductionTarget", self.0.id)
    }
    /// The event.
    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        require(ctx, EventById(self.0.event_id)).await.map(Event)
    }
    /// The recipe.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.0.recipe_id)).await.map(Recipe)
    }
    /// Batches needed (> 0).
    async fn target_batches(&self) -> i32 {
        self.0.target_batches
    }
    /// How far the target is: batches produced by runs of the recipe attributed to the event.
    async fn progress(&self, ctx: &Context<'_>) -> Result<super::progress::ProductionProgress> {
        super::progress::production_target_progress(ctx, &self.0).await
    }
    /// The runs of the recipe attributed to the event, newest first.
    async fn production_runs(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<ProductionRun>> {
        super::progress::production_runs_of_target(
            ctx,
            &self.0,
            PageArgs::new(after, before, first, last),
        )
        .await
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

/// How many of a finished good an event needs.
pub struct EventAssemblyTarget(pub target_store::EventAssemblyTarget);

#[Object]
impl EventAssemblyTarget {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("EventAssemblyTarget", self.0.id)
    }
    /// The event.
    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        require(ctx, EventById(self.0.event_id)).await.map(Event)
    }
    /// The finished good.
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<FinishedGood> {
        require(ctx, FinishedGoodById(self.0.finished_good_id))
            .await
            .map(FinishedGood)
    }
    /// How many are needed (> 0).
    async fn target_quantity(&self) -> i32 {
        self.0.target_quantity
    }
    /// How far the target is: how many were assembled by runs attributed to the event.
    async fn progress(&self, ctx: &Context<'_>) -> Result<super::progress::AssemblyProgress> {
        super::progress::assembly_target_progress(ctx, &self.0).await
    }
    /// The runs of the finished good attributed to the event, newest first.
    async fn assembly_runs(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<AssemblyRun>> {
        super::progress::assembly_runs_of_target(
            ctx,
            &self.0,
            PageArgs::new(after, before, first, last),
        )
        .await
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

/// The production targets of an event (used by `Event.productionTargets`).
pub async fn production_targets_of(
    ctx: &Context<'_>,
    event_id: i64,
) -> Result<Vec<EventProductionTarget>> {
    let rows = loaders(ctx)
        .load_one(ProductionTargetsByEvent(event_id))
        .await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(EventProductionTarget)
        .collect())
}

/// The assembly targets of an event (used by `Event.assemblyTargets`).
pub async fn assembly_targets_of(
    ctx: &Context<'_>,
    event_id: i64,
) -> Result<Vec<EventAssemblyTarget>> {
    let rows = loaders(ctx)
        .load_one(AssemblyTargetsByEvent(event_id))
        .await?;
    Ok(rows
        .unwrap_or_default()
        .into_iter()
        .map(EventAssemblyTarget)
        .collect())
}

/// Input of `setProductionTarget`.
#[derive(InputObject)]
pub struct SetProductionTargetInput {
    /// The event.
    pub event_id: ID,
    /// The recipe.
    pub recipe_id: ID,
    /// Batches needed (> 0).
    pub target_batches: i32,
    /// Free text; omitted keeps the existing notes, `null` clears them.
    pub notes: MaybeUndefined<String>,
}

/// Input of `setAssemblyTarget`.
#[derive(InputObject)]
pub struct SetAssemblyTargetInput {
    /// The event.
    pub event_id: ID,
    /// The finished good.
    pub finished_good_id: ID,
    /// How many are needed (> 0).
    pub target_quantity: i32,
    /// Free text; omitted keeps the existing notes, `null` clears them.
    pub notes: MaybeUndefined<String>,
}

/// Target mutations.
#[derive(Default)]
pub struct TargetsMutation;

#[Object]
impl TargetsMutation {
    /// Sets how many batches of a recipe an event needs (creates or updates the target).
    async fn set_production_target(
        &self,
        ctx: &Context<'_>,
        input: SetProductionTargetInput,
    ) -> Result<EventProductionTarget> {
        let event_id = ids::decode(&input.event_id, "Event")?;
        let recipe_id = ids::decode(&input.recipe_id, "Recipe")?;
        let notes = nullable(input.notes);
        let db = db(ctx).clone();
        let mut saved = detached(async move {
            target_store::set_production_targets(
                &db,
                event_id,
                vec![(recipe_id, input.target_batches)],
                notes,
            )
            .await
        })
        .await?;
        super::feed::event_changed(ctx, Some(event_id));
        Ok(EventProductionTarget(saved.remove(0)))
    }

    /// Deletes an event's production target for a recipe; `false` when there was none.
    async fn delete_production_target(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        recipe_id: ID,
    ) -> Result<bool> {
        let event_id = ids::decode(&event_id, "Event")?;
        let recipe_id = ids::decode(&recipe_id, "Recipe")?;
        let db = db(ctx).clone();
        let deleted = detached(async move {
            target_store::delete_production_target(&db, event_id, recipe_id).await
        })
        .await?;
        if deleted {
            super::feed::event_changed(ctx, Some(event_id));
        }
        Ok(deleted)
    }

    /// Sets how many of a finished good an event needs (creates or updates the target).
    async fn set_assembly_target(
        &self,
        ctx: &Context<'_>,
        input: SetAssemblyTargetInput,
    ) -> Result<EventAssemblyTarget> {
        let event_id = ids::decode(&input.event_id, "Event")?;
        let good_id = ids::decode(&input.finished_good_id, "FinishedGood")?;
        let notes = nullable(input.notes);
        let db = db(ctx).clone();
        let saved = detached(async move {
            target_store::set_assembly_target(&db, event_id, good_id, input.target_quantity, notes)
                .await
        })
        .await?;
        super::feed::event_changed(ctx, Some(event_id));
        Ok(EventAssemblyTarget(saved))
    }

    /// Deletes an event's assembly target for a finished good; `false` when there was none.
    async fn delete_assembly_target(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
        finished_good_id: ID,
    ) -> Result<bool> {
        let event_id = ids::decode(&event_id, "Event")?;
        let good_id = ids::decode(&finished_good_id, "FinishedGood")?;
        let db = db(ctx).clone();
        let deleted =
            detached(
                async move { target_store::delete_assembly_target(&db, event_id, good_id).await },
            )
            .await?;
        if deleted {
            super::feed::event_changed(ctx, Some(event_id));
        }
        Ok(deleted)
    }
}
