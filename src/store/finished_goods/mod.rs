//! Finished goods: assembled items and their components (finished units, other finished
//! goods, packaging ingredients).
//!
//! Rules kept here: each component names exactly one item; finished unit and finished good
//! quantities are whole numbers > 0, packaging quantities decimals > 0 in the ingredient's
//! unit; an item appears at most once per finished good; packaging must be an ingredient
//! marked as packaging; and no finished good contains itself, directly or through nested
//! finished goods. This module holds the public API; each rule lives in the submodule of
//! its job.

mod component_writes;
mod components;
mod cycles;
mod slugs;

pub use component_writes::ComponentWrites;
pub use components::{
    check_components, component_item, CheckedComponent, ComponentItem, NewComponent,
};
pub use cycles::GoodCycles;
pub use slugs::{checked_slug, SlugSteps};

use super::unique_names::{UniqueName, UniqueNames};
use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{
    assembly_consumptions, assembly_runs, event_assembly_targets, finished_good_components,
    finished_goods, package_items,
};
use crate::db::Db;
use crate::domain::kinds::AssemblyType;
use crate::domain::names::slugify;
use crate::error::AppResult;
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel::sql_types::Text;
use diesel_async::RunQueryDsl;

pub use crate::db::models::{FinishedGood, FinishedGoodComponent};

diesel::define_sql_function!(
    /// SQL `lower(text)`, for case-insensitive search and ordering by name.
    fn lower(x: Text) -> Text
);

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

/// Creates a finished good with its components (inventory and average cost start at 0).
pub async fn create(db: &Db, input: NewFinishedGood) -> AppResult<FinishedGood> {
    let name = crate::domain::text::required_name("finished good", &input.name)?;
    let given_slug = input.slug.as_deref().map(checked_slug).transpose()?;
    let components = check_components(&input.components)?;
    let base_slug = slugify(&name);
    let ts = now();
    db_write!(db, |conn| {
        let slug = conn
            .slug_for_new_good(given_slug.as_deref(), &base_slug)
            .await?;
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
        conn.write_components(&good, &components, ts).await?;
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
            conn.ensure_name_free(UniqueName::FinishedGoodSlug(&slug), Some(id))
                .await?;
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
            conn.write_components(&good, components, ts).await?;
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
