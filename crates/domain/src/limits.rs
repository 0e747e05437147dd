//! Numeric limits of stored counts and sums (SPEC §4.3: a write that would overflow a
//! stored count or sum is `BAD_USER_INPUT`, nothing written).
//!
//! The maxima are chosen so that every value the server reads back or adds up provably
//! fits its type:
//! - counts of items (inventory of finished units and goods, per-event totals of batches,
//!   yields and assembled quantities, expected yields) are GraphQL `Int`s, so at most
//!   [`MAX_COUNT`] = 2,147,483,647; the per-event totals are `BIGINT`s but are read back
//!   as `Int`, so they are held to the same maximum;
//! - the stock on hand of one ingredient, all lots together, is at most
//!   [`MAX_STOCK`] = 9 × 10¹² units of the ingredient's unit (9 × 10¹⁸ millionths, below
//!   `i64::MAX` ≈ 9.22 × 10¹⁸), so `SUM(quantity_remaining)` of one ingredient always fits
//!   a `BIGINT`;
//! - an amount of money stored by a write (a purchase's total cost, a run's ingredient or
//!   component cost, an event's running cost total per recipe) is at most [`MAX_MONEY`]
//!   currency units (10¹⁶ ten-thousandths, ~900 times below `i64::MAX`); sums over many
//!   of them (cost summaries) use checked arithmetic.

use thiserror::Error;

/// Largest stored count of items: `inventoryCount`, per-event run totals, expected yield.
pub const MAX_COUNT: i64 = i32::MAX as i64;

/// Largest stock on hand of one ingredient (all its lots together), in its unit.
pub const MAX_STOCK: i64 = 9_000_000_000_000;

/// [`MAX_STOCK`] in millionths (`Scale::Quantity`), as stored.
pub const MAX_STOCK_SCALED: i64 = MAX_STOCK * 1_000_000;

/// Largest stored amount of money, in currency units.
pub const MAX_MONEY: i64 = 1_000_000_000_000;

/// [`MAX_MONEY`] in ten-thousandths (`Scale::Money`), as stored.
pub const MAX_MONEY_SCALED: i64 = MAX_MONEY * 10_000;

/// A write that would take a stored count or sum past its maximum.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{what} would exceed {limit}{hint}")]
pub struct LimitExceeded {
    /// What would overflow, e.g. `inventoryCount of "Sugar cookie"`.
    pub what: String,
    /// The maximum, as written in the message.
    pub limit: String,
    /// How to stay within it (may be empty), starting with `"; "`.
    pub hint: String,
}

impl LimitExceeded {
    /// A count limit (no unit).
    pub fn count(what: impl Into<String>) -> Self {
        LimitExceeded {
            what: what.into(),
            limit: MAX_COUNT.to_string(),
            hint: String::new(),
        }
    }

    /// The stock limit of one ingredient, in its unit.
    pub fn stock(ingredient: &str, unit: &str) -> Self {
        LimitExceeded {
            what: format!("the stock on hand of \"{ingredient}\""),
            limit: format!("{MAX_STOCK} {unit}"),
            hint: "; use up or adjust existing lots first".to_string(),
        }
    }

    /// The money limit.
    pub fn money(what: impl Into<String>) -> Self {
        LimitExceeded {
            what: what.into(),
            limit: MAX_MONEY.to_string(),
            hint: String::new(),
        }
    }
}

/// `current + added` when it stays within `0..=MAX_COUNT`, else the named error.
pub fn add_count(
    current: i64,
    added: i64,
    what: impl FnOnce() -> String,
) -> Result<i64, LimitExceeded> {
    current
        .checked_add(added)
        .filter(|total| (0..=MAX_COUNT).contains(total))
        .ok_or_else(|| LimitExceeded::count(what()))
}

/// `a × b` when it stays within `0..=MAX_COUNT`, else the named error.
pub fn mul_count(a: i64, b: i64, what: impl FnOnce() -> String) -> Result<i64, LimitExceeded> {
    a.checked_mul(b)
        .filter(|total| (0..=MAX_COUNT).contains(total))
        .ok_or_else(|| LimitExceeded::count(what()))
}

/// The sum of scaled money amounts when it stays within [`MAX_MONEY_SCALED`], else the
/// named error. Adds in `i128`, so no intermediate sum can wrap.
pub fn sum_money(
    amounts: impl IntoIterator<Item = i64>,
    what: impl FnOnce() -> String,
) -> Result<i64, LimitExceeded> {
    let total: i128 = amounts.into_iter().map(i128::from).sum();
    i64::try_from(total)
        .ok()
        .filter(|t| *t <= MAX_MONEY_SCALED)
        .ok_or_else(|| LimitExceeded::money(what()))
}

/// Checks a stored money amount (scaled) against [`MAX_MONEY_SCALED`].
pub fn check_money(scaled: i64, what: impl FnOnce() -> String) -> Result<i64, LimitExceeded> {
    sum_money([scaled], what)
}

/// Checks the stock of one ingredient (scaled) against [`MAX_STOCK_SCALED`]; `current`
/// is what its lots hold now and `added` what the write adds (both scaled, exact in `i128`).
pub fn check_stock(
    current: i64,
    added: i64,
    ingredient: &str,
    unit: &str,
) -> Result<i64, LimitExceeded> {
    let total = i128::from(current) + i128::from(added);
    if total > i128::from(MAX_STOCK_SCALED) {
        return Err(LimitExceeded::stock(ingredient, unit));
    }
    Ok(total as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_stop_at_the_int_maximum() {
        assert_eq!(add_count(1, 2, || "x".into()), Ok(3));
        assert_eq!(add_count(MAX_COUNT - 1, 1, || "x".into()), Ok(MAX_COUNT));
        let err = add_count(MAX_COUNT, MAX_COUNT, || {
            "inventoryCount of \"Sugar cookie\"".into()
        })
        .unwrap_err();
        assert_eq!(
            err.to_string(),
            "inventoryCount of \"Sugar cookie\" would exceed 2147483647"
        );
        assert!(add_count(i64::MAX, 1, || "x".into()).is_err());
        assert!(add_count(0, -1, || "x".into()).is_err());
        assert_eq!(mul_count(3, 4, || "x".into()), Ok(12));
        assert!(mul_count(MAX_COUNT, 2, || "x".into()).is_err());
        assert!(mul_count(i64::MAX, 2, || "x".into()).is_err());
    }

    #[test]
    fn money_sums_are_checked_without_wrapping() {
        assert_eq!(sum_money([1, 2, 3], || "x".into()), Ok(6));
        assert_eq!(
            sum_money([MAX_MONEY_SCALED], || "x".into()),
            Ok(MAX_MONEY_SCALED)
        );
        assert!(sum_money([MAX_MONEY_SCALED, 1], || "x".into()).is_err());
        let err = sum_money([i64::MAX, i64::MAX], || "the cost of this run".into()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the cost of this run would exceed 1000000000000"
        );
        assert!(check_money(MAX_MONEY_SCALED + 1, || "x".into()).is_err());
    }

    #[test]
    fn stock_of_one_ingredient_fits_a_bigint_sum() {
        // Every SUM over the lots of one ingredient fits i64.
        const { assert!(MAX_STOCK_SCALED < i64::MAX) };
        assert_eq!(check_stock(1, 2, "Flour", "g"), Ok(3));
        assert_eq!(
            check_stock(MAX_STOCK_SCALED, 0, "Flour", "g"),
            Ok(MAX_STOCK_SCALED)
        );
        let err = check_stock(i64::MAX, i64::MAX, "Flour", "g").unwrap_err();
        assert_eq!(
            err.to_string(),
            "the stock on hand of \"Flour\" would exceed 9000000000000 g; use up or adjust existing lots first"
        );
    }
}
