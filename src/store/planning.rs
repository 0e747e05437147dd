//! Planning an event (SPEC §1.6): what its assignments imply (recipe needs and suggested
//! targets), what to buy for the batches still to bake (shopping list), and what it costs
//! (planned against actual).
//!
//! Every function takes many event ids at once and answers in a bounded number of queries
//! (one per level: assignments, package items, finished-good components per nesting level,
//! finished units; then targets, attributed runs, recipe trees and stock), so a page of
//! events costs what one event costs. The arithmetic is in [`crate::domain::needs`].

use crate::db::schema::{
    event_production_targets, event_production_totals as produced, event_recipient_packages,
    finished_good_components, finished_units, inventory_lots, package_items, products, recipes,
};
use crate::db::Db;
use crate::db_run;
use crate::domain::fixed::{from_scaled, round_to, to_scaled, Scale};
use crate::domain::kinds::YieldMode;
use crate::domain::names::name_key;
use crate::domain::needs::{
    self, batches_for_units, goods_wanted, units_needed, GoodPart, NeedsError, UnitYield,
    MAX_GOOD_NESTING,
};
use crate::domain::units::{convert, Unit};
use crate::error::{AppError, AppResult};
use crate::store::recipes::LoadRecipeTree;
use crate::store::targets::EventProductionTarget;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

impl From<NeedsError> for AppError {
    fn from(error: NeedsError) -> Self {
        AppError::Internal(error.to_string())
    }
}

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

/// A production target the needs suggest: batches of a recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SuggestedTarget {
    /// The recipe.
    pub recipe_id: i64,
    /// The sum of the rounded-up batches of the recipe's finished units.
    pub batches: i64,
}

/// One short ingredient of an event's shopping list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShoppingItem {
    /// The ingredient.
    pub ingredient_id: i64,
    /// Needed for the remaining batches (scaled quantity, in `unit`).
    pub needed: i64,
    /// In stock (scaled quantity).
    pub on_hand: i64,
    /// needed − on hand (scaled quantity, > 0).
    pub shortfall: i64,
    /// The ingredient's stock unit.
    pub unit: String,
    /// The product to buy: the preferred one, else the first; `None` without products.
    pub product_id: Option<i64>,
    /// Whole packages of the product covering the shortfall.
    pub packages_to_buy: Option<i64>,
    /// Estimated cost at the latest purchase price (scaled money); `None` when the
    /// ingredient was never bought.
    pub estimated_cost: Option<i64>,
}

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

/// The recipe needs of many events, one list per event (events without needs map to an
/// empty list), each ordered by recipe name, then finished unit name.
pub async fn needs_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<RecipeNeed>>> {
    let (assignments, items, parts, units) = db_run!(db, |conn| {
        let assignments: Vec<(i64, i64, i32)> = event_recipient_packages::table
            .filter(event_recipient_packages::event_id.eq_any(event_ids))
            .select((
                event_recipient_packages::event_id,
                event_recipient_packages::package_id,
                event_recipient_packages::quantity,
            ))
            .load(conn)
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
            .load(conn)
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
                .load(conn)
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
            .load(conn)
            .await?;
        Ok::<_, AppError>((assignments, items, parts, units))
    })?;

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
    needs_by_event_ids(db, event_ids)
        .await?
        .into_iter()
        .map(|(event, needs)| Ok((event, suggest(&needs)?)))
        .collect()
}

/// Sets the event's production targets to its suggested targets, in one transaction;
/// recipes without a need keep their targets. Returns the targets set, by recipe name.
pub async fn apply_suggested_targets(
    db: &Db,
    event_id: i64,
) -> AppResult<Vec<EventProductionTarget>> {
    let needs = needs_by_event_ids(db, &[event_id]).await?;
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
    crate::store::targets::set_production_targets(db, event_id, targets, None).await
}

/// What an event plans and has done for one recipe.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RecipePlan {
    recipe_id: i64,
    need: Option<i64>,
    target: Option<i64>,
    produced_batches: i64,
    actual_cost: i64,
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
async fn plans_by_event_ids(
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

/// The shopping lists of many events: the ingredients of the batches still to bake
/// (per recipe: target, else need, minus the batches produced for the event), summed per
/// ingredient, against stock on hand; only short ingredients, by ingredient name.
/// Packaging that assembly would use is not included: the list covers recipe batches.
pub async fn shopping_lists(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, Vec<ShoppingItem>>> {
    let plans = plans_by_event_ids(db, event_ids).await?;
    let remaining: HashMap<i64, Vec<(i64, i64)>> = plans
        .into_iter()
        .map(|(event, list)| {
            let batches = list
                .into_iter()
                .map(|p| {
                    (
                        p.recipe_id,
                        needs::remaining_batches(p.target, p.need, p.produced_batches),
                    )
                })
                .filter(|(_, batches)| *batches > 0)
                .collect();
            (event, batches)
        })
        .collect();
    let recipe_ids: Vec<i64> = remaining
        .values()
        .flatten()
        .map(|(recipe, _)| *recipe)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let mut out: HashMap<i64, Vec<ShoppingItem>> =
        event_ids.iter().map(|id| (*id, Vec::new())).collect();
    if recipe_ids.is_empty() {
        return Ok(out);
    }
    let (tree, on_hand, product_rows, latest_prices) = db_run!(db, |conn| {
        let tree = conn.load_recipe_tree(&recipe_ids).await?;
        let ids: Vec<i64> = tree.ingredients.keys().copied().collect();
        let on_hand: HashMap<i64, i64> = inventory_lots::table
            .filter(inventory_lots::ingredient_id.eq_any(&ids))
            .group_by(inventory_lots::ingredient_id)
            .select((
                inventory_lots::ingredient_id,
                diesel::dsl::sql::<BigInt>("CAST(SUM(quantity_remaining) AS BIGINT)"),
            ))
            .load::<(i64, i64)>(conn)
            .await?
            .into_iter()
            .collect();
        let product_rows: Vec<(i64, i64, i64, String)> = products::table
            .filter(products::ingredient_id.eq_any(&ids))
            .order((
                products::ingredient_id,
                products::preferred.desc(),
                products::id,
            ))
            .select((
                products::ingredient_id,
                products::id,
                products::package_quantity,
                products::package_unit,
            ))
            .load(conn)
            .await?;
        // The latest lot of each ingredient (by purchase date, then creation) sets its price.
        let lots: Vec<(i64, i64)> = inventory_lots::table
            .filter(inventory_lots::ingredient_id.eq_any(&ids))
            .order((
                inventory_lots::ingredient_id,
                inventory_lots::purchased_on,
                inventory_lots::id,
            ))
            .select((inventory_lots::ingredient_id, inventory_lots::unit_cost))
            .load(conn)
            .await?;
        let latest: HashMap<i64, i64> = lots.into_iter().collect();
        Ok::<_, AppError>((tree, on_hand, product_rows, latest))
    })?;
    // The first row per ingredient is its preferred product, else its oldest.
    let mut product_of: HashMap<i64, (i64, i64, String)> = HashMap::new();
    for (ingredient, id, quantity, unit) in product_rows {
        product_of.entry(ingredient).or_insert((id, quantity, unit));
    }
    let overflow = |name: &str| {
        AppError::bad_input(format!(
            "the quantities of \"{name}\" are too large to add up"
        ))
    };
    for (event, batches) in remaining {
        let mut totals: BTreeMap<i64, Decimal> = BTreeMap::new();
        for (recipe, count) in batches {
            for line in crate::store::recipes::aggregate_tree(&tree, recipe, Decimal::from(count))?
            {
                let total = totals.entry(line.ingredient_id).or_default();
                *total = total
                    .checked_add(line.quantity)
                    .ok_or_else(|| overflow(&line.ingredient_name))?;
            }
        }
        let mut items = Vec::new();
        for (ingredient_id, total) in totals {
            let ingredient = tree.ingredients.get(&ingredient_id).ok_or_else(|| {
                AppError::Internal(format!(
                    "ingredient {ingredient_id} is missing from the tree"
                ))
            })?;
            let needed = to_scaled(total, Scale::Quantity)?;
            let held = on_hand.get(&ingredient_id).copied().unwrap_or(0).max(0);
            let shortfall = needed - held;
            if shortfall <= 0 {
                continue;
            }
            let short = from_scaled(shortfall, Scale::Quantity);
            let price = latest_prices
                .get(&ingredient_id)
                .map(|raw| from_scaled(*raw, Scale::UnitPrice));
            let (product_id, packages_to_buy, estimated_cost) = match product_of.get(&ingredient_id)
            {
                Some((product_id, quantity, unit)) => {
                    let unit: Unit = unit.parse()?;
                    let size = round_to(
                        convert(
                            from_scaled(*quantity, Scale::Quantity),
                            unit,
                            ingredient.unit,
                            ingredient.density.as_ref(),
                            &ingredient.name,
                        )?,
                        Scale::Quantity,
                    );
                    let packages = needs::packages_to_buy(short, size).ok_or_else(|| {
                        AppError::bad_input(format!(
                            "a package of \"{}\" is too small to buy by the package",
                            ingredient.name
                        ))
                    })?;
                    let cost = match price {
                        Some(price) => Some(
                            needs::cost_of(Decimal::from(packages) * size, price)
                                .ok_or_else(|| overflow(&ingredient.name))?,
                        ),
                        None => None,
                    };
                    (Some(*product_id), Some(packages), cost)
                }
                None => {
                    let cost = match price {
                        Some(price) => Some(
                            needs::cost_of(short, price)
                                .ok_or_else(|| overflow(&ingredient.name))?,
                        ),
                        None => None,
                    };
                    (None, None, cost)
                }
            };
            items.push((
                name_key(&ingredient.name),
                ShoppingItem {
                    ingredient_id,
                    needed,
                    on_hand: held,
                    shortfall,
                    unit: ingredient.unit.name().to_string(),
                    product_id,
                    packages_to_buy,
                    estimated_cost: estimated_cost
                        .map(|cost| to_scaled(cost, Scale::Money))
                        .transpose()?,
                },
            ));
        }
        items.sort_by(|(a, x), (b, y)| a.cmp(b).then(x.ingredient_id.cmp(&y.ingredient_id)));
        out.insert(event, items.into_iter().map(|(_, item)| item).collect());
    }
    Ok(out)
}
