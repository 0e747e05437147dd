//! Cross-entry checks of a document: the numbers that derive from others must agree with
//! them, so a document whose numbers contradict themselves is refused before anything is
//! written. What is checked:
//!
//! - a lot's `unitCost` is `totalCost / quantityPurchased` (rounded as a purchase rounds
//!   it), and its `quantityRemaining` is what was purchased minus every draw of the
//!   document's runs from it, plus its adjustments (`quantityAfter − quantityBefore`);
//! - a finished unit's or good's `inventoryCount` is what the document's runs added to it
//!   minus what the document's assembly runs drew from it;
//! - a production run's finished unit is yielded by its recipe and its `expectedYield`
//!   follows from `numBatches` and the finished unit's yield;
//! - recipes and finished goods contain no cycle, and recipes nest at most three deep.
//!
//! Checks that need a row of the database (a run of an existing finished unit, in MERGE)
//! are made by `import` once references are resolved. Averages cannot be recomputed (they
//! depend on the order in which runs were recorded) and are taken as given.

use super::check::Checked;
use super::values::bad;
use crate::domain::fixed::{from_scaled, to_scaled, Scale};
use crate::domain::kinds::ComponentKind;
use crate::domain::names::name_key;
use crate::domain::recipe_graph::RecipeGraph;
use crate::error::AppResult;
use std::collections::HashMap;

/// Runs every cross-entry check on a checked document.
pub fn check(c: &Checked) -> AppResult<()> {
    lots(c)?;
    inventories(c)?;
    runs(c)?;
    graphs(c)
}

/// What a lot's unit cost must be for its total cost and quantity.
pub fn lot_unit_cost(total_cost: i64, quantity: i64) -> Option<i64> {
    if quantity <= 0 {
        return None;
    }
    to_scaled(
        from_scaled(total_cost, Scale::Money) / from_scaled(quantity, Scale::Quantity),
        Scale::UnitPrice,
    )
    .ok()
}

fn lots(c: &Checked) -> AppResult<()> {
    let mut drawn: HashMap<&str, i64> = HashMap::new();
    let draws = c
        .activity
        .production_runs
        .iter()
        .flat_map(|r| r.consumptions.iter())
        .chain(
            c.activity
                .assembly_runs
                .iter()
                .flat_map(|r| r.consumptions.iter()),
        );
    for d in draws {
        if let Some(lot) = &d.lot {
            let sum = drawn.entry(lot.as_str()).or_default();
            *sum = sum.saturating_add(d.quantity);
        }
    }
    let products: HashMap<&str, &str> = c
        .products
        .iter()
        .map(|p| (p.row.uuid.as_str(), p.row.ingredient.as_str()))
        .collect();
    for lot in &c.lots {
        let (purchased, remaining, unit_cost, total_cost) = lot.amounts;
        if let Some(product) = &lot.row.product {
            if products
                .get(product.as_str())
                .is_some_and(|i| *i != lot.row.ingredient)
            {
                return Err(bad(
                    &format!("{}.product", lot.path),
                    format!(
                        "product {product} is not a product of \"{}\"",
                        lot.row.ingredient
                    ),
                ));
            }
        }
        if lot_unit_cost(total_cost, purchased) != Some(unit_cost) {
            return Err(bad(
                &format!("{}.unitCost", lot.path),
                format!(
                    "{} is not totalCost / quantityPurchased of lot {}",
                    lot.row.unit_cost, lot.row.uuid
                ),
            ));
        }
        let adjusted: i64 = lot.adjustments.iter().map(|a| a.after - a.before).sum();
        let expected =
            purchased - drawn.get(lot.row.uuid.as_str()).copied().unwrap_or(0) + adjusted;
        if expected != remaining {
            return Err(bad(
                &format!("{}.quantityRemaining", lot.path),
                format!(
                    "lot {} of \"{}\" says {} remain, but its purchase, the runs' draws and its adjustments leave {}",
                    lot.row.uuid,
                    lot.row.ingredient,
                    lot.row.quantity_remaining,
                    from_scaled(expected, Scale::Quantity)
                ),
            ));
        }
    }
    Ok(())
}

fn inventories(c: &Checked) -> AppResult<()> {
    let mut units: HashMap<&str, i64> = HashMap::new();
    let mut goods: HashMap<&str, i64> = HashMap::new();
    for r in &c.activity.production_runs {
        *units.entry(r.row.finished_unit.as_str()).or_default() += i64::from(r.row.actual_yield);
    }
    for r in &c.activity.assembly_runs {
        *goods.entry(r.row.finished_good.as_str()).or_default() += i64::from(r.row.quantity);
        for d in &r.consumptions {
            let items = d.quantity / 1_000_000;
            match (d.kind, d.reference.as_deref()) {
                (ComponentKind::FinishedUnit, Some(slug)) => {
                    *units.entry(slug).or_default() -= items
                }
                (ComponentKind::FinishedGood, Some(slug)) => {
                    *goods.entry(slug).or_default() -= items
                }
                _ => {}
            }
        }
    }
    for u in &c.finished_units {
        let expected = units.get(u.row.slug.as_str()).copied().unwrap_or(0);
        if expected != i64::from(u.row.inventory_count) {
            return Err(bad(
                &format!("{}.inventoryCount", u.path),
                format!(
                    "finished unit \"{}\" says {} in stock, but its production runs minus what assembly drew leave {expected}",
                    u.row.slug, u.row.inventory_count
                ),
            ));
        }
    }
    for g in &c.finished_goods {
        let expected = goods.get(g.row.slug.as_str()).copied().unwrap_or(0);
        if expected != i64::from(g.row.inventory_count) {
            return Err(bad(
                &format!("{}.inventoryCount", g.path),
                format!(
                    "finished good \"{}\" says {} in stock, but its assembly runs minus what other assemblies drew leave {expected}",
                    g.row.slug, g.row.inventory_count
                ),
            ));
        }
    }
    Ok(())
}

fn runs(c: &Checked) -> AppResult<()> {
    let recipes: std::collections::HashSet<String> =
        c.recipes.iter().map(|r| name_key(&r.row.name)).collect();
    let units: HashMap<&str, &super::check::FinishedUnit> = c
        .finished_units
        .iter()
        .map(|u| (u.row.slug.as_str(), u))
        .collect();
    for r in &c.activity.production_runs {
        let Some(unit) = units.get(r.row.finished_unit.as_str()) else {
            continue; // in the database: checked by the import
        };
        expected_yield(
            &r.path,
            &r.row,
            unit.mode,
            unit.row.items_per_batch,
            unit.batch_percentage,
        )?;
        if recipes.contains(&name_key(&r.row.recipe))
            && name_key(&unit.row.recipe) != name_key(&r.row.recipe)
        {
            return Err(bad(
                &format!("{}.finishedUnit", r.path),
                format!(
                    "finished unit \"{}\" is yielded by recipe \"{}\", not \"{}\"",
                    unit.row.slug, unit.row.recipe, r.row.recipe
                ),
            ));
        }
    }
    Ok(())
}

/// Checks a production run's expected yield against its finished unit's yield.
pub fn expected_yield(
    path: &str,
    run: &super::document::ProductionRun,
    mode: crate::domain::kinds::YieldMode,
    items_per_batch: Option<i32>,
    batch_percentage: Option<i64>,
) -> AppResult<()> {
    let expected = crate::store::production::expected_yield(
        mode,
        run.num_batches,
        items_per_batch,
        batch_percentage,
        &run.finished_unit,
    )
    .map_err(|e| bad(path, e))?;
    if expected != run.expected_yield {
        return Err(bad(
            &format!("{path}.expectedYield"),
            format!(
                "{} batches of \"{}\" are expected to yield {expected}, not {}",
                run.num_batches, run.finished_unit, run.expected_yield
            ),
        ));
    }
    Ok(())
}

fn graphs(c: &Checked) -> AppResult<()> {
    let index: HashMap<String, i64> = c
        .recipes
        .iter()
        .enumerate()
        .map(|(i, r)| (name_key(&r.row.name), i as i64))
        .collect();
    let mut graph = RecipeGraph::new();
    for (i, r) in c.recipes.iter().enumerate() {
        graph.add_recipe(i as i64, r.row.name.clone());
        for (child, _, _) in &r.components {
            if let Some(&j) = index.get(&name_key(child)) {
                graph.add_component(i as i64, j);
            }
        }
    }
    for (i, r) in c.recipes.iter().enumerate() {
        graph
            .check(i as i64)
            .map_err(|e| bad(&format!("{}.components", r.path), e))?;
    }
    let goods: HashMap<&str, i64> = c
        .finished_goods
        .iter()
        .enumerate()
        .map(|(i, g)| (g.row.slug.as_str(), i as i64))
        .collect();
    let mut edges = Vec::new();
    for (i, g) in c.finished_goods.iter().enumerate() {
        for (kind, key, _, _) in &g.components {
            if *kind == ComponentKind::FinishedGood {
                if let Some(&j) = goods.get(key.as_str()) {
                    edges.push((i as i64, j));
                }
            }
        }
    }
    for (i, g) in c.finished_goods.iter().enumerate() {
        let children: Vec<i64> = edges
            .iter()
            .filter(|e| e.0 == i as i64)
            .map(|e| e.1)
            .collect();
        if let Some(cycle) = crate::domain::graph::cycle_through(i as i64, &children, &edges) {
            let names: Vec<&str> = cycle
                .iter()
                .map(|n| c.finished_goods[*n as usize].row.slug.as_str())
                .collect();
            return Err(bad(
                &format!("{}.components", g.path),
                format!(
                    "a finished good cannot contain itself: {}",
                    names.join(" → ")
                ),
            ));
        }
    }
    Ok(())
}
