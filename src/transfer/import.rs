//! The second half of an import, inside one write transaction: REPLACE empties every
//! table first; then each entry is either skipped (MERGE, its natural key exists) or
//! inserted with its references resolved to ids (document entries first, then rows
//! already in the database). Catalog and pantry live here, events and runs in
//! [`super::import_runs`].
//!
//! MERGE never changes a row that already exists, so a new entry that would change one (a
//! run drawing on an existing lot or adding to an existing finished unit, an adjustment of
//! an existing lot) is refused: its effect on the existing row is not part of the document.

use super::check::Checked;
use super::values::bad;
use super::Counts;
use crate::db::schema::*;
use crate::domain::names::name_key;
use crate::error::{AppError, AppResult};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel::result::Error as DieselError;
use diesel_async::RunQueryDsl;
use std::collections::{HashMap, HashSet};
use std::future::Future;

/// A database error while writing the entry at `path`: the caller's rule violations, as
/// the one conversion into [`AppError`] sorts them, become `BAD_USER_INPUT` naming the
/// entry; anything else (including transient failures, which the transaction retries)
/// stays as that conversion made it.
pub fn at(path: &str) -> impl FnOnce(DieselError) -> AppError + '_ {
    move |e| match AppError::from(e) {
        AppError::Duplicate { constraint } => bad(
            path,
            format!("conflicts with a row already in the database ({constraint})"),
        ),
        // On an insert, a foreign key fails because the row referred to is missing.
        AppError::DeleteRestricted { .. } => bad(path, "refers to a row that does not exist"),
        AppError::BadInput(message) => bad(path, message),
        other => other,
    }
}

/// A row the import found or wrote, and whether this import created it.
#[derive(Debug, Clone, Copy)]
pub struct Row {
    /// Primary key.
    pub id: i64,
    /// True when inserted by this import (false: it existed and was skipped).
    pub created: bool,
}

/// A finished unit as runs need it.
#[derive(Debug, Clone)]
pub struct UnitRow {
    /// The row.
    pub row: Row,
    /// Its recipe.
    pub recipe_id: i64,
    /// Yield columns (mode, items per batch, batch percentage).
    pub yield_: (String, Option<i32>, Option<i64>),
}

/// (id, slug, recipe id, yield mode, items per batch, batch percentage) of a finished unit.
type UnitColumns = (i64, String, i64, String, Option<i32>, Option<i64>);

/// Ids by natural key, of rows in the database (existing or written by this import).
#[derive(Debug, Default)]
pub struct Keys {
    /// Ingredient slug → row.
    pub ingredients: HashMap<String, Row>,
    /// Ingredient name key → slug (to refuse a new slug with a taken name).
    pub ingredient_names: HashMap<String, String>,
    /// Product uuid → (row, ingredient id).
    pub products: HashMap<String, (Row, i64)>,
    /// Lot uuid → row.
    pub lots: HashMap<String, Row>,
    /// Adjustment uuids present.
    pub adjustments: HashSet<String>,
    /// Recipe name key → row.
    pub recipes: HashMap<String, Row>,
    /// Finished unit slug → row.
    pub units: HashMap<String, UnitRow>,
    /// Finished good slug → row.
    pub goods: HashMap<String, Row>,
    /// Package name → row.
    pub packages: HashMap<String, Row>,
    /// Recipient uuid → row.
    pub recipients: HashMap<String, Row>,
    /// (event name, date) → row.
    pub events: HashMap<(String, String), Row>,
    /// (year, event name) → date, for the uniqueness of names within a year.
    pub event_years: HashMap<(i32, String), String>,
    /// (event, recipient, package) ids of assignments.
    pub assignments: HashSet<(i64, i64, i64)>,
    /// (event, recipe) ids of production targets.
    pub production_targets: HashSet<(i64, i64)>,
    /// (event, finished good) ids of assembly targets.
    pub assembly_targets: HashSet<(i64, i64)>,
    /// Run uuids present (both kinds).
    pub runs: HashSet<String>,
}

fn existing(id: i64) -> Row {
    Row { id, created: false }
}

fn created(id: i64) -> Row {
    Row { id, created: true }
}

/// Looks a reference up, or fails naming the entry and the missing key.
pub fn find<K, V>(map: &HashMap<K, V>, key: &K, path: &str, what: &str, shown: &str) -> AppResult<V>
where
    K: std::hash::Hash + Eq,
    V: Clone,
{
    map.get(key)
        .cloned()
        .ok_or_else(|| bad(path, format!("no {what} \"{shown}\"")))
}

/// Pantry and catalog steps of an import on one connection, inside its transaction.
pub trait ImportTx: Send {
    /// Deletes every row of every application table (REPLACE).
    fn clear_all(&mut self) -> impl Future<Output = AppResult<()>> + Send;
    /// Loads the natural keys of the rows already in the database.
    fn load_keys(&mut self) -> impl Future<Output = AppResult<Keys>> + Send;
    /// Ingredients, products, lots and adjustments.
    fn import_pantry(
        &mut self,
        c: &Checked,
        keys: &mut Keys,
        counts: &mut Counts,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
    /// Recipes, finished units, finished goods, packages and recipients.
    fn import_catalog(
        &mut self,
        c: &Checked,
        keys: &mut Keys,
        counts: &mut Counts,
        ts: NaiveDateTime,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

/// Every application table, children first (the order REPLACE deletes in).
pub const TABLES: [&str; 24] = [
    "idempotency_keys",
    "event_production_totals",
    "event_assembly_totals",
    "assembly_consumptions",
    "production_consumptions",
    "assembly_runs",
    "production_runs",
    "event_assembly_targets",
    "event_production_targets",
    "event_recipient_packages",
    "events",
    "recipients",
    "package_items",
    "packages",
    "finished_good_components",
    "finished_goods",
    "finished_units",
    "recipe_components",
    "recipe_ingredients",
    "recipes",
    "inventory_adjustments",
    "inventory_lots",
    "products",
    "ingredients",
];

crate::impl_for_backends! {
    impl ImportTx {
        async fn clear_all(&mut self) -> AppResult<()> {
            for table in TABLES {
                diesel::sql_query(format!("DELETE FROM {table}")).execute(self).await?;
            }
            Ok(())
        }

        async fn load_keys(&mut self) -> AppResult<Keys> {
            let mut k = Keys::default();
            let rows: Vec<(i64, String, String)> = ingredients::table.select((ingredients::id, ingredients::slug, ingredients::name_key)).load(self).await?;
            for (id, slug, key) in rows {
                k.ingredient_names.insert(key, slug.clone());
                k.ingredients.insert(slug, existing(id));
            }
            let rows: Vec<(i64, String, i64)> = products::table.select((products::id, products::uuid, products::ingredient_id)).load(self).await?;
            k.products = rows.into_iter().map(|(id, u, i)| (u, (existing(id), i))).collect();
            let rows: Vec<(i64, String)> = inventory_lots::table.select((inventory_lots::id, inventory_lots::uuid)).load(self).await?;
            k.lots = rows.into_iter().map(|(id, u)| (u, existing(id))).collect();
            k.adjustments = inventory_adjustments::table.select(inventory_adjustments::uuid).load::<String>(self).await?.into_iter().collect();
            let rows: Vec<(i64, String)> = recipes::table.select((recipes::id, recipes::name_key)).load(self).await?;
            k.recipes = rows.into_iter().map(|(id, n)| (n, existing(id))).collect();
            let rows: Vec<UnitColumns> = finished_units::table
                .select((finished_units::id, finished_units::slug, finished_units::recipe_id, finished_units::yield_mode, finished_units::items_per_batch, finished_units::batch_percentage))
                .load(self).await?;
            k.units = rows.into_iter().map(|(id, s, r, m, n, p)| (s, UnitRow { row: existing(id), recipe_id: r, yield_: (m, n, p) })).collect();
            let rows: Vec<(i64, String)> = finished_goods::table.select((finished_goods::id, finished_goods::slug)).load(self).await?;
            k.goods = rows.into_iter().map(|(id, s)| (s, existing(id))).collect();
            let rows: Vec<(i64, String)> = packages::table.select((packages::id, packages::name)).load(self).await?;
            k.packages = rows.into_iter().map(|(id, s)| (s, existing(id))).collect();
            let rows: Vec<(i64, String)> = recipients::table.select((recipients::id, recipients::uuid)).load(self).await?;
            k.recipients = rows.into_iter().map(|(id, s)| (s, existing(id))).collect();
            let rows: Vec<(i64, String, chrono::NaiveDate, i32)> = events::table.select((events::id, events::name, events::event_date, events::year)).load(self).await?;
            for (id, name, date, year) in rows {
                let date = super::values::date(date);
                k.event_years.insert((year, name.clone()), date.clone());
                k.events.insert((name, date), existing(id));
            }
            let rows: Vec<(i64, i64, i64)> = event_recipient_packages::table.select((event_recipient_packages::event_id, event_recipient_packages::recipient_id, event_recipient_packages::package_id)).load(self).await?;
            k.assignments = rows.into_iter().collect();
            let rows: Vec<(i64, i64)> = event_production_targets::table.select((event_production_targets::event_id, event_production_targets::recipe_id)).load(self).await?;
            k.production_targets = rows.into_iter().collect();
            let rows: Vec<(i64, i64)> = event_assembly_targets::table.select((event_assembly_targets::event_id, event_assembly_targets::finished_good_id)).load(self).await?;
            k.assembly_targets = rows.into_iter().collect();
            k.runs = production_runs::table.select(production_runs::uuid).load::<String>(self).await?.into_iter().collect();
            k.runs.extend(assembly_runs::table.select(assembly_runs::uuid).load::<String>(self).await?);
            Ok(k)
        }

        async fn import_pantry(&mut self, c: &Checked, keys: &mut Keys, counts: &mut Counts, ts: NaiveDateTime) -> AppResult<()> {
            for r in &c.ingredients {
                if keys.ingredients.contains_key(&r.slug) {
                    counts.skip("ingredients");
                    continue;
                }
                if let Some(other) = keys.ingredient_names.get(&name_key(&r.name)) {
                    return Err(bad(&format!("{}.name", r.path), format!("an ingredient named \"{}\" already exists with slug \"{other}\"", r.name)));
                }
                let (dv, dvu, dw, dwu) = match &r.density {
                    Some((v, vu, w, wu)) => (Some(*v), Some(vu.clone()), Some(*w), Some(wu.clone())),
                    None => (None, None, None, None),
                };
                let id: i64 = diesel::insert_into(ingredients::table)
                    .values((
                        ingredients::uuid.eq(crate::store::new_uuid()),
                        ingredients::created_at.eq(ts),
                        ingredients::updated_at.eq(ts),
                        ingredients::name.eq(&r.name),
                        ingredients::name_key.eq(name_key(&r.name)),
                        ingredients::slug.eq(&r.slug),
                        ingredients::category.eq(&r.category),
                        ingredients::unit.eq(r.unit.name()),
                        ingredients::is_packaging.eq(r.is_packaging),
                        ingredients::density_volume.eq(dv),
                        ingredients::density_volume_unit.eq(dvu),
                        ingredients::density_weight.eq(dw),
                        ingredients::density_weight_unit.eq(dwu),
                        ingredients::notes.eq(&r.notes),
                    ))
                    .returning(ingredients::id)
                    .get_result(self)
                    .await
                    .map_err(at(&r.path))?;
                keys.ingredient_names.insert(name_key(&r.name), r.slug.clone());
                keys.ingredients.insert(r.slug.clone(), created(id));
                counts.create("ingredients");
            }
            for p in &c.products {
                let path = format!("{}.ingredient", p.path);
                let ingredient = find(&keys.ingredients, &p.row.ingredient, &path, "ingredient", &p.row.ingredient)?;
                if keys.products.contains_key(&p.row.uuid) {
                    counts.skip("products");
                    continue;
                }
                let id: i64 = diesel::insert_into(products::table)
                    .values((
                        products::uuid.eq(&p.row.uuid),
                        products::created_at.eq(ts),
                        products::updated_at.eq(ts),
                        products::ingredient_id.eq(ingredient.id),
                        products::brand.eq(&p.row.brand),
                        products::package_quantity.eq(p.package_quantity),
                        products::package_unit.eq(p.package_unit.name()),
                        products::preferred.eq(p.row.preferred),
                        products::gtin.eq(&p.gtin),
                        products::supplier.eq(&p.row.supplier),
                        products::notes.eq(&p.row.notes),
                    ))
                    .returning(products::id)
                    .get_result(self)
                    .await
                    .map_err(at(&p.path))?;
                keys.products.insert(p.row.uuid.clone(), (created(id), ingredient.id));
                counts.create("products");
            }
            for l in &c.lots {
                let ingredient = find(&keys.ingredients, &l.row.ingredient, &format!("{}.ingredient", l.path), "ingredient", &l.row.ingredient)?;
                let lot = if let Some(row) = keys.lots.get(&l.row.uuid) {
                    counts.skip("lots");
                    *row
                } else {
                    let product = match &l.row.product {
                        Some(uuid) => {
                            let (row, of) = find(&keys.products, uuid, &format!("{}.product", l.path), "product", uuid)?;
                            if of != ingredient.id {
                                return Err(bad(&format!("{}.product", l.path), format!("product {uuid} is not a product of \"{}\"", l.row.ingredient)));
                            }
                            Some(row.id)
                        }
                        None => None,
                    };
                    let (purchased, remaining, unit_cost, total_cost) = l.amounts;
                    let id: i64 = diesel::insert_into(inventory_lots::table)
                        .values((
                            inventory_lots::uuid.eq(&l.row.uuid),
                            inventory_lots::created_at.eq(ts),
                            inventory_lots::updated_at.eq(ts),
                            inventory_lots::ingredient_id.eq(ingredient.id),
                            inventory_lots::product_id.eq(product),
                            inventory_lots::purchased_on.eq(l.purchased_on),
                            inventory_lots::quantity_purchased.eq(purchased),
                            inventory_lots::quantity_remaining.eq(remaining),
                            inventory_lots::unit_cost.eq(unit_cost),
                            inventory_lots::total_cost.eq(total_cost),
                            inventory_lots::expires_on.eq(l.expires_on),
                            inventory_lots::location.eq(&l.row.location),
                            inventory_lots::notes.eq(&l.row.notes),
                            inventory_lots::recorded_by.eq(&l.row.recorded_by),
                        ))
                        .returning(inventory_lots::id)
                        .get_result(self)
                        .await
                        .map_err(at(&l.path))?;
                    keys.lots.insert(l.row.uuid.clone(), created(id));
                    counts.create("lots");
                    created(id)
                };
                for (j, a) in l.adjustments.iter().enumerate() {
                    if keys.adjustments.contains(&a.uuid) {
                        counts.skip("adjustments");
                        continue;
                    }
                    let path = format!("{}.adjustments[{j}]", l.path);
                    if !lot.created {
                        return Err(bad(&path, format!("lot {} is already in the database; MERGE does not change existing lots, so a new adjustment of it cannot be imported (use REPLACE)", l.row.uuid)));
                    }
                    diesel::insert_into(inventory_adjustments::table)
                        .values((
                            inventory_adjustments::uuid.eq(&a.uuid),
                            inventory_adjustments::created_at.eq(a.adjusted_at),
                            inventory_adjustments::updated_at.eq(a.adjusted_at),
                            inventory_adjustments::lot_id.eq(lot.id),
                            inventory_adjustments::quantity_before.eq(a.before),
                            inventory_adjustments::quantity_after.eq(a.after),
                            inventory_adjustments::reason.eq(&a.reason),
                            inventory_adjustments::notes.eq(&a.notes),
                            inventory_adjustments::recorded_by.eq(&a.recorded_by),
                        ))
                        .execute(self)
                        .await
                        .map_err(at(&path))?;
                    keys.adjustments.insert(a.uuid.clone());
                    counts.create("adjustments");
                }
            }
            Ok(())
        }

        async fn import_catalog(&mut self, c: &Checked, keys: &mut Keys, counts: &mut Counts, ts: NaiveDateTime) -> AppResult<()> {
            for r in &c.recipes {
                let key = name_key(&r.row.name);
                if keys.recipes.contains_key(&key) {
                    counts.skip("recipes");
                    continue;
                }
                let id: i64 = diesel::insert_into(recipes::table)
                    .values((
                        recipes::uuid.eq(crate::store::new_uuid()),
                        recipes::created_at.eq(ts),
                        recipes::updated_at.eq(ts),
                        recipes::name.eq(&r.row.name),
                        recipes::name_key.eq(&key),
                        recipes::category.eq(&r.row.category),
                        recipes::yield_quantity.eq(r.yield_quantity),
                        recipes::yield_unit.eq(&r.row.yield_unit),
                        recipes::yield_description.eq(&r.row.yield_description),
                        recipes::estimated_minutes.eq(r.row.estimated_minutes),
                        recipes::source.eq(&r.row.source),
                        recipes::notes.eq(&r.row.notes),
                    ))
                    .returning(recipes::id)
                    .get_result(self)
                    .await
                    .map_err(at(&r.path))?;
                keys.recipes.insert(key, created(id));
                counts.create("recipes");
            }
            // Lines and components once every recipe has an id (a recipe may use one listed later).
            for r in &c.recipes {
                let recipe = keys.recipes[&name_key(&r.row.name)];
                if !recipe.created {
                    continue;
                }
                for (j, (slug, quantity, unit, notes)) in r.lines.iter().enumerate() {
                    let path = format!("{}.ingredients[{j}]", r.path);
                    let ingredient = find(&keys.ingredients, slug, &format!("{path}.ingredient"), "ingredient", slug)?;
                    diesel::insert_into(recipe_ingredients::table)
                        .values((
                            recipe_ingredients::uuid.eq(crate::store::new_uuid()),
                            recipe_ingredients::created_at.eq(ts),
                            recipe_ingredients::updated_at.eq(ts),
                            recipe_ingredients::recipe_id.eq(recipe.id),
                            recipe_ingredients::ingredient_id.eq(ingredient.id),
                            recipe_ingredients::position.eq(j as i32),
                            recipe_ingredients::quantity.eq(quantity),
                            recipe_ingredients::unit.eq(unit.name()),
                            recipe_ingredients::notes.eq(notes),
                        ))
                        .execute(self)
                        .await
                        .map_err(at(&path))?;
                }
                for (j, (name, quantity, notes)) in r.components.iter().enumerate() {
                    let path = format!("{}.components[{j}]", r.path);
                    let child = find(&keys.recipes, &name_key(name), &format!("{path}.recipe"), "recipe", name)?;
                    diesel::insert_into(recipe_components::table)
                        .values((
                            recipe_components::uuid.eq(crate::store::new_uuid()),
                            recipe_components::created_at.eq(ts),
                            recipe_components::updated_at.eq(ts),
                            recipe_components::recipe_id.eq(recipe.id),
                            recipe_components::component_recipe_id.eq(child.id),
                            recipe_components::position.eq(j as i32),
                            recipe_components::quantity.eq(quantity),
                            recipe_components::notes.eq(notes),
                        ))
                        .execute(self)
                        .await
                        .map_err(at(&path))?;
                }
            }
            for u in &c.finished_units {
                let recipe = find(&keys.recipes, &name_key(&u.row.recipe), &format!("{}.recipe", u.path), "recipe", &u.row.recipe)?;
                if keys.units.contains_key(&u.row.slug) {
                    counts.skip("finishedUnits");
                    continue;
                }
                let id: i64 = diesel::insert_into(finished_units::table)
                    .values((
                        finished_units::uuid.eq(crate::store::new_uuid()),
                        finished_units::created_at.eq(ts),
                        finished_units::updated_at.eq(ts),
                        finished_units::slug.eq(&u.row.slug),
                        finished_units::name.eq(&u.row.name),
                        finished_units::recipe_id.eq(recipe.id),
                        finished_units::yield_mode.eq(u.mode.as_str()),
                        finished_units::items_per_batch.eq(u.row.items_per_batch),
                        finished_units::item_unit.eq(&u.row.item_unit),
                        finished_units::batch_percentage.eq(u.batch_percentage),
                        finished_units::inventory_count.eq(u.row.inventory_count),
                        finished_units::average_unit_cost.eq(u.average_unit_cost),
                        finished_units::notes.eq(&u.row.notes),
                    ))
                    .returning(finished_units::id)
                    .get_result(self)
                    .await
                    .map_err(at(&u.path))?;
                let yield_ = (u.mode.as_str().to_string(), u.row.items_per_batch, u.batch_percentage);
                keys.units.insert(u.row.slug.clone(), UnitRow { row: created(id), recipe_id: recipe.id, yield_ });
                counts.create("finishedUnits");
            }
            for g in &c.finished_goods {
                if keys.goods.contains_key(&g.row.slug) {
                    counts.skip("finishedGoods");
                    continue;
                }
                let id: i64 = diesel::insert_into(finished_goods::table)
                    .values((
                        finished_goods::uuid.eq(crate::store::new_uuid()),
                        finished_goods::created_at.eq(ts),
                        finished_goods::updated_at.eq(ts),
                        finished_goods::slug.eq(&g.row.slug),
                        finished_goods::name.eq(&g.row.name),
                        finished_goods::assembly_type.eq(&g.row.assembly_type),
                        finished_goods::description.eq(&g.row.description),
                        finished_goods::packaging_instructions.eq(&g.row.packaging_instructions),
                        finished_goods::inventory_count.eq(g.row.inventory_count),
                        finished_goods::average_unit_cost.eq(g.average_unit_cost),
                        finished_goods::notes.eq(&g.row.notes),
                    ))
                    .returning(finished_goods::id)
                    .get_result(self)
                    .await
                    .map_err(at(&g.path))?;
                keys.goods.insert(g.row.slug.clone(), created(id));
                counts.create("finishedGoods");
            }
            for g in &c.finished_goods {
                let good = keys.goods[&g.row.slug];
                if !good.created {
                    continue;
                }
                for (j, (kind, key, quantity, notes)) in g.components.iter().enumerate() {
                    let path = format!("{}.components[{j}]", g.path);
                    use crate::domain::kinds::ComponentKind as K;
                    let (unit, other, packaging) = match kind {
                        K::FinishedUnit => (Some(find(&keys.units, key, &format!("{path}.finishedUnit"), "finished unit", key)?.row.id), None, None),
                        K::FinishedGood => (None, Some(find(&keys.goods, key, &format!("{path}.finishedGood"), "finished good", key)?.id), None),
                        K::Packaging => (None, None, Some(find(&keys.ingredients, key, &format!("{path}.packaging"), "ingredient", key)?.id)),
                    };
                    diesel::insert_into(finished_good_components::table)
                        .values((
                            finished_good_components::uuid.eq(crate::store::new_uuid()),
                            finished_good_components::created_at.eq(ts),
                            finished_good_components::updated_at.eq(ts),
                            finished_good_components::finished_good_id.eq(good.id),
                            finished_good_components::position.eq(j as i32),
                            finished_good_components::finished_unit_id.eq(unit),
                            finished_good_components::component_good_id.eq(other),
                            finished_good_components::packaging_ingredient_id.eq(packaging),
                            finished_good_components::quantity.eq(quantity),
                            finished_good_components::notes.eq(notes),
                        ))
                        .execute(self)
                        .await
                        .map_err(at(&path))?;
                }
            }
            for (i, p) in c.packages.iter().enumerate() {
                let path = format!("packages[{i}]");
                if keys.packages.contains_key(&p.name) {
                    counts.skip("packages");
                    continue;
                }
                let id: i64 = diesel::insert_into(packages::table)
                    .values((
                        packages::uuid.eq(crate::store::new_uuid()),
                        packages::created_at.eq(ts),
                        packages::updated_at.eq(ts),
                        packages::name.eq(&p.name),
                        packages::description.eq(&p.description),
                        packages::is_template.eq(p.is_template),
                        packages::notes.eq(&p.notes),
                    ))
                    .returning(packages::id)
                    .get_result(self)
                    .await
                    .map_err(at(&path))?;
                for (j, item) in p.items.iter().enumerate() {
                    let ipath = format!("{path}.items[{j}]");
                    let good = find(&keys.goods, &item.finished_good, &format!("{ipath}.finishedGood"), "finished good", &item.finished_good)?;
                    diesel::insert_into(package_items::table)
                        .values((
                            package_items::uuid.eq(crate::store::new_uuid()),
                            package_items::created_at.eq(ts),
                            package_items::updated_at.eq(ts),
                            package_items::package_id.eq(id),
                            package_items::finished_good_id.eq(good.id),
                            package_items::quantity.eq(item.quantity),
                        ))
                        .execute(self)
                        .await
                        .map_err(at(&ipath))?;
                }
                keys.packages.insert(p.name.clone(), created(id));
                counts.create("packages");
            }
            for (i, r) in c.recipients.iter().enumerate() {
                if keys.recipients.contains_key(&r.uuid) {
                    counts.skip("recipients");
                    continue;
                }
                let id: i64 = diesel::insert_into(recipients::table)
                    .values((
                        recipients::uuid.eq(&r.uuid),
                        recipients::created_at.eq(ts),
                        recipients::updated_at.eq(ts),
                        recipients::name.eq(&r.name),
                        recipients::household_name.eq(&r.household_name),
                        recipients::address.eq(&r.address),
                        recipients::notes.eq(&r.notes),
                    ))
                    .returning(recipients::id)
                    .get_result(self)
                    .await
                    .map_err(at(&format!("recipients[{i}]")))?;
                keys.recipients.insert(r.uuid.clone(), created(id));
                counts.create("recipients");
            }
            Ok(())
        }
    }
}
