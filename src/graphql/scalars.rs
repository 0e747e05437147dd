//! Custom scalars: `Date` (YYYY-MM-DD) and `Decimal` (exact decimal as a string).
//! `DateTime` (RFC 3339, UTC) and `JSON` are async-graphql's own.

use async_graphql::{InputValueError, InputValueResult, Scalar, ScalarType, Value};
use std::str::FromStr;

/// A calendar date, `YYYY-MM-DD`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Date(pub chrono::NaiveDate);

/// A calendar date in ISO 8601 form, `YYYY-MM-DD`.
#[Scalar(
    name = "Date",
    specified_by_url = "https://www.rfc-editor.org/rfc/rfc3339#section-5.6"
)]
impl ScalarType for Date {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::String(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Date)
                .map_err(|_| {
                    InputValueError::custom(format!(
                        "{} is not a date in YYYY-MM-DD form",
                        crate::domain::text::excerpt(s)
                    ))
                }),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.format("%Y-%m-%d").to_string())
    }
}

/// An exact decimal number.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Decimal(pub rust_decimal::Decimal);

/// An exact decimal number, written as a JSON string such as `"12.5"` (no binary floating
/// point anywhere). Inputs also accept JSON numbers; they are read by their literal digits.
#[Scalar(name = "Decimal")]
impl ScalarType for Decimal {
    fn parse(value: Value) -> InputValueResult<Self> {
        let text = match &value {
            Value::String(s) => s.trim().to_string(),
            Value::Number(n) => n.to_string(),
            _ => return Err(InputValueError::expected_type(value)),
        };
        rust_decimal::Decimal::from_str(&text)
            .or_else(|_| rust_decimal::Decimal::from_scientific(&text))
            .map(|d| Decimal(d.normalize()))
            .map_err(|_| {
                InputValueError::custom(if is_numeric_literal(&text) {
                    format!(
                        "{} is out of range for an exact decimal (at most 28 significant digits, \
                         magnitude below 79228162514264337593543950336, at most 28 decimal places)",
                        crate::domain::text::excerpt(&text)
                    )
                } else {
                    format!(
                        "{} is not a decimal number",
                        crate::domain::text::excerpt(&text)
                    )
                })
            })
    }

    fn to_value(&self) -> Value {
        Value::String(self.0.normalize().to_string())
    }
}

/// Whether `text` is written like a number (digits, a point, an exponent), so a failure to
/// parse it means it is out of the decimal range rather than not a number at all.
fn is_numeric_literal(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.')
        && unsigned
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-'))
        && unsigned.parse::<f64>().is_ok()
}

impl From<rust_decimal::Decimal> for Decimal {
    fn from(d: rust_decimal::Decimal) -> Self {
        Decimal(d)
    }
}

/// Converts a stored naive-UTC timestamp to the `DateTime` scalar.
pub fn utc(ts: chrono::NaiveDateTime) -> chrono::DateTime<chrono::Utc> {
    ts.and_utc()
}

impl Decimal {
    /// A stored scaled quantity (1e-6).
    pub fn quantity(raw: i64) -> Self {
        Decimal(crate::domain::fixed::from_scaled(
            raw,
            crate::domain::fixed::Scale::Quantity,
        ))
    }

    /// A stored scaled amount of money (1e-4).
    pub fn money(raw: i64) -> Self {
        Decimal(crate::domain::fixed::from_scaled(
            raw,
            crate::domain::fixed::Scale::Money,
        ))
    }

    /// A stored scaled unit price (1e-10).
    pub fn unit_price(raw: i64) -> Self {
        Decimal(crate::domain::fixed::from_scaled(
            raw,
            crate::domain::fixed::Scale::UnitPrice,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_parse_strings_and_numbers_exactly() {
        let parse = |v: Value| <Decimal as ScalarType>::parse(v).map(|d| d.0.to_string());
        assert_eq!(parse(Value::String("12.50".into())).unwrap(), "12.5");
        assert_eq!(parse(Value::from(3)).unwrap(), "3");
        assert!(parse(Value::String("twelve".into())).is_err());
        assert!(parse(Value::Boolean(true)).is_err());
        assert_eq!(
            Decimal(rust_decimal::Decimal::new(1200, 2)).to_value(),
            Value::String("12".into())
        );
    }

    #[test]
    fn huge_and_tiny_literals_are_clean_errors() {
        let parse = |v: Value| <Decimal as ScalarType>::parse(v).map(|d| d.0.to_string());
        let out_of_range = |text: String| {
            let message = parse(Value::String(text.clone()))
                .unwrap_err()
                .into_server_error(Default::default())
                .message;
            assert!(
                message.contains(&format!("\"{text}\" is out of range")),
                "{text}: {message}"
            );
        };
        out_of_range(format!("1{}", "0".repeat(40)));
        out_of_range("79228162514264337593543950336".into());
        out_of_range("-1e29".into());
        out_of_range("1e40".into());
        out_of_range("1e-40".into());
        out_of_range("1e99999999999".into());
        assert_eq!(
            parse(Value::String("79228162514264337593543950335".into())).unwrap(),
            "79228162514264337593543950335"
        );
        assert_eq!(
            parse(Value::String("1e28".into())).unwrap(),
            "10000000000000000000000000000"
        );
        // Excess fractional digits are rounded to 28 significant digits.
        assert_eq!(
            parse(Value::String(format!("1.{}", "3".repeat(40)))).unwrap(),
            "1.3333333333333333333333333333"
        );
        // JSON numbers too large or too small for a decimal.
        for n in [serde_json::json!(1e300), serde_json::json!(1.5e-300)] {
            let message = parse(Value::from_json(n).unwrap())
                .unwrap_err()
                .into_server_error(Default::default())
                .message;
            assert!(message.contains("is out of range"), "{message}");
        }
        for text in ["NaN", "inf", "1e", "--1"] {
            let message = parse(Value::String(text.into()))
                .unwrap_err()
                .into_server_error(Default::default())
                .message;
            assert!(
                message.contains("is not a decimal number"),
                "{text}: {message}"
            );
        }
    }

    #[test]
    fn dates_are_iso() {
        let d = <Date as ScalarType>::parse(Value::String("2026-12-24".into())).unwrap();
        assert_eq!(d.to_value(), Value::String("2026-12-24".into()));
        assert!(<Date as ScalarType>::parse(Value::String("24/12/2026".into())).is_err());
    }
}
