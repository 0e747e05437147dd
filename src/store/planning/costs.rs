//! Planned against actual cost of events.

use super::plans::plans_by_event_ids;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use std::collections::{BTreeSet, HashMap};

/// Planned against actual cost of one recipe for an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CostLine {
    /// The recipe.
    pub recipe_id: i64,
    /// The target's batches, else the need's, else 0.
    pub batches_planned: i64,
    /// Batches of the runs attributed to the event.
    pub batches_produced: i64,
    /// batches planned × estimated batch cost (scaled money).
    pub planned_cost: i64,
    /// Ingredient cost of the attributed runs (scaled money).
    pub actual_cost: i64,
}

/// Planned against actual cost of an event, per recipe and in total.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CostSummary {
    /// Sum of the lines' planned cost (scaled money).
    pub planned_cost: i64,
    /// Sum of the lines' actual cost (scaled money).
    pub actual_cost: i64,
    /// One line per recipe with a target, a need or attributed runs, by recipe name.
    pub recipes: Vec<CostLine>,
}

/// The cost summaries of many events: per recipe with a target, a need or attributed runs,
/// planned batches (target, else need) × today's estimated batch cost against the
/// ingredient cost of the runs attributed to the event; totals per event.
pub async fn cost_summaries(db: &Db, event_ids: &[i64]) -> AppResult<HashMap<i64, CostSummary>> {
    let plans = plans_by_event_ids(db, event_ids).await?;
    let planned_recipes: Vec<i64> = plans
        .values()
        .flatten()
        .filter(|p| p.target.or(p.need).unwrap_or(0) > 0)
        .map(|p| p.recipe_id)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let batch_costs = if planned_recipes.is_empty() {
        HashMap::new()
    } else {
        crate::store::availability::estimated_batch_costs(db, &planned_recipes).await?
    };
    let overflow = || AppError::bad_input("the planned cost is too large to compute");
    let mut out = HashMap::new();
    for (event, list) in plans {
        let mut summary = CostSummary::default();
        for p in list {
            let batches_planned = p.target.or(p.need).unwrap_or(0);
            let batch_cost = batch_costs.get(&p.recipe_id).copied().unwrap_or(0);
            let planned_cost = batches_planned
                .checked_mul(batch_cost)
                .ok_or_else(overflow)?;
            summary.planned_cost = summary
                .planned_cost
                .checked_add(planned_cost)
                .ok_or_else(overflow)?;
            summary.actual_cost = summary
                .actual_cost
                .checked_add(p.actual_cost)
                .ok_or_else(overflow)?;
            summary.recipes.push(CostLine {
                recipe_id: p.recipe_id,
                batches_planned,
                batches_produced: p.produced_batches,
                planned_cost,
                actual_cost: p.actual_cost,
            });
        }
        out.insert(event, summary);
    }
    Ok(out)
}
