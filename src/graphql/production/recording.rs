//! The recording mutations `recordProduction` and `recordAssembly`: their inputs, payloads
//! and the `ProductionMutation`.

use super::runs::{AssemblyRun, ProductionRun};
use crate::graphql::context::detached;
use crate::graphql::context::{caller_name, db};
use crate::graphql::ids;
use crate::store::production::{self as production_store, Idempotency, NewAssembly, NewProduction};
use async_graphql::{ComplexObject, Context, InputObject, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

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
    ) -> Result<Option<crate::graphql::progress::EventProgress>> {
        match self.production_run.0.event_id {
            Some(id) => crate::graphql::progress::event_progress(ctx, id)
                .await
                .map(Some),
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
    ) -> Result<Option<crate::graphql::progress::EventProgress>> {
        match self.assembly_run.0.event_id {
            Some(id) => crate::graphql::progress::event_progress(ctx, id)
                .await
                .map(Some),
            None => Ok(None),
        }
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
            idempotency: Idempotency::from_request(input.idempotency_key.as_deref(), &request)?,
            recorded_by: caller_name(ctx),
        };
        let db = db(ctx).clone();
        let recorded =
            detached(async move { production_store::record_production(&db, production).await })
                .await?;
        if !recorded.replayed {
            crate::graphql::feed::publish(
                ctx,
                crate::graphql::feed::Change::ProductionRecorded {
                    run_id: recorded.run.id,
                    event_id: recorded.run.event_id,
                },
            );
            crate::graphql::feed::event_changed(ctx, recorded.run.event_id);
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
            idempotency: Idempotency::from_request(input.idempotency_key.as_deref(), &request)?,
            recorded_by: caller_name(ctx),
        };
        let db = db(ctx).clone();
        let recorded =
            detached(async move { production_store::record_assembly(&db, assembly).await }).await?;
        if !recorded.replayed {
            crate::graphql::feed::event_changed(ctx, recorded.run.event_id);
        }
        Ok(RecordAssemblyPayload {
            assembly_run: AssemblyRun(recorded.run),
            warnings: recorded.warnings,
            replayed: recorded.replayed,
        })
    }
}
