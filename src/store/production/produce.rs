//! Recording a production run (SPEC §1.5): the recipe's aggregated ingredients are drawn
//! FIFO with their exact costs and the finished unit's inventory grows; all or nothing, in
//! one write transaction, idempotent on request.

use super::run_steps::{quantity_text, unit_cost_too_large, Counted, Made, RunSteps};
use crate::db::models::{FinishedUnit, Recipe};
use crate::db::schema::{production_consumptions, production_runs, recipes};
use crate::db::Db;
use crate::db_write;
use crate::domain::aggregate::AggregatedLine;
use crate::domain::fifo::{per_unit, plan_draws, Draw};
use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::kinds::YieldMode;
use crate::domain::limits::{mul_count, sum_money, LimitExceeded};
use crate::error::{AppError, AppResult, Shortfall};
use crate::store::idempotency::{once_per_key, Idempotency, IdempotencySteps, RECORD_PRODUCTION};
use crate::store::recipes::LoadRecipeTree;
use crate::store::run_totals::RunTotalsTx;
use crate::store::runs::ProductionRun;
use crate::store::stock::{lot_stock, RowLocks, StockTx};
use crate::store::{clean_text, new_uuid, now, stored_time};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::future::Future;

/// A validated production to record.
#[derive(Debug, Clone)]
pub struct NewProduction {
    /// The recipe baked.
    pub recipe_id: i64,
    /// Its finished unit that the batches yielded.
    pub finished_unit_id: i64,
    /// Batches baked (> 0).
    pub num_batches: i32,
    /// Items yielded (≥ 0).
    pub actual_yield: i32,
    /// The event it counts for, if any.
    pub event_id: Option<i64>,
    /// When it was baked.
    pub produced_at: NaiveDateTime,
    /// Free text.
    pub notes: Option<String>,
    /// Optional idempotency key.
    pub idempotency: Option<Idempotency>,
    /// Who records it: the calling API token's name (`None` with authentication off).
    /// A replay returns the first run with its own author.
    pub recorded_by: Option<String>,
}

/// A recorded (or replayed) production run.
#[derive(Debug, Clone)]
pub struct RecordedProduction {
    /// The run.
    pub run: ProductionRun,
    /// Things worth telling the baker that are not errors (a target exceeded).
    pub warnings: Vec<String>,
    /// True when an earlier request with the same idempotency key produced the run.
    pub replayed: bool,
}

/// Items a number of batches should yield: pieces per batch, or for portions, how many
/// portions of the given percentage the batches make (one per batch at 100%). A yield
/// beyond [`MAX_COUNT`](crate::domain::limits::MAX_COUNT) is an error naming `unit`,
/// never a saturated number.
pub fn expected_yield(
    mode: YieldMode,
    num_batches: i32,
    items_per_batch: Option<i32>,
    batch_percentage: Option<i64>,
    unit: &str,
) -> Result<i32, LimitExceeded> {
    let what = || format!("the expected yield of {num_batches} batches of \"{unit}\"");
    let expected = match mode {
        YieldMode::DiscreteCount => mul_count(
            i64::from(num_batches),
            i64::from(items_per_batch.unwrap_or(0)),
            what,
        )?,
        YieldMode::BatchPortion => {
            let pct = batch_percentage.unwrap_or(100_000_000).max(1);
            // num_batches < 2^31 and 10^8 < 2^27: the product fits i64.
            mul_count(1, i64::from(num_batches) * 100_000_000 / pct, what)?
        }
    };
    i32::try_from(expected).map_err(|_| LimitExceeded::count(what()))
}

/// Records a production run (SPEC §1.5). With an idempotency key, a retry of the same
/// request returns the first run and records nothing; the same key with another request
/// is `CONFLICT`.
pub async fn record_production(db: &Db, input: NewProduction) -> AppResult<RecordedProduction> {
    if input.num_batches <= 0 {
        return Err(AppError::bad_input("numBatches must be greater than zero"));
    }
    if input.actual_yield < 0 {
        return Err(AppError::bad_input("actualYield must not be negative"));
    }
    once_per_key(input.idempotency.as_ref(), || {
        record_production_once(db, &input)
    })
    .await
}

/// One draw from a lot for one ingredient line (by its index in the lines).
type LineDraw = (usize, Draw);

/// What a run costs and yields, computed before it is inserted.
struct RunFigures {
    expected_yield: i32,
    total: i64,
    unit_cost: i64,
}

async fn record_production_once(db: &Db, input: &NewProduction) -> AppResult<RecordedProduction> {
    let ts = now();
    db_write!(db, |conn| {
        if let Some(run_id) = conn
            .replay_or_claim(RECORD_PRODUCTION, input.idempotency.as_ref())
            .await?
        {
            let run = crate::find_row!(
                conn,
                production_runs::table,
                ProductionRun,
                run_id,
                crate::domain::entity::Entity::ProductionRun
            );
            return Ok(RecordedProduction {
                run,
                warnings: Vec::new(),
                replayed: true,
            });
        }
        let recipe = crate::find_row!(
            conn,
            recipes::table,
            Recipe,
            input.recipe_id,
            crate::domain::entity::Entity::Recipe
        );
        let unit = conn
            .lock_yielded_unit(input.finished_unit_id, &recipe)
            .await?;
        conn.check_event(input.event_id).await?;
        let tree = conn.load_recipe_tree(&[recipe.id]).await?;
        let lines = crate::store::recipes::aggregate_tree(
            &tree,
            recipe.id,
            Decimal::from(input.num_batches),
        )?;
        let draws = conn.plan_ingredient_draws(&lines).await?;
        let plain: Vec<Draw> = draws.iter().map(|(_, d)| *d).collect();
        // Every limit is checked before the first write.
        let total = sum_money(plain.iter().map(|d| d.cost), || {
            format!("the ingredient cost of this run of \"{}\"", recipe.name)
        })?;
        let added = i64::from(input.actual_yield);
        let made = Made::unit(&unit);
        let inventory = made.inventory_after(added)?;
        let mode: YieldMode = unit.yield_mode.parse().map_err(AppError::Internal)?;
        let expected_yield = expected_yield(
            mode,
            input.num_batches,
            unit.items_per_batch,
            unit.batch_percentage,
            &unit.name,
        )?;
        conn.apply_draws(&plain).await?;
        let unit_cost = per_unit(total, added).ok_or_else(|| unit_cost_too_large(total, added))?;
        let figures = RunFigures {
            expected_yield,
            total,
            unit_cost,
        };
        let run = conn.insert_production_run(input, &figures, ts).await?;
        if let Some(event_id) = run.event_id {
            conn.add_production(
                event_id,
                run.recipe_id,
                &recipe.name,
                run.num_batches,
                run.actual_yield,
                run.total_ingredient_cost,
            )
            .await?;
        }
        conn.insert_production_consumptions(&run, &lines, &draws, ts)
            .await?;
        conn.restock(&made, inventory, added, unit_cost, ts).await?;
        let counted = Counted::Batches {
            recipe_id: recipe.id,
            name: &recipe.name,
        };
        let warnings = conn.target_warning(input.event_id, counted).await?;
        conn.settle(RECORD_PRODUCTION, input.idempotency.as_ref(), run.id)
            .await?;
        Ok(RecordedProduction {
            run,
            warnings: warnings.into_iter().collect(),
            replayed: false,
        })
    })
}

/// The steps of recording a production run, inside its transaction.
trait ProductionSteps: Send {
    /// Locks the finished unit (first, see `RowLocks`: its inventory and average change);
    /// `NOT_FOUND` without it, `BAD_USER_INPUT` when `recipe` does not yield it.
    fn lock_yielded_unit(
        &mut self,
        unit_id: i64,
        recipe: &Recipe,
    ) -> impl Future<Output = AppResult<FinishedUnit>> + Send;

    /// Locks the lots of the lines' ingredients and plans their FIFO draws;
    /// `INSUFFICIENT_INVENTORY` listing every short ingredient.
    fn plan_ingredient_draws(
        &mut self,
        lines: &[AggregatedLine],
    ) -> impl Future<Output = AppResult<Vec<LineDraw>>> + Send;

    /// Inserts the run.
    fn insert_production_run(
        &mut self,
        input: &NewProduction,
        figures: &RunFigures,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<ProductionRun>> + Send;

    /// Inserts one consumption record per draw.
    fn insert_production_consumptions(
        &mut self,
        run: &ProductionRun,
        lines: &[AggregatedLine],
        draws: &[LineDraw],
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl ProductionSteps {
        async fn lock_yielded_unit(&mut self, unit_id: i64, recipe: &Recipe) -> AppResult<FinishedUnit> {
            let unit = self
                .lock_finished_units(&[unit_id])
                .await?
                .remove(&unit_id)
                .ok_or_else(|| {
                    AppError::not_found(crate::domain::entity::Entity::FinishedUnit, unit_id)
                })?;
            if unit.recipe_id != recipe.id {
                return Err(AppError::bad_input(format!(
                    "finished unit \"{}\" is not yielded by recipe \"{}\"; choose one of the recipe's finished units",
                    unit.name, recipe.name
                )));
            }
            Ok(unit)
        }

        async fn plan_ingredient_draws(&mut self, lines: &[AggregatedLine]) -> AppResult<Vec<LineDraw>> {
            let ingredient_ids: Vec<i64> = lines.iter().map(|l| l.ingredient_id).collect();
            let lots = self.lock_lots(&ingredient_ids).await?;
            let mut draws = Vec::new();
            let mut missing = Vec::new();
            for (index, line) in lines.iter().enumerate() {
                let needed = to_scaled(line.quantity, Scale::Quantity)?;
                let stock: Vec<_> = lots
                    .get(&line.ingredient_id)
                    .map(|l| l.iter().map(lot_stock).collect())
                    .unwrap_or_default();
                let plan = plan_draws(&stock, needed);
                if plan.shortfall > 0 {
                    missing.push(Shortfall {
                        ingredient: Some(line.ingredient_name.clone()),
                        component: None,
                        needed: quantity_text(needed),
                        available: quantity_text(plan.available),
                        unit: line.unit.name().to_string(),
                    });
                }
                draws.extend(plan.draws.into_iter().map(|d| (index, d)));
            }
            if !missing.is_empty() {
                return Err(AppError::InsufficientInventory { missing });
            }
            Ok(draws)
        }

        async fn insert_production_run(
            &mut self,
            input: &NewProduction,
            figures: &RunFigures,
            ts: NaiveDateTime,
        ) -> AppResult<ProductionRun> {
            Ok(diesel::insert_into(production_runs::table)
                .values((
                    production_runs::uuid.eq(new_uuid()),
                    production_runs::created_at.eq(ts),
                    production_runs::updated_at.eq(ts),
                    production_runs::recipe_id.eq(input.recipe_id),
                    production_runs::finished_unit_id.eq(input.finished_unit_id),
                    production_runs::event_id.eq(input.event_id),
                    production_runs::num_batches.eq(input.num_batches),
                    production_runs::expected_yield.eq(figures.expected_yield),
                    production_runs::actual_yield.eq(input.actual_yield),
                    production_runs::produced_at.eq(stored_time(input.produced_at)),
                    production_runs::notes
                        .eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
                    production_runs::total_ingredient_cost.eq(figures.total),
                    production_runs::per_unit_cost.eq(figures.unit_cost),
                    production_runs::recorded_by.eq(clean_text(
                        crate::domain::text::RECORDED_BY,
                        input.recorded_by.clone(),
                    )?),
                ))
                .returning(ProductionRun::as_returning())
                .get_result(self)
                .await?)
        }

        async fn insert_production_consumptions(
            &mut self,
            run: &ProductionRun,
            lines: &[AggregatedLine],
            draws: &[LineDraw],
            ts: NaiveDateTime,
        ) -> AppResult<()> {
            // One statement per record: diesel-async cannot batch inserts on SQLite.
            for (index, d) in draws {
                let line = &lines[*index];
                diesel::insert_into(production_consumptions::table)
                    .values((
                        production_consumptions::uuid.eq(new_uuid()),
                        production_consumptions::created_at.eq(ts),
                        production_consumptions::updated_at.eq(ts),
                        production_consumptions::production_run_id.eq(run.id),
                        production_consumptions::ingredient_id.eq(Some(line.ingredient_id)),
                        production_consumptions::ingredient_name.eq(line.ingredient_name.clone()),
                        production_consumptions::lot_id.eq(Some(d.lot_id)),
                        production_consumptions::quantity.eq(d.quantity),
                        production_consumptions::unit.eq(line.unit.name()),
                        production_consumptions::unit_cost.eq(d.unit_cost),
                        production_consumptions::cost.eq(d.cost),
                    ))
                    .execute(self)
                    .await?;
            }
            Ok(())
        }
    }
}
