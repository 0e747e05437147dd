//! The per-event run totals (`event_production_totals`, `event_assembly_totals`): what the
//! runs attributed to each event add up to, per recipe and per finished good.
//!
//! Runs are only ever inserted, so adding each new run to its row, in the transaction that
//! records the run, keeps the totals equal to `SUM`/`COUNT` over the runs at every commit.
//! Progress then reads one row per target instead of aggregating every run (SPEC §3.3).

use super::write_locks::{WriteLock, WriteLocks};
use crate::db::schema::{
    event_assembly_totals as assembled, event_production_targets as targets,
    event_production_totals as produced,
};
use crate::db::Db;
use crate::domain::limits::{check_money, LimitExceeded, MAX_COUNT};
use crate::error::AppResult;
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use std::future::Future;

/// Adds a new run to its event's totals, inside the recording transaction; a production
/// run to its target's copy of them too (see [`TargetTotalsTx`]).
///
/// The new totals are read back after the upsert (on PostgreSQL the upsert holds the
/// row's lock, so concurrent runs add up one after the other) and checked against the
/// limits of [`crate::domain::limits`]: batches, yield and quantity at most `MAX_COUNT`
/// (they are read back as GraphQL `Int`s), cost at most `MAX_MONEY`. Over a limit is
/// `BAD_USER_INPUT`, and the caller's transaction rolls back.
pub trait RunTotalsTx: Send {
    /// Adds a production run of `recipe_id` (named `recipe_name` in errors) attributed to
    /// `event_id` (its batches, yield and ingredient cost).
    fn add_production(
        &mut self,
        event_id: i64,
        recipe_id: i64,
        recipe_name: &str,
        num_batches: i32,
        actual_yield: i32,
        total_ingredient_cost: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Adds an assembly run of `finished_good_id` (named `good_name` in errors)
    /// attributed to `event_id`.
    fn add_assembly(
        &mut self,
        event_id: i64,
        finished_good_id: i64,
        good_name: &str,
        quantity: i32,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl RunTotalsTx {
        async fn add_production(
            &mut self,
            event_id: i64,
            recipe_id: i64,
            recipe_name: &str,
            num_batches: i32,
            actual_yield: i32,
            total_ingredient_cost: i64,
        ) -> AppResult<()> {
            self.take_write_lock(WriteLock::EventRunTotals { event_id }).await?;
            diesel::insert_into(produced::table)
                .values((
                    produced::event_id.eq(event_id),
                    produced::recipe_id.eq(recipe_id),
                    produced::run_count.eq(1_i64),
                    produced::num_batches.eq(i64::from(num_batches)),
                    produced::actual_yield.eq(i64::from(actual_yield)),
                    produced::total_ingredient_cost.eq(total_ingredient_cost),
                ))
                .on_conflict((produced::event_id, produced::recipe_id))
                .do_update()
                .set((
                    produced::run_count.eq(produced::run_count + 1_i64),
                    produced::num_batches.eq(produced::num_batches + excluded(produced::num_batches)),
                    produced::actual_yield
                        .eq(produced::actual_yield + excluded(produced::actual_yield)),
                    produced::total_ingredient_cost.eq(produced::total_ingredient_cost
                        + excluded(produced::total_ingredient_cost)),
                ))
                .execute(self)
                .await?;
            diesel::update(
                targets::table
                    .filter(targets::event_id.eq(event_id))
                    .filter(targets::recipe_id.eq(recipe_id)),
            )
            .set((
                targets::run_count.eq(targets::run_count + 1_i64),
                targets::num_batches.eq(targets::num_batches + i64::from(num_batches)),
                targets::actual_yield.eq(targets::actual_yield + i64::from(actual_yield)),
            ))
            .execute(self)
            .await?;
            let (batches, yielded, cost): (i64, i64, i64) = produced::table
                .filter(produced::event_id.eq(event_id))
                .filter(produced::recipe_id.eq(recipe_id))
                .select((
                    produced::num_batches,
                    produced::actual_yield,
                    produced::total_ingredient_cost,
                ))
                .first(self)
                .await?;
            let what = |total: &str| format!("the {total} of \"{recipe_name}\" for this event");
            if batches > MAX_COUNT {
                return Err(LimitExceeded::count(what("batches produced")).into());
            }
            if yielded > MAX_COUNT {
                return Err(LimitExceeded::count(what("yield produced")).into());
            }
            check_money(cost, || what("ingredient cost of the runs"))?;
            Ok(())
        }

        async fn add_assembly(
            &mut self,
            event_id: i64,
            finished_good_id: i64,
            good_name: &str,
            quantity: i32,
        ) -> AppResult<()> {
            diesel::insert_into(assembled::table)
                .values((
                    assembled::event_id.eq(event_id),
                    assembled::finished_good_id.eq(finished_good_id),
                    assembled::run_count.eq(1_i64),
                    assembled::quantity.eq(i64::from(quantity)),
                ))
                .on_conflict((assembled::event_id, assembled::finished_good_id))
                .do_update()
                .set((
                    assembled::run_count.eq(assembled::run_count + 1_i64),
                    assembled::quantity.eq(assembled::quantity + excluded(assembled::quantity)),
                ))
                .execute(self)
                .await?;
            let total: i64 = assembled::table
                .filter(assembled::event_id.eq(event_id))
                .filter(assembled::finished_good_id.eq(finished_good_id))
                .select(assembled::quantity)
                .first(self)
                .await?;
            if total > MAX_COUNT {
                return Err(LimitExceeded::count(format!(
                    "the quantity of \"{good_name}\" assembled for this event"
                ))
                .into());
            }
            Ok(())
        }
    }
}

/// The totals as the runs define them (the same `SELECT` the migration that added the
/// tables backfilled them with), production then assembly.
const PRODUCTION_FROM_RUNS: &str = "SELECT event_id, recipe_id, COUNT(*), SUM(num_batches), \
    SUM(actual_yield), SUM(total_ingredient_cost) FROM production_runs \
    WHERE event_id IS NOT NULL GROUP BY event_id, recipe_id";
const PRODUCTION_STORED: &str = "SELECT event_id, recipe_id, run_count, num_batches, \
    actual_yield, total_ingredient_cost FROM event_production_totals";
const ASSEMBLY_FROM_RUNS: &str = "SELECT event_id, finished_good_id, COUNT(*), SUM(quantity) \
    FROM assembly_runs WHERE event_id IS NOT NULL GROUP BY event_id, finished_good_id";
const ASSEMBLY_STORED: &str =
    "SELECT event_id, finished_good_id, run_count, quantity FROM event_assembly_totals";

/// Production targets as they are stored with their copies of the totals, and as those
/// copies should be (the totals row's, or zeros without one).
const TARGETS_STORED: &str = "SELECT id, run_count, num_batches, actual_yield \
    FROM event_production_targets";
const TARGETS_FROM_TOTALS: &str = "SELECT t.id, COALESCE(x.run_count, 0), \
    COALESCE(x.num_batches, 0), COALESCE(x.actual_yield, 0) FROM event_production_targets t \
    LEFT JOIN event_production_totals x ON x.event_id = t.event_id AND x.recipe_id = t.recipe_id";

/// Sets every production target's copy of its totals from `event_production_totals` (SQL
/// text shared by both backends): after the totals are rebuilt, or targets are written in
/// bulk.
pub const REFRESH_ALL_TARGET_TOTALS: &str = "UPDATE event_production_targets SET \
    run_count = COALESCE((SELECT x.run_count FROM event_production_totals x \
        WHERE x.event_id = event_production_targets.event_id \
          AND x.recipe_id = event_production_targets.recipe_id), 0), \
    num_batches = COALESCE((SELECT x.num_batches FROM event_production_totals x \
        WHERE x.event_id = event_production_targets.event_id \
          AND x.recipe_id = event_production_targets.recipe_id), 0), \
    actual_yield = COALESCE((SELECT x.actual_yield FROM event_production_totals x \
        WHERE x.event_id = event_production_targets.event_id \
          AND x.recipe_id = event_production_targets.recipe_id), 0)";

/// The statements that rebuild both totals tables from the runs, and the production
/// targets' copies of them (SQL text shared by both backends; used after runs are loaded
/// in bulk, behind the recording path).
pub fn rebuild_statements() -> [String; 5] {
    [
        "DELETE FROM event_production_totals".to_string(),
        format!(
            "INSERT INTO event_production_totals (event_id, recipe_id, run_count, num_batches, \
             actual_yield, total_ingredient_cost) {PRODUCTION_FROM_RUNS}"
        ),
        "DELETE FROM event_assembly_totals".to_string(),
        format!(
            "INSERT INTO event_assembly_totals (event_id, finished_good_id, run_count, quantity) \
             {ASSEMBLY_FROM_RUNS}"
        ),
        REFRESH_ALL_TARGET_TOTALS.to_string(),
    ]
}

/// Steps on a production target's copy of its run totals, inside a write transaction.
pub trait TargetTotalsTx: Send {
    /// Sets the copy of `event_id`'s production target for `recipe_id` from its totals
    /// row (zeros without one), once the target is written: takes the event's
    /// [`WriteLock::EventRunTotals`] first, which recording a run takes too, so a run
    /// recorded meanwhile is either read here or adds to the target itself.
    fn refresh_target_totals(
        &mut self,
        event_id: i64,
        recipe_id: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl TargetTotalsTx {
        async fn refresh_target_totals(&mut self, event_id: i64, recipe_id: i64) -> AppResult<()> {
            self.take_write_lock(WriteLock::EventRunTotals { event_id }).await?;
            let totals: Option<(i64, i64, i64)> = produced::table
                .filter(produced::event_id.eq(event_id))
                .filter(produced::recipe_id.eq(recipe_id))
                .select((produced::run_count, produced::num_batches, produced::actual_yield))
                .first(self)
                .await
                .optional()?;
            let (runs, batches, yielded) = totals.unwrap_or_default();
            diesel::update(
                targets::table
                    .filter(targets::event_id.eq(event_id))
                    .filter(targets::recipe_id.eq(recipe_id)),
            )
            .set((
                targets::run_count.eq(runs),
                targets::num_batches.eq(batches),
                targets::actual_yield.eq(yielded),
            ))
            .execute(self)
            .await?;
            Ok(())
        }
    }
}

/// Rebuilds both totals tables, and the production targets' copies, from the runs, in one
/// transaction.
pub async fn rebuild(db: &Db) -> AppResult<()> {
    db_write!(db, |conn| {
        for statement in rebuild_statements() {
            diesel::sql_query(statement).execute(conn).await?;
        }
        Ok(())
    })
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// How many totals rows differ from what the runs add up to (missing, extra or wrong
/// rows, both tables), and how many production targets' copies differ from their totals
/// rows: zero when the totals are right.
pub async fn mismatches(db: &Db) -> AppResult<i64> {
    let checks = [
        (PRODUCTION_FROM_RUNS, PRODUCTION_STORED),
        (PRODUCTION_STORED, PRODUCTION_FROM_RUNS),
        (ASSEMBLY_FROM_RUNS, ASSEMBLY_STORED),
        (ASSEMBLY_STORED, ASSEMBLY_FROM_RUNS),
        (TARGETS_FROM_TOTALS, TARGETS_STORED),
    ];
    let mut total = 0;
    for (left, right) in checks {
        let sql = format!(
            "SELECT CAST(COUNT(*) AS BIGINT) AS count FROM ({left} EXCEPT {right}) difference"
        );
        let found: Count = db_run!(db, |conn| diesel::sql_query(&sql)
            .get_result(conn)
            .await
            .map_err(crate::error::AppError::from))?;
        total += found.count;
    }
    Ok(total)
}
