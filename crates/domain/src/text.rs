//! Text inputs: every free-text field has a documented maximum length and refuses NUL
//! (SPEC §4.3), checked here for every input path, so both backends give the same
//! `BAD_USER_INPUT` answer (PostgreSQL cannot store NUL in `TEXT`, SQLite would).
//!
//! Lengths count characters (Unicode scalar values) of the value as stored: trimmed, and
//! for names with inner white space collapsed. The limits:
//!
//! | field | max |
//! |---|---|
//! | `name` (every entity), `slug` | 200 |
//! | `notes`, `description`, `packagingInstructions` | 10,000 |
//! | `search` | 200 |
//! | `category` | 100 |
//! | `brand`, `supplier`, `location`, `householdName`, `deliveredTo`, `reason` | 200 |
//! | `address`, `source` | 1,000 |
//! | `yieldDescription` | 500 |
//! | `itemUnit`, `yieldUnit` | 50 |
//! | `gtin` | 14 (8, 12, 13 or 14 digits) |
//! | `idempotencyKey` | 200 |
//! | `recordedBy`, `readyBy`, `deliveredBy` (an API token's name) | 200 |

use crate::names::name_key;
use thiserror::Error;

/// A text field: its name as the API spells it and its maximum length in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Field {
    /// The argument or input field name, e.g. `"notes"`.
    pub name: &'static str,
    /// The most characters it may hold.
    pub max: usize,
}

impl Field {
    const fn new(name: &'static str, max: usize) -> Self {
        Field { name, max }
    }
}

/// Longest name of any entity (SPEC §4.3).
pub const NAME_MAX: usize = 200;
/// Longest notes or description (SPEC §4.3).
pub const LONG_TEXT_MAX: usize = 10_000;
/// Longest search string (SPEC §4.3).
pub const SEARCH_MAX: usize = 200;

/// The name of any entity.
pub const NAME: Field = Field::new("name", NAME_MAX);
/// A URL slug.
pub const SLUG: Field = Field::new("slug", 200);
/// Free-text notes (of any entity, line or component).
pub const NOTES: Field = Field::new("notes", LONG_TEXT_MAX);
/// A description.
pub const DESCRIPTION: Field = Field::new("description", LONG_TEXT_MAX);
/// A finished good's packaging instructions.
pub const PACKAGING_INSTRUCTIONS: Field = Field::new("packagingInstructions", LONG_TEXT_MAX);
/// A search string of a list.
pub const SEARCH: Field = Field::new("search", SEARCH_MAX);
/// An ingredient's or recipe's category (also as a list filter).
pub const CATEGORY: Field = Field::new("category", 100);
/// A product's brand.
pub const BRAND: Field = Field::new("brand", 200);
/// A product's supplier.
pub const SUPPLIER: Field = Field::new("supplier", 200);
/// A product's GTIN (8, 12, 13 or 14 digits).
pub const GTIN: Field = Field::new("gtin", 14);
/// Where a lot is kept.
pub const LOCATION: Field = Field::new("location", 200);
/// A recipient's address.
pub const ADDRESS: Field = Field::new("address", 1_000);
/// A recipient's household name.
pub const HOUSEHOLD_NAME: Field = Field::new("householdName", 200);
/// What a finished unit's items are called ("cookie").
pub const ITEM_UNIT: Field = Field::new("itemUnit", 50);
/// What a recipe's batch yields ("cookies").
pub const YIELD_UNIT: Field = Field::new("yieldUnit", 50);
/// A recipe's yield description.
pub const YIELD_DESCRIPTION: Field = Field::new("yieldDescription", 500);
/// Where a recipe comes from (a book, a URL).
pub const SOURCE: Field = Field::new("source", 1_000);
/// Who took a delivered package.
pub const DELIVERED_TO: Field = Field::new("deliveredTo", 200);
/// Why a lot was adjusted.
pub const REASON: Field = Field::new("reason", 200);
/// A recording mutation's idempotency key.
pub const IDEMPOTENCY_KEY: Field = Field::new("idempotencyKey", 200);
/// Who recorded a run, purchase or adjustment: an API token's name (a name, so
/// [`NAME_MAX`]).
pub const RECORDED_BY: Field = Field::new("recordedBy", NAME_MAX);
/// Who made an assignment READY: an API token's name.
pub const READY_BY: Field = Field::new("readyBy", NAME_MAX);
/// Who made an assignment DELIVERED: an API token's name.
pub const DELIVERED_BY: Field = Field::new("deliveredBy", NAME_MAX);

/// A text input that cannot be accepted.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TextError {
    /// Longer than the field's maximum.
    #[error("{field} is {length} characters long; at most {max} are allowed")]
    TooLong {
        /// The field.
        field: &'static str,
        /// Its length in characters.
        length: usize,
        /// The maximum.
        max: usize,
    },
    /// Contains U+0000.
    #[error("{field} must not contain the NUL character (U+0000)")]
    Nul {
        /// The field.
        field: &'static str,
    },
    /// A required name that is blank once trimmed.
    #[error("{kind} name must not be empty")]
    EmptyName {
        /// The kind of row named (`"recipe"`, `"event"`…).
        kind: String,
    },
}

/// Checks a value as it will be stored: no NUL, at most `field.max` characters.
pub fn check(field: Field, value: &str) -> Result<(), TextError> {
    if value.contains('\0') {
        return Err(TextError::Nul { field: field.name });
    }
    // Counting stops just past the maximum, so a huge value costs no more than a short one.
    let length = value.chars().take(field.max + 1).count();
    if length > field.max {
        return Err(TextError::TooLong {
            field: field.name,
            length: value.chars().count(),
            max: field.max,
        });
    }
    Ok(())
}

/// A trimmed, checked value (may be empty: callers decide whether empty is allowed).
pub fn trimmed(field: Field, value: &str) -> Result<String, TextError> {
    let value = value.trim();
    check(field, value)?;
    Ok(value.to_string())
}

/// An optional free-text value as stored: trimmed, blank becomes `None`, checked.
pub fn optional(field: Field, value: Option<&str>) -> Result<Option<String>, TextError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => {
            check(field, v)?;
            Ok(Some(v.to_string()))
        }
        None => Ok(None),
    }
}

/// A name as stored (see [`crate::names::clean_name`]), checked against `field`.
pub fn name(field: Field, value: &str) -> Result<String, TextError> {
    if value.contains('\0') {
        return Err(TextError::Nul { field: field.name });
    }
    let cleaned = crate::names::clean_name(value);
    check(field, &cleaned)?;
    Ok(cleaned)
}

/// The name of a new or renamed `kind` of row (`"recipe"`, `"event"`…) as stored: checked
/// like [`name`] against [`NAME`], and refused when nothing is left after trimming.
pub fn required_name(kind: &str, value: &str) -> Result<String, TextError> {
    let name = name(NAME, value)?;
    if name.is_empty() {
        return Err(TextError::EmptyName {
            kind: kind.to_string(),
        });
    }
    Ok(name)
}

/// A `LIKE` pattern matching names that contain `search` case-insensitively, compared
/// with the lower-case name key: `%`, `_` and `\` in the search match themselves (use the
/// pattern with `ESCAPE '\'`, on both backends). The search is checked against
/// [`SEARCH`] first.
pub fn contains_pattern(search: &str) -> Result<String, TextError> {
    check(SEARCH, search)?;
    let key = name_key(search);
    let mut pattern = String::with_capacity(key.len() + 2);
    pattern.push('%');
    for c in key.chars() {
        if matches!(c, '%' | '_' | '\\') {
            pattern.push('\\');
        }
        pattern.push(c);
    }
    pattern.push('%');
    Ok(pattern)
}

/// The escape character of every pattern [`contains_pattern`] builds.
pub const LIKE_ESCAPE: char = '\\';

/// What a caller wrote, quoted for an error message: at most 64 characters (an ellipsis
/// marks the cut) with control characters escaped, so a huge or binary input never
/// makes a huge or broken message.
pub fn excerpt(given: &str) -> String {
    const SHOWN: usize = 64;
    let mut out = String::from("\"");
    for c in given.chars().take(SHOWN) {
        if c.is_control() || c == '"' {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    if given.chars().nth(SHOWN).is_some() {
        out.push('…');
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lengths_are_characters_up_to_the_maximum() {
        assert_eq!(check(NAME, &"é".repeat(200)), Ok(()));
        assert_eq!(
            check(NAME, &"é".repeat(201)),
            Err(TextError::TooLong {
                field: "name",
                length: 201,
                max: 200
            })
        );
        let err = check(NOTES, &"x".repeat(5_000_000)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "notes is 5000000 characters long; at most 10000 are allowed"
        );
        assert_eq!(check(NOTES, &"x".repeat(10_000)), Ok(()));
        assert_eq!(check(SEARCH, ""), Ok(()));
    }

    #[test]
    fn nul_is_refused_everywhere() {
        for field in [NAME, NOTES, SEARCH, CATEGORY, IDEMPOTENCY_KEY] {
            let err = check(field, "a\0b").unwrap_err();
            assert_eq!(
                err.to_string(),
                format!("{} must not contain the NUL character (U+0000)", field.name)
            );
        }
        assert!(name(NAME, "  a \0 ").is_err());
        assert!(optional(NOTES, Some("\0")).is_err());
        assert!(contains_pattern("\0").is_err());
    }

    #[test]
    fn values_are_measured_as_stored() {
        // Surrounding space does not count; inner runs of a name collapse to one space.
        assert_eq!(
            trimmed(BRAND, &format!("  {}  ", "b".repeat(200)))
                .unwrap()
                .len(),
            200
        );
        let spaced = format!("a{}b", " ".repeat(500));
        assert_eq!(name(NAME, &spaced).unwrap(), "a b");
        assert_eq!(optional(NOTES, Some("   ")), Ok(None));
        assert_eq!(optional(NOTES, None), Ok(None));
        assert_eq!(optional(NOTES, Some(" hi ")), Ok(Some("hi".into())));
        assert!(optional(LOCATION, Some(&"x".repeat(201))).is_err());
    }

    #[test]
    fn search_patterns_escape_like_metacharacters() {
        assert_eq!(contains_pattern("Sugar").unwrap(), "%sugar%");
        assert_eq!(contains_pattern("100%").unwrap(), "%100\\%%");
        assert_eq!(contains_pattern("a_b").unwrap(), "%a\\_b%");
        assert_eq!(contains_pattern("c:\\x").unwrap(), "%c:\\\\x%");
        assert_eq!(
            contains_pattern("  Brown   SUGAR ").unwrap(),
            "%brown sugar%"
        );
        assert!(contains_pattern(&"s".repeat(200)).is_ok());
        let err = contains_pattern(&"s".repeat(900_000)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "search is 900000 characters long; at most 200 are allowed"
        );
    }

    #[test]
    fn excerpts_are_short_and_printable() {
        assert_eq!(excerpt("kg"), "\"kg\"");
        assert_eq!(
            excerpt(&"x".repeat(1000)),
            format!("\"{}…\"", "x".repeat(64))
        );
        assert_eq!(excerpt("a\0\"b"), "\"a\\u{0}\\\"b\"");
    }
}
