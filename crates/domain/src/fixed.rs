//! Exact decimals stored as scaled integers.
//!
//! The database keeps every quantity and amount of money as a `BIGINT` holding the value
//! multiplied by a fixed power of ten, so sums in SQL stay exact and both backends agree
//! to the last digit. Conversions to and from [`Decimal`] happen only at the edges.

use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;

/// How many decimal places a kind of stored number keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// Measured quantities, in millionths of their unit.
    Quantity,
    /// Amounts of money, in ten-thousandths of the currency unit.
    Money,
    /// Prices per unit of quantity (unit costs, average costs), in 1e-10 of the currency unit.
    UnitPrice,
}

impl Scale {
    /// Number of decimal places kept.
    pub const fn places(self) -> u32 {
        match self {
            Scale::Quantity => 6,
            Scale::Money => 4,
            Scale::UnitPrice => 10,
        }
    }
}

/// A decimal that cannot be stored at the requested scale.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{value} is too large to be stored")]
pub struct OutOfRange {
    /// The offending value, as given.
    pub value: String,
}

/// Rounds `value` to the scale's places (half away from zero) and returns the scaled integer.
pub fn to_scaled(value: Decimal, scale: Scale) -> Result<i64, OutOfRange> {
    let rounded =
        value.round_dp_with_strategy(scale.places(), RoundingStrategy::MidpointAwayFromZero);
    let factor = Decimal::from(10i64.pow(scale.places()));
    rounded
        .checked_mul(factor)
        .and_then(|scaled| i64::try_from(scaled.trunc()).ok())
        .ok_or_else(|| OutOfRange {
            value: value.to_string(),
        })
}

/// Turns a stored scaled integer back into a normalized decimal (no trailing zeros).
pub fn from_scaled(raw: i64, scale: Scale) -> Decimal {
    Decimal::new(raw, scale.places()).normalize()
}

/// Rounds a decimal to the scale's places, half away from zero, without storing it.
pub fn round_to(value: Decimal, scale: Scale) -> Decimal {
    value
        .round_dp_with_strategy(scale.places(), RoundingStrategy::MidpointAwayFromZero)
        .normalize()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    #[test]
    fn round_trips_at_every_scale() {
        for (text, scale, raw) in [
            ("12.5", Scale::Quantity, 12_500_000),
            ("0.000001", Scale::Quantity, 1),
            ("19.99", Scale::Money, 199_900),
            ("0.0022046226", Scale::UnitPrice, 22_046_226),
        ] {
            assert_eq!(to_scaled(d(text), scale).unwrap(), raw);
            assert_eq!(from_scaled(raw, scale), d(text));
        }
    }

    #[test]
    fn rounds_half_away_from_zero() {
        assert_eq!(to_scaled(d("0.0000005"), Scale::Quantity).unwrap(), 1);
        assert_eq!(to_scaled(d("0.0000004"), Scale::Quantity).unwrap(), 0);
        assert_eq!(to_scaled(d("-0.00005"), Scale::Money).unwrap(), -1);
        assert_eq!(
            round_to(d("236.58823650"), Scale::Quantity),
            d("236.588237")
        );
    }

    #[test]
    fn rejects_values_beyond_i64() {
        assert!(to_scaled(d("99999999999999999"), Scale::Quantity).is_err());
    }

    #[test]
    fn output_is_normalized() {
        assert_eq!(from_scaled(5_000_000, Scale::Quantity).to_string(), "5");
        assert_eq!(from_scaled(0, Scale::Money).to_string(), "0");
    }
}
