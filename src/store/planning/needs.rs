//! The recipe needs of events: what their assignments imply, down through packages and
//! nested finished goods to finished units and the batches of their recipes.

use crate::db::schema::{
    event_recipient_packages, finished_good_components, finished_units, package_items, recipes,
};
use crate::db::Db;
use crate::db_run;
use crate::domain::fixed::{from_scaled, Scale};
use crate::domain::kinds::YieldMode;
use crate::domain::names::name_key;
use crate::domain::needs::{
    batches_for_units, goods_wanted, units_needed, GoodPart, NeedsError, UnitYield,
    MAX_GOOD_NESTING,
};
use crate::error::{AppError, AppResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::{BTreeSet, HashMap};
use std::future::Future;

/// Finished units of one finished unit an event needs, and the batches that makes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecipeNeed {
    /// The recipe that makes the finished unit.
    pub recipe_id: i64,
    /// The finished unit.
    pub finished_unit_id: i64,
    /// Items needed.
    pub units_needed: i64,
    /// Batches of the recipe for those items, rounded up.
    pub batches_needed: i64,
}

/// A finished unit row as loaded: id, name, yield mode, items per batch, batch
/// percentage, recipe id, recipe name key.
type UnitRow = (i64, String, String, Option<i32>, Option<i64>, i64, String);

/// A finished unit as the needs see it.
struct UnitInfo {
    recipe_id: i64,
    recipe_key: String,
    unit_key: String,
    yield_: UnitYield,
}

/// The rows the needs of some events are computed from.
struct NeedRows {
    /// (event, package, quantity) of each assignment.
    assignments: Vec<(i64, i64, i32)>,
    /// (package, finished good, quantity) of each package item.
    items: Vec<(i64, i64, i32)>,
    /// The baked parts of every finished good reached.
    parts: HashMap<i64, Vec<GoodPart>>,
    /// Every finished unit reached.
    units: Vec<UnitRow>,
}

/// The recipe needs of many events, one list per event (events without needs map to an
/// empty list), each ordered by recipe name, then finished unit name.
pub async fn needs_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<RecipeNeed>>> {
    db_run!(db, |conn| conn.needs_of_events(event_ids).await)
}

/// Reading needs on a connection, so a write transaction can read them too.
pub trait NeedsSteps: Send {
    /// The recipe needs of many events, as [`needs_by_event_ids`] answers them (one query
    /// per level: assignments, package items, finished-good components per nesting level,
    /// finished units).
    fn needs_of_events(
        &mut self,
        event_ids: &[i64],
    ) -> impl Future<Output = AppResult<HashMap<i64, Vec<RecipeNeed>>>> + Send;
}

crate::impl_for_backends! {
    impl NeedsSteps {
        async fn needs_of_events(&mut self, event_ids: &[i64]) -> AppResult<HashMap<i64, Vec<RecipeNeed>>> {
            let assignments: Vec<(i64, i64, i32)> = event_recipient_packages::table
                .filter(event_recipient_packages::event_id.eq_any(event_ids))
                .select((
                    event_recipient_packages::event_id,
                    event_recipient_packages::package_id,
                    event_recipient_packages::quantity,
                ))
                .load(self)
                .await?;
            let package_ids: Vec<i64> = assignments
                .iter()
                .map(|a| a.1)
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect();
            let items: Vec<(i64, i64, i32)> = package_items::table
                .filter(package_items::package_id.eq_any(&package_ids))
                .select((
                    package_items::package_id,
                    package_items::finished_good_id,
                    package_items::quantity,
                ))
                .load(self)
                .await?;
            // Components of the goods, one query per nesting level; packaging is not baked.
            let mut seen: BTreeSet<i64> = items.iter().map(|i| i.1).collect();
            let mut frontier: Vec<i64> = seen.iter().copied().collect();
            let mut parts: HashMap<i64, Vec<GoodPart>> =
                seen.iter().map(|id| (*id, Vec::new())).collect();
            let mut unit_ids = BTreeSet::new();
            let mut level = 0;
            while !frontier.is_empty() {
                if level > MAX_GOOD_NESTING {
                    return Err(AppError::from(NeedsError::TooDeep(frontier[0])));
                }
                level += 1;
                let rows: Vec<(i64, Option<i64>, Option<i64>, i64)> = finished_good_components::table
                    .filter(finished_good_components::finished_good_id.eq_any(&frontier))
                    .filter(finished_good_components::packaging_ingredient_id.is_null())
                    .order((
                        finished_good_components::finished_good_id,
                        finished_good_components::position,
                        finished_good_components::id,
                    ))
                    .select((
                        finished_good_components::finished_good_id,
                        finished_good_components::finished_unit_id,
                        finished_good_components::component_good_id,
                        finished_good_components::quantity,
                    ))
                    .load(self)
                    .await?;
                frontier = Vec::new();
                for (good, unit, child, quantity) in rows {
                    // Whole items are stored at the quantity scale (× 10⁶).
                    let quantity = quantity / 1_000_000;
                    let part = match (unit, child) {
                        (Some(id), _) => {
                            unit_ids.insert(id);
                            GoodPart::Unit { id, quantity }
                        }
                        (None, Some(id)) => {
                            if seen.insert(id) {
                                parts.insert(id, Vec::new());
                                frontier.push(id);
                            }
                            GoodPart::Good { id, quantity }
                        }
                        (None, None) => continue,
                    };
                    parts.entry(good).or_default().push(part);
                }
            }
            let unit_ids: Vec<i64> = unit_ids.into_iter().collect();
            let units: Vec<UnitRow> = finished_units::table
                .inner_join(recipes::table)
                .filter(finished_units::id.eq_any(&unit_ids))
                .select((
                    finished_units::id,
                    finished_units::name,
                    finished_units::yield_mode,
                    finished_units::items_per_batch,
                    finished_units::batch_percentage,
                    recipes::id,
                    recipes::name_key,
                ))
                .load(self)
                .await?;
            needs_per_event(event_ids, NeedRows { assignments, items, parts, units })
        }
    }
}

/// The needs of each event from the rows loaded for them all.
fn needs_per_event(event_ids: &[i64], rows: NeedRows) -> AppResult<HashMap<i64, Vec<RecipeNeed>>> {
    let NeedRows {
        assignments,
        items,
        parts,
        units,
    } = rows;
    let mut info: HashMap<i64, UnitInfo> = HashMap::new();
    for (id, name, mode, items_per_batch, percentage, recipe_id, recipe_key) in units {
        let mode: YieldMode = mode
            .parse()
            .map_err(|e: String| AppError::Internal(format!("finished unit {id}: {e}")))?;
        let yield_ = match (mode, items_per_batch, percentage) {
            (YieldMode::DiscreteCount, Some(n), _) => UnitYield::DiscreteCount {
                items_per_batch: i64::from(n),
            },
            (YieldMode::BatchPortion, _, Some(p)) => UnitYield::BatchPortion {
                batch_percentage: from_scaled(p, Scale::Quantity),
            },
            _ => {
                return Err(AppError::Internal(format!(
                    "finished unit {id} has no yield for {mode}"
                )))
            }
        };
        info.insert(
            id,
            UnitInfo {
                recipe_id,
                recipe_key,
                unit_key: name_key(&name),
                yield_,
            },
        );
    }
    let items_by_package: HashMap<i64, Vec<(i64, i64)>> =
        items
            .into_iter()
            .fold(HashMap::new(), |mut map, (package, good, quantity)| {
                map.entry(package)
                    .or_insert_with(Vec::new)
                    .push((good, i64::from(quantity)));
                map
            });
    let mut assignments_by_event: HashMap<i64, Vec<(i64, i64)>> = HashMap::new();
    for (event, package, quantity) in assignments {
        assignments_by_event
            .entry(event)
            .or_default()
            .push((package, i64::from(quantity)));
    }

    let mut out = HashMap::new();
    for &event_id in event_ids {
        let assigned = assignments_by_event
            .get(&event_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let wanted = goods_wanted(assigned, &items_by_package)?;
        let units = units_needed(&wanted, &parts)?;
        let mut rows = Vec::with_capacity(units.len());
        for (unit_id, count) in units {
            let unit = info.get(&unit_id).ok_or_else(|| {
                AppError::Internal(format!("finished unit {unit_id} is referenced but missing"))
            })?;
            rows.push((
                unit,
                RecipeNeed {
                    recipe_id: unit.recipe_id,
                    finished_unit_id: unit_id,
                    units_needed: count,
                    batches_needed: batches_for_units(count, unit.yield_)?,
                },
            ));
        }
        rows.sort_by(|(a, x), (b, y)| {
            (&a.recipe_key, a.recipe_id, &a.unit_key, x.finished_unit_id).cmp(&(
                &b.recipe_key,
                b.recipe_id,
                &b.unit_key,
                y.finished_unit_id,
            ))
        });
        out.insert(event_id, rows.into_iter().map(|(_, need)| need).collect());
    }
    Ok(out)
}
