//! What a finished good is made of, as given: one item per component and its quantity,
//! with the checks that need no database (one item per line, each item listed once,
//! quantities whole and positive for pieces, positive for packaging).

use crate::db::models::FinishedGoodComponent;
use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::kinds::ComponentKind;
use crate::error::{AppError, AppResult};
use crate::store::clean_text;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// The one item a component names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ComponentItem {
    /// A finished unit (primary key), counted in whole pieces.
    FinishedUnit(i64),
    /// Another finished good (primary key), counted in whole pieces.
    FinishedGood(i64),
    /// A packaging ingredient (primary key), measured in the ingredient's unit.
    Packaging(i64),
}

impl ComponentItem {
    /// Builds the item from the three optional references of an input line; exactly one
    /// must be given. `position` (1-based) names the line in the error.
    pub fn from_references(
        position: usize,
        finished_unit_id: Option<i64>,
        finished_good_id: Option<i64>,
        packaging_id: Option<i64>,
    ) -> AppResult<ComponentItem> {
        match (finished_unit_id, finished_good_id, packaging_id) {
            (Some(id), None, None) => Ok(ComponentItem::FinishedUnit(id)),
            (None, Some(id), None) => Ok(ComponentItem::FinishedGood(id)),
            (None, None, Some(id)) => Ok(ComponentItem::Packaging(id)),
            _ => {
                let given: Vec<&str> = [
                    ("finishedUnitId", finished_unit_id.is_some()),
                    ("finishedGoodId", finished_good_id.is_some()),
                    ("packagingId", packaging_id.is_some()),
                ]
                .into_iter()
                .filter(|(_, present)| *present)
                .map(|(name, _)| name)
                .collect();
                let names = if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(" and ")
                };
                Err(AppError::bad_input(format!(
                    "component {position} must name exactly one of finishedUnitId, finishedGoodId \
                     and packagingId; it names {names}"
                )))
            }
        }
    }

    /// The kind of item.
    pub fn kind(self) -> ComponentKind {
        match self {
            ComponentItem::FinishedUnit(_) => ComponentKind::FinishedUnit,
            ComponentItem::FinishedGood(_) => ComponentKind::FinishedGood,
            ComponentItem::Packaging(_) => ComponentKind::Packaging,
        }
    }

    fn noun(self) -> &'static str {
        match self {
            ComponentItem::FinishedUnit(_) => "finished unit",
            ComponentItem::FinishedGood(_) => "finished good",
            ComponentItem::Packaging(_) => "packaging",
        }
    }
}

/// The item a stored component names.
pub fn component_item(row: &FinishedGoodComponent) -> ComponentItem {
    match (
        row.finished_unit_id,
        row.component_good_id,
        row.packaging_ingredient_id,
    ) {
        (Some(id), _, _) => ComponentItem::FinishedUnit(id),
        (_, Some(id), _) => ComponentItem::FinishedGood(id),
        (_, _, Some(id)) => ComponentItem::Packaging(id),
        _ => unreachable!("a CHECK constraint makes every component name exactly one item"),
    }
}

/// One component as given: an item, how many (or how much), notes.
#[derive(Debug, Clone)]
pub struct NewComponent {
    /// What it is.
    pub item: ComponentItem,
    /// Whole pieces for finished units and goods; a decimal in the ingredient's unit for packaging.
    pub quantity: Decimal,
    /// Free text.
    pub notes: Option<String>,
}

/// A component that passed the checks that need no database: its quantity is scaled.
#[derive(Debug, Clone)]
pub struct CheckedComponent {
    /// What it is.
    pub item: ComponentItem,
    /// The scaled quantity (see [`Scale::Quantity`]).
    pub quantity: i64,
    /// Free text, trimmed.
    pub notes: Option<String>,
}

/// Checks quantities and repeated items, and scales the quantities.
pub fn check_components(components: &[NewComponent]) -> AppResult<Vec<CheckedComponent>> {
    let mut seen: HashMap<ComponentItem, usize> = HashMap::new();
    let mut checked = Vec::with_capacity(components.len());
    for (index, component) in components.iter().enumerate() {
        let position = index + 1;
        let item = component.item;
        if let Some(first) = seen.insert(item, position) {
            return Err(AppError::bad_input(format!(
                "components {first} and {position} name the same {}; list it once with the total quantity",
                item.noun()
            )));
        }
        let quantity = component.quantity;
        let scaled = match item {
            ComponentItem::Packaging(_) => {
                let scaled = to_scaled(quantity, Scale::Quantity)?;
                if scaled <= 0 {
                    return Err(AppError::bad_input(format!(
                        "component {position} (packaging): quantity must be greater than zero \
                         (at least 0.000001), got {quantity}"
                    )));
                }
                scaled
            }
            ComponentItem::FinishedUnit(_) | ComponentItem::FinishedGood(_) => {
                if quantity <= Decimal::ZERO || !quantity.fract().is_zero() {
                    return Err(AppError::bad_input(format!(
                        "component {position} (a {}): quantity must be a whole number greater than zero, got {quantity}",
                        item.noun()
                    )));
                }
                to_scaled(quantity, Scale::Quantity)?
            }
        };
        checked.push(CheckedComponent {
            item,
            quantity: scaled,
            notes: clean_text(crate::domain::text::NOTES, component.notes.clone())?,
        });
    }
    Ok(checked)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn component(item: ComponentItem, quantity: &str) -> NewComponent {
        NewComponent {
            item,
            quantity: Decimal::from_str(quantity).unwrap(),
            notes: None,
        }
    }

    #[test]
    fn a_component_names_exactly_one_item() {
        assert_eq!(
            ComponentItem::from_references(1, None, Some(4), None).unwrap(),
            ComponentItem::FinishedGood(4)
        );
        let none = ComponentItem::from_references(2, None, None, None).unwrap_err();
        assert!(none.to_string().contains("component 2"), "{none}");
        assert!(none.to_string().ends_with("it names none"), "{none}");
        let two = ComponentItem::from_references(1, Some(1), None, Some(2)).unwrap_err();
        assert!(two
            .to_string()
            .ends_with("it names finishedUnitId and packagingId"));
    }

    #[test]
    fn quantities_are_whole_for_pieces_and_positive_for_packaging() {
        let ok = check_components(&[
            component(ComponentItem::FinishedUnit(1), "12"),
            component(ComponentItem::Packaging(2), "0.5"),
        ])
        .unwrap();
        assert_eq!(ok[0].quantity, 12_000_000);
        assert_eq!(ok[1].quantity, 500_000);
        for (item, quantity) in [
            (ComponentItem::FinishedUnit(1), "1.5"),
            (ComponentItem::FinishedGood(1), "0"),
            (ComponentItem::FinishedGood(1), "-2"),
            (ComponentItem::Packaging(1), "0"),
            (ComponentItem::Packaging(1), "0.0000001"),
            (ComponentItem::Packaging(1), "-1"),
        ] {
            let error = check_components(&[component(item, quantity)]).unwrap_err();
            assert!(
                matches!(error, AppError::BadInput(_)),
                "{item:?} {quantity}"
            );
        }
    }

    #[test]
    fn an_item_is_listed_once() {
        let error = check_components(&[
            component(ComponentItem::Packaging(3), "1"),
            component(ComponentItem::FinishedUnit(3), "1"),
            component(ComponentItem::Packaging(3), "2"),
        ])
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "components 1 and 3 name the same packaging; list it once with the total quantity"
        );
    }
}
