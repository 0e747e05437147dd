//! Progress (SPEC §1.6): how far each target of an event is, the event's overall progress,
//! the latest runs per target, and the production dashboard.
//!
//! Everything resolves through per-request loaders with one aggregate (or one windowed)
//! query per level, so a page of events with their targets, progress and latest runs costs
//! the same number of SQL statements for 2 events as for 40 (SPEC §3.3).

use super::connection::{Conn, PageArgs};
use super::context::db;
use super::events::Event;
use super::goods::FinishedGood;
use super::loaders::*;
use super::production::{assembly_run_page, production_run_page, AssemblyRun, ProductionRun};
use super::recipes::Recipe;
use super::targets::{EventAssemblyTarget, EventProductionTarget};
use crate::domain::progress::{self as maths, TargetProgress};
use crate::store::events as event_store;
use crate::store::progress::{self as progress_store, RunTotals};
use crate::store::runs::RunFilter;
use crate::store::targets as target_store;
use async_graphql::{Context, Object, Result};

/// A count as GraphQL `Int` (sums beyond its range are reported as its maximum).
pub(crate) fn int(value: i64) -> i32 {
    i32::try_from(value).unwrap_or(if value < 0 { i32::MIN } else { i32::MAX })
}

/// How far one production target of an event is.
pub struct ProductionProgress {
    target: target_store::EventProductionTarget,
    totals: RunTotals,
}

impl ProductionProgress {
    fn maths(&self) -> TargetProgress {
        TargetProgress {
            target: i64::from(self.target.target_batches),
            done: self.totals.amount,
        }
    }
}

#[Object]
impl ProductionProgress {
    /// The target.
    async fn target(&self) -> EventProductionTarget {
        EventProductionTarget(self.target.clone())
    }
    /// The recipe.
    async fn recipe(&self, ctx: &Context<'_>) -> Result<Recipe> {
        require(ctx, RecipeById(self.target.recipe_id))
            .await
            .map(Recipe)
    }
    /// Batches the target asks for.
    async fn target_batches(&self) -> i32 {
        self.target.target_batches
    }
    /// Batches of the recipe produced by runs attributed to the event (standalone runs
    /// and other events' runs never count).
    async fn produced_batches(&self) -> i32 {
        int(self.totals.amount)
    }
    /// Items those runs yielded.
    async fn produced_yield(&self) -> i32 {
        int(self.totals.yielded)
    }
    /// max(0, target − produced).
    async fn remaining_batches(&self) -> i32 {
        int(self.maths().remaining())
    }
    /// produced / target × 100 (may exceed 100).
    async fn progress_percent(&self) -> f64 {
        self.maths().percent()
    }
    /// True once produced ≥ target.
    async fn is_complete(&self) -> bool {
        self.maths().is_complete()
    }
}

/// How far one assembly target of an event is.
pub struct AssemblyProgress {
    target: target_store::EventAssemblyTarget,
    totals: RunTotals,
}

impl AssemblyProgress {
    fn maths(&self) -> TargetProgress {
        TargetProgress {
            target: i64::from(self.target.target_quantity),
            done: self.totals.amount,
        }
    }
}

#[Object]
impl AssemblyProgress {
    /// The target.
    async fn target(&self) -> EventAssemblyTarget {
        EventAssemblyTarget(self.target.clone())
    }
    /// The finished good.
    async fn finished_good(&self, ctx: &Context<'_>) -> Result<FinishedGood> {
        require(ctx, FinishedGoodById(self.target.finished_good_id))
            .await
            .map(FinishedGood)
    }
    /// How many the target asks for.
    async fn target_quantity(&self) -> i32 {
        self.target.target_quantity
    }
    /// How many were assembled by runs attributed to the event.
    async fn assembled_quantity(&self) -> i32 {
        int(self.totals.amount)
    }
    /// max(0, target − assembled).
    async fn remaining_quantity(&self) -> i32 {
        int(self.maths().remaining())
    }
    /// assembled / target × 100 (may exceed 100).
    async fn progress_percent(&self) -> f64 {
        self.maths().percent()
    }
    /// True once assembled ≥ target.
    async fn is_complete(&self) -> bool {
        self.maths().is_complete()
    }
}

/// The overall progress of an event: its targets and its deliveries.
pub struct EventProgress(pub maths::EventProgress);

#[Object]
impl EventProgress {
    /// How many production targets the event has.
    async fn production_targets_count(&self) -> i32 {
        int(self.0.production_targets)
    }
    /// How many of them are complete.
    async fn production_complete_count(&self) -> i32 {
        int(self.0.production_complete)
    }
    /// True when every production target is complete (also when there are none).
    async fn production_complete(&self) -> bool {
        self.0.is_production_complete()
    }
    /// How many assembly targets the event has.
    async fn assembly_targets_count(&self) -> i32 {
        int(self.0.assembly_targets)
    }
    /// How many of them are complete.
    async fn assembly_complete_count(&self) -> i32 {
        int(self.0.assembly_complete)
    }
    /// True when every assembly target is complete (also when there are none).
    async fn assembly_complete(&self) -> bool {
        self.0.is_assembly_complete()
    }
    /// Assignments still PENDING (assignments, not package quantities).
    async fn packages_pending(&self) -> i32 {
        int(self.0.packages.pending)
    }
    /// Assignments READY.
    async fn packages_ready(&self) -> i32 {
        int(self.0.packages.ready)
    }
    /// Assignments DELIVERED.
    async fn packages_delivered(&self) -> i32 {
        int(self.0.packages.delivered)
    }
    /// All assignments of the event.
    async fn packages_total(&self) -> i32 {
        int(self.0.packages.total())
    }
    /// True when both kinds of targets are complete and every assignment is delivered.
    async fn is_complete(&self) -> bool {
        self.0.is_complete()
    }
}

/// One event on the production dashboard.
pub struct EventDashboardEntry {
    /// The event.
    pub event: event_store::Event,
    /// Its overall progress.
    pub progress: maths::EventProgress,
}

#[Object]
impl EventDashboardEntry {
    /// The event.
    async fn event(&self) -> Event {
        Event(self.event.clone())
    }
    /// Its overall progress.
    async fn progress(&self) -> EventProgress {
        EventProgress(self.progress)
    }
    /// Planned vs actual cost of the event's recipes.
    async fn cost_summary(&self, ctx: &Context<'_>) -> Result<super::planning::EventCostSummary> {
        super::planning::event_cost_summary(ctx, self.event.id).await
    }
}

fn totals_of(
    totals: &Option<std::sync::Arc<std::collections::HashMap<i64, RunTotals>>>,
    id: i64,
) -> RunTotals {
    totals
        .as_ref()
        .and_then(|by_subject| by_subject.get(&id).copied())
        .unwrap_or_default()
}

/// The progress of one production target (used by `EventProductionTarget.progress`).
pub async fn production_target_progress(
    ctx: &Context<'_>,
    target: &target_store::EventProductionTarget,
) -> Result<ProductionProgress> {
    let produced = loaders(ctx)
        .load_one(ProducedByEvent(target.event_id))
        .await?;
    Ok(ProductionProgress {
        totals: totals_of(&produced, target.recipe_id),
        target: target.clone(),
    })
}

/// The progress of one assembly target (used by `EventAssemblyTarget.progress`).
pub async fn assembly_target_progress(
    ctx: &Context<'_>,
    target: &target_store::EventAssemblyTarget,
) -> Result<AssemblyProgress> {
    let assembled = loaders(ctx)
        .load_one(AssembledByEvent(target.event_id))
        .await?;
    Ok(AssemblyProgress {
        totals: totals_of(&assembled, target.finished_good_id),
        target: target.clone(),
    })
}

/// The progress of every production target of an event, in target order (used by
/// `Event.productionProgress`).
pub async fn production_progress_of(
    ctx: &Context<'_>,
    event_id: i64,
) -> Result<Vec<ProductionProgress>> {
    let loaders = loaders(ctx);
    let (targets, produced) = futures::try_join!(
        loaders.load_one(ProductionTargetsByEvent(event_id)),
        loaders.load_one(ProducedByEvent(event_id)),
    )?;
    Ok(targets
        .unwrap_or_default()
        .into_iter()
        .map(|target| ProductionProgress {
            totals: totals_of(&produced, target.recipe_id),
            target,
        })
        .collect())
}

/// The progress of every assembly target of an event, in target order (used by
/// `Event.assemblyProgress`).
pub async fn assembly_progress_of(
    ctx: &Context<'_>,
    event_id: i64,
) -> Result<Vec<AssemblyProgress>> {
    let loaders = loaders(ctx);
    let (targets, assembled) = futures::try_join!(
        loaders.load_one(AssemblyTargetsByEvent(event_id)),
        loaders.load_one(AssembledByEvent(event_id)),
    )?;
    Ok(targets
        .unwrap_or_default()
        .into_iter()
        .map(|target| AssemblyProgress {
            totals: totals_of(&assembled, target.finished_good_id),
            target,
        })
        .collect())
}

/// The overall progress of an event, from its targets, the runs attributed to it and its
/// assignments. One loader key computes it whole, so every event of a request is answered
/// by the same three statements however the other fields of the query resolve.
pub async fn event_progress_counts(
    ctx: &Context<'_>,
    event_id: i64,
) -> Result<maths::EventProgress> {
    Ok(loaders(ctx)
        .load_one(EventProgressByEvent(event_id))
        .await?
        .unwrap_or_default())
}

/// The overall progress of an event (used by `Event.progress` and the recording payloads).
pub async fn event_progress(ctx: &Context<'_>, event_id: i64) -> Result<EventProgress> {
    event_progress_counts(ctx, event_id)
        .await
        .map(EventProgress)
}

/// The production runs of a target's recipe attributed to its event, newest first.
/// The first pages (`first` alone) of many targets load in one windowed query; pages at a
/// cursor or from the end (`after`/`before`/`last`) are read per target.
pub async fn production_runs_of_target(
    ctx: &Context<'_>,
    target: &target_store::EventProductionTarget,
    page: PageArgs,
) -> Result<Conn<ProductionRun>> {
    if !page.is_first_page() {
        let filter = RunFilter {
            event_id: Some(target.event_id),
            subject_id: Some(target.recipe_id),
            ..RunFilter::default()
        };
        return production_run_page(ctx, filter, page).await;
    }
    let page = page.validate()?;
    let loaders = loaders(ctx);
    let (produced, rows) = futures::try_join!(
        loaders.load_one(ProducedByEvent(target.event_id)),
        loaders.load_one(ProductionRunsOfTarget {
            event_id: target.event_id,
            recipe_id: target.recipe_id,
            limit: page.keyset().limit(),
        }),
    )?;
    let total = totals_of(&produced, target.recipe_id).runs;
    let rows = rows.unwrap_or_default();
    Ok(page.connection(page.keyset().finish(rows, Some(total), None), ProductionRun))
}

/// The assembly runs of a target's finished good attributed to its event, newest first;
/// batched like [`production_runs_of_target`].
pub async fn assembly_runs_of_target(
    ctx: &Context<'_>,
    target: &target_store::EventAssemblyTarget,
    page: PageArgs,
) -> Result<Conn<AssemblyRun>> {
    if !page.is_first_page() {
        let filter = RunFilter {
            event_id: Some(target.event_id),
            subject_id: Some(target.finished_good_id),
            ..RunFilter::default()
        };
        return assembly_run_page(ctx, filter, page).await;
    }
    let page = page.validate()?;
    let loaders = loaders(ctx);
    let (assembled, rows) = futures::try_join!(
        loaders.load_one(AssembledByEvent(target.event_id)),
        loaders.load_one(AssemblyRunsOfTarget {
            event_id: target.event_id,
            finished_good_id: target.finished_good_id,
            limit: page.keyset().limit(),
        }),
    )?;
    let total = totals_of(&assembled, target.finished_good_id).runs;
    let rows = rows.unwrap_or_default();
    Ok(page.connection(page.keyset().finish(rows, Some(total), None), AssemblyRun))
}

/// The production runs attributed to an event, newest first (used by `Event.productionRuns`).
pub async fn event_production_runs(
    ctx: &Context<'_>,
    event_id: i64,
    page: PageArgs,
) -> Result<Conn<ProductionRun>> {
    let filter = RunFilter {
        event_id: Some(event_id),
        ..RunFilter::default()
    };
    production_run_page(ctx, filter, page).await
}

/// The assembly runs attributed to an event, newest first (used by `Event.assemblyRuns`).
pub async fn event_assembly_runs(
    ctx: &Context<'_>,
    event_id: i64,
    page: PageArgs,
) -> Result<Conn<AssemblyRun>> {
    let filter = RunFilter {
        event_id: Some(event_id),
        ..RunFilter::default()
    };
    assembly_run_page(ctx, filter, page).await
}

/// Progress queries.
#[derive(Default)]
pub struct ProgressQuery;

#[Object]
impl ProgressQuery {
    /// Events with their overall progress, nearest date first: only those not complete
    /// yet, unless `includeCompleted` is true.
    async fn production_dashboard(
        &self,
        ctx: &Context<'_>,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also list events that are complete."
        )]
        include_completed: Option<bool>,
    ) -> Result<Vec<EventDashboardEntry>> {
        let include_completed = include_completed.unwrap_or(false);
        let events = progress_store::events_by_date(db(ctx)).await?;
        let progress = futures::future::try_join_all(
            events
                .iter()
                .map(|event| event_progress_counts(ctx, event.id)),
        )
        .await?;
        Ok(events
            .into_iter()
            .zip(progress)
            .filter(|(_, progress)| include_completed || !progress.is_complete())
            .map(|(event, progress)| EventDashboardEntry { event, progress })
            .collect())
    }
}
