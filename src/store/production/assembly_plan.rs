//! Planning an assembly from rows already locked: what each component needs for the
//! quantity assembled, and what to draw for it — finished units and nested finished goods
//! from inventory at their average unit cost, packaging FIFO from its lots. Nothing here
//! touches the database; a plan with a shortfall lists every short component.

use super::run_steps::quantity_text;
use crate::db::models::{FinishedGood, FinishedGoodComponent, FinishedUnit, Ingredient};
use crate::domain::fifo::{cost_of, plan_draws, Draw};
use crate::domain::fixed::{from_scaled, Scale};
use crate::domain::kinds::ComponentKind;
use crate::error::{AppError, AppResult, Shortfall};
use crate::store::lots::InventoryLot;
use crate::store::stock::lot_stock;
use std::collections::HashMap;

/// The rows an assembly draws from, locked (see `RowLocks`), by id.
pub(super) struct Stock {
    /// Finished units that are components.
    pub units: HashMap<i64, FinishedUnit>,
    /// Nested finished goods that are components (and the good assembled).
    pub goods: HashMap<i64, FinishedGood>,
    /// Packaging ingredients that are components.
    pub packaging: HashMap<i64, Ingredient>,
    /// The packaging's lots with stock, per ingredient in FIFO order.
    pub lots: HashMap<i64, Vec<InventoryLot>>,
}

/// One component's need in an assembly.
pub(super) struct ComponentNeed {
    /// What kind of component it is.
    pub kind: ComponentKind,
    /// The finished unit, finished good or packaging ingredient.
    pub reference: i64,
    /// Its name.
    pub name: String,
    /// Whole items for units and goods, scaled quantity for packaging.
    pub needed: i64,
    /// "each", or the packaging's stock unit.
    pub unit: String,
}

/// One consumption record to write: what one need draws from inventory or from one lot.
pub(super) struct Take {
    /// Index of the need in the needs it was planned from.
    pub need: usize,
    /// The packaging lot drawn from (`None` for units and goods).
    pub lot_id: Option<i64>,
    /// Quantity drawn (scaled).
    pub quantity: i64,
    /// Unit cost it is drawn at.
    pub unit_cost: i64,
    /// quantity × unit cost.
    pub cost: i64,
}

/// What an assembly draws, planned before anything is written.
#[derive(Default)]
pub(super) struct AssemblyPlan {
    /// The consumption records, in the needs' order.
    pub takes: Vec<Take>,
    /// Items taken per finished unit.
    pub unit_taken: HashMap<i64, i64>,
    /// Items taken per nested finished good.
    pub good_taken: HashMap<i64, i64>,
    /// Draws from packaging lots.
    pub lot_draws: Vec<Draw>,
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

/// What each component needs for `quantity` assemblies, in the components' order.
pub(super) fn component_needs(
    components: &[FinishedGoodComponent],
    stock: &Stock,
    quantity: i64,
) -> AppResult<Vec<ComponentNeed>> {
    let mut needs = Vec::with_capacity(components.len());
    for c in components {
        let per_item = c.quantity;
        let need = if let Some(id) = c.finished_unit_id {
            let u = stock
                .units
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
            let g = stock
                .goods
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
            let i = stock
                .packaging
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
    Ok(needs)
}

/// Plans every draw of the needs; `INSUFFICIENT_INVENTORY` with every shortfall when the
/// stock does not cover them all. A component listed twice draws from what its first
/// listing left.
pub(super) fn plan_assembly(needs: &[ComponentNeed], stock: &Stock) -> AppResult<AssemblyPlan> {
    let mut missing = Vec::new();
    let mut plan = AssemblyPlan::default();
    for (index, need) in needs.iter().enumerate() {
        match need.kind {
            ComponentKind::FinishedUnit | ComponentKind::FinishedGood => {
                let (available, average, taken) = if need.kind == ComponentKind::FinishedUnit {
                    let u = &stock.units[&need.reference];
                    (
                        i64::from(u.inventory_count),
                        u.average_unit_cost,
                        plan.unit_taken.entry(need.reference).or_default(),
                    )
                } else {
                    let g = &stock.goods[&need.reference];
                    (
                        i64::from(g.inventory_count),
                        g.average_unit_cost,
                        plan.good_taken.entry(need.reference).or_default(),
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
                    plan.takes.push(Take {
                        need: index,
                        lot_id: None,
                        quantity: scaled,
                        unit_cost: average,
                        cost: cost_of(scaled, average),
                    });
                }
            }
            ComponentKind::Packaging => {
                let lots: Vec<_> = stock
                    .lots
                    .get(&need.reference)
                    .map(|l| {
                        l.iter()
                            .map(|lot| {
                                let mut s = lot_stock(lot);
                                s.remaining -= plan
                                    .lot_draws
                                    .iter()
                                    .filter(|d| d.lot_id == lot.id)
                                    .map(|d| d.quantity)
                                    .sum::<i64>();
                                s
                            })
                            .collect()
                    })
                    .unwrap_or_default();
                let draws = plan_draws(&lots, need.needed);
                if draws.shortfall > 0 {
                    missing.push(Shortfall {
                        ingredient: None,
                        component: Some(need.name.clone()),
                        needed: quantity_text(need.needed),
                        available: quantity_text(draws.available),
                        unit: need.unit.clone(),
                    });
                } else {
                    for d in draws.draws {
                        plan.takes.push(Take {
                            need: index,
                            lot_id: Some(d.lot_id),
                            quantity: d.quantity,
                            unit_cost: d.unit_cost,
                            cost: d.cost,
                        });
                        plan.lot_draws.push(d);
                    }
                }
            }
        }
    }
    if !missing.is_empty() {
        return Err(AppError::InsufficientInventory { missing });
    }
    Ok(plan)
}
