//! How the document spells stored values, both ways: decimals as exact strings at the
//! column's scale, dates `YYYY-MM-DD`, timestamps RFC 3339 in UTC with at most microsecond
//! precision (what both backends keep). Parsing never rounds: a value the database could
//! not keep exactly is refused, naming its path.

use crate::domain::fixed::{from_scaled, Scale};
use crate::error::AppError;
use chrono::{NaiveDate, NaiveDateTime, SecondsFormat, Timelike};
use rust_decimal::Decimal;
use std::str::FromStr;

/// A stored scaled integer as the document writes it (normalized, e.g. `"12.5"`).
pub fn decimal(raw: i64, scale: Scale) -> String {
    from_scaled(raw, scale).to_string()
}

/// A date as the document writes it.
pub fn date(value: NaiveDate) -> String {
    value.format("%Y-%m-%d").to_string()
}

/// A stored naive-UTC timestamp as the document writes it (`…Z`, fraction only if any).
pub fn timestamp(value: NaiveDateTime) -> String {
    value.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A `BAD_USER_INPUT` error about the entry at `path`.
pub fn bad(path: &str, message: impl std::fmt::Display) -> AppError {
    AppError::BadInput(format!("{path}: {message}"))
}

/// Which values a decimal field accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sign {
    /// ≥ 0.
    NonNegative,
    /// > 0.
    Positive,
}

/// Parses an exact decimal at `scale` into the stored scaled integer.
pub fn parse_decimal(path: &str, text: &str, scale: Scale, sign: Sign) -> Result<i64, AppError> {
    let value = Decimal::from_str(text.trim())
        .map_err(|_| bad(path, format!("\"{text}\" is not a decimal number")))?;
    if value.normalize().scale() > scale.places() {
        return Err(bad(
            path,
            format!(
                "{text} has more than {} decimal places, which cannot be stored exactly",
                scale.places()
            ),
        ));
    }
    match sign {
        Sign::Positive if value <= Decimal::ZERO => {
            return Err(bad(path, format!("{text} must be greater than zero")))
        }
        Sign::NonNegative if value < Decimal::ZERO => {
            return Err(bad(path, format!("{text} must not be negative")))
        }
        _ => {}
    }
    crate::domain::fixed::to_scaled(value, scale)
        .map_err(|_| bad(path, format!("{text} is too large to be stored")))
}

/// Parses a `YYYY-MM-DD` date.
pub fn parse_date(path: &str, text: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_err(|_| bad(path, format!("\"{text}\" is not a date (YYYY-MM-DD)")))
}

/// Parses an RFC 3339 timestamp into naive UTC; sub-microsecond precision is refused
/// (PostgreSQL would round it, so the import would not be exact).
pub fn parse_timestamp(path: &str, text: &str) -> Result<NaiveDateTime, AppError> {
    let parsed = chrono::DateTime::parse_from_rfc3339(text).map_err(|_| {
        bad(
            path,
            format!("\"{text}\" is not an RFC 3339 timestamp (e.g. 2026-12-01T09:30:00Z)"),
        )
    })?;
    let utc = parsed.naive_utc();
    if utc.nanosecond() % 1000 != 0 {
        return Err(bad(
            path,
            format!("{text} is more precise than a microsecond, which cannot be stored exactly"),
        ));
    }
    Ok(utc)
}

/// Parses a stored text vocabulary value (an enum spelled in upper case).
pub fn parse_enum<T: FromStr<Err = String>>(path: &str, text: &str) -> Result<T, AppError> {
    text.parse().map_err(|e: String| bad(path, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_round_trip_and_refuse_what_cannot_be_stored() {
        let raw = parse_decimal("x", "12.345678", Scale::Quantity, Sign::Positive).unwrap();
        assert_eq!(decimal(raw, Scale::Quantity), "12.345678");
        let e = parse_decimal("lots[0].q", "1.0000001", Scale::Quantity, Sign::Positive);
        assert!(e
            .unwrap_err()
            .to_string()
            .starts_with("lots[0].q: 1.0000001 has more than 6"));
        assert!(parse_decimal("x", "-1", Scale::Money, Sign::NonNegative).is_err());
        assert!(parse_decimal("x", "0", Scale::Money, Sign::Positive).is_err());
        assert!(parse_decimal("x", "abc", Scale::Money, Sign::Positive).is_err());
        // Trailing zeros beyond the scale are still exact.
        assert_eq!(
            parse_decimal("x", "1.50000", Scale::Money, Sign::Positive).unwrap(),
            15_000
        );
    }

    #[test]
    fn timestamps_round_trip_at_microseconds() {
        let t = parse_timestamp("x", "2026-12-01T09:30:00.123456Z").unwrap();
        assert_eq!(timestamp(t), "2026-12-01T09:30:00.123456Z");
        let t = parse_timestamp("x", "2026-12-01T10:30:00+01:00").unwrap();
        assert_eq!(timestamp(t), "2026-12-01T09:30:00Z");
        assert!(parse_timestamp("x", "2026-12-01T09:30:00.123456789Z").is_err());
        assert!(parse_timestamp("x", "yesterday").is_err());
    }
}
