//! The production targets an event's needs suggest, and setting them.

use super::needs::{NeedsSteps, RecipeNeed};
use crate::db::Db;
use crate::db_write;
use crate::domain::needs;
use crate::error::{AppError, AppResult};
use crate::store::now;
use crate::store::targets::{check_target_batches, EventProductionTarget, TargetSteps};
use std::collections::{BTreeSet, HashMap};

/// A production target the needs suggest: batches of a recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuggestedTarget {
    /// The recipe.
    pub recipe_id: i64,
    /// The sum of the rounded-up batches of the recipe's finished units.
    pub batches: i64,
}

/// The production targets the needs suggest: per recipe, the sum of its finished units'
/// rounded-up batches, in the needs' order (by recipe name).
pub fn suggest(needs: &[RecipeNeed]) -> AppResult<Vec<SuggestedTarget>> {
    let totals = needs::batches_per_recipe(needs.iter().map(|n| (n.recipe_id, n.batches_needed)))?;
    let mut seen = BTreeSet::new();
    Ok(needs
        .iter()
        .filter(|n| seen.insert(n.recipe_id))
        .map(|n| SuggestedTarget {
            recipe_id: n.recipe_id,
            batches: totals[&n.recipe_id],
        })
        .collect())
}

/// The suggested targets of many events (see [`suggest`]).
pub async fn suggested_targets_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<SuggestedTarget>>> {
    super::needs_by_event_ids(db, event_ids)
        .await?
        .into_iter()
        .map(|(event, needs)| Ok((event, suggest(&needs)?)))
        .collect()
}

/// Sets the event's production targets to its suggested targets, in one transaction that
/// also reads the needs, so the targets match the assignments they were computed from;
/// recipes without a need keep their targets. Returns the targets set, by recipe name.
pub async fn apply_suggested_targets(
    db: &Db,
    event_id: i64,
) -> AppResult<Vec<EventProductionTarget>> {
    let ts = now();
    db_write!(db, |conn| {
        let needs = conn.needs_of_events(&[event_id]).await?;
        let suggested = suggest(needs.get(&event_id).map(Vec::as_slice).unwrap_or(&[]))?;
        let targets = suggested
            .iter()
            .map(|s| {
                i32::try_from(s.batches)
                    .map(|batches| (s.recipe_id, batches))
                    .map_err(|_| {
                        AppError::bad_input(format!(
                            "{} batches are too many to set as a target",
                            s.batches
                        ))
                    })
            })
            .collect::<AppResult<Vec<_>>>()?;
        check_target_batches(&targets)?;
        conn.save_production_targets(event_id, &targets, &None, ts)
            .await
    })
}
