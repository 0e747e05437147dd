//! Side-effect-free questions about stock: can this recipe be produced N times, can this
//! finished good be assembled N times, and what would a batch cost today.

use crate::db::schema::{
    finished_good_components, finished_goods, finished_units, ingredients, inventory_lots,
};
use crate::db::Db;
use crate::db_run;
use crate::domain::fifo::{cost_of, plan_draws, LotStock};
use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::kinds::ComponentKind;
use crate::error::{AppError, AppResult};
use crate::store::lots::InventoryLot;
use crate::store::recipes::LoadRecipeTree;
use crate::store::stock::lot_stock;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// How much of one ingredient a plan needs and how much is in stock (scaled quantities).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IngredientRequirement {
    /// The ingredient.
    pub ingredient_id: i64,
    /// Its unit (both quantities are in it).
    pub unit: String,
    /// Needed (scaled quantity).
    pub needed: i64,
    /// In stock (scaled quantity).
    pub available: i64,
}

/// How much of one finished-good component an assembly needs and how much is in stock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentRequirement {
    /// What it is.
    pub kind: ComponentKind,
    /// The finished unit, finished good or packaging ingredient.
    pub reference: i64,
    /// Its name.
    pub name: String,
    /// "each" for finished units and goods; the ingredient's unit for packaging.
    pub unit: String,
    /// Needed (scaled quantity; whole items × 10⁶ for units and goods).
    pub needed: i64,
    /// In stock (same scale).
    pub available: i64,
}

/// What `batches` batches of a recipe need, ingredient by ingredient, against stock on hand.
pub async fn recipe_requirements(
    db: &Db,
    recipe_id: i64,
    batches: i32,
) -> AppResult<Vec<IngredientRequirement>> {
    if batches <= 0 {
        return Err(AppError::bad_input("batches must be greater than zero"));
    }
    let (tree, on_hand) = db_run!(db, |conn| {
        let tree = conn.load_recipe_tree(&[recipe_id]).await?;
        let ids: Vec<i64> = tree.ingredients.keys().copied().collect();
        let on_hand: Vec<(i64, i64)> = inventory_lots::table
            .filter(inventory_lots::ingredient_id.eq_any(&ids))
            .group_by(inventory_lots::ingredient_id)
            .select((
                inventory_lots::ingredient_id,
                diesel::dsl::sql::<BigInt>("CAST(SUM(quantity_remaining) AS BIGINT)"),
            ))
            .load(conn)
            .await?;
        Ok::<_, AppError>((tree, on_hand.into_iter().collect::<HashMap<i64, i64>>()))
    })?;
    let lines = crate::store::recipes::aggregate_tree(&tree, recipe_id, Decimal::from(batches))?;
    lines
        .into_iter()
        .map(|line| {
            Ok(IngredientRequirement {
                ingredient_id: line.ingredient_id,
                unit: line.unit.name().to_string(),
                needed: to_scaled(line.quantity, Scale::Quantity)?,
                available: on_hand.get(&line.ingredient_id).copied().unwrap_or(0),
            })
        })
        .collect()
}

/// What assembling `quantity` of a finished good needs, component by component, against
/// inventory (finished units and goods) and stock on hand (packaging).
pub async fn good_requirements(
    db: &Db,
    good_id: i64,
    quantity: i32,
) -> AppResult<Vec<ComponentRequirement>> {
    if quantity <= 0 {
        return Err(AppError::bad_input("quantity must be greater than zero"));
    }
    db_run!(db, |conn| {
        crate::find_row!(
            conn,
            finished_goods::table,
            crate::db::models::FinishedGood,
            good_id,
            crate::domain::entity::Entity::FinishedGood
        );
        let components: Vec<crate::db::models::FinishedGoodComponent> =
            finished_good_components::table
                .filter(finished_good_components::finished_good_id.eq(good_id))
                .order((
                    finished_good_components::position,
                    finished_good_components::id,
                ))
                .select(crate::db::models::FinishedGoodComponent::as_select())
                .load(conn)
                .await?;
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
        let units: HashMap<i64, (String, i32)> = finished_units::table
            .filter(finished_units::id.eq_any(&unit_ids))
            .select((
                finished_units::id,
                finished_units::name,
                finished_units::inventory_count,
            ))
            .load::<(i64, String, i32)>(conn)
            .await?
            .into_iter()
            .map(|(id, name, count)| (id, (name, count)))
            .collect();
        let goods: HashMap<i64, (String, i32)> = finished_goods::table
            .filter(finished_goods::id.eq_any(&good_ids))
            .select((
                finished_goods::id,
                finished_goods::name,
                finished_goods::inventory_count,
            ))
            .load::<(i64, String, i32)>(conn)
            .await?
            .into_iter()
            .map(|(id, name, count)| (id, (name, count)))
            .collect();
        let packaging: HashMap<i64, (String, String)> = ingredients::table
            .filter(ingredients::id.eq_any(&packaging_ids))
            .select((ingredients::id, ingredients::name, ingredients::unit))
            .load::<(i64, String, String)>(conn)
            .await?
            .into_iter()
            .map(|(id, name, unit)| (id, (name, unit)))
            .collect();
        let on_hand: HashMap<i64, i64> = inventory_lots::table
            .filter(inventory_lots::ingredient_id.eq_any(&packaging_ids))
            .group_by(inventory_lots::ingredient_id)
            .select((
                inventory_lots::ingredient_id,
                diesel::dsl::sql::<BigInt>("CAST(SUM(quantity_remaining) AS BIGINT)"),
            ))
            .load::<(i64, i64)>(conn)
            .await?
            .into_iter()
            .collect();
        let quantity = i64::from(quantity);
        let missing = |what: &str, id: i64| {
            AppError::Internal(format!("{what} {id} is referenced but missing"))
        };
        components
            .iter()
            .map(|c| {
                Ok(if let Some(id) = c.finished_unit_id {
                    let (name, count) =
                        units.get(&id).ok_or_else(|| missing("finished unit", id))?;
                    ComponentRequirement {
                        kind: ComponentKind::FinishedUnit,
                        reference: id,
                        name: name.clone(),
                        unit: "each".into(),
                        needed: c.quantity * quantity,
                        available: i64::from(*count) * 1_000_000,
                    }
                } else if let Some(id) = c.component_good_id {
                    let (name, count) =
                        goods.get(&id).ok_or_else(|| missing("finished good", id))?;
                    ComponentRequirement {
                        kind: ComponentKind::FinishedGood,
                        reference: id,
                        name: name.clone(),
                        unit: "each".into(),
                        needed: c.quantity * quantity,
                        available: i64::from(*count) * 1_000_000,
                    }
                } else {
                    let id = c
                        .packaging_ingredient_id
                        .ok_or_else(|| missing("component", c.id))?;
                    let (name, unit) = packaging
                        .get(&id)
                        .ok_or_else(|| missing("ingredient", id))?;
                    ComponentRequirement {
                        kind: ComponentKind::Packaging,
                        reference: id,
                        name: name.clone(),
                        unit: unit.clone(),
                        needed: c.quantity * quantity,
                        available: on_hand.get(&id).copied().unwrap_or(0),
                    }
                })
            })
            .collect::<AppResult<Vec<_>>>()
    })
}

/// The estimated cost of one batch of each recipe (scaled money): a FIFO dry run over the
/// current lots, any shortfall priced at the ingredient's latest purchase price (zero if it
/// was never bought). Loads everything for all recipes in a bounded number of queries.
pub async fn estimated_batch_costs(db: &Db, recipe_ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    let (tree, lots) = db_run!(db, |conn| {
        let tree = conn.load_recipe_tree(recipe_ids).await?;
        let ids: Vec<i64> = tree.ingredients.keys().copied().collect();
        let lots: Vec<InventoryLot> = inventory_lots::table
            .filter(inventory_lots::ingredient_id.eq_any(&ids))
            .order((
                inventory_lots::ingredient_id,
                inventory_lots::purchased_on,
                inventory_lots::id,
            ))
            .select(InventoryLot::as_select())
            .load(conn)
            .await?;
        Ok::<_, AppError>((tree, crate::store::group_by(lots, |l| l.ingredient_id)))
    })?;
    let mut costs = HashMap::new();
    for &recipe_id in recipe_ids.iter().filter(|id| tree.recipes.contains_key(id)) {
        let lines = crate::store::recipes::aggregate_tree(&tree, recipe_id, Decimal::ONE)?;
        let mut total = 0i64;
        for line in lines {
            let needed = to_scaled(line.quantity, Scale::Quantity)?;
            let history = lots
                .get(&line.ingredient_id)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let stock: Vec<LotStock> = history.iter().map(lot_stock).collect();
            let plan = plan_draws(&stock, needed);
            let latest_price = history.last().map(|lot| lot.unit_cost).unwrap_or(0);
            total += plan.cost() + cost_of(plan.shortfall, latest_price);
        }
        costs.insert(recipe_id, total);
    }
    Ok(costs)
}
