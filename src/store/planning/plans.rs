//! What an event plans and has done per recipe: its need, its target, and the production
//! runs attributed to it; what cost summaries and shopping lists are computed from.

use super::suggested::suggested_targets_by_event_ids;
use crate::db::schema::{event_production_targets, event_production_totals as produced, recipes};
use crate::db::Db;
use crate::db_run;
use crate::error::{AppError, AppResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// What an event plans and has done for one recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RecipePlan {
    /// The recipe.
    pub recipe_id: i64,
    /// Batches its needs suggest, if it has any.
    pub need: Option<i64>,
    /// The event's target batches, if set.
    pub target: Option<i64>,
    /// Batches of the runs attributed to the event.
    pub produced_batches: i64,
    /// Ingredient cost of those runs (scaled money).
    pub actual_cost: i64,
}

fn plan_entry(
    plans: &mut HashMap<i64, BTreeMap<i64, RecipePlan>>,
    event: i64,
    recipe: i64,
) -> &mut RecipePlan {
    plans
        .entry(event)
        .or_default()
        .entry(recipe)
        .or_insert(RecipePlan {
            recipe_id: recipe,
            need: None,
            target: None,
            produced_batches: 0,
            actual_cost: 0,
        })
}

/// Per event, every recipe with a need, a target or attributed production runs, by
/// recipe name.
pub(super) async fn plans_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<RecipePlan>>> {
    let needs = suggested_targets_by_event_ids(db, event_ids).await?;
    let (targets, runs, names) = db_run!(db, |conn| {
        let targets: Vec<(i64, i64, i32)> = event_production_targets::table
            .filter(event_production_targets::event_id.eq_any(event_ids))
            .select((
                event_production_targets::event_id,
                event_production_targets::recipe_id,
                event_production_targets::target_batches,
            ))
            .load(conn)
            .await?;
        let runs: Vec<(i64, i64, i64, i64)> = produced::table
            .filter(produced::event_id.eq_any(event_ids))
            .select((
                produced::event_id,
                produced::recipe_id,
                produced::num_batches,
                produced::total_ingredient_cost,
            ))
            .load(conn)
            .await?;
        let recipe_ids: Vec<i64> = needs
            .values()
            .flatten()
            .map(|s| s.recipe_id)
            .chain(targets.iter().map(|t| t.1))
            .chain(runs.iter().map(|r| r.1))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let names: HashMap<i64, String> = recipes::table
            .filter(recipes::id.eq_any(&recipe_ids))
            .select((recipes::id, recipes::name_key))
            .load::<(i64, String)>(conn)
            .await?
            .into_iter()
            .collect();
        Ok::<_, AppError>((targets, runs, names))
    })?;
    let mut plans: HashMap<i64, BTreeMap<i64, RecipePlan>> = HashMap::new();
    for (&event, suggested) in &needs {
        for s in suggested {
            plan_entry(&mut plans, event, s.recipe_id).need = Some(s.batches);
        }
    }
    for (event, recipe, batches) in targets {
        plan_entry(&mut plans, event, recipe).target = Some(i64::from(batches));
    }
    for (event, recipe, batches, cost) in runs {
        let entry = plan_entry(&mut plans, event, recipe);
        entry.produced_batches = batches;
        entry.actual_cost = cost;
    }
    let empty = String::new();
    Ok(event_ids
        .iter()
        .map(|&event| {
            let mut list: Vec<RecipePlan> = plans
                .remove(&event)
                .map(|m| m.into_values().collect())
                .unwrap_or_default();
            list.sort_by(|a, b| {
                let key = |p: &RecipePlan| names.get(&p.recipe_id).unwrap_or(&empty).clone();
                key(a).cmp(&key(b)).then(a.recipe_id.cmp(&b.recipe_id))
            });
            (event, list)
        })
        .collect())
}
