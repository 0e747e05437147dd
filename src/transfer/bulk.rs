//! Writing the runs of an import in chunks. On PostgreSQL a chunk's inserts are
//! pipelined on the connection (sent without waiting for each answer; the server still runs
//! them one after the other, in the order sent, so ids follow document order), which turns
//! one network round trip per row into about one per chunk. SQLite, in-process, writes them
//! one by one.

use super::check_runs::{AssemblyRun, Consumption, ProductionRun};
use super::import::at;
use crate::db::schema::{
    assembly_consumptions, assembly_runs, production_consumptions, production_runs,
};
use crate::error::AppResult;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use futures::TryFutureExt;
use std::future::Future;

/// Runs written per chunk.
pub const CHUNK: usize = 500;

/// A production run ready to be written, its references resolved.
#[derive(Debug)]
pub struct NewRun<'a> {
    /// The checked run.
    pub run: &'a ProductionRun,
    /// Its recipe.
    pub recipe_id: i64,
    /// Its finished unit.
    pub unit_id: i64,
    /// Its event, if any.
    pub event_id: Option<i64>,
    /// Each consumption with its (ingredient, lot) ids.
    pub draws: Vec<(&'a Consumption, Option<i64>, Option<i64>)>,
}

/// An assembly consumption ready to be written, its references resolved.
#[derive(Debug)]
pub struct AssemblyDraw<'a> {
    /// The checked record.
    pub consumption: &'a Consumption,
    /// Finished unit drawn from (kind FINISHED_UNIT).
    pub unit: Option<i64>,
    /// Finished good drawn from (kind FINISHED_GOOD).
    pub good: Option<i64>,
    /// Packaging ingredient (kind PACKAGING; null once deleted).
    pub ingredient: Option<i64>,
    /// Packaging lot (kind PACKAGING; null once deleted).
    pub lot: Option<i64>,
}

/// An assembly run ready to be written, its references resolved.
#[derive(Debug)]
pub struct NewAssembly<'a> {
    /// The checked run.
    pub run: &'a AssemblyRun,
    /// Its finished good.
    pub good_id: i64,
    /// Its event, if any.
    pub event_id: Option<i64>,
    /// Its consumptions.
    pub draws: Vec<AssemblyDraw<'a>>,
}

macro_rules! assembly_insert {
    ($n:expr, $ts:expr) => {
        diesel::insert_into(assembly_runs::table).values((
            assembly_runs::uuid.eq(&$n.run.row.uuid),
            assembly_runs::created_at.eq($ts),
            assembly_runs::updated_at.eq($ts),
            assembly_runs::finished_good_id.eq($n.good_id),
            assembly_runs::event_id.eq($n.event_id),
            assembly_runs::quantity.eq($n.run.row.quantity),
            assembly_runs::assembled_at.eq($n.run.assembled_at),
            assembly_runs::notes.eq(&$n.run.row.notes),
            assembly_runs::total_component_cost.eq($n.run.costs.0),
            assembly_runs::per_unit_cost.eq($n.run.costs.1),
            assembly_runs::recorded_by.eq(&$n.run.row.recorded_by),
        ))
    };
}

macro_rules! assembly_draw_insert {
    ($run_id:expr, $a:expr, $ts:expr) => {
        diesel::insert_into(assembly_consumptions::table).values((
            assembly_consumptions::uuid.eq(crate::store::new_uuid()),
            assembly_consumptions::created_at.eq($ts),
            assembly_consumptions::updated_at.eq($ts),
            assembly_consumptions::assembly_run_id.eq($run_id),
            assembly_consumptions::kind.eq($a.consumption.kind.as_str()),
            assembly_consumptions::finished_unit_id.eq($a.unit),
            assembly_consumptions::finished_good_id.eq($a.good),
            assembly_consumptions::ingredient_id.eq($a.ingredient),
            assembly_consumptions::lot_id.eq($a.lot),
            assembly_consumptions::component_name.eq(&$a.consumption.name),
            assembly_consumptions::quantity.eq($a.consumption.quantity),
            assembly_consumptions::unit.eq(&$a.consumption.unit),
            assembly_consumptions::unit_cost.eq($a.consumption.unit_cost),
            assembly_consumptions::cost.eq($a.consumption.cost),
        ))
    };
}

macro_rules! run_insert {
    ($n:expr, $ts:expr) => {
        diesel::insert_into(production_runs::table).values((
            production_runs::uuid.eq(&$n.run.row.uuid),
            production_runs::created_at.eq($ts),
            production_runs::updated_at.eq($ts),
            production_runs::recipe_id.eq($n.recipe_id),
            production_runs::finished_unit_id.eq($n.unit_id),
            production_runs::event_id.eq($n.event_id),
            production_runs::num_batches.eq($n.run.row.num_batches),
            production_runs::expected_yield.eq($n.run.row.expected_yield),
            production_runs::actual_yield.eq($n.run.row.actual_yield),
            production_runs::produced_at.eq($n.run.produced_at),
            production_runs::notes.eq(&$n.run.row.notes),
            production_runs::total_ingredient_cost.eq($n.run.costs.0),
            production_runs::per_unit_cost.eq($n.run.costs.1),
            production_runs::recorded_by.eq(&$n.run.row.recorded_by),
        ))
    };
}

macro_rules! consumption_insert {
    ($run_id:expr, $d:expr, $ingredient:expr, $lot:expr, $ts:expr) => {
        diesel::insert_into(production_consumptions::table).values((
            production_consumptions::uuid.eq(crate::store::new_uuid()),
            production_consumptions::created_at.eq($ts),
            production_consumptions::updated_at.eq($ts),
            production_consumptions::production_run_id.eq($run_id),
            production_consumptions::ingredient_id.eq($ingredient),
            production_consumptions::ingredient_name.eq(&$d.name),
            production_consumptions::lot_id.eq($lot),
            production_consumptions::quantity.eq($d.quantity),
            production_consumptions::unit.eq(&$d.unit),
            production_consumptions::unit_cost.eq($d.unit_cost),
            production_consumptions::cost.eq($d.cost),
        ))
    };
}

/// Writes chunks of production runs with their consumption records.
pub trait BulkTx: Send {
    /// Inserts the runs (in order) and then their consumptions.
    fn write_production(
        &mut self,
        runs: &[NewRun<'_>],
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Inserts the assembly runs (in order) and then their consumptions.
    fn write_assembly(
        &mut self,
        runs: &[NewAssembly<'_>],
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

impl BulkTx for diesel_async::AsyncPgConnection {
    async fn write_production(&mut self, runs: &[NewRun<'_>], ts: NaiveDateTime) -> AppResult<()> {
        let conn: &diesel_async::AsyncPgConnection = self;
        let ids: Vec<i64> = futures::future::try_join_all(runs.iter().map(|n| {
            let mut shared = conn;
            run_insert!(n, ts)
                .returning(production_runs::id)
                .get_result::<i64>(&mut shared)
                .map_err(at(&n.run.path))
        }))
        .await?;
        let draws = runs
            .iter()
            .zip(&ids)
            .flat_map(|(n, id)| n.draws.iter().map(move |draw| (*id, draw)));
        futures::future::try_join_all(draws.map(|(id, (d, ingredient, lot))| {
            let mut shared = conn;
            consumption_insert!(id, d, *ingredient, *lot, ts)
                .execute(&mut shared)
                .map_err(at(&d.path))
        }))
        .await?;
        Ok(())
    }

    async fn write_assembly(
        &mut self,
        runs: &[NewAssembly<'_>],
        ts: NaiveDateTime,
    ) -> AppResult<()> {
        let conn: &diesel_async::AsyncPgConnection = self;
        let ids: Vec<i64> = futures::future::try_join_all(runs.iter().map(|n| {
            let mut shared = conn;
            assembly_insert!(n, ts)
                .returning(assembly_runs::id)
                .get_result::<i64>(&mut shared)
                .map_err(at(&n.run.path))
        }))
        .await?;
        let draws = runs
            .iter()
            .zip(&ids)
            .flat_map(|(n, id)| n.draws.iter().map(move |draw| (*id, draw)));
        futures::future::try_join_all(draws.map(|(id, a)| {
            let mut shared = conn;
            assembly_draw_insert!(id, a, ts)
                .execute(&mut shared)
                .map_err(at(&a.consumption.path))
        }))
        .await?;
        Ok(())
    }
}

impl BulkTx for crate::db::SqliteConn {
    async fn write_production(&mut self, runs: &[NewRun<'_>], ts: NaiveDateTime) -> AppResult<()> {
        for n in runs {
            let id: i64 = run_insert!(n, ts)
                .returning(production_runs::id)
                .get_result(self)
                .await
                .map_err(at(&n.run.path))?;
            for (d, ingredient, lot) in &n.draws {
                consumption_insert!(id, d, *ingredient, *lot, ts)
                    .execute(self)
                    .await
                    .map_err(at(&d.path))?;
            }
        }
        Ok(())
    }

    async fn write_assembly(
        &mut self,
        runs: &[NewAssembly<'_>],
        ts: NaiveDateTime,
    ) -> AppResult<()> {
        for n in runs {
            let id: i64 = assembly_insert!(n, ts)
                .returning(assembly_runs::id)
                .get_result(self)
                .await
                .map_err(at(&n.run.path))?;
            for a in &n.draws {
                assembly_draw_insert!(id, a, ts)
                    .execute(self)
                    .await
                    .map_err(at(&a.consumption.path))?;
            }
        }
        Ok(())
    }
}
