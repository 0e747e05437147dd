//! Finished goods: assembled items and their components (finished units, other finished
//! goods, packaging ingredients).
//!
//! Rules kept here: each component names exactly one item; finished unit and finished good
//! quantities are whole numbers > 0, packaging quantities decimals > 0 in the ingredient's
//! unit; an item appears at most once per finished good; packaging must be an ingredient
//! marked as packaging; and no finished good contains itself, directly or through nested
//! finished goods.

use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{
    assembly_consumptions, assembly_runs, event_assembly_targets, finished_good_components,
    finished_goods, finished_units, ingredients, package_items,
};
use crate::db::{Backend, Db};
use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::graph;
use crate::domain::kinds::{AssemblyType, ComponentKind};
use crate::domain::names::{is_valid_slug, numbered_slug, slugify};
use crate::error::{AppError, AppResult};
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Text};
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::collections::HashMap;

pub use crate::db::models::{FinishedGood, FinishedGoodComponent};

diesel::define_sql_function!(
    /// SQL `lower(text)`, for case-insensitive search and ordering by name.
    fn lower(x: Text) -> Text
);

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
struct CheckedComponent {
    item: ComponentItem,
    quantity: i64,
    notes: Option<String>,
}

/// A new finished good.
#[derive(Debug, Clone)]
pub struct NewFinishedGood {
    /// Display name (required).
    pub name: String,
    /// URL-safe unique name; derived from the name (numbered if taken) when absent.
    pub slug: Option<String>,
    /// What kind of assembly it is.
    pub assembly_type: AssemblyType,
    /// Free text description.
    pub description: Option<String>,
    /// How to pack it.
    pub packaging_instructions: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Its components, in order.
    pub components: Vec<NewComponent>,
}

/// Changes to a finished good; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct FinishedGoodChanges {
    /// New name.
    pub name: Option<String>,
    /// New slug (must be valid and unused).
    pub slug: Option<String>,
    /// New assembly type.
    pub assembly_type: Option<AssemblyType>,
    /// New description, or `Some(None)` to clear it.
    pub description: Option<Option<String>>,
    /// New packaging instructions, or `Some(None)` to clear them.
    pub packaging_instructions: Option<Option<String>>,
    /// New notes, or `Some(None)` to clear them.
    pub notes: Option<Option<String>>,
    /// A new component list replacing the whole old one.
    pub components: Option<Vec<NewComponent>>,
}

fn checked_slug(slug: &str) -> AppResult<String> {
    let slug = &crate::domain::text::trimmed(crate::domain::text::SLUG, slug)?;
    if !is_valid_slug(slug) {
        return Err(AppError::bad_input(format!(
            "slug \"{slug}\" is not valid: use lower-case letters a-z, digits and single dashes \
             between them (e.g. \"cookie-tin-2\")"
        )));
    }
    Ok(slug.to_string())
}

/// Checks quantities and repeated items, and scales the quantities.
fn check_components(components: &[NewComponent]) -> AppResult<Vec<CheckedComponent>> {
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

/// One containment edge between finished goods.
#[derive(Debug, QueryableByName)]
struct GoodEdge {
    #[diesel(sql_type = BigInt)]
    parent_id: i64,
    #[diesel(sql_type = BigInt)]
    child_id: i64,
}

/// Every `(parent, child)` edge between finished goods that leads, through any number of
/// levels, to `root`: the part of the graph a new child of `root` could close a cycle in.
/// One recursive query; `root` is an integer, formatted in (both backends share the text).
fn ancestor_edges_sql(root: i64) -> String {
    format!(
        "WITH RECURSIVE up(good_id) AS ( \
             SELECT CAST({root} AS BIGINT) \
             UNION \
             SELECT c.finished_good_id FROM finished_good_components c \
             JOIN up ON c.component_good_id = up.good_id \
         ) \
         SELECT c.finished_good_id AS parent_id, c.component_good_id AS child_id \
         FROM finished_good_components c JOIN up ON c.component_good_id = up.good_id \
         ORDER BY c.finished_good_id, c.position"
    )
}

/// A PostgreSQL transaction lock serializing writes that add finished goods to finished
/// goods, so two concurrent updates cannot each add one half of a cycle. (SQLite write
/// transactions are already serialized by `BEGIN IMMEDIATE`.)
const GOODS_GRAPH_LOCK: &str = "SELECT pg_advisory_xact_lock(727275001)";

/// Inside a write transaction: checks what the components reference (existence, packaging
/// flag, cycles through `$good`), then replaces `$good`'s components with them.
macro_rules! write_components {
    ($conn:ident, $backend:expr, $good:expr, $components:expr, $ts:expr) => {{
        let good: &FinishedGood = $good;
        let components: &[CheckedComponent] = $components;
        let ids_of = |pick: fn(ComponentItem) -> Option<i64>| -> Vec<i64> {
            components.iter().filter_map(|c| pick(c.item)).collect()
        };
        let unit_ids = ids_of(|i| match i {
            ComponentItem::FinishedUnit(id) => Some(id),
            _ => None,
        });
        let good_ids = ids_of(|i| match i {
            ComponentItem::FinishedGood(id) => Some(id),
            _ => None,
        });
        let packaging_ids = ids_of(|i| match i {
            ComponentItem::Packaging(id) => Some(id),
            _ => None,
        });
        let units: HashMap<i64, String> = if unit_ids.is_empty() {
            HashMap::new()
        } else {
            finished_units::table
                .filter(finished_units::id.eq_any(&unit_ids))
                .select((finished_units::id, finished_units::name))
                .load::<(i64, String)>($conn)
                .await?
                .into_iter()
                .collect()
        };
        let goods: HashMap<i64, String> = if good_ids.is_empty() {
            HashMap::new()
        } else {
            finished_goods::table
                .filter(finished_goods::id.eq_any(&good_ids))
                .select((finished_goods::id, finished_goods::name))
                .load::<(i64, String)>($conn)
                .await?
                .into_iter()
                .collect()
        };
        let packaging: HashMap<i64, (String, bool)> = if packaging_ids.is_empty() {
            HashMap::new()
        } else {
            ingredients::table
                .filter(ingredients::id.eq_any(&packaging_ids))
                .select((
                    ingredients::id,
                    ingredients::name,
                    ingredients::is_packaging,
                ))
                .load::<(i64, String, bool)>($conn)
                .await?
                .into_iter()
                .map(|(id, name, flag)| (id, (name, flag)))
                .collect()
        };
        for component in components {
            match component.item {
                ComponentItem::FinishedUnit(id) if !units.contains_key(&id) => {
                    return Err(AppError::not_found(
                        crate::domain::entity::Entity::FinishedUnit,
                        id,
                    ));
                }
                ComponentItem::FinishedGood(id) if !goods.contains_key(&id) => {
                    return Err(AppError::not_found(
                        crate::domain::entity::Entity::FinishedGood,
                        id,
                    ));
                }
                ComponentItem::Packaging(id) => match packaging.get(&id) {
                    None => {
                        return Err(AppError::not_found(
                            crate::domain::entity::Entity::Ingredient,
                            id,
                        ))
                    }
                    Some((name, false)) => {
                        return Err(AppError::bad_input(format!(
                            "ingredient \"{name}\" is not packaging: only ingredients marked \
                             isPackaging can be finished good components (mark it with \
                             updateIngredient first)"
                        )));
                    }
                    Some(_) => {}
                },
                _ => {}
            }
        }
        if !good_ids.is_empty() {
            if $backend == Backend::Postgres {
                diesel::sql_query(GOODS_GRAPH_LOCK).execute($conn).await?;
            }
            let edges: Vec<(i64, i64)> = diesel::sql_query(ancestor_edges_sql(good.id))
                .load::<GoodEdge>($conn)
                .await?
                .into_iter()
                .map(|e| (e.parent_id, e.child_id))
                .collect();
            if let Some(cycle) = graph::cycle_through(good.id, &good_ids, &edges) {
                let names: HashMap<i64, String> = finished_goods::table
                    .filter(finished_goods::id.eq_any(&cycle))
                    .select((finished_goods::id, finished_goods::name))
                    .load::<(i64, String)>($conn)
                    .await?
                    .into_iter()
                    .collect();
                let path: Vec<String> = cycle
                    .iter()
                    .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
                    .collect();
                return Err(AppError::bad_input(format!(
                    "finished good \"{}\" cannot contain \"{}\": that would make a cycle ({})",
                    good.name,
                    path[1],
                    path.join(" → ")
                )));
            }
        }
        diesel::delete(
            finished_good_components::table
                .filter(finished_good_components::finished_good_id.eq(good.id)),
        )
        .execute($conn)
        .await?;
        // One INSERT per component: diesel-async cannot batch inserts on SQLite, and a
        // finished good has a handful of components.
        for (index, c) in components.iter().enumerate() {
            let (unit, child, packaging) = match c.item {
                ComponentItem::FinishedUnit(id) => (Some(id), None, None),
                ComponentItem::FinishedGood(id) => (None, Some(id), None),
                ComponentItem::Packaging(id) => (None, None, Some(id)),
            };
            diesel::insert_into(finished_good_components::table)
                .values((
                    finished_good_components::uuid.eq(new_uuid()),
                    finished_good_components::created_at.eq($ts),
                    finished_good_components::updated_at.eq($ts),
                    finished_good_components::finished_good_id.eq(good.id),
                    finished_good_components::position.eq(index as i32 + 1),
                    finished_good_components::finished_unit_id.eq(unit),
                    finished_good_components::component_good_id.eq(child),
                    finished_good_components::packaging_ingredient_id.eq(packaging),
                    finished_good_components::quantity.eq(c.quantity),
                    finished_good_components::notes.eq(c.notes.clone()),
                ))
                .execute($conn)
                .await?;
        }
    }};
}

/// Inside a write transaction: fails with `CONFLICT` when another finished good has `$slug`.
macro_rules! ensure_slug_free {
    ($conn:ident, $slug:expr, $except:expr) => {{
        let slug: &str = $slug;
        let taken: i64 = finished_goods::table
            .filter(finished_goods::slug.eq(slug))
            .filter(finished_goods::id.ne($except))
            .count()
            .get_result($conn)
            .await?;
        if taken > 0 {
            return Err(AppError::Conflict(format!(
                "a finished good with slug \"{slug}\" already exists; choose another slug"
            )));
        }
    }};
}

/// Creates a finished good with its components (inventory and average cost start at 0).
pub async fn create(db: &Db, input: NewFinishedGood) -> AppResult<FinishedGood> {
    let name = crate::domain::text::required_name("finished good", &input.name)?;
    let given_slug = input.slug.as_deref().map(checked_slug).transpose()?;
    let components = check_components(&input.components)?;
    let base_slug = slugify(&name);
    let backend = db.backend();
    let ts = now();
    db_write!(db, |conn| {
        let slug = match &given_slug {
            Some(slug) => {
                ensure_slug_free!(conn, slug, 0);
                slug.clone()
            }
            None => {
                let slugs: Vec<String> = finished_goods::table
                    .filter(finished_goods::slug.like(format!("{base_slug}%")))
                    .select(finished_goods::slug)
                    .load(conn)
                    .await?;
                (1..)
                    .map(|n| numbered_slug(&base_slug, n))
                    .find(|candidate| !slugs.contains(candidate))
                    .expect("some numbered slug is free")
            }
        };
        let good = diesel::insert_into(finished_goods::table)
            .values((
                finished_goods::uuid.eq(new_uuid()),
                finished_goods::created_at.eq(ts),
                finished_goods::updated_at.eq(ts),
                finished_goods::slug.eq(&slug),
                finished_goods::name.eq(&name),
                finished_goods::assembly_type.eq(input.assembly_type.as_str()),
                finished_goods::description.eq(clean_text(
                    crate::domain::text::DESCRIPTION,
                    input.description.clone(),
                )?),
                finished_goods::packaging_instructions.eq(clean_text(
                    crate::domain::text::PACKAGING_INSTRUCTIONS,
                    input.packaging_instructions.clone(),
                )?),
                finished_goods::inventory_count.eq(0),
                finished_goods::average_unit_cost.eq(0),
                finished_goods::notes
                    .eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(FinishedGood::as_returning())
            .get_result(conn)
            .await?;
        write_components!(conn, backend, &good, &components, ts);
        Ok(good)
    })
}

/// Applies the given changes; a given component list replaces the old one and is checked
/// for cycles again.
pub async fn update(db: &Db, id: i64, changes: FinishedGoodChanges) -> AppResult<FinishedGood> {
    let new_name = changes
        .name
        .as_deref()
        .map(|name| crate::domain::text::required_name("finished good", name))
        .transpose()?;
    let new_slug = changes.slug.as_deref().map(checked_slug).transpose()?;
    let components = changes
        .components
        .as_deref()
        .map(check_components)
        .transpose()?;
    let backend = db.backend();
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            finished_goods::table,
            FinishedGood,
            id,
            crate::domain::entity::Entity::FinishedGood
        );
        let slug = new_slug.clone().unwrap_or(current.slug.clone());
        if slug != current.slug {
            ensure_slug_free!(conn, &slug, id);
        }
        let good = diesel::update(finished_goods::table.find(id))
            .set((
                finished_goods::updated_at.eq(ts),
                finished_goods::slug.eq(&slug),
                finished_goods::name.eq(new_name.as_ref().unwrap_or(&current.name)),
                finished_goods::assembly_type.eq(changes
                    .assembly_type
                    .map(AssemblyType::as_str)
                    .unwrap_or(&current.assembly_type)),
                finished_goods::description.eq(super::changed_text(
                    crate::domain::text::DESCRIPTION,
                    &changes.description,
                    &current.description,
                )?),
                finished_goods::packaging_instructions.eq(super::changed_text(
                    crate::domain::text::PACKAGING_INSTRUCTIONS,
                    &changes.packaging_instructions,
                    &current.packaging_instructions,
                )?),
                finished_goods::notes.eq(super::changed_text(
                    crate::domain::text::NOTES,
                    &changes.notes,
                    &current.notes,
                )?),
            ))
            .returning(FinishedGood::as_returning())
            .get_result(conn)
            .await?;
        if let Some(components) = &components {
            write_components!(conn, backend, &good, components, ts);
        }
        Ok(good)
    })
}

/// Deletes a finished good and its components; refused while an assembly target, an
/// assembly run, a package item, a parent finished good or an assembly consumption
/// references it.
pub async fn delete(db: &Db, id: i64) -> AppResult<FinishedGood> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            finished_goods::table,
            FinishedGood,
            id,
            crate::domain::entity::Entity::FinishedGood
        );
        let targets: i64 = event_assembly_targets::table
            .filter(event_assembly_targets::finished_good_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let runs: i64 = assembly_runs::table
            .filter(assembly_runs::finished_good_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let items: i64 = package_items::table
            .filter(package_items::finished_good_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let parents: i64 = finished_good_components::table
            .filter(finished_good_components::component_good_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let consumptions: i64 = assembly_consumptions::table
            .filter(assembly_consumptions::finished_good_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        super::refuse_if_referenced(
            "finished good",
            &current.name,
            &[
                ("event assembly targets", targets),
                ("assembly runs", runs),
                ("package items", items),
                ("parent finished goods", parents),
                ("assembly consumptions", consumptions),
            ],
        )?;
        diesel::delete(finished_goods::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// FinishedGood rows by primary key (one query).
    by_ids,
    finished_goods,
    FinishedGood
);

crate::rows_by_parent_ids!(
    /// Components of many finished goods, in their stored order (one query).
    components_by_finished_good_ids,
    finished_good_components,
    FinishedGoodComponent,
    finished_good_id,
    (finished_good_components::position)
);

/// Filters for the finished good list.
#[derive(Debug, Clone, Default)]
pub struct FinishedGoodFilter {
    /// Only this assembly type.
    pub assembly_type: Option<AssemblyType>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// One page of finished goods ordered by name.
pub async fn list(
    db: &Db,
    filter: &FinishedGoodFilter,
    keyset: &Keyset<FinishedGood>,
) -> AppResult<Page<FinishedGood>> {
    let search = filter
        .search
        .as_deref()
        .map(crate::domain::text::contains_pattern)
        .transpose()?;
    let assembly_type = filter.assembly_type.map(AssemblyType::as_str);
    db_run!(db, |conn| {
        let build = || {
            let mut query = finished_goods::table.into_boxed();
            if let Some(t) = assembly_type {
                query = query.filter(finished_goods::assembly_type.eq(t));
            }
            if let Some(s) = &search {
                query = query.filter(
                    lower(finished_goods::name)
                        .like(s.clone())
                        .escape(crate::domain::text::LIKE_ESCAPE),
                );
            }
            query
        };
        Ok(crate::keyset_page!(conn, keyset, build, FinishedGood,
            sort: lower(finished_goods::name), key: |k| lower(k.clone()), id: finished_goods::id, asc))
    })
}

impl Keyed for FinishedGood {
    type Key = String;
    const LIST: &'static str = "finished_goods:name";
    fn position(&self) -> Position<String> {
        Position {
            key: self.name.clone(),
            id: self.id,
        }
    }
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
