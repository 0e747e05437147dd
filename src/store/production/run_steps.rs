//! Steps that recording a production run and recording an assembly run share: the event
//! the run counts for, the inventory and moving-average cost of what it made, and the
//! warning when the event's runs now pass its target.

use crate::db::models::{FinishedGood, FinishedUnit};
use crate::db::schema::{
    assembly_runs, event_assembly_targets, event_production_targets, events, finished_goods,
    finished_units, production_runs,
};
use crate::domain::fixed::{from_scaled, Scale};
use crate::domain::limits::{add_count, LimitExceeded};
use crate::error::{AppError, AppResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use std::future::Future;

/// What a run made, as locked before recording: the finished unit a production run
/// yielded, or the finished good an assembly run put together.
pub(super) struct Made {
    table: MadeTable,
    id: i64,
    name: String,
    inventory_count: i32,
    average_unit_cost: i64,
}

/// Where a [`Made`] is kept.
#[derive(Clone, Copy)]
enum MadeTable {
    FinishedUnits,
    FinishedGoods,
}

impl Made {
    /// The finished unit a production run yielded.
    pub(super) fn unit(unit: &FinishedUnit) -> Made {
        Made {
            table: MadeTable::FinishedUnits,
            id: unit.id,
            name: unit.name.clone(),
            inventory_count: unit.inventory_count,
            average_unit_cost: unit.average_unit_cost,
        }
    }

    /// The finished good an assembly run put together.
    pub(super) fn good(good: &FinishedGood) -> Made {
        Made {
            table: MadeTable::FinishedGoods,
            id: good.id,
            name: good.name.clone(),
            inventory_count: good.inventory_count,
            average_unit_cost: good.average_unit_cost,
        }
    }

    /// The inventory count after `added` more items, within
    /// [`MAX_COUNT`](crate::domain::limits::MAX_COUNT) (checked before the first write).
    pub(super) fn inventory_after(&self, added: i64) -> Result<i32, LimitExceeded> {
        let what = || format!("inventoryCount of \"{}\"", self.name);
        let total = add_count(i64::from(self.inventory_count), added, what)?;
        i32::try_from(total).map_err(|_| LimitExceeded::count(what()))
    }
}

/// What an event's target counts, for the warning when a run passes it.
#[derive(Clone, Copy)]
pub(super) enum Counted<'a> {
    /// Batches of a recipe (production targets).
    Batches {
        /// The recipe.
        recipe_id: i64,
        /// Its name.
        name: &'a str,
    },
    /// Items of a finished good (assembly targets).
    Items {
        /// The finished good.
        good_id: i64,
        /// Its name.
        name: &'a str,
    },
}

impl Counted<'_> {
    fn exceeded(&self, target: i32, done: i64) -> String {
        let (name, unit, verb) = match self {
            Counted::Batches { name, .. } => (name, " batches", "produced"),
            Counted::Items { name, .. } => (name, "", "assembled"),
        };
        format!("the event's target for \"{name}\" is {target}{unit}; {done} are now {verb}")
    }
}

/// A run whose cost per item is beyond a stored unit price (about 922 million).
pub(super) fn unit_cost_too_large(total: i64, items: i64) -> AppError {
    AppError::bad_input(format!(
        "the cost per item of this run ({} for {items} items) would exceed {}; record more items per run",
        from_scaled(total, Scale::Money),
        i64::MAX / 10_000_000_000
    ))
}

/// A scaled stock quantity as the API spells it.
pub(super) fn quantity_text(raw: i64) -> String {
    from_scaled(raw, Scale::Quantity).to_string()
}

/// The shared steps, inside the recording transaction.
pub(super) trait RunSteps: Send {
    /// `NOT_FOUND` unless the event a run counts for (if any) exists.
    fn check_event(&mut self, event_id: Option<i64>) -> impl Future<Output = AppResult<()>> + Send;

    /// Stores what a run added to what it made: the new inventory count (see
    /// [`Made::inventory_after`]) and the moving-average unit cost of `added` more items at
    /// `unit_cost`.
    fn restock(
        &mut self,
        made: &Made,
        inventory: i32,
        added: i64,
        unit_cost: i64,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// The warning when the event's runs now count more than its target (none without an
    /// event or a target), read after the run was written.
    fn target_warning(
        &mut self,
        event_id: Option<i64>,
        counted: Counted<'_>,
    ) -> impl Future<Output = AppResult<Option<String>>> + Send;
}

crate::impl_for_backends! {
    impl RunSteps {
        async fn check_event(&mut self, event_id: Option<i64>) -> AppResult<()> {
            if let Some(event_id) = event_id {
                crate::find_row!(
                    self,
                    events::table,
                    crate::db::models::Event,
                    event_id,
                    crate::domain::entity::Entity::Event
                );
            }
            Ok(())
        }

        async fn restock(
            &mut self,
            made: &Made,
            inventory: i32,
            added: i64,
            unit_cost: i64,
            ts: NaiveDateTime,
        ) -> AppResult<()> {
            let average = crate::domain::fifo::moving_average(
                i64::from(made.inventory_count),
                made.average_unit_cost,
                added,
                unit_cost,
            );
            match made.table {
                MadeTable::FinishedUnits => {
                    diesel::update(finished_units::table.find(made.id))
                        .set((
                            finished_units::inventory_count.eq(inventory),
                            finished_units::average_unit_cost.eq(average),
                            finished_units::updated_at.eq(ts),
                        ))
                        .execute(self)
                        .await?
                }
                MadeTable::FinishedGoods => {
                    diesel::update(finished_goods::table.find(made.id))
                        .set((
                            finished_goods::inventory_count.eq(inventory),
                            finished_goods::average_unit_cost.eq(average),
                            finished_goods::updated_at.eq(ts),
                        ))
                        .execute(self)
                        .await?
                }
            };
            Ok(())
        }

        async fn target_warning(
            &mut self,
            event_id: Option<i64>,
            counted: Counted<'_>,
        ) -> AppResult<Option<String>> {
            let Some(event_id) = event_id else {
                return Ok(None);
            };
            let target: Option<i32> = match counted {
                Counted::Batches { recipe_id, .. } => event_production_targets::table
                    .filter(event_production_targets::event_id.eq(event_id))
                    .filter(event_production_targets::recipe_id.eq(recipe_id))
                    .select(event_production_targets::target_batches)
                    .first(self)
                    .await
                    .optional()?,
                Counted::Items { good_id, .. } => event_assembly_targets::table
                    .filter(event_assembly_targets::event_id.eq(event_id))
                    .filter(event_assembly_targets::finished_good_id.eq(good_id))
                    .select(event_assembly_targets::target_quantity)
                    .first(self)
                    .await
                    .optional()?,
            };
            let Some(target) = target else {
                return Ok(None);
            };
            let done: i64 = match counted {
                Counted::Batches { recipe_id, .. } => production_runs::table
                    .filter(production_runs::event_id.eq(event_id))
                    .filter(production_runs::recipe_id.eq(recipe_id))
                    .select(diesel::dsl::sql::<BigInt>(
                        "CAST(COALESCE(SUM(num_batches), 0) AS BIGINT)",
                    ))
                    .first(self)
                    .await?,
                Counted::Items { good_id, .. } => assembly_runs::table
                    .filter(assembly_runs::event_id.eq(event_id))
                    .filter(assembly_runs::finished_good_id.eq(good_id))
                    .select(diesel::dsl::sql::<BigInt>(
                        "CAST(COALESCE(SUM(quantity), 0) AS BIGINT)",
                    ))
                    .first(self)
                    .await?,
            };
            Ok((done > i64::from(target)).then(|| counted.exceeded(target, done)))
        }
    }
}
