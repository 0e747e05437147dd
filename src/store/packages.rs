//! Packages (what one recipient receives) and their items: finished goods × whole
//! quantities. Adding a finished good a package already holds adds to its quantity.

use super::finished_goods::lower;
use super::unique_names::{UniqueName, UniqueNames};
use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{event_recipient_packages, finished_goods, package_items, packages};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{db_run, db_write};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::future::Future;

pub use crate::db::models::{Package, PackageItem};

/// One item as given: a finished good and how many of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NewPackageItem {
    /// Finished good primary key.
    pub finished_good_id: i64,
    /// How many (> 0).
    pub quantity: i32,
}

/// A new package.
#[derive(Debug, Clone)]
pub struct NewPackage {
    /// Unique name (required).
    pub name: String,
    /// Free text description.
    pub description: Option<String>,
    /// A template to copy from.
    pub is_template: bool,
    /// Free text.
    pub notes: Option<String>,
    /// Its items; the same finished good given twice adds up.
    pub items: Vec<NewPackageItem>,
}

/// Changes to a package; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct PackageChanges {
    /// New name.
    pub name: Option<String>,
    /// New description, or `Some(None)` to clear it.
    pub description: Option<Option<String>>,
    /// New template flag.
    pub is_template: Option<bool>,
    /// New notes, or `Some(None)` to clear them.
    pub notes: Option<Option<String>>,
    /// A new item list replacing the whole old one.
    pub items: Option<Vec<NewPackageItem>>,
}

fn positive_quantity(position: Option<usize>, quantity: i32) -> AppResult<()> {
    if quantity <= 0 {
        let which = position.map(|p| format!("item {p}: ")).unwrap_or_default();
        return Err(AppError::bad_input(format!(
            "{which}quantity must be a whole number greater than zero, got {quantity}"
        )));
    }
    Ok(())
}

fn sum(a: i32, b: i32) -> AppResult<i32> {
    a.checked_add(b).ok_or_else(|| {
        AppError::bad_input(format!(
            "a package item quantity cannot exceed {} (got {a} + {b})",
            i32::MAX
        ))
    })
}

/// Checks quantities and merges repeated finished goods (their quantities add up), keeping
/// the order in which each finished good first appears.
fn merge_items(items: &[NewPackageItem]) -> AppResult<Vec<NewPackageItem>> {
    let mut merged: Vec<NewPackageItem> = Vec::with_capacity(items.len());
    let mut index: HashMap<i64, usize> = HashMap::new();
    for (i, item) in items.iter().enumerate() {
        positive_quantity(Some(i + 1), item.quantity)?;
        match index.get(&item.finished_good_id) {
            Some(&at) => merged[at].quantity = sum(merged[at].quantity, item.quantity)?,
            None => {
                index.insert(item.finished_good_id, merged.len());
                merged.push(*item);
            }
        }
    }
    Ok(merged)
}

/// Package steps inside a write transaction.
pub trait PackageSteps: Send {
    /// Checks that every item's finished good exists (one query; `NOT_FOUND` names the
    /// first missing one), then replaces the package's items with `items`, in their order.
    fn write_items(
        &mut self,
        package_id: i64,
        items: &[NewPackageItem],
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl PackageSteps {
        async fn write_items(&mut self, package_id: i64, items: &[NewPackageItem], ts: NaiveDateTime) -> AppResult<()> {
            if !items.is_empty() {
                let ids: Vec<i64> = items.iter().map(|i| i.finished_good_id).collect();
                let found: Vec<i64> = finished_goods::table
                    .filter(finished_goods::id.eq_any(&ids))
                    .select(finished_goods::id)
                    .load(self)
                    .await?;
                if let Some(missing) = ids.iter().find(|id| !found.contains(id)) {
                    return Err(AppError::not_found(
                        crate::domain::entity::Entity::FinishedGood,
                        *missing,
                    ));
                }
            }
            diesel::delete(package_items::table.filter(package_items::package_id.eq(package_id)))
                .execute(self)
                .await?;
            // One INSERT per item: diesel-async cannot batch inserts on SQLite, and a package
            // holds a handful of items.
            for item in items {
                diesel::insert_into(package_items::table)
                    .values((
                        package_items::uuid.eq(new_uuid()),
                        package_items::created_at.eq(ts),
                        package_items::updated_at.eq(ts),
                        package_items::package_id.eq(package_id),
                        package_items::finished_good_id.eq(item.finished_good_id),
                        package_items::quantity.eq(item.quantity),
                    ))
                    .execute(self)
                    .await?;
            }
            Ok(())
        }
    }
}

/// Creates a package with its items; the same finished good given twice adds up.
pub async fn create(db: &Db, input: NewPackage) -> AppResult<Package> {
    let name = crate::domain::text::required_name("package", &input.name)?;
    let items = merge_items(&input.items)?;
    let ts = now();
    db_write!(db, |conn| {
        conn.ensure_name_free(UniqueName::PackageName(&name), None)
            .await?;
        let package = diesel::insert_into(packages::table)
            .values((
                packages::uuid.eq(new_uuid()),
                packages::created_at.eq(ts),
                packages::updated_at.eq(ts),
                packages::name.eq(&name),
                packages::description.eq(clean_text(
                    crate::domain::text::DESCRIPTION,
                    input.description.clone(),
                )?),
                packages::is_template.eq(input.is_template),
                packages::notes.eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(Package::as_returning())
            .get_result(conn)
            .await?;
        conn.write_items(package.id, &items, ts).await?;
        Ok(package)
    })
}

/// Applies the given changes; a given item list replaces the old one.
pub async fn update(db: &Db, id: i64, changes: PackageChanges) -> AppResult<Package> {
    let new_name = changes
        .name
        .as_deref()
        .map(|name| crate::domain::text::required_name("package", name))
        .transpose()?;
    let items = changes.items.as_deref().map(merge_items).transpose()?;
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            packages::table,
            Package,
            id,
            crate::domain::entity::Entity::Package
        );
        let name = new_name.clone().unwrap_or(current.name.clone());
        if name != current.name {
            conn.ensure_name_free(UniqueName::PackageName(&name), Some(id))
                .await?;
        }
        let package = diesel::update(packages::table.find(id))
            .set((
                packages::updated_at.eq(ts),
                packages::name.eq(&name),
                packages::description.eq(super::changed_text(
                    crate::domain::text::DESCRIPTION,
                    &changes.description,
                    &current.description,
                )?),
                packages::is_template.eq(changes.is_template.unwrap_or(current.is_template)),
                packages::notes.eq(super::changed_text(
                    crate::domain::text::NOTES,
                    &changes.notes,
                    &current.notes,
                )?),
            ))
            .returning(Package::as_returning())
            .get_result(conn)
            .await?;
        if let Some(items) = &items {
            conn.write_items(id, items, ts).await?;
        }
        Ok(package)
    })
}

/// Adds a finished good to a package: its quantity grows when the package already holds it,
/// otherwise a new item is created.
pub async fn add_item(db: &Db, package_id: i64, item: NewPackageItem) -> AppResult<Package> {
    positive_quantity(None, item.quantity)?;
    let ts = now();
    db_write!(db, |conn| {
        // A no-op update locks the package on PostgreSQL (SQLite holds the write lock), so
        // concurrent additions add up one after the other and the check below sees the
        // latest quantity.
        let locked = diesel::update(packages::table.find(package_id))
            .set(packages::updated_at.eq(packages::updated_at))
            .execute(conn)
            .await?;
        if locked == 0 {
            return Err(AppError::not_found(
                crate::domain::entity::Entity::Package,
                package_id,
            ));
        }
        let good = crate::find_row!(
            conn,
            finished_goods::table,
            crate::store::finished_goods::FinishedGood,
            item.finished_good_id,
            crate::domain::entity::Entity::FinishedGood
        );
        let held: Option<i32> = package_items::table
            .filter(package_items::package_id.eq(package_id))
            .filter(package_items::finished_good_id.eq(good.id))
            .select(package_items::quantity)
            .first(conn)
            .await
            .optional()?;
        if let Some(held) = held {
            sum(held, item.quantity)?;
        }
        diesel::insert_into(package_items::table)
            .values((
                package_items::uuid.eq(new_uuid()),
                package_items::created_at.eq(ts),
                package_items::updated_at.eq(ts),
                package_items::package_id.eq(package_id),
                package_items::finished_good_id.eq(good.id),
                package_items::quantity.eq(item.quantity),
            ))
            .on_conflict((package_items::package_id, package_items::finished_good_id))
            .do_update()
            .set((
                package_items::quantity
                    .eq(package_items::quantity + excluded(package_items::quantity)),
                package_items::updated_at.eq(ts),
            ))
            .execute(conn)
            .await?;
        let package = diesel::update(packages::table.find(package_id))
            .set(packages::updated_at.eq(ts))
            .returning(Package::as_returning())
            .get_result(conn)
            .await?;
        Ok(package)
    })
}

/// Removes a finished good from a package (`NOT_FOUND` when the package does not hold it).
pub async fn remove_item(db: &Db, package_id: i64, finished_good_id: i64) -> AppResult<Package> {
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            packages::table,
            Package,
            package_id,
            crate::domain::entity::Entity::Package
        );
        let good = crate::find_row!(
            conn,
            finished_goods::table,
            crate::store::finished_goods::FinishedGood,
            finished_good_id,
            crate::domain::entity::Entity::FinishedGood
        );
        let removed = diesel::delete(
            package_items::table
                .filter(package_items::package_id.eq(package_id))
                .filter(package_items::finished_good_id.eq(finished_good_id)),
        )
        .execute(conn)
        .await?;
        if removed == 0 {
            return Err(AppError::NotFound {
                entity: crate::domain::entity::Entity::PackageItem,
                id: format!(
                    "\"{}\" of package \"{}\" (the package does not hold it)",
                    good.name, current.name
                ),
            });
        }
        let package = diesel::update(packages::table.find(package_id))
            .set(packages::updated_at.eq(ts))
            .returning(Package::as_returning())
            .get_result(conn)
            .await?;
        Ok(package)
    })
}

/// Deletes a package and its items; refused while event assignments reference it.
pub async fn delete(db: &Db, id: i64) -> AppResult<Package> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            packages::table,
            Package,
            id,
            crate::domain::entity::Entity::Package
        );
        let assignments: i64 = event_recipient_packages::table
            .filter(event_recipient_packages::package_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        super::refuse_if_referenced(
            "package",
            &current.name,
            &[("event assignments", assignments)],
        )?;
        diesel::delete(packages::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// Package rows by primary key (one query).
    by_ids,
    packages,
    Package
);

crate::rows_by_parent_ids!(
    /// Items of many packages, in the order they were added (one query).
    items_by_package_ids,
    package_items,
    PackageItem,
    package_id,
    (package_items::id)
);

/// Filters for the package list.
#[derive(Debug, Clone, Default)]
pub struct PackageFilter {
    /// Only templates (`true`) or only non-templates (`false`).
    pub is_template: Option<bool>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// One page of packages ordered by name.
pub async fn list(
    db: &Db,
    filter: &PackageFilter,
    keyset: &Keyset<Package>,
) -> AppResult<Page<Package>> {
    let search = filter
        .search
        .as_deref()
        .map(crate::domain::text::contains_pattern)
        .transpose()?;
    db_run!(db, |conn| {
        let build = || {
            let mut query = packages::table.into_boxed();
            if let Some(t) = filter.is_template {
                query = query.filter(packages::is_template.eq(t));
            }
            if let Some(s) = &search {
                query = query.filter(
                    lower(packages::name)
                        .like(s.clone())
                        .escape(crate::domain::text::LIKE_ESCAPE),
                );
            }
            query
        };
        Ok(crate::keyset_page!(conn, keyset, build, Package,
            sort: lower(packages::name), key: |k| lower(k.clone()), id: packages::id, asc))
    })
}

impl Keyed for Package {
    type Key = String;
    const LIST: &'static str = "packages:name";
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

    fn item(finished_good_id: i64, quantity: i32) -> NewPackageItem {
        NewPackageItem {
            finished_good_id,
            quantity,
        }
    }

    #[test]
    fn repeated_goods_add_up_in_first_order() {
        let merged = merge_items(&[item(7, 2), item(3, 1), item(7, 5)]).unwrap();
        assert_eq!(merged, vec![item(7, 7), item(3, 1)]);
    }

    #[test]
    fn quantities_must_be_positive_and_fit() {
        let error = merge_items(&[item(1, 1), item(2, 0)]).unwrap_err();
        assert_eq!(
            error.to_string(),
            "item 2: quantity must be a whole number greater than zero, got 0"
        );
        assert!(merge_items(&[item(1, -3)]).is_err());
        assert!(merge_items(&[item(1, i32::MAX), item(1, 1)]).is_err());
    }
}
