//! Event production and assembly targets: set (upsert), delete, and batch lookups.

use super::progress::RunTotals;
use super::run_totals::TargetTotalsTx;
use super::{clean_text, new_uuid, now};
use crate::db::schema::{
    event_assembly_targets, event_assembly_totals, event_production_targets, events,
    finished_goods, recipes,
};
use crate::db::{Db, Reads};
use crate::db_write;
use crate::error::{AppError, AppResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::future::Future;

pub use crate::db::models::{EventAssemblyTarget, EventProductionTarget};
use crate::db::models::{FinishedGood, Recipe};

/// Notes to keep (`None`) or replace (`Some`, where `Some(None)` clears them).
pub type NotesChange = Option<Option<String>>;

fn positive(value: i32, what: &str) -> AppResult<i32> {
    if value <= 0 {
        return Err(AppError::bad_input(format!(
            "{what} must be greater than zero (got {value})"
        )));
    }
    Ok(value)
}

/// Sets the production targets of an event for several recipes in one transaction: each
/// (recipe, batches) is inserted, or updates the existing target (notes are kept unless
/// given). Returns the targets in the order given.
pub async fn set_production_targets(
    db: &Db,
    event_id: i64,
    targets: Vec<(i64, i32)>,
    notes: NotesChange,
) -> AppResult<Vec<EventProductionTarget>> {
    check_target_batches(&targets)?;
    let ts = now();
    db_write!(db, |conn| {
        conn.save_production_targets(event_id, &targets, &notes, ts)
            .await
    })
}

/// `BAD_USER_INPUT` unless every (recipe, batches) target has batches > 0; checked before
/// [`TargetSteps::save_production_targets`].
pub fn check_target_batches(targets: &[(i64, i32)]) -> AppResult<()> {
    for (_, batches) in targets {
        positive(*batches, "targetBatches")?;
    }
    Ok(())
}

/// Steps on targets inside a caller's write transaction.
pub trait TargetSteps: Send {
    /// Inserts or updates the event's production target of each (recipe, batches), checked
    /// by [`check_target_batches`]; notes are kept unless given. `NOT_FOUND` for a missing
    /// event or recipe. Returns the targets in the order given.
    fn save_production_targets(
        &mut self,
        event_id: i64,
        targets: &[(i64, i32)],
        notes: &NotesChange,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<Vec<EventProductionTarget>>> + Send;
}

crate::impl_for_backends! {
    impl TargetSteps {
        async fn save_production_targets(
            &mut self,
            event_id: i64,
            targets: &[(i64, i32)],
            notes: &NotesChange,
            ts: NaiveDateTime,
        ) -> AppResult<Vec<EventProductionTarget>> {
            crate::find_row!(
                self,
                events::table,
                crate::db::models::Event,
                event_id,
                crate::domain::entity::Entity::Event
            );
            let mut saved = Vec::with_capacity(targets.len());
            for (recipe_id, batches) in targets {
                crate::find_row!(
                    self,
                    recipes::table,
                    crate::db::models::Recipe,
                    *recipe_id,
                    crate::domain::entity::Entity::Recipe
                );
                let new_notes = clean_text(crate::domain::text::NOTES, notes.clone().flatten())?;
                let row: EventProductionTarget = diesel::insert_into(event_production_targets::table)
                    .values((
                        event_production_targets::uuid.eq(new_uuid()),
                        event_production_targets::created_at.eq(ts),
                        event_production_targets::updated_at.eq(ts),
                        event_production_targets::event_id.eq(event_id),
                        event_production_targets::recipe_id.eq(recipe_id),
                        event_production_targets::target_batches.eq(batches),
                        event_production_targets::notes.eq(&new_notes),
                    ))
                    .on_conflict((
                        event_production_targets::event_id,
                        event_production_targets::recipe_id,
                    ))
                    .do_update()
                    .set((
                        event_production_targets::target_batches.eq(batches),
                        event_production_targets::updated_at.eq(ts),
                    ))
                    .returning(EventProductionTarget::as_returning())
                    .get_result(self)
                    .await?;
                // A new target copies its event's run totals for the recipe.
                self.refresh_target_totals(event_id, *recipe_id).await?;
                let row = match notes {
                    Some(_) => {
                        diesel::update(event_production_targets::table.find(row.id))
                            .set(event_production_targets::notes.eq(&new_notes))
                            .returning(EventProductionTarget::as_returning())
                            .get_result(self)
                            .await?
                    }
                    None => row,
                };
                saved.push(row);
            }
            Ok(saved)
        }
    }
}

/// Sets (inserts or updates) one event's target for a finished good.
pub async fn set_assembly_target(
    db: &Db,
    event_id: i64,
    finished_good_id: i64,
    quantity: i32,
    notes: NotesChange,
) -> AppResult<EventAssemblyTarget> {
    positive(quantity, "targetQuantity")?;
    let ts = now();
    db_write!(db, |conn| {
        crate::find_row!(
            conn,
            events::table,
            crate::db::models::Event,
            event_id,
            crate::domain::entity::Entity::Event
        );
        crate::find_row!(
            conn,
            finished_goods::table,
            crate::db::models::FinishedGood,
            finished_good_id,
            crate::domain::entity::Entity::FinishedGood
        );
        let new_notes = clean_text(crate::domain::text::NOTES, notes.clone().flatten())?;
        let row: EventAssemblyTarget = diesel::insert_into(event_assembly_targets::table)
            .values((
                event_assembly_targets::uuid.eq(new_uuid()),
                event_assembly_targets::created_at.eq(ts),
                event_assembly_targets::updated_at.eq(ts),
                event_assembly_targets::event_id.eq(event_id),
                event_assembly_targets::finished_good_id.eq(finished_good_id),
                event_assembly_targets::target_quantity.eq(quantity),
                event_assembly_targets::notes.eq(&new_notes),
            ))
            .on_conflict((
                event_assembly_targets::event_id,
                event_assembly_targets::finished_good_id,
            ))
            .do_update()
            .set((
                event_assembly_targets::target_quantity.eq(quantity),
                event_assembly_targets::updated_at.eq(ts),
            ))
            .returning(EventAssemblyTarget::as_returning())
            .get_result(conn)
            .await?;
        if notes.is_some() {
            return Ok(diesel::update(event_assembly_targets::table.find(row.id))
                .set(event_assembly_targets::notes.eq(&new_notes))
                .returning(EventAssemblyTarget::as_returning())
                .get_result(conn)
                .await?);
        }
        Ok(row)
    })
}

/// Deletes an event's production target for a recipe; `false` when there was none.
pub async fn delete_production_target(db: &Db, event_id: i64, recipe_id: i64) -> AppResult<bool> {
    db_write!(db, |conn| {
        let deleted = diesel::delete(
            event_production_targets::table
                .filter(event_production_targets::event_id.eq(event_id))
                .filter(event_production_targets::recipe_id.eq(recipe_id)),
        )
        .execute(conn)
        .await?;
        Ok(deleted > 0)
    })
}

/// Deletes an event's assembly target for a finished good; `false` when there was none.
pub async fn delete_assembly_target(
    db: &Db,
    event_id: i64,
    finished_good_id: i64,
) -> AppResult<bool> {
    db_write!(db, |conn| {
        let deleted = diesel::delete(
            event_assembly_targets::table
                .filter(event_assembly_targets::event_id.eq(event_id))
                .filter(event_assembly_targets::finished_good_id.eq(finished_good_id)),
        )
        .execute(conn)
        .await?;
        Ok(deleted > 0)
    })
}

crate::rows_by_ids!(
    /// Production targets by primary key (one query).
    production_targets_by_ids,
    event_production_targets,
    EventProductionTarget
);

crate::rows_by_ids!(
    /// Assembly targets by primary key (one query).
    assembly_targets_by_ids,
    event_assembly_targets,
    EventAssemblyTarget
);

crate::rows_by_parent_ids!(
    /// Production targets of many events, in the order they were set (one query).
    production_targets_by_event_ids,
    event_production_targets,
    EventProductionTarget,
    event_id,
    (event_production_targets::id)
);

crate::rows_by_parent_ids!(
    /// Assembly targets of many events, in the order they were set (one query).
    assembly_targets_by_event_ids,
    event_assembly_targets,
    EventAssemblyTarget,
    event_id,
    (event_assembly_targets::id)
);

/// Targets of many events, in the order they were set, each with the totals of the runs
/// attributed to its event for its subject (`None` before the first run).
pub type TargetsWithTotals<T> = HashMap<i64, Vec<(T, Option<RunTotals>)>>;

/// Loads, for the events `$event_ids`, the rows `$shape` makes of their production targets
/// in target order: `$query` is the targets, to select from, with any further join before
/// the select. Each target carries its own copy of its run totals (see
/// [`TargetTotalsTx`]), so no totals are joined.
macro_rules! load_production_targets {
    ($reads:expr, $event_ids:expr, |$query:ident| $shape:expr) => {
        crate::db_read!($reads, |conn| {
            // As `with_ids_filter!` does, `=` for one id and `= ANY` otherwise.
            macro_rules! query {
                ($by_event:expr) => {{
                    let $query = event_production_targets::table
                        .filter($by_event)
                        .order(event_production_targets::id);
                    $shape.load(conn).await.map_err(AppError::from)
                }};
            }
            match $event_ids {
                [id] => query!(event_production_targets::event_id.eq(*id)),
                ids => query!(event_production_targets::event_id.eq_any(ids)),
            }
        })
    };
}

/// Loads, for the events `$event_ids`, the rows `$shape` makes of their assembly targets
/// left-joined with the run totals of each target's finished good, in target order:
/// `$query` is that join, to select from, with any further join before the select.
/// (Production targets carry their totals: [`load_production_targets!`].)
///
/// The totals are restricted to the same events inside the join, although the join's
/// equality already implies it: PostgreSQL does not carry `= ANY(ids)` across a left
/// join, and without it the generic plan hashes the whole totals table (every event's)
/// for any page; with it, an index-only scan reads the page's totals alone.
macro_rules! load_assembly_with_totals {
    ($reads:expr, $event_ids:expr, |$query:ident| $shape:expr) => {
        crate::db_read!($reads, |conn| {
            // As `with_ids_filter!` does, `=` for one id and `= ANY` otherwise; the join's
            // own condition takes the ids owned (it must be `'static`).
            macro_rules! query {
                ($by_event:expr, $totals_by_event:expr) => {{
                    let $query = event_assembly_targets::table
                        .left_join(
                            event_assembly_totals::table.on(event_assembly_totals::event_id
                                .eq(event_assembly_targets::event_id)
                                .and(
                                    event_assembly_totals::finished_good_id
                                        .eq(event_assembly_targets::finished_good_id),
                                )
                                .and($totals_by_event)),
                        )
                        .filter($by_event)
                        .order(event_assembly_targets::id);
                    $shape.load(conn).await.map_err(AppError::from)
                }};
            }
            match $event_ids {
                [id] => query!(
                    event_assembly_targets::event_id.eq(*id),
                    event_assembly_totals::event_id.eq(*id)
                ),
                ids => query!(
                    event_assembly_targets::event_id.eq_any(ids),
                    event_assembly_totals::event_id.eq_any(ids.to_vec())
                ),
            }
        })
    };
}

/// The run totals a production target is read with: runs, batches, actual yield (zeros
/// before the first run).
type ProductionSums = (i64, i64, i64);

/// The columns of a production target's copy of its run totals.
type ProductionSumColumns = (
    event_production_targets::run_count,
    event_production_targets::num_batches,
    event_production_targets::actual_yield,
);

/// What [`ProductionSumColumns`] select.
const PRODUCTION_SUMS: ProductionSumColumns = (
    event_production_targets::run_count,
    event_production_targets::num_batches,
    event_production_targets::actual_yield,
);

/// A target's sums as the totals table would give them: none before the first run.
pub fn sums_after_runs(sums: ProductionSums) -> Option<ProductionSums> {
    (sums.0 > 0).then_some(sums)
}

/// The run totals an assembly target is read with: runs, quantity.
type AssemblySums = Option<(i64, i64)>;

fn production_totals((runs, amount, yielded): (i64, i64, i64)) -> RunTotals {
    RunTotals {
        runs,
        amount,
        yielded,
    }
}

fn assembly_totals((runs, quantity): (i64, i64)) -> RunTotals {
    RunTotals {
        runs,
        amount: quantity,
        yielded: quantity,
    }
}

/// Production targets of many events with their run totals, in one query: what a page of
/// events needs for its targets, their progress and the events' own progress, where
/// separate reads of targets and totals (and of their join, for the events' progress) would
/// take three.
pub async fn production_targets_with_totals_by_event_ids(
    reads: impl Into<Reads<'_>>,
    event_ids: &[i64],
) -> AppResult<TargetsWithTotals<EventProductionTarget>> {
    let rows: Vec<(EventProductionTarget, ProductionSums)> =
        load_production_targets!(reads, event_ids, |targets| targets
            .select((EventProductionTarget::as_select(), PRODUCTION_SUMS)))?;
    Ok(production_by_event(rows, |target| target.event_id))
}

/// Production targets of many events with their run totals and, joined in the same
/// query, their recipes by id: for readers that show the targets' recipes too.
pub async fn production_targets_with_recipes_by_event_ids(
    reads: impl Into<Reads<'_>>,
    event_ids: &[i64],
) -> AppResult<(
    TargetsWithTotals<EventProductionTarget>,
    HashMap<i64, Recipe>,
)> {
    let rows: Vec<(EventProductionTarget, ProductionSums, Recipe)> =
        load_production_targets!(reads, event_ids, |targets| targets
            .inner_join(recipes::table.on(recipes::id.eq(event_production_targets::recipe_id)))
            .select((
                EventProductionTarget::as_select(),
                PRODUCTION_SUMS,
                Recipe::as_select(),
            )))?;
    let (rows, recipes) = subjects_apart(rows, |recipe| recipe.id);
    Ok((production_by_event(rows, |target| target.event_id), recipes))
}

/// A production target as pages of targets most often show it: its batches and its
/// recipe's name, read without the rest of the target's and the recipe's rows (uuids,
/// notes, times, texts), which cost PostgreSQL more to send, and the server more to
/// decode, than the columns shown.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ProductionTargetBrief {
    /// The target's id.
    pub id: i64,
    /// Its event.
    pub event_id: i64,
    /// Its recipe.
    pub recipe_id: i64,
    /// How many batches the event needs.
    pub target_batches: i32,
    /// The recipe's name.
    pub recipe_name: String,
}

/// Production targets of many events as [`ProductionTargetBrief`]s with their run totals,
/// in one query (see [`production_targets_with_recipes_by_event_ids`]).
pub async fn production_target_briefs_by_event_ids(
    reads: impl Into<Reads<'_>>,
    event_ids: &[i64],
) -> AppResult<TargetsWithTotals<ProductionTargetBrief>> {
    use event_production_targets as t;
    let rows: Vec<(ProductionTargetBrief, ProductionSums)> =
        load_production_targets!(reads, event_ids, |targets| targets
            .inner_join(recipes::table.on(recipes::id.eq(t::recipe_id)))
            .select((
                (
                    t::id,
                    t::event_id,
                    t::recipe_id,
                    t::target_batches,
                    recipes::name
                ),
                PRODUCTION_SUMS,
            )))?;
    Ok(production_by_event(rows, |target| target.event_id))
}

/// Assembly targets of many events with their run totals, in one query (see
/// [`production_targets_with_totals_by_event_ids`]).
pub async fn assembly_targets_with_totals_by_event_ids(
    reads: impl Into<Reads<'_>>,
    event_ids: &[i64],
) -> AppResult<TargetsWithTotals<EventAssemblyTarget>> {
    use event_assembly_totals as r;
    let rows: Vec<(EventAssemblyTarget, AssemblySums)> =
        load_assembly_with_totals!(reads, event_ids, |targets| targets.select((
            EventAssemblyTarget::as_select(),
            (r::run_count, r::quantity).nullable(),
        )))?;
    Ok(by_event(rows, |target| target.event_id, assembly_totals))
}

/// Assembly targets of many events with their run totals and, joined in the same query,
/// their finished goods by id (see [`production_targets_with_recipes_by_event_ids`]).
pub async fn assembly_targets_with_goods_by_event_ids(
    reads: impl Into<Reads<'_>>,
    event_ids: &[i64],
) -> AppResult<(
    TargetsWithTotals<EventAssemblyTarget>,
    HashMap<i64, FinishedGood>,
)> {
    use event_assembly_totals as r;
    let rows: Vec<(EventAssemblyTarget, AssemblySums, FinishedGood)> =
        load_assembly_with_totals!(reads, event_ids, |targets| targets
            .inner_join(
                finished_goods::table
                    .on(finished_goods::id.eq(event_assembly_targets::finished_good_id)),
            )
            .select((
                EventAssemblyTarget::as_select(),
                (r::run_count, r::quantity).nullable(),
                FinishedGood::as_select(),
            )))?;
    let (rows, goods) = subjects_apart(rows, |good| good.id);
    Ok((
        by_event(rows, |target| target.event_id, assembly_totals),
        goods,
    ))
}

/// An assembly target as pages of targets most often show it: its quantity and its
/// finished good's name, read without the rest of the target's and the good's rows
/// (uuids, notes, times, texts, the good's cost), as [`ProductionTargetBrief`] is for
/// production.
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct AssemblyTargetBrief {
    /// The target's id.
    pub id: i64,
    /// Its event.
    pub event_id: i64,
    /// Its finished good.
    pub finished_good_id: i64,
    /// How many the event needs.
    pub target_quantity: i32,
    /// The finished good's name.
    pub finished_good_name: String,
}

/// Assembly targets of many events as [`AssemblyTargetBrief`]s with their run totals, in
/// one query (see [`assembly_targets_with_goods_by_event_ids`]).
pub async fn assembly_target_briefs_by_event_ids(
    reads: impl Into<Reads<'_>>,
    event_ids: &[i64],
) -> AppResult<TargetsWithTotals<AssemblyTargetBrief>> {
    use event_assembly_targets as t;
    use event_assembly_totals as r;
    let rows: Vec<(AssemblyTargetBrief, AssemblySums)> =
        load_assembly_with_totals!(reads, event_ids, |targets| targets
            .inner_join(finished_goods::table.on(finished_goods::id.eq(t::finished_good_id)))
            .select((
                (
                    t::id,
                    t::event_id,
                    t::finished_good_id,
                    t::target_quantity,
                    finished_goods::name,
                ),
                (r::run_count, r::quantity).nullable(),
            )))?;
    Ok(by_event(rows, |target| target.event_id, assembly_totals))
}

/// Takes the subjects (recipes or finished goods) out of rows read joined with them,
/// each once by id, leaving the targets with their totals.
fn subjects_apart<T, S, J>(
    rows: Vec<(T, S, J)>,
    id_of: impl Fn(&J) -> i64,
) -> (Vec<(T, S)>, HashMap<i64, J>) {
    let mut subjects = HashMap::new();
    let rows = rows
        .into_iter()
        .map(|(target, sums, subject)| {
            subjects.entry(id_of(&subject)).or_insert(subject);
            (target, sums)
        })
        .collect();
    (rows, subjects)
}

/// Groups production targets read with their copies of their totals by event, keeping
/// their order (a target no run has worked towards yet has no totals, as in the totals
/// table).
fn production_by_event<T>(
    rows: Vec<(T, ProductionSums)>,
    event_of: impl Fn(&T) -> i64,
) -> TargetsWithTotals<T> {
    let rows = rows
        .into_iter()
        .map(|(target, sums)| (target, sums_after_runs(sums)))
        .collect();
    by_event(rows, event_of, production_totals)
}

/// Groups targets read with their totals by event, keeping their order.
fn by_event<T, S>(
    rows: Vec<(T, Option<S>)>,
    event_of: impl Fn(&T) -> i64,
    totals: impl Fn(S) -> RunTotals,
) -> TargetsWithTotals<T> {
    let mut grouped: TargetsWithTotals<T> = HashMap::new();
    for (target, sums) in rows {
        grouped
            .entry(event_of(&target))
            .or_default()
            .push((target, sums.map(&totals)));
    }
    grouped
}
