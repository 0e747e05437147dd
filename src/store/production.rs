//! Recording production and assembly (SPEC §1.5): one write transaction each, all or
//! nothing, stock drawn FIFO with exact costs, idempotent on request.

use super::recipes::LoadRecipeTree;
use super::run_totals::RunTotalsTx;
use super::stock::{lot_stock, RowLocks, StockTx};
use super::{clean_text, new_uuid, now};
use crate::db::schema::{
    assembly_consumptions, assembly_runs, event_assembly_targets, event_production_targets, events,
    finished_good_components, finished_goods, finished_units, ingredients, production_consumptions,
    production_runs, recipes,
};
use crate::db::Db;
use crate::db_write;
use crate::domain::fifo::{cost_of, moving_average, per_unit, plan_draws, Draw};
use crate::domain::fixed::{from_scaled, to_scaled, Scale};
use crate::domain::kinds::{ComponentKind, YieldMode};
use crate::domain::limits::{add_count, mul_count, sum_money, LimitExceeded};
use crate::error::{AppError, AppResult, Shortfall};
use crate::store::runs::{AssemblyRun, ProductionRun};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The idempotency operation names.
const RECORD_PRODUCTION: &str = "recordProduction";
const RECORD_ASSEMBLY: &str = "recordAssembly";

/// A key the client sent with a recording mutation, and the fingerprint of the request.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The client's key.
    pub key: String,
    /// Fingerprint of the request as sent (see `stock::fingerprint`).
    pub fingerprint: String,
}

impl Idempotency {
    /// The idempotency of a request: `None` without a key; a blank key, one longer than
    /// 200 characters or one with NUL is `BAD_USER_INPUT`. `request` is the input as sent, fingerprinted to
    /// tell a retry from another request reusing the key.
    pub fn from_request(
        key: Option<&str>,
        request: &serde_json::Value,
    ) -> AppResult<Option<Idempotency>> {
        match key.map(str::trim) {
            None => Ok(None),
            Some("") => Err(AppError::bad_input("idempotencyKey must not be empty")),
            Some(key) => {
                crate::domain::text::check(crate::domain::text::IDEMPOTENCY_KEY, key)?;
                Ok(Some(Idempotency {
                    key: key.to_string(),
                    fingerprint: super::stock::fingerprint(request),
                }))
            }
        }
    }
}

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

/// A validated assembly to record.
#[derive(Debug, Clone)]
pub struct NewAssembly {
    /// The finished good assembled.
    pub finished_good_id: i64,
    /// How many (> 0).
    pub quantity: i32,
    /// The event it counts for, if any.
    pub event_id: Option<i64>,
    /// When it was assembled.
    pub assembled_at: NaiveDateTime,
    /// Free text.
    pub notes: Option<String>,
    /// Optional idempotency key.
    pub idempotency: Option<Idempotency>,
    /// Who records it: the calling API token's name (`None` with authentication off).
    /// A replay returns the first run with its own author.
    pub recorded_by: Option<String>,
}

/// A recorded (or replayed) assembly run.
#[derive(Debug, Clone)]
pub struct RecordedAssembly {
    /// The run.
    pub run: AssemblyRun,
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

/// A run whose cost per item is beyond a stored unit price (about 922 million).
fn unit_cost_too_large(total: i64, items: i64) -> AppError {
    AppError::bad_input(format!(
        "the cost per item of this run ({} for {items} items) would exceed {}; record more items per run",
        from_scaled(total, Scale::Money),
        i64::MAX / 10_000_000_000
    ))
}

/// `current + added` items of a finished unit or good, within `MAX_COUNT`.
fn new_inventory(current: i32, added: i64, name: &str) -> Result<i32, LimitExceeded> {
    let what = || format!("inventoryCount of \"{name}\"");
    let total = add_count(i64::from(current), added, what)?;
    i32::try_from(total).map_err(|_| LimitExceeded::count(what()))
}

/// A unique violation while recording with a key means a concurrent request with the same
/// key committed first (nothing else recorded here is unique); retrying finds its result.
fn is_idempotency_race(error: &AppError) -> bool {
    matches!(error, AppError::Duplicate { .. })
}

fn reused_key(key: &str) -> AppError {
    AppError::Conflict(format!(
        "idempotency key \"{key}\" was already used for a different request; use a new key for a new request"
    ))
}

fn quantity_text(raw: i64) -> String {
    from_scaled(raw, Scale::Quantity).to_string()
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
    // A concurrent request with the same key loses the race on the unique key; its retry
    // then finds the first run.
    match record_production_once(db, &input).await {
        Err(error) if input.idempotency.is_some() && is_idempotency_race(&error) => {
            record_production_once(db, &input).await
        }
        other => other,
    }
}

async fn record_production_once(db: &Db, input: &NewProduction) -> AppResult<RecordedProduction> {
    let ts = now();
    db_write!(db, |conn| {
        if let Some(idem) = &input.idempotency {
            if let Some((fingerprint, run_id)) = conn
                .find_idempotency_key(RECORD_PRODUCTION, &idem.key)
                .await?
            {
                if fingerprint != idem.fingerprint {
                    return Err(reused_key(&idem.key));
                }
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
            // Claimed first: a concurrent request with this key waits here until this
            // transaction ends, then replays its run instead of drawing stock again.
            conn.claim_idempotency_key(RECORD_PRODUCTION, &idem.key, &idem.fingerprint)
                .await?;
        }
        let recipe = crate::find_row!(
            conn,
            recipes::table,
            crate::db::models::Recipe,
            input.recipe_id,
            crate::domain::entity::Entity::Recipe
        );
        // Lock the finished unit first (see `RowLocks` for the order): its inventory and
        // average change below.
        let unit = conn
            .lock_finished_units(&[input.finished_unit_id])
            .await?
            .remove(&input.finished_unit_id)
            .ok_or_else(|| {
                AppError::not_found(
                    crate::domain::entity::Entity::FinishedUnit,
                    input.finished_unit_id,
                )
            })?;
        if unit.recipe_id != recipe.id {
            return Err(AppError::bad_input(format!(
                "finished unit \"{}\" is not yielded by recipe \"{}\"; choose one of the recipe's finished units",
                unit.name, recipe.name
            )));
        }
        if let Some(event_id) = input.event_id {
            crate::find_row!(
                conn,
                events::table,
                crate::db::models::Event,
                event_id,
                crate::domain::entity::Entity::Event
            );
        }
        let tree = conn.load_recipe_tree(&[recipe.id]).await?;
        let lines = crate::store::recipes::aggregate_tree(
            &tree,
            recipe.id,
            Decimal::from(input.num_batches),
        )?;
        let ingredient_ids: Vec<i64> = lines.iter().map(|l| l.ingredient_id).collect();
        let lots = conn.lock_lots(&ingredient_ids).await?;
        let mut draws: Vec<(usize, Draw)> = Vec::new();
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
        let plain: Vec<Draw> = draws.iter().map(|(_, d)| *d).collect();
        // Every limit is checked before the first write.
        let total = sum_money(plain.iter().map(|d| d.cost), || {
            format!("the ingredient cost of this run of \"{}\"", recipe.name)
        })?;
        let inventory = new_inventory(
            unit.inventory_count,
            i64::from(input.actual_yield),
            &unit.name,
        )?;
        let mode: YieldMode = unit.yield_mode.parse().map_err(AppError::Internal)?;
        let expected = expected_yield(
            mode,
            input.num_batches,
            unit.items_per_batch,
            unit.batch_percentage,
            &unit.name,
        )?;
        conn.apply_draws(&plain).await?;
        let unit_cost = per_unit(total, i64::from(input.actual_yield))
            .ok_or_else(|| unit_cost_too_large(total, i64::from(input.actual_yield)))?;
        let run: ProductionRun = diesel::insert_into(production_runs::table)
            .values((
                production_runs::uuid.eq(new_uuid()),
                production_runs::created_at.eq(ts),
                production_runs::updated_at.eq(ts),
                production_runs::recipe_id.eq(recipe.id),
                production_runs::finished_unit_id.eq(unit.id),
                production_runs::event_id.eq(input.event_id),
                production_runs::num_batches.eq(input.num_batches),
                production_runs::expected_yield.eq(expected),
                production_runs::actual_yield.eq(input.actual_yield),
                production_runs::produced_at.eq(super::stored_time(input.produced_at)),
                production_runs::notes
                    .eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
                production_runs::total_ingredient_cost.eq(total),
                production_runs::per_unit_cost.eq(unit_cost),
                production_runs::recorded_by.eq(clean_text(
                    crate::domain::text::RECORDED_BY,
                    input.recorded_by.clone(),
                )?),
            ))
            .returning(ProductionRun::as_returning())
            .get_result(conn)
            .await?;
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
        if !draws.is_empty() {
            let records: Vec<_> = draws
                .iter()
                .map(|(index, d)| {
                    let line = &lines[*index];
                    (
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
                    )
                })
                .collect();
            // One statement per record: diesel-async cannot batch inserts on SQLite.
            for record in records {
                diesel::insert_into(production_consumptions::table)
                    .values(record)
                    .execute(conn)
                    .await?;
            }
        }
        let added = i64::from(input.actual_yield);
        let average = moving_average(
            i64::from(unit.inventory_count),
            unit.average_unit_cost,
            added,
            unit_cost,
        );
        diesel::update(finished_units::table.find(unit.id))
            .set((
                finished_units::inventory_count.eq(inventory),
                finished_units::average_unit_cost.eq(average),
                finished_units::updated_at.eq(ts),
            ))
            .execute(conn)
            .await?;
        let mut warnings = Vec::new();
        if let Some(event_id) = input.event_id {
            let target: Option<i32> = event_production_targets::table
                .filter(event_production_targets::event_id.eq(event_id))
                .filter(event_production_targets::recipe_id.eq(recipe.id))
                .select(event_production_targets::target_batches)
                .first(conn)
                .await
                .optional()?;
            if let Some(target) = target {
                let produced: i64 = production_runs::table
                    .filter(production_runs::event_id.eq(event_id))
                    .filter(production_runs::recipe_id.eq(recipe.id))
                    .select(diesel::dsl::sql::<BigInt>(
                        "CAST(COALESCE(SUM(num_batches), 0) AS BIGINT)",
                    ))
                    .first(conn)
                    .await?;
                if produced > i64::from(target) {
                    warnings.push(format!(
                        "the event's target for \"{}\" is {target} batches; {produced} are now produced",
                        recipe.name
                    ));
                }
            }
        }
        if let Some(idem) = &input.idempotency {
            conn.settle_idempotency_key(RECORD_PRODUCTION, &idem.key, run.id)
                .await?;
        }
        Ok(RecordedProduction {
            run,
            warnings,
            replayed: false,
        })
    })
}

/// Records an assembly run (SPEC §1.5): finished units and nested finished goods are drawn
/// from inventory at their average unit cost, packaging FIFO from its lots; all or nothing.
pub async fn record_assembly(db: &Db, input: NewAssembly) -> AppResult<RecordedAssembly> {
    if input.quantity <= 0 {
        return Err(AppError::bad_input("quantity must be greater than zero"));
    }
    match record_assembly_once(db, &input).await {
        Err(error) if input.idempotency.is_some() && is_idempotency_race(&error) => {
            record_assembly_once(db, &input).await
        }
        other => other,
    }
}

/// Whole items of a component that `quantity` assemblies need: `per_item × quantity`
/// (more than any inventory holds is then a shortfall), or `BAD_USER_INPUT` naming the
/// component when the product is beyond exact arithmetic.
fn component_need(per_item: i64, quantity: i64, name: &str) -> AppResult<i64> {
    per_item.checked_mul(quantity).ok_or_else(|| {
        AppError::bad_input(format!(
            "{per_item} × {quantity} items of \"{name}\" is more than can be counted; assemble fewer at once"
        ))
    })
}

/// One component's need in an assembly.
struct ComponentNeed {
    kind: ComponentKind,
    reference: i64,
    name: String,
    /// Whole items for units and goods, scaled quantity for packaging.
    needed: i64,
    unit: String,
}

async fn record_assembly_once(db: &Db, input: &NewAssembly) -> AppResult<RecordedAssembly> {
    let ts = now();
    db_write!(db, |conn| {
        if let Some(idem) = &input.idempotency {
            if let Some((fingerprint, run_id)) = conn
                .find_idempotency_key(RECORD_ASSEMBLY, &idem.key)
                .await?
            {
                if fingerprint != idem.fingerprint {
                    return Err(reused_key(&idem.key));
                }
                let run = crate::find_row!(
                    conn,
                    assembly_runs::table,
                    AssemblyRun,
                    run_id,
                    crate::domain::entity::Entity::AssemblyRun
                );
                return Ok(RecordedAssembly {
                    run,
                    warnings: Vec::new(),
                    replayed: true,
                });
            }
            // Claimed first: a concurrent request with this key waits here until this
            // transaction ends, then replays its run instead of drawing stock again.
            conn.claim_idempotency_key(RECORD_ASSEMBLY, &idem.key, &idem.fingerprint)
                .await?;
        }
        let good = crate::find_row!(
            conn,
            finished_goods::table,
            crate::db::models::FinishedGood,
            input.finished_good_id,
            crate::domain::entity::Entity::FinishedGood
        );
        if let Some(event_id) = input.event_id {
            crate::find_row!(
                conn,
                events::table,
                crate::db::models::Event,
                event_id,
                crate::domain::entity::Entity::Event
            );
        }
        let components: Vec<crate::db::models::FinishedGoodComponent> =
            finished_good_components::table
                .filter(finished_good_components::finished_good_id.eq(good.id))
                .order((
                    finished_good_components::position,
                    finished_good_components::id,
                ))
                .select(crate::db::models::FinishedGoodComponent::as_select())
                .load(conn)
                .await?;
        if components.is_empty() {
            return Err(AppError::bad_input(format!(
                "finished good \"{}\" has no components to assemble it from",
                good.name
            )));
        }
        let quantity = i64::from(input.quantity);
        let unit_ids: Vec<i64> = components
            .iter()
            .filter_map(|c| c.finished_unit_id)
            .collect();
        let good_ids: Vec<i64> = components
            .iter()
            .filter_map(|c| c.component_good_id)
            .collect();
        let packaging_ids: Vec<i64> = components
            .iter()
            .filter_map(|c| c.packaging_ingredient_id)
            .collect();
        // Lock in the one global order (see `RowLocks`): this good with its nested goods,
        // then the finished units, then the packaging lots. The good is re-read under its
        // lock; the composition read above is the one this assembly uses.
        let mut good_locks = good_ids.clone();
        good_locks.push(good.id);
        let mut goods = conn.lock_finished_goods(&good_locks).await?;
        let good = goods.remove(&good.id).ok_or_else(|| {
            AppError::not_found(
                crate::domain::entity::Entity::FinishedGood,
                input.finished_good_id,
            )
        })?;
        let units = conn.lock_finished_units(&unit_ids).await?;
        let packaging: HashMap<i64, crate::db::models::Ingredient> = ingredients::table
            .filter(ingredients::id.eq_any(&packaging_ids))
            .select(crate::db::models::Ingredient::as_select())
            .load(conn)
            .await?
            .into_iter()
            .map(|i: crate::db::models::Ingredient| (i.id, i))
            .collect();
        let lots = conn.lock_lots(&packaging_ids).await?;

        let mut needs = Vec::new();
        for c in &components {
            let per_item = c.quantity;
            let need = if let Some(id) = c.finished_unit_id {
                let u = units
                    .get(&id)
                    .ok_or_else(|| AppError::Internal(format!("finished unit {id} missing")))?;
                ComponentNeed {
                    kind: ComponentKind::FinishedUnit,
                    reference: id,
                    name: u.name.clone(),
                    needed: component_need(per_item / 1_000_000, quantity, &u.name)?,
                    unit: "each".into(),
                }
            } else if let Some(id) = c.component_good_id {
                let g = goods
                    .get(&id)
                    .ok_or_else(|| AppError::Internal(format!("finished good {id} missing")))?;
                ComponentNeed {
                    kind: ComponentKind::FinishedGood,
                    reference: id,
                    name: g.name.clone(),
                    needed: component_need(per_item / 1_000_000, quantity, &g.name)?,
                    unit: "each".into(),
                }
            } else {
                let id = c
                    .packaging_ingredient_id
                    .ok_or_else(|| AppError::Internal("component without reference".into()))?;
                let i = packaging
                    .get(&id)
                    .ok_or_else(|| AppError::Internal(format!("ingredient {id} missing")))?;
                ComponentNeed {
                    kind: ComponentKind::Packaging,
                    reference: id,
                    name: i.name.clone(),
                    needed: per_item.checked_mul(quantity).ok_or_else(|| {
                        AppError::bad_input(format!(
                            "{} {} of \"{}\" for {quantity} items is more than can be counted; assemble fewer at once",
                            from_scaled(per_item, Scale::Quantity),
                            i.unit,
                            i.name
                        ))
                    })?,
                    unit: i.unit.clone(),
                }
            };
            needs.push(need);
        }

        // Plan every draw first; refuse with every shortfall before writing anything.
        let mut missing = Vec::new();
        let mut records = Vec::new(); // (need index, lot id, quantity scaled, unit cost, cost)
        let mut unit_taken: HashMap<i64, i64> = HashMap::new();
        let mut good_taken: HashMap<i64, i64> = HashMap::new();
        let mut lot_draws: Vec<Draw> = Vec::new();
        for (index, need) in needs.iter().enumerate() {
            match need.kind {
                ComponentKind::FinishedUnit | ComponentKind::FinishedGood => {
                    let (available, average, taken) = if need.kind == ComponentKind::FinishedUnit {
                        let u = &units[&need.reference];
                        (
                            i64::from(u.inventory_count),
                            u.average_unit_cost,
                            unit_taken.entry(need.reference).or_default(),
                        )
                    } else {
                        let g = &goods[&need.reference];
                        (
                            i64::from(g.inventory_count),
                            g.average_unit_cost,
                            good_taken.entry(need.reference).or_default(),
                        )
                    };
                    let left = available - *taken;
                    if need.needed > left {
                        missing.push(Shortfall {
                            ingredient: None,
                            component: Some(need.name.clone()),
                            needed: need.needed.to_string(),
                            available: left.max(0).to_string(),
                            unit: need.unit.clone(),
                        });
                    } else {
                        *taken += need.needed;
                        let scaled = need.needed * 1_000_000;
                        records.push((index, None, scaled, average, cost_of(scaled, average)));
                    }
                }
                ComponentKind::Packaging => {
                    let stock: Vec<_> = lots
                        .get(&need.reference)
                        .map(|l| {
                            l.iter()
                                .map(|lot| {
                                    let mut s = lot_stock(lot);
                                    s.remaining -= lot_draws
                                        .iter()
                                        .filter(|d| d.lot_id == lot.id)
                                        .map(|d| d.quantity)
                                        .sum::<i64>();
                                    s
                                })
                                .collect()
                        })
                        .unwrap_or_default();
                    let plan = plan_draws(&stock, need.needed);
                    if plan.shortfall > 0 {
                        missing.push(Shortfall {
                            ingredient: None,
                            component: Some(need.name.clone()),
                            needed: quantity_text(need.needed),
                            available: quantity_text(plan.available),
                            unit: need.unit.clone(),
                        });
                    } else {
                        for d in plan.draws {
                            records.push((index, Some(d.lot_id), d.quantity, d.unit_cost, d.cost));
                            lot_draws.push(d);
                        }
                    }
                }
            }
        }
        if !missing.is_empty() {
            return Err(AppError::InsufficientInventory { missing });
        }
        // Every limit is checked before the first write.
        let total = sum_money(records.iter().map(|r| r.4), || {
            format!("the component cost of this assembly of \"{}\"", good.name)
        })?;
        let inventory = new_inventory(good.inventory_count, quantity, &good.name)?;
        conn.apply_draws(&lot_draws).await?;
        for (id, taken) in &unit_taken {
            let u = &units[id];
            diesel::update(finished_units::table.find(*id))
                .set((
                    finished_units::inventory_count
                        .eq(u.inventory_count - i32::try_from(*taken).unwrap_or(i32::MAX)),
                    finished_units::updated_at.eq(ts),
                ))
                .execute(conn)
                .await?;
        }
        for (id, taken) in &good_taken {
            let g = &goods[id];
            diesel::update(finished_goods::table.find(*id))
                .set((
                    finished_goods::inventory_count
                        .eq(g.inventory_count - i32::try_from(*taken).unwrap_or(i32::MAX)),
                    finished_goods::updated_at.eq(ts),
                ))
                .execute(conn)
                .await?;
        }
        let unit_cost =
            per_unit(total, quantity).ok_or_else(|| unit_cost_too_large(total, quantity))?;
        let run: AssemblyRun = diesel::insert_into(assembly_runs::table)
            .values((
                assembly_runs::uuid.eq(new_uuid()),
                assembly_runs::created_at.eq(ts),
                assembly_runs::updated_at.eq(ts),
                assembly_runs::finished_good_id.eq(good.id),
                assembly_runs::event_id.eq(input.event_id),
                assembly_runs::quantity.eq(input.quantity),
                assembly_runs::assembled_at.eq(super::stored_time(input.assembled_at)),
                assembly_runs::notes
                    .eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
                assembly_runs::total_component_cost.eq(total),
                assembly_runs::per_unit_cost.eq(unit_cost),
                assembly_runs::recorded_by.eq(clean_text(
                    crate::domain::text::RECORDED_BY,
                    input.recorded_by.clone(),
                )?),
            ))
            .returning(AssemblyRun::as_returning())
            .get_result(conn)
            .await?;
        if let Some(event_id) = run.event_id {
            conn.add_assembly(event_id, run.finished_good_id, &good.name, run.quantity)
                .await?;
        }
        let rows: Vec<_> = records
            .iter()
            .map(|(index, lot_id, quantity, unit_cost, cost)| {
                let need = &needs[*index];
                let reference = |kind: ComponentKind| (need.kind == kind).then_some(need.reference);
                (
                    assembly_consumptions::uuid.eq(new_uuid()),
                    assembly_consumptions::created_at.eq(ts),
                    assembly_consumptions::updated_at.eq(ts),
                    assembly_consumptions::assembly_run_id.eq(run.id),
                    assembly_consumptions::kind.eq(need.kind.as_str()),
                    assembly_consumptions::finished_unit_id
                        .eq(reference(ComponentKind::FinishedUnit)),
                    assembly_consumptions::finished_good_id
                        .eq(reference(ComponentKind::FinishedGood)),
                    assembly_consumptions::ingredient_id.eq(reference(ComponentKind::Packaging)),
                    assembly_consumptions::lot_id.eq(*lot_id),
                    assembly_consumptions::component_name.eq(need.name.clone()),
                    assembly_consumptions::quantity.eq(*quantity),
                    assembly_consumptions::unit.eq(need.unit.clone()),
                    assembly_consumptions::unit_cost.eq(*unit_cost),
                    assembly_consumptions::cost.eq(*cost),
                )
            })
            .collect();
        for row in rows {
            diesel::insert_into(assembly_consumptions::table)
                .values(row)
                .execute(conn)
                .await?;
        }
        let average = moving_average(
            i64::from(good.inventory_count),
            good.average_unit_cost,
            quantity,
            unit_cost,
        );
        diesel::update(finished_goods::table.find(good.id))
            .set((
                finished_goods::inventory_count.eq(inventory),
                finished_goods::average_unit_cost.eq(average),
                finished_goods::updated_at.eq(ts),
            ))
            .execute(conn)
            .await?;
        let mut warnings = Vec::new();
        if let Some(event_id) = input.event_id {
            let target: Option<i32> = event_assembly_targets::table
                .filter(event_assembly_targets::event_id.eq(event_id))
                .filter(event_assembly_targets::finished_good_id.eq(good.id))
                .select(event_assembly_targets::target_quantity)
                .first(conn)
                .await
                .optional()?;
            if let Some(target) = target {
                let assembled: i64 = assembly_runs::table
                    .filter(assembly_runs::event_id.eq(event_id))
                    .filter(assembly_runs::finished_good_id.eq(good.id))
                    .select(diesel::dsl::sql::<BigInt>(
                        "CAST(COALESCE(SUM(quantity), 0) AS BIGINT)",
                    ))
                    .first(conn)
                    .await?;
                if assembled > i64::from(target) {
                    warnings.push(format!(
                        "the event's target for \"{}\" is {target}; {assembled} are now assembled",
                        good.name
                    ));
                }
            }
        }
        if let Some(idem) = &input.idempotency {
            conn.settle_idempotency_key(RECORD_ASSEMBLY, &idem.key, run.id)
                .await?;
        }
        Ok(RecordedAssembly {
            run,
            warnings,
            replayed: false,
        })
    })
}
