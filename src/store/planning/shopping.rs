//! Shopping lists of events: what to buy for the batches still to bake.

use super::plans::plans_by_event_ids;
use crate::db::schema::{inventory_lots, products};
use crate::db::Db;
use crate::db_run;
use crate::domain::fixed::{from_scaled, round_to, to_scaled, Scale};
use crate::domain::names::name_key;
use crate::domain::needs;
use crate::domain::units::{convert, Unit};
use crate::error::{AppError, AppResult};
use crate::store::recipes::LoadRecipeTree;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet, HashMap};

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
