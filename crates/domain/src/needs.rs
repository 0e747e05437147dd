//! What an event's assignments imply (SPEC §1.6): finished units needed, batches per recipe,
//! remaining batches, packages to buy and cost variances — pure, exact arithmetic.
//!
//! Counts are integers, quantities and money exact [`Decimal`]s; nothing here uses binary
//! floating point except [`variance_percent`], whose result is a GraphQL `Float` by contract.
//!
//! Rounding rules:
//! - batches of one finished unit are rounded **up** on their own
//!   ([`batches_for_units`]); the batches of a recipe are the **sum** of the rounded batches
//!   of its finished units ([`batches_per_recipe`]). Two finished units of one recipe are
//!   separate bakes (a batch is baked as one kind of item), so their fractions never share a
//!   batch;
//! - packages to buy are rounded up ([`packages_to_buy`]); money is rounded to 4 places.

use crate::fixed::{round_to, Scale};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, HashMap};
use thiserror::Error;

/// The deepest chain of finished goods inside finished goods the walk follows. Stored
/// goods never contain themselves (writes refuse cycles), so a deeper chain means the data
/// is broken.
pub const MAX_GOOD_NESTING: usize = 16;

/// How a finished unit relates to a batch of its recipe.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitYield {
    /// One batch yields this many items (> 0).
    DiscreteCount {
        /// Items per batch.
        items_per_batch: i64,
    },
    /// One item is this percent of a batch, in (0, 100].
    BatchPortion {
        /// Percent of a batch per item.
        batch_percentage: Decimal,
    },
}

/// One component of a finished good that matters for needs (packaging does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GoodPart {
    /// `quantity` of a finished unit.
    Unit {
        /// The finished unit.
        id: i64,
        /// How many per finished good.
        quantity: i64,
    },
    /// `quantity` of another finished good.
    Good {
        /// The nested finished good.
        id: i64,
        /// How many per finished good.
        quantity: i64,
    },
}

/// Why needs could not be computed. Every variant means broken stored data.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NeedsError {
    /// Finished goods contain themselves (ids from the first repeated good back to itself).
    #[error("finished goods contain themselves: {}", .0.iter().map(|id| format!("#{id}")).collect::<Vec<_>>().join(" → "))]
    Cycle(Vec<i64>),
    /// A chain of nested goods is deeper than [`MAX_GOOD_NESTING`].
    #[error("finished goods nest more than {MAX_GOOD_NESTING} levels deep under #{0}")]
    TooDeep(i64),
    /// A finished good referenced but not loaded.
    #[error("finished good #{0} is missing")]
    MissingGood(i64),
    /// A count is too large to compute.
    #[error("the quantities needed are too large to add up")]
    Overflow,
    /// A finished unit's yield is not positive.
    #[error("finished unit yield must be positive")]
    BadYield,
}

/// Finished goods wanted: every assignment (package, quantity) × the package's items
/// (finished good, quantity), summed per finished good. Packages without items add nothing.
pub fn goods_wanted(
    assignments: &[(i64, i64)],
    package_items: &HashMap<i64, Vec<(i64, i64)>>,
) -> Result<BTreeMap<i64, i64>, NeedsError> {
    let mut wanted = BTreeMap::new();
    for &(package, quantity) in assignments {
        for &(good, per_package) in package_items
            .get(&package)
            .map(Vec::as_slice)
            .unwrap_or(&[])
        {
            let count = quantity
                .checked_mul(per_package)
                .ok_or(NeedsError::Overflow)?;
            add(&mut wanted, good, count)?;
        }
    }
    Ok(wanted)
}

/// Finished units needed for the finished goods wanted, multiplying through nested goods.
/// `goods` holds the parts of every good reachable from `wanted`.
pub fn units_needed(
    wanted: &BTreeMap<i64, i64>,
    goods: &HashMap<i64, Vec<GoodPart>>,
) -> Result<BTreeMap<i64, i64>, NeedsError> {
    let mut memo: HashMap<i64, BTreeMap<i64, i64>> = HashMap::new();
    let mut units = BTreeMap::new();
    for (&good, &count) in wanted {
        let per_good = expand(good, goods, &mut memo, &mut Vec::new())?;
        for (&unit, &per) in &per_good {
            add(
                &mut units,
                unit,
                per.checked_mul(count).ok_or(NeedsError::Overflow)?,
            )?;
        }
    }
    Ok(units)
}

/// The finished units in one of `good`, memoized per good.
fn expand(
    good: i64,
    goods: &HashMap<i64, Vec<GoodPart>>,
    memo: &mut HashMap<i64, BTreeMap<i64, i64>>,
    stack: &mut Vec<i64>,
) -> Result<BTreeMap<i64, i64>, NeedsError> {
    if let Some(done) = memo.get(&good) {
        return Ok(done.clone());
    }
    if let Some(start) = stack.iter().position(|id| *id == good) {
        let mut cycle = stack[start..].to_vec();
        cycle.push(good);
        return Err(NeedsError::Cycle(cycle));
    }
    if stack.len() > MAX_GOOD_NESTING {
        return Err(NeedsError::TooDeep(stack[0]));
    }
    let parts = goods.get(&good).ok_or(NeedsError::MissingGood(good))?;
    stack.push(good);
    let mut units = BTreeMap::new();
    for part in parts {
        match *part {
            GoodPart::Unit { id, quantity } => add(&mut units, id, quantity)?,
            GoodPart::Good { id, quantity } => {
                for (unit, per) in expand(id, goods, memo, stack)? {
                    add(
                        &mut units,
                        unit,
                        per.checked_mul(quantity).ok_or(NeedsError::Overflow)?,
                    )?;
                }
            }
        }
    }
    stack.pop();
    memo.insert(good, units.clone());
    Ok(units)
}

fn add(map: &mut BTreeMap<i64, i64>, key: i64, count: i64) -> Result<(), NeedsError> {
    let total = map.entry(key).or_insert(0);
    *total = total.checked_add(count).ok_or(NeedsError::Overflow)?;
    Ok(())
}

/// Batches needed to make `units` items of a finished unit, rounded up:
/// DISCRETE_COUNT ⌈units / items_per_batch⌉, BATCH_PORTION ⌈units × percentage / 100⌉.
pub fn batches_for_units(units: i64, yield_: UnitYield) -> Result<i64, NeedsError> {
    if units <= 0 {
        return Ok(0);
    }
    match yield_ {
        UnitYield::DiscreteCount { items_per_batch } => {
            if items_per_batch <= 0 {
                return Err(NeedsError::BadYield);
            }
            Ok(units.div_euclid(items_per_batch) + i64::from(units % items_per_batch != 0))
        }
        UnitYield::BatchPortion { batch_percentage } => {
            if batch_percentage <= Decimal::ZERO {
                return Err(NeedsError::BadYield);
            }
            let exact = Decimal::from(units)
                .checked_mul(batch_percentage)
                .ok_or(NeedsError::Overflow)?
                / Decimal::ONE_HUNDRED;
            i64::try_from(exact.ceil()).map_err(|_| NeedsError::Overflow)
        }
    }
}

/// Batches per recipe: the sum of the (already rounded-up) batches of its finished units,
/// given as (recipe, batches) pairs.
pub fn batches_per_recipe(
    unit_batches: impl IntoIterator<Item = (i64, i64)>,
) -> Result<BTreeMap<i64, i64>, NeedsError> {
    let mut per_recipe = BTreeMap::new();
    for (recipe, batches) in unit_batches {
        add(&mut per_recipe, recipe, batches)?;
    }
    Ok(per_recipe)
}

/// Batches still to bake for a recipe: its target, or else its need, minus the batches
/// already produced for the event; never negative.
pub fn remaining_batches(target: Option<i64>, need: Option<i64>, produced: i64) -> i64 {
    (target.or(need).unwrap_or(0) - produced).max(0)
}

/// Whole packages of `package_size` (> 0) that cover `shortfall`, rounded up.
pub fn packages_to_buy(shortfall: Decimal, package_size: Decimal) -> Option<i64> {
    if package_size <= Decimal::ZERO {
        return None;
    }
    if shortfall <= Decimal::ZERO {
        return Some(0);
    }
    shortfall
        .checked_div(package_size)
        .and_then(|packages| i64::try_from(packages.ceil()).ok())
}

/// `quantity` × `unit_cost`, rounded to money (4 places).
pub fn cost_of(quantity: Decimal, unit_cost: Decimal) -> Option<Decimal> {
    quantity
        .checked_mul(unit_cost)
        .map(|cost| round_to(cost, Scale::Money))
}

/// Variance as a percent of the planned cost (`None` when nothing was planned). Computed
/// exactly, converted to a float only at the end.
pub fn variance_percent(variance: Decimal, planned: Decimal) -> Option<f64> {
    if planned.is_zero() {
        return None;
    }
    use rust_decimal::prelude::ToPrimitive;
    variance
        .checked_mul(Decimal::ONE_HUNDRED)
        .and_then(|scaled| scaled.checked_div(planned))
        .and_then(|percent| percent.to_f64())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    /// Package 1: 2 × box 10; package 2: 1 × hamper 20. Box 10: 6 cookies (unit 100) and
    /// 1 cake slice (unit 101). Hamper 20: 3 boxes and 4 brownies (unit 102).
    type Catalog = (HashMap<i64, Vec<(i64, i64)>>, HashMap<i64, Vec<GoodPart>>);

    fn catalog() -> Catalog {
        let items = HashMap::from([(1, vec![(10, 2)]), (2, vec![(20, 1)])]);
        let goods = HashMap::from([
            (
                10,
                vec![
                    GoodPart::Unit {
                        id: 100,
                        quantity: 6,
                    },
                    GoodPart::Unit {
                        id: 101,
                        quantity: 1,
                    },
                ],
            ),
            (
                20,
                vec![
                    GoodPart::Good {
                        id: 10,
                        quantity: 3,
                    },
                    GoodPart::Unit {
                        id: 102,
                        quantity: 4,
                    },
                ],
            ),
        ]);
        (items, goods)
    }

    #[test]
    fn multiplies_assignments_through_packages_and_nested_goods() {
        let (items, goods) = catalog();
        // 3 of package 1, 2 of package 2, and package 3 has no items.
        let wanted = goods_wanted(&[(1, 3), (2, 2), (3, 5)], &items).unwrap();
        assert_eq!(wanted, BTreeMap::from([(10, 6), (20, 2)]));
        let units = units_needed(&wanted, &goods).unwrap();
        // Boxes: 6 direct + 2 hampers × 3 = 12 → 72 cookies, 12 slices; brownies 2 × 4.
        assert_eq!(units, BTreeMap::from([(100, 72), (101, 12), (102, 8)]));
    }

    #[test]
    fn rounds_batches_up_in_both_yield_modes() {
        let dozen = UnitYield::DiscreteCount {
            items_per_batch: 24,
        };
        assert_eq!(batches_for_units(72, dozen), Ok(3));
        assert_eq!(batches_for_units(73, dozen), Ok(4));
        assert_eq!(batches_for_units(1, dozen), Ok(1));
        assert_eq!(batches_for_units(0, dozen), Ok(0));
        let slice = UnitYield::BatchPortion {
            batch_percentage: d("12.5"),
        };
        assert_eq!(batches_for_units(8, slice), Ok(1));
        assert_eq!(batches_for_units(9, slice), Ok(2));
        let third = UnitYield::BatchPortion {
            batch_percentage: d("33.333333"),
        };
        // 3 × 33.333333 % = 99.999999 % of a batch: still one batch.
        assert_eq!(batches_for_units(3, third), Ok(1));
        assert_eq!(batches_for_units(4, third), Ok(2));
        let whole = UnitYield::BatchPortion {
            batch_percentage: d("100"),
        };
        assert_eq!(batches_for_units(5, whole), Ok(5));
    }

    #[test]
    fn recipes_sum_the_rounded_batches_of_their_units() {
        // Recipe 7 makes two units needing 1.5 and 0.25 batches: 2 + 1 = 3 batches.
        let per_recipe = batches_per_recipe([(7, 2), (7, 1), (8, 4)]).unwrap();
        assert_eq!(per_recipe, BTreeMap::from([(7, 3), (8, 4)]));
    }

    #[test]
    fn reports_cycles_and_missing_goods() {
        let goods = HashMap::from([
            (1, vec![GoodPart::Good { id: 2, quantity: 1 }]),
            (2, vec![GoodPart::Good { id: 1, quantity: 1 }]),
        ]);
        let err = units_needed(&BTreeMap::from([(1, 1)]), &goods).unwrap_err();
        assert_eq!(err, NeedsError::Cycle(vec![1, 2, 1]));
        assert_eq!(
            err.to_string(),
            "finished goods contain themselves: #1 → #2 → #1"
        );
        let err = units_needed(&BTreeMap::from([(9, 1)]), &goods).unwrap_err();
        assert_eq!(err, NeedsError::MissingGood(9));
    }

    #[test]
    fn caps_the_nesting_depth() {
        let depth = MAX_GOOD_NESTING as i64 + 2;
        let mut goods: HashMap<i64, Vec<GoodPart>> = (0..depth)
            .map(|id| {
                (
                    id,
                    vec![GoodPart::Good {
                        id: id + 1,
                        quantity: 1,
                    }],
                )
            })
            .collect();
        goods.insert(depth, vec![GoodPart::Unit { id: 1, quantity: 1 }]);
        assert_eq!(
            units_needed(&BTreeMap::from([(0, 1)]), &goods),
            Err(NeedsError::TooDeep(0))
        );
        // Starting deep enough stays within the cap.
        assert_eq!(
            units_needed(&BTreeMap::from([(2, 3)]), &goods),
            Ok(BTreeMap::from([(1, 3)]))
        );
    }

    #[test]
    fn overflow_is_reported_not_wrapped() {
        let items = HashMap::from([(1, vec![(10, i64::MAX)])]);
        assert_eq!(goods_wanted(&[(1, 2)], &items), Err(NeedsError::Overflow));
    }

    #[test]
    fn remaining_prefers_the_target_and_never_goes_negative() {
        assert_eq!(remaining_batches(Some(5), Some(9), 2), 3);
        assert_eq!(remaining_batches(None, Some(9), 2), 7);
        assert_eq!(remaining_batches(Some(2), None, 5), 0);
        assert_eq!(remaining_batches(None, None, 1), 0);
    }

    #[test]
    fn packages_round_up_exactly() {
        assert_eq!(packages_to_buy(d("453.59237"), d("453.59237")), Some(1));
        assert_eq!(packages_to_buy(d("453.592371"), d("453.59237")), Some(2));
        assert_eq!(packages_to_buy(d("0.000001"), d("2267.96185")), Some(1));
        assert_eq!(packages_to_buy(d("0"), d("5")), Some(0));
        assert_eq!(packages_to_buy(d("1"), d("0")), None);
    }

    #[test]
    fn money_and_percentages() {
        assert_eq!(cost_of(d("3"), d("0.0022046226")), Some(d("0.0066")));
        assert_eq!(cost_of(d("2267.96185"), d("0.0026455471")), Some(d("6")));
        assert_eq!(variance_percent(d("-1.5"), d("6")), Some(-25.0));
        assert_eq!(variance_percent(d("1"), d("3")), Some(33.333333333333336));
        assert_eq!(variance_percent(d("1"), d("0")), None);
    }
}
