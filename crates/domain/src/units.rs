//! Units of measure (SPEC §1.1): the vocabulary, exact conversion factors, and
//! mass ↔ volume conversion through an ingredient's density.

use crate::text::excerpt;
use rust_decimal::Decimal;
use std::fmt;
use std::str::FromStr;
use thiserror::Error;

/// What a unit measures. Conversions only happen within a kind, or between mass and
/// volume when a density is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UnitKind {
    /// Grams and friends.
    Mass,
    /// Millilitres and friends.
    Volume,
    /// Pieces.
    Count,
}

impl fmt::Display for UnitKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            UnitKind::Mass => "mass",
            UnitKind::Volume => "volume",
            UnitKind::Count => "count",
        })
    }
}

/// A unit of the vocabulary: its canonical spelling, kind, and size in the kind's base
/// unit (g, ml or each).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unit {
    name: &'static str,
    kind: UnitKind,
    /// The unit's size in base units, as an exact decimal literal.
    factor: &'static str,
}

const UNITS: &[Unit] = &[
    Unit {
        name: "g",
        kind: UnitKind::Mass,
        factor: "1",
    },
    Unit {
        name: "kg",
        kind: UnitKind::Mass,
        factor: "1000",
    },
    Unit {
        name: "oz",
        kind: UnitKind::Mass,
        factor: "28.349523125",
    },
    Unit {
        name: "lb",
        kind: UnitKind::Mass,
        factor: "453.59237",
    },
    Unit {
        name: "ml",
        kind: UnitKind::Volume,
        factor: "1",
    },
    Unit {
        name: "l",
        kind: UnitKind::Volume,
        factor: "1000",
    },
    Unit {
        name: "tsp",
        kind: UnitKind::Volume,
        factor: "4.92892159375",
    },
    Unit {
        name: "tbsp",
        kind: UnitKind::Volume,
        factor: "14.78676478125",
    },
    Unit {
        name: "fl oz",
        kind: UnitKind::Volume,
        factor: "29.5735295625",
    },
    Unit {
        name: "cup",
        kind: UnitKind::Volume,
        factor: "236.5882365",
    },
    Unit {
        name: "pt",
        kind: UnitKind::Volume,
        factor: "473.176473",
    },
    Unit {
        name: "qt",
        kind: UnitKind::Volume,
        factor: "946.352946",
    },
    Unit {
        name: "gal",
        kind: UnitKind::Volume,
        factor: "3785.411784",
    },
    Unit {
        name: "each",
        kind: UnitKind::Count,
        factor: "1",
    },
    Unit {
        name: "dozen",
        kind: UnitKind::Count,
        factor: "12",
    },
];

impl Unit {
    /// Canonical lower-case spelling.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// What the unit measures.
    pub fn kind(&self) -> UnitKind {
        self.kind
    }

    /// Size of one of this unit in the kind's base unit (g, ml, each).
    pub fn factor(&self) -> Decimal {
        Decimal::from_str(self.factor).expect("unit factors are valid decimals")
    }

    /// Every unit of the vocabulary, in a stable order.
    pub fn all() -> impl Iterator<Item = Unit> {
        UNITS.iter().copied()
    }
}

impl fmt::Display for Unit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

/// A unit name outside the vocabulary.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("unknown unit {given}; use one of: {}", Unit::all().map(|u| u.name).collect::<Vec<_>>().join(", "))]
pub struct UnknownUnit {
    /// What the caller wrote, quoted and shortened (see [`excerpt`]).
    pub given: String,
}

impl FromStr for Unit {
    type Err = UnknownUnit;

    /// Parses a unit as SPEC §1.1 spells it: ASCII only, case-insensitive (ASCII case
    /// folding, so the Kelvin sign U+212A is not a `k`), ignoring surrounding and repeated
    /// inner ASCII spaces and tabs (so a no-break space is not a space). Anything else is
    /// [`UnknownUnit`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let unknown = || UnknownUnit { given: excerpt(s) };
        if !s.is_ascii() {
            return Err(unknown());
        }
        let wanted = s
            .split_ascii_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .to_ascii_lowercase();
        UNITS
            .iter()
            .find(|u| u.name == wanted)
            .copied()
            .ok_or_else(unknown)
    }
}

/// An ingredient's density, as the user stated it: `volume volume_unit` weighs `weight weight_unit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Density {
    /// The measured volume (> 0).
    pub volume: Decimal,
    /// A volume unit.
    pub volume_unit: Unit,
    /// What that volume weighs (> 0).
    pub weight: Decimal,
    /// A mass unit.
    pub weight_unit: Unit,
}

/// A density statement that does not make sense.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum InvalidDensity {
    /// Volume or weight not strictly positive.
    #[error("density volume and weight must both be greater than zero")]
    NotPositive,
    /// The volume unit is not a volume.
    #[error("density volume unit \"{0}\" is not a volume unit")]
    NotVolume(String),
    /// The weight unit is not a mass.
    #[error("density weight unit \"{0}\" is not a mass unit")]
    NotMass(String),
}

impl Density {
    /// Builds a density, checking that the units are of the right kinds and the amounts positive.
    pub fn new(
        volume: Decimal,
        volume_unit: Unit,
        weight: Decimal,
        weight_unit: Unit,
    ) -> Result<Self, InvalidDensity> {
        if volume <= Decimal::ZERO || weight <= Decimal::ZERO {
            return Err(InvalidDensity::NotPositive);
        }
        if volume_unit.kind != UnitKind::Volume {
            return Err(InvalidDensity::NotVolume(volume_unit.name.to_string()));
        }
        if weight_unit.kind != UnitKind::Mass {
            return Err(InvalidDensity::NotMass(weight_unit.name.to_string()));
        }
        Ok(Density {
            volume,
            volume_unit,
            weight,
            weight_unit,
        })
    }

    /// Grams per millilitre, rounded to 28 significant digits; an error when the stated
    /// numbers are too large for exact arithmetic.
    pub fn grams_per_ml(&self) -> Result<Decimal, ConversionError> {
        let too_large = || ConversionError::DensityTooLarge {
            density: self.to_string(),
        };
        let grams = self
            .weight
            .checked_mul(self.weight_unit.factor())
            .ok_or_else(too_large)?;
        let ml = self
            .volume
            .checked_mul(self.volume_unit.factor())
            .ok_or_else(too_large)?;
        grams.checked_div(ml).ok_or_else(too_large)
    }
}

impl fmt::Display for Density {
    /// "1 cup weighs 4.25 oz".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} weighs {} {}",
            self.volume.normalize(),
            self.volume_unit,
            self.weight.normalize(),
            self.weight_unit
        )
    }
}

/// A conversion that cannot be done; the message names the ingredient and both units.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ConversionError {
    /// Mass ↔ volume without a density.
    #[error("cannot convert {from} to {to} for \"{ingredient}\": it has no density (say what a volume of it weighs)")]
    MissingDensity {
        /// Ingredient name.
        ingredient: String,
        /// Source unit.
        from: String,
        /// Target unit.
        to: String,
    },
    /// Count ↔ mass/volume, never possible.
    #[error("cannot convert {from} ({from_kind}) to {to} ({to_kind}) for \"{ingredient}\"")]
    IncompatibleKinds {
        /// Ingredient name.
        ingredient: String,
        /// Source unit.
        from: String,
        /// Source kind.
        from_kind: UnitKind,
        /// Target unit.
        to: String,
        /// Target kind.
        to_kind: UnitKind,
    },
    /// The result (or an intermediate product) exceeds what exact decimals can hold.
    #[error("{quantity} {from} of \"{ingredient}\" is too large to convert to {to}; use a smaller quantity")]
    TooLarge {
        /// Ingredient name.
        ingredient: String,
        /// The quantity as given.
        quantity: String,
        /// Source unit.
        from: String,
        /// Target unit.
        to: String,
    },
    /// A density whose numbers are too large to compute with.
    #[error(
        "the density \"{density}\" is too large to compute with; state it with smaller numbers"
    )]
    DensityTooLarge {
        /// The density as stated, e.g. "1 cup weighs 4.25 oz".
        density: String,
    },
}

/// Converts `quantity` of `from` into `to` for the named ingredient, exactly within a kind
/// and through `density` between mass and volume. The result is not rounded; callers round
/// to the storage scale. Every step is checked: a quantity too large for exact decimals is
/// a [`ConversionError::TooLarge`], never a panic.
pub fn convert(
    quantity: Decimal,
    from: Unit,
    to: Unit,
    density: Option<&Density>,
    ingredient: &str,
) -> Result<Decimal, ConversionError> {
    if from == to {
        return Ok(quantity);
    }
    let too_large = || ConversionError::TooLarge {
        ingredient: ingredient.to_string(),
        quantity: quantity.normalize().to_string(),
        from: from.name.to_string(),
        to: to.name.to_string(),
    };
    let mul = |a: Decimal, b: Decimal| a.checked_mul(b).ok_or_else(too_large);
    let div = |a: Decimal, b: Decimal| a.checked_div(b).ok_or_else(too_large);
    if from.kind == to.kind {
        return div(mul(quantity, from.factor())?, to.factor());
    }
    let incompatible = || ConversionError::IncompatibleKinds {
        ingredient: ingredient.to_string(),
        from: from.name.to_string(),
        from_kind: from.kind,
        to: to.name.to_string(),
        to_kind: to.kind,
    };
    if from.kind == UnitKind::Count || to.kind == UnitKind::Count {
        return Err(incompatible());
    }
    let density = density.ok_or_else(|| ConversionError::MissingDensity {
        ingredient: ingredient.to_string(),
        from: from.name.to_string(),
        to: to.name.to_string(),
    })?;
    // One division at the end keeps the result exact as far as 28 digits allow.
    let density_ml = mul(density.volume, density.volume_unit.factor())?;
    let density_g = mul(density.weight, density.weight_unit.factor())?;
    let base = mul(quantity, from.factor())?;
    match from.kind {
        UnitKind::Mass => div(mul(base, density_ml)?, mul(density_g, to.factor())?),
        _ => div(mul(base, density_g)?, mul(density_ml, to.factor())?),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixed::{round_to, Scale};

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }
    fn u(s: &str) -> Unit {
        s.parse().unwrap()
    }

    #[test]
    fn parses_case_insensitively_with_canonical_output() {
        assert_eq!(u("KG").name(), "kg");
        assert_eq!(u(" Fl   OZ ").name(), "fl oz");
        assert_eq!(u("Dozen").name(), "dozen");
        let err = "stone".parse::<Unit>().unwrap_err();
        assert!(err.to_string().contains("unknown unit \"stone\""));
        assert!(err.to_string().contains("fl oz"));
    }

    #[test]
    fn accepts_only_the_ascii_spellings() {
        assert_eq!(u(" KG ").name(), "kg");
        assert_eq!(u("Fl Oz").name(), "fl oz");
        assert_eq!(u("\tfl \t oz\t").name(), "fl oz");
        assert_eq!(u("TBSP").name(), "tbsp");
        // The Kelvin sign lower-cases to 'k' in Unicode, but it is not a `k`.
        assert!("\u{212A}g".parse::<Unit>().is_err());
        // A no-break space is not a space.
        assert!("fl\u{00A0}oz".parse::<Unit>().is_err());
        assert!("\u{3000}g".parse::<Unit>().is_err());
        assert!("g\0".parse::<Unit>().is_err());
        assert!("".parse::<Unit>().is_err());
        let err = "ｇ".parse::<Unit>().unwrap_err();
        assert!(err.to_string().starts_with("unknown unit \"ｇ\""));
        // What was written is echoed shortened and with control characters escaped.
        let err = format!("{}\0", "x".repeat(5000))
            .parse::<Unit>()
            .unwrap_err();
        assert_eq!(err.given, format!("\"{}…\"", "x".repeat(64)));
        assert_eq!("g\0".parse::<Unit>().unwrap_err().given, "\"g\\u{0}\"");
    }

    #[test]
    fn converts_exactly_within_a_kind() {
        assert_eq!(
            convert(d("5"), u("lb"), u("g"), None, "flour").unwrap(),
            d("2267.96185")
        );
        assert_eq!(
            convert(d("16"), u("oz"), u("lb"), None, "flour").unwrap(),
            d("1")
        );
        assert_eq!(
            convert(d("1"), u("cup"), u("tbsp"), None, "milk").unwrap(),
            d("16")
        );
        assert_eq!(
            convert(d("3"), u("tsp"), u("tbsp"), None, "milk").unwrap(),
            d("1")
        );
        assert_eq!(
            convert(d("2"), u("dozen"), u("each"), None, "eggs").unwrap(),
            d("24")
        );
        assert_eq!(
            convert(d("1"), u("gal"), u("qt"), None, "milk").unwrap(),
            d("4")
        );
        assert_eq!(
            convert(d("1"), u("kg"), u("kg"), None, "x").unwrap(),
            d("1")
        );
    }

    #[test]
    fn converts_through_density() {
        // "1 cup weighs 4.25 oz" (all-purpose flour)
        let flour = Density::new(d("1"), u("cup"), d("4.25"), u("oz")).unwrap();
        let grams = convert(d("2"), u("cup"), u("g"), Some(&flour), "flour").unwrap();
        assert_eq!(round_to(grams, Scale::Quantity), d("240.970947"));
        let cups = convert(d("240.9709465625"), u("g"), u("cup"), Some(&flour), "flour").unwrap();
        assert_eq!(round_to(cups, Scale::Quantity), d("2"));
        assert_eq!(
            round_to(flour.grams_per_ml().unwrap(), Scale::UnitPrice),
            d("0.5092623161")
        );
    }

    #[test]
    fn refuses_impossible_conversions_with_names() {
        let err = convert(d("1"), u("cup"), u("g"), None, "Butter").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot convert cup to g for \"Butter\": it has no density (say what a volume of it weighs)"
        );
        let err = convert(d("1"), u("each"), u("g"), None, "Eggs").unwrap_err();
        assert_eq!(
            err.to_string(),
            "cannot convert each (count) to g (mass) for \"Eggs\""
        );
    }

    #[test]
    fn huge_quantities_are_errors_not_panics() {
        // 10^20 kg through a density stated in large numbers overflows an intermediate
        // product (10^23 g × 3.78 × 10^15 ml).
        let bulk = Density::new(d("1000000000000"), u("gal"), d("1"), u("kg")).unwrap();
        let huge = d("100000000000000000000");
        let err = convert(huge, u("kg"), u("cup"), Some(&bulk), "Flour").unwrap_err();
        assert_eq!(
            err.to_string(),
            "100000000000000000000 kg of \"Flour\" is too large to convert to cup; use a smaller quantity"
        );
        assert!(matches!(err, ConversionError::TooLarge { .. }));
        // Within a kind: the largest decimal times 1000.
        let err = convert(Decimal::MAX, u("kg"), u("g"), None, "Sugar").unwrap_err();
        assert!(err.to_string().contains("too large to convert to g"));
        // Volume to mass with a product that overflows.
        let heavy = Density::new(d("0.0000000000000001"), u("ml"), d("1000000"), u("kg")).unwrap();
        assert!(matches!(
            convert(huge, u("l"), u("g"), Some(&heavy), "Lead"),
            Err(ConversionError::TooLarge { .. })
        ));
        // Mass to volume where only the final division overflows.
        let light = Density::new(d("1"), u("ml"), d("0.00000000000000000001"), u("g")).unwrap();
        assert!(matches!(
            convert(huge, u("kg"), u("ml"), Some(&light), "Air"),
            Err(ConversionError::TooLarge { .. })
        ));
        // The same quantity still converts when the numbers fit.
        let flour = Density::new(d("1"), u("cup"), d("4.25"), u("oz")).unwrap();
        let cups = convert(huge, u("kg"), u("cup"), Some(&flour), "Flour").unwrap();
        assert!(cups > huge);
        assert_eq!(
            convert(huge, u("kg"), u("g"), None, "Flour").unwrap(),
            d("100000000000000000000000")
        );
    }

    #[test]
    fn huge_densities_are_errors_not_panics() {
        let dense = Density::new(Decimal::new(1, 28), u("gal"), Decimal::MAX, u("lb")).unwrap();
        let err = dense.grams_per_ml().unwrap_err();
        assert!(matches!(err, ConversionError::DensityTooLarge { .. }));
        assert!(err
            .to_string()
            .contains("weighs 79228162514264337593543950335 lb"));
        assert!(err.to_string().contains("too large"));
        let err = convert(d("1"), u("cup"), u("g"), Some(&dense), "Lead").unwrap_err();
        assert!(matches!(err, ConversionError::TooLarge { .. }));
        assert_eq!(
            Density::new(d("1"), u("cup"), d("4.25"), u("oz"))
                .unwrap()
                .to_string(),
            "1 cup weighs 4.25 oz"
        );
    }

    #[test]
    fn validates_densities() {
        assert_eq!(
            Density::new(d("0"), u("cup"), d("1"), u("g")),
            Err(InvalidDensity::NotPositive)
        );
        assert!(matches!(
            Density::new(d("1"), u("g"), d("1"), u("g")),
            Err(InvalidDensity::NotVolume(_))
        ));
        assert!(matches!(
            Density::new(d("1"), u("ml"), d("1"), u("ml")),
            Err(InvalidDensity::NotMass(_))
        ));
    }
}
