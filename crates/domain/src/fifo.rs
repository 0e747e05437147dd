//! First-in-first-out drawing from inventory lots, as pure arithmetic on scaled integers.
//!
//! Quantities are scaled by 10⁶ (`Scale::Quantity`), unit costs by 10¹⁰
//! (`Scale::UnitPrice`) and costs by 10⁴ (`Scale::Money`), so every sum is exact.

/// One lot as FIFO sees it, already in FIFO order (purchase date, then creation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LotStock {
    /// The lot's primary key.
    pub lot_id: i64,
    /// What is left (scaled quantity).
    pub remaining: i64,
    /// Cost per unit (scaled unit price).
    pub unit_cost: i64,
}

/// A quantity taken from one lot, and what it cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Draw {
    /// The lot drawn from.
    pub lot_id: i64,
    /// Quantity taken (scaled quantity, > 0).
    pub quantity: i64,
    /// The lot's unit cost (scaled unit price).
    pub unit_cost: i64,
    /// quantity × unit cost, rounded half away from zero (scaled money).
    pub cost: i64,
}

/// The outcome of drawing a need from a list of lots.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DrawPlan {
    /// The draws, oldest lot first.
    pub draws: Vec<Draw>,
    /// What the lots could not cover (scaled quantity; 0 when fully covered).
    pub shortfall: i64,
    /// Everything the lots hold (scaled quantity).
    pub available: i64,
}

impl DrawPlan {
    /// Sum of the draws' costs (scaled money).
    pub fn cost(&self) -> i64 {
        self.draws.iter().map(|d| d.cost).sum()
    }

    /// Sum of the quantities drawn (scaled quantity).
    pub fn drawn(&self) -> i64 {
        self.draws.iter().map(|d| d.quantity).sum()
    }
}

/// Cost of `quantity` (scaled 10⁶) at `unit_cost` (scaled 10¹⁰), in money scaled 10⁴,
/// rounded half away from zero.
pub fn cost_of(quantity: i64, unit_cost: i64) -> i64 {
    // quantity × unit_cost is scaled 10¹⁶; money is scaled 10⁴.
    let product = i128::from(quantity) * i128::from(unit_cost);
    let divisor: i128 = 1_000_000_000_000;
    let rounded = if product >= 0 {
        (product + divisor / 2) / divisor
    } else {
        (product - divisor / 2) / divisor
    };
    i64::try_from(rounded).unwrap_or(i64::MAX)
}

/// Draws `needed` from `lots` oldest first, skipping empty lots. When the lots cannot
/// cover the need, the plan still lists what they could give and the shortfall; callers
/// decide (all-or-nothing recording refuses, a dry run reports).
pub fn plan_draws(lots: &[LotStock], needed: i64) -> DrawPlan {
    let mut plan = DrawPlan {
        available: lots.iter().map(|l| l.remaining.max(0)).sum(),
        ..DrawPlan::default()
    };
    let mut left = needed.max(0);
    for lot in lots.iter().filter(|l| l.remaining > 0) {
        if left == 0 {
            break;
        }
        let quantity = left.min(lot.remaining);
        plan.draws.push(Draw {
            lot_id: lot.lot_id,
            quantity,
            unit_cost: lot.unit_cost,
            cost: cost_of(quantity, lot.unit_cost),
        });
        left -= quantity;
    }
    plan.shortfall = left;
    plan
}

/// A new moving weighted average unit price after adding `added` items at `added_unit_cost`
/// to `count` items at `average` (all unit prices scaled 10¹⁰). Adding nothing keeps the average.
pub fn moving_average(count: i64, average: i64, added: i64, added_unit_cost: i64) -> i64 {
    let total = count + added;
    if added <= 0 || total <= 0 {
        return average;
    }
    let weighted =
        i128::from(count) * i128::from(average) + i128::from(added) * i128::from(added_unit_cost);
    let total = i128::from(total);
    i64::try_from((weighted + total / 2) / total).unwrap_or(i64::MAX)
}

/// `total` money (scaled 10⁴) divided by `count` items, as a unit price (scaled 10¹⁰),
/// rounded half away from zero; 0 when there are no items; `None` when the price is too
/// large to store (never a saturated number).
pub fn per_unit(total: i64, count: i64) -> Option<i64> {
    if count <= 0 {
        return Some(0);
    }
    let scaled = i128::from(total) * 1_000_000;
    let count = i128::from(count);
    i64::try_from((scaled + count / 2) / count).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    const Q: i64 = 1_000_000; // one unit of quantity
    const P: i64 = 10_000_000_000; // one currency unit per quantity unit

    fn lot(lot_id: i64, remaining: i64, unit_cost: i64) -> LotStock {
        LotStock {
            lot_id,
            remaining,
            unit_cost,
        }
    }

    #[test]
    fn draws_oldest_first_across_lot_boundaries() {
        let lots = [
            lot(1, 0, P),
            lot(2, 300 * Q, P / 100),
            lot(3, 500 * Q, P / 50),
        ];
        let plan = plan_draws(&lots, 450 * Q);
        assert_eq!(
            plan.draws,
            vec![
                Draw {
                    lot_id: 2,
                    quantity: 300 * Q,
                    unit_cost: P / 100,
                    cost: 30_000
                },
                Draw {
                    lot_id: 3,
                    quantity: 150 * Q,
                    unit_cost: P / 50,
                    cost: 30_000
                },
            ]
        );
        assert_eq!(
            (plan.shortfall, plan.available, plan.cost(), plan.drawn()),
            (0, 800 * Q, 60_000, 450 * Q)
        );
    }

    #[test]
    fn reports_the_shortfall_and_what_is_available() {
        let plan = plan_draws(&[lot(1, 2 * Q, P)], 5 * Q);
        assert_eq!(plan.shortfall, 3 * Q);
        assert_eq!(plan.available, 2 * Q);
        assert_eq!(plan.drawn(), 2 * Q);
        assert_eq!(plan_draws(&[], 1).shortfall, 1);
        assert!(plan_draws(&[lot(1, Q, P)], 0).draws.is_empty());
    }

    #[test]
    fn costs_round_half_away_from_zero() {
        // 1.5 g at 0.0022002134 per g = 0.0033003201 → 0.0033
        assert_eq!(cost_of(1_500_000, 22_002_134), 33);
        // 0.5 unit at 0.0001 = 0.00005 → 0.0001
        assert_eq!(cost_of(500_000, 1_000_000), 1);
        assert_eq!(cost_of(0, P), 0);
    }

    #[test]
    fn averages_and_unit_costs() {
        assert_eq!(moving_average(0, 0, 10, 5 * P), 5 * P);
        assert_eq!(moving_average(10, 5 * P, 10, 3 * P), 4 * P);
        assert_eq!(moving_average(10, 5 * P, 0, 3 * P), 5 * P);
        assert_eq!(per_unit(123_400, 10), Some(12_340_000_000));
        assert_eq!(per_unit(10_000, 3), Some(3_333_333_333));
        assert_eq!(per_unit(10_000, 0), Some(0));
        // 10^12 currency units for one item is beyond a stored unit price.
        assert_eq!(per_unit(10_000_000_000_000_000, 1), None);
        assert!(per_unit(10_000_000_000_000_000, 20_000).is_some());
    }
}
