//! Recording an assembly run (SPEC §1.5): finished units and nested finished goods are
//! drawn from inventory at their average unit cost, packaging FIFO from its lots; all or
//! nothing, in one write transaction, idempotent on request.

use super::assembly_plan::{component_needs, plan_assembly, AssemblyPlan, ComponentNeed, Stock};
use super::run_steps::{unit_cost_too_large, Counted, Made, RunSteps};
use crate::db::models::{FinishedGood, FinishedGoodComponent, Ingredient};
use crate::db::schema::{
    assembly_consumptions, assembly_runs, finished_good_components, finished_goods, finished_units,
    ingredients,
};
use crate::db::Db;
use crate::db_write;
use crate::domain::fifo::per_unit;
use crate::domain::kinds::ComponentKind;
use crate::domain::limits::sum_money;
use crate::error::{AppError, AppResult};
use crate::store::idempotency::{once_per_key, Idempotency, IdempotencySteps, RECORD_ASSEMBLY};
use crate::store::run_totals::RunTotalsTx;
use crate::store::runs::AssemblyRun;
use crate::store::stock::{RowLocks, StockTx};
use crate::store::{clean_text, new_uuid, now, stored_time};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::future::Future;

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

/// Records an assembly run (SPEC §1.5): finished units and nested finished goods are drawn
/// from inventory at their average unit cost, packaging FIFO from its lots; all or nothing.
pub async fn record_assembly(db: &Db, input: NewAssembly) -> AppResult<RecordedAssembly> {
    if input.quantity <= 0 {
        return Err(AppError::bad_input("quantity must be greater than zero"));
    }
    once_per_key(input.idempotency.as_ref(), || {
        record_assembly_once(db, &input)
    })
    .await
}

async fn record_assembly_once(db: &Db, input: &NewAssembly) -> AppResult<RecordedAssembly> {
    let ts = now();
    db_write!(db, |conn| {
        if let Some(run_id) = conn
            .replay_or_claim(RECORD_ASSEMBLY, input.idempotency.as_ref())
            .await?
        {
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
        let good = crate::find_row!(
            conn,
            finished_goods::table,
            FinishedGood,
            input.finished_good_id,
            crate::domain::entity::Entity::FinishedGood
        );
        conn.check_event(input.event_id).await?;
        let components = conn.composition(&good).await?;
        let (good, stock) = conn.lock_components(good, &components).await?;
        let quantity = i64::from(input.quantity);
        let needs = component_needs(&components, &stock, quantity)?;
        let plan = plan_assembly(&needs, &stock)?;
        // Every limit is checked before the first write.
        let total = sum_money(plan.takes.iter().map(|t| t.cost), || {
            format!("the component cost of this assembly of \"{}\"", good.name)
        })?;
        let made = Made::good(&good);
        let inventory = made.inventory_after(quantity)?;
        conn.take_components(&plan, &stock, ts).await?;
        let unit_cost =
            per_unit(total, quantity).ok_or_else(|| unit_cost_too_large(total, quantity))?;
        let run = conn
            .insert_assembly_run(input, total, unit_cost, ts)
            .await?;
        if let Some(event_id) = run.event_id {
            conn.add_assembly(event_id, run.finished_good_id, &good.name, run.quantity)
                .await?;
        }
        conn.insert_assembly_consumptions(&run, &needs, &plan, ts)
            .await?;
        conn.restock(&made, inventory, quantity, unit_cost, ts)
            .await?;
        let counted = Counted::Items {
            good_id: good.id,
            name: &good.name,
        };
        let warnings = conn.target_warning(input.event_id, counted).await?;
        conn.settle(RECORD_ASSEMBLY, input.idempotency.as_ref(), run.id)
            .await?;
        Ok(RecordedAssembly {
            run,
            warnings: warnings.into_iter().collect(),
            replayed: false,
        })
    })
}

/// The steps of recording an assembly, inside its transaction.
trait AssemblySteps: Send {
    /// The good's components in their order; `BAD_USER_INPUT` when it has none. This is
    /// the composition the assembly uses.
    fn composition(
        &mut self,
        good: &FinishedGood,
    ) -> impl Future<Output = AppResult<Vec<FinishedGoodComponent>>> + Send;

    /// Locks in the one global order (see `RowLocks`): the good with its nested goods,
    /// then the finished units, then the packaging lots. Returns the good as re-read under
    /// its lock and the stock the components draw from.
    fn lock_components(
        &mut self,
        good: FinishedGood,
        components: &[FinishedGoodComponent],
    ) -> impl Future<Output = AppResult<(FinishedGood, Stock)>> + Send;

    /// Takes what the plan draws: packaging from its lots, items from the inventory of
    /// each finished unit and nested good.
    fn take_components(
        &mut self,
        plan: &AssemblyPlan,
        stock: &Stock,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;

    /// Inserts the run.
    fn insert_assembly_run(
        &mut self,
        input: &NewAssembly,
        total: i64,
        unit_cost: i64,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<AssemblyRun>> + Send;

    /// Inserts one consumption record per take of the plan.
    fn insert_assembly_consumptions(
        &mut self,
        run: &AssemblyRun,
        needs: &[ComponentNeed],
        plan: &AssemblyPlan,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl AssemblySteps {
        async fn composition(&mut self, good: &FinishedGood) -> AppResult<Vec<FinishedGoodComponent>> {
            let components: Vec<FinishedGoodComponent> = finished_good_components::table
                .filter(finished_good_components::finished_good_id.eq(good.id))
                .order((
                    finished_good_components::position,
                    finished_good_components::id,
                ))
                .select(FinishedGoodComponent::as_select())
                .load(self)
                .await?;
            if components.is_empty() {
                return Err(AppError::bad_input(format!(
                    "finished good \"{}\" has no components to assemble it from",
                    good.name
                )));
            }
            Ok(components)
        }

        async fn lock_components(
            &mut self,
            good: FinishedGood,
            components: &[FinishedGoodComponent],
        ) -> AppResult<(FinishedGood, Stock)> {
            let unit_ids: Vec<i64> = components.iter().filter_map(|c| c.finished_unit_id).collect();
            let mut good_locks: Vec<i64> =
                components.iter().filter_map(|c| c.component_good_id).collect();
            let packaging_ids: Vec<i64> = components
                .iter()
                .filter_map(|c| c.packaging_ingredient_id)
                .collect();
            good_locks.push(good.id);
            let mut goods = self.lock_finished_goods(&good_locks).await?;
            let good = goods.remove(&good.id).ok_or_else(|| {
                AppError::not_found(crate::domain::entity::Entity::FinishedGood, good.id)
            })?;
            let units = self.lock_finished_units(&unit_ids).await?;
            let packaging = ingredients::table
                .filter(ingredients::id.eq_any(&packaging_ids))
                .select(Ingredient::as_select())
                .load(self)
                .await?
                .into_iter()
                .map(|i: Ingredient| (i.id, i))
                .collect();
            let lots = self.lock_lots(&packaging_ids).await?;
            Ok((good, Stock { units, goods, packaging, lots }))
        }

        async fn take_components(
            &mut self,
            plan: &AssemblyPlan,
            stock: &Stock,
            ts: NaiveDateTime,
        ) -> AppResult<()> {
            self.apply_draws(&plan.lot_draws).await?;
            for (id, taken) in &plan.unit_taken {
                let u = &stock.units[id];
                diesel::update(finished_units::table.find(*id))
                    .set((
                        finished_units::inventory_count
                            .eq(u.inventory_count - i32::try_from(*taken).unwrap_or(i32::MAX)),
                        finished_units::updated_at.eq(ts),
                    ))
                    .execute(self)
                    .await?;
            }
            for (id, taken) in &plan.good_taken {
                let g = &stock.goods[id];
                diesel::update(finished_goods::table.find(*id))
                    .set((
                        finished_goods::inventory_count
                            .eq(g.inventory_count - i32::try_from(*taken).unwrap_or(i32::MAX)),
                        finished_goods::updated_at.eq(ts),
                    ))
                    .execute(self)
                    .await?;
            }
            Ok(())
        }

        async fn insert_assembly_run(
            &mut self,
            input: &NewAssembly,
            total: i64,
            unit_cost: i64,
            ts: NaiveDateTime,
        ) -> AppResult<AssemblyRun> {
            Ok(diesel::insert_into(assembly_runs::table)
                .values((
                    assembly_runs::uuid.eq(new_uuid()),
                    assembly_runs::created_at.eq(ts),
                    assembly_runs::updated_at.eq(ts),
                    assembly_runs::finished_good_id.eq(input.finished_good_id),
                    assembly_runs::event_id.eq(input.event_id),
                    assembly_runs::quantity.eq(input.quantity),
                    assembly_runs::assembled_at.eq(stored_time(input.assembled_at)),
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
                .get_result(self)
                .await?)
        }

        async fn insert_assembly_consumptions(
            &mut self,
            run: &AssemblyRun,
            needs: &[ComponentNeed],
            plan: &AssemblyPlan,
            ts: NaiveDateTime,
        ) -> AppResult<()> {
            for take in &plan.takes {
                let need = &needs[take.need];
                let reference = |kind: ComponentKind| (need.kind == kind).then_some(need.reference);
                // One statement per record: diesel-async cannot batch inserts on SQLite.
                diesel::insert_into(assembly_consumptions::table)
                    .values((
                        assembly_consumptions::uuid.eq(new_uuid()),
                        assembly_consumptions::created_at.eq(ts),
                        assembly_consumptions::updated_at.eq(ts),
                        assembly_consumptions::assembly_run_id.eq(run.id),
                        assembly_consumptions::kind.eq(need.kind.as_str()),
                        assembly_consumptions::finished_unit_id
                            .eq(reference(ComponentKind::FinishedUnit)),
                        assembly_consumptions::finished_good_id
                            .eq(reference(ComponentKind::FinishedGood)),
                        assembly_consumptions::ingredient_id
                            .eq(reference(ComponentKind::Packaging)),
                        assembly_consumptions::lot_id.eq(take.lot_id),
                        assembly_consumptions::component_name.eq(need.name.clone()),
                        assembly_consumptions::quantity.eq(take.quantity),
                        assembly_consumptions::unit.eq(need.unit.clone()),
                        assembly_consumptions::unit_cost.eq(take.unit_cost),
                        assembly_consumptions::cost.eq(take.cost),
                    ))
                    .execute(self)
                    .await?;
            }
            Ok(())
        }
    }
}
