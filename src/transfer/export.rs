//! Reading the whole database into a [`Document`]: every table in primary-key order (so an
//! import, which inserts in document order, keeps every tie-break of the lists), in one
//! read transaction so the document is one consistent snapshot.

use super::document::*;
use super::values::{date, decimal, timestamp};
use crate::db::models as m;
use crate::db::schema::*;
use crate::db::{Db, PooledConn};
use crate::domain::fixed::Scale;
use crate::error::{AppError, AppResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::future::Future;

/// Every exported table, rows in primary-key order.
#[derive(Debug, Default)]
pub struct Tables {
    ingredients: Vec<m::Ingredient>,
    products: Vec<m::Product>,
    lots: Vec<m::InventoryLot>,
    adjustments: Vec<m::InventoryAdjustment>,
    recipes: Vec<m::Recipe>,
    recipe_lines: Vec<m::RecipeIngredient>,
    recipe_components: Vec<m::RecipeComponent>,
    finished_units: Vec<m::FinishedUnit>,
    finished_goods: Vec<m::FinishedGood>,
    good_components: Vec<m::FinishedGoodComponent>,
    packages: Vec<m::Package>,
    package_items: Vec<m::PackageItem>,
    recipients: Vec<m::Recipient>,
    events: Vec<m::Event>,
    assignments: Vec<m::EventRecipientPackage>,
    production_targets: Vec<m::EventProductionTarget>,
    assembly_targets: Vec<m::EventAssemblyTarget>,
    production_runs: Vec<m::ProductionRun>,
    production_consumptions: Vec<m::ProductionConsumption>,
    assembly_runs: Vec<m::AssemblyRun>,
    assembly_consumptions: Vec<m::AssemblyConsumption>,
}

/// Loads every table on a connection (inside the caller's transaction).
pub trait ExportTx: Send {
    /// All rows of every exported table, in primary-key order.
    fn load_tables(&mut self) -> impl Future<Output = AppResult<Tables>> + Send;
}

macro_rules! all {
    ($conn:expr, $table:ident, $row:ty) => {
        $table::table
            .order($table::id)
            .select(<$row>::as_select())
            .load::<$row>($conn)
            .await?
    };
}

crate::impl_for_backends! {
    impl ExportTx {
        async fn load_tables(&mut self) -> AppResult<Tables> {
            Ok(Tables {
                ingredients: all!(self, ingredients, m::Ingredient),
                products: all!(self, products, m::Product),
                lots: all!(self, inventory_lots, m::InventoryLot),
                adjustments: all!(self, inventory_adjustments, m::InventoryAdjustment),
                recipes: all!(self, recipes, m::Recipe),
                recipe_lines: all!(self, recipe_ingredients, m::RecipeIngredient),
                recipe_components: all!(self, recipe_components, m::RecipeComponent),
                finished_units: all!(self, finished_units, m::FinishedUnit),
                finished_goods: all!(self, finished_goods, m::FinishedGood),
                good_components: all!(self, finished_good_components, m::FinishedGoodComponent),
                packages: all!(self, packages, m::Package),
                package_items: all!(self, package_items, m::PackageItem),
                recipients: all!(self, recipients, m::Recipient),
                events: all!(self, events, m::Event),
                assignments: all!(self, event_recipient_packages, m::EventRecipientPackage),
                production_targets: all!(self, event_production_targets, m::EventProductionTarget),
                assembly_targets: all!(self, event_assembly_targets, m::EventAssemblyTarget),
                production_runs: all!(self, production_runs, m::ProductionRun),
                production_consumptions: all!(self, production_consumptions, m::ProductionConsumption),
                assembly_runs: all!(self, assembly_runs, m::AssemblyRun),
                assembly_consumptions: all!(self, assembly_consumptions, m::AssemblyConsumption),
            })
        }
    }
}

/// Reads the database as one snapshot: a read-only repeatable-read transaction on
/// PostgreSQL, a read transaction on SQLite (WAL keeps its snapshot).
pub async fn load(db: &Db) -> AppResult<Tables> {
    match db.get().await? {
        PooledConn::Postgres(mut pooled) => {
            let conn: &mut diesel_async::AsyncPgConnection = &mut pooled;
            conn.build_transaction()
                .read_only()
                .repeatable_read()
                .run(async |conn| conn.load_tables().await)
                .await
        }
        PooledConn::Sqlite(mut pooled) => {
            use diesel_async::AsyncConnection as _;
            let conn: &mut crate::db::SqliteConn = &mut pooled;
            conn.transaction(async |conn| conn.load_tables().await)
                .await
        }
    }
}

/// Looks up a referenced row's key; a missing one is a broken foreign key (internal).
fn key<'a>(map: &'a HashMap<i64, String>, id: i64, what: &str) -> AppResult<&'a String> {
    map.get(&id)
        .ok_or_else(|| AppError::Internal(format!("{what} {id} referenced but not found")))
}

fn by_parent<T>(rows: Vec<T>, parent: impl Fn(&T) -> i64) -> HashMap<i64, Vec<T>> {
    crate::store::group_by(rows, parent)
}

/// Turns the tables into the document; `exported_at` is stamped as given.
pub fn build(t: Tables, exported_at: chrono::NaiveDateTime) -> AppResult<Document> {
    let q = |raw| decimal(raw, Scale::Quantity);
    let money = |raw| decimal(raw, Scale::Money);
    let price = |raw| decimal(raw, Scale::UnitPrice);
    let ingredient_slug: HashMap<i64, String> = t
        .ingredients
        .iter()
        .map(|r| (r.id, r.slug.clone()))
        .collect();
    let product_uuid: HashMap<i64, String> =
        t.products.iter().map(|r| (r.id, r.uuid.clone())).collect();
    let lot_uuid: HashMap<i64, String> = t.lots.iter().map(|r| (r.id, r.uuid.clone())).collect();
    let recipe_name: HashMap<i64, String> =
        t.recipes.iter().map(|r| (r.id, r.name.clone())).collect();
    let unit_slug: HashMap<i64, String> = t
        .finished_units
        .iter()
        .map(|r| (r.id, r.slug.clone()))
        .collect();
    let good_slug: HashMap<i64, String> = t
        .finished_goods
        .iter()
        .map(|r| (r.id, r.slug.clone()))
        .collect();
    let package_name: HashMap<i64, String> =
        t.packages.iter().map(|r| (r.id, r.name.clone())).collect();
    let recipient_uuid: HashMap<i64, String> = t
        .recipients
        .iter()
        .map(|r| (r.id, r.uuid.clone()))
        .collect();
    let event_ref: HashMap<i64, EventRef> = t
        .events
        .iter()
        .map(|e| {
            let r = EventRef {
                name: e.name.clone(),
                date: date(e.event_date),
            };
            (e.id, r)
        })
        .collect();
    let event = |id: i64| -> AppResult<EventRef> {
        event_ref
            .get(&id)
            .cloned()
            .ok_or_else(|| AppError::Internal(format!("event {id} referenced but not found")))
    };
    let opt_key = |map: &HashMap<i64, String>, id: Option<i64>, what: &str| {
        id.map(|id| key(map, id, what).cloned()).transpose()
    };

    let mut adjustments = by_parent(t.adjustments, |a| a.lot_id);
    let mut lines = by_parent(t.recipe_lines, |l| l.recipe_id);
    let mut subrecipes = by_parent(t.recipe_components, |c| c.recipe_id);
    let mut components = by_parent(t.good_components, |c| c.finished_good_id);
    let mut items = by_parent(t.package_items, |i| i.package_id);
    let mut p_used = by_parent(t.production_consumptions, |c| c.production_run_id);
    let mut a_used = by_parent(t.assembly_consumptions, |c| c.assembly_run_id);

    let mut doc = Document {
        format: FORMAT.to_string(),
        version: VERSION,
        exported_at: timestamp(exported_at),
        ..empty()
    };
    for r in t.ingredients {
        let density = match (
            r.density_volume,
            r.density_volume_unit,
            r.density_weight,
            r.density_weight_unit,
        ) {
            (Some(v), Some(vu), Some(w), Some(wu)) => Some(Density {
                volume: q(v),
                volume_unit: vu,
                weight: q(w),
                weight_unit: wu,
            }),
            _ => None,
        };
        doc.ingredients.push(Ingredient {
            slug: r.slug,
            name: r.name,
            category: r.category,
            unit: r.unit,
            is_packaging: r.is_packaging,
            density,
            notes: r.notes,
        });
    }
    for r in t.products {
        doc.products.push(Product {
            uuid: r.uuid,
            ingredient: key(&ingredient_slug, r.ingredient_id, "ingredient")?.clone(),
            brand: r.brand,
            package_quantity: q(r.package_quantity),
            package_unit: r.package_unit,
            preferred: r.preferred,
            gtin: r.gtin,
            supplier: r.supplier,
            notes: r.notes,
        });
    }
    // Lots in FIFO order within each ingredient, so inserting them in document order gives
    // the same FIFO order (purchase date, then creation) in the new database.
    let mut lots = t.lots;
    lots.sort_by_key(|l| (l.purchased_on, l.id));
    for r in lots {
        let adjustments = adjustments
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .map(|a| Adjustment {
                uuid: a.uuid,
                adjusted_at: timestamp(a.created_at),
                quantity_before: q(a.quantity_before),
                quantity_after: q(a.quantity_after),
                reason: a.reason,
                notes: a.notes,
                recorded_by: a.recorded_by,
            })
            .collect();
        doc.lots.push(Lot {
            uuid: r.uuid,
            ingredient: key(&ingredient_slug, r.ingredient_id, "ingredient")?.clone(),
            product: opt_key(&product_uuid, r.product_id, "product")?,
            purchased_on: date(r.purchased_on),
            quantity_purchased: q(r.quantity_purchased),
            quantity_remaining: q(r.quantity_remaining),
            unit_cost: price(r.unit_cost),
            total_cost: money(r.total_cost),
            expires_on: r.expires_on.map(date),
            location: r.location,
            notes: r.notes,
            recorded_by: r.recorded_by,
            adjustments,
        });
    }
    for r in t.recipes {
        let mut own_lines = lines.remove(&r.id).unwrap_or_default();
        own_lines.sort_by_key(|l| (l.position, l.id));
        let mut own_components = subrecipes.remove(&r.id).unwrap_or_default();
        own_components.sort_by_key(|c| (c.position, c.id));
        doc.recipes.push(Recipe {
            name: r.name,
            category: r.category,
            yield_quantity: q(r.yield_quantity),
            yield_unit: r.yield_unit,
            yield_description: r.yield_description,
            estimated_minutes: r.estimated_minutes,
            source: r.source,
            notes: r.notes,
            ingredients: own_lines
                .into_iter()
                .map(|l| {
                    Ok(RecipeLine {
                        ingredient: key(&ingredient_slug, l.ingredient_id, "ingredient")?.clone(),
                        quantity: q(l.quantity),
                        unit: l.unit,
                        notes: l.notes,
                    })
                })
                .collect::<AppResult<_>>()?,
            components: own_components
                .into_iter()
                .map(|c| {
                    Ok(RecipeComponent {
                        recipe: key(&recipe_name, c.component_recipe_id, "recipe")?.clone(),
                        quantity: q(c.quantity),
                        notes: c.notes,
                    })
                })
                .collect::<AppResult<_>>()?,
        });
    }
    for r in t.finished_units {
        doc.finished_units.push(FinishedUnit {
            slug: r.slug,
            name: r.name,
            recipe: key(&recipe_name, r.recipe_id, "recipe")?.clone(),
            yield_mode: r.yield_mode,
            items_per_batch: r.items_per_batch,
            item_unit: r.item_unit,
            batch_percentage: r.batch_percentage.map(q),
            inventory_count: r.inventory_count,
            average_unit_cost: price(r.average_unit_cost),
            notes: r.notes,
        });
    }
    for r in t.finished_goods {
        let mut own = components.remove(&r.id).unwrap_or_default();
        own.sort_by_key(|c| (c.position, c.id));
        doc.finished_goods.push(FinishedGood {
            slug: r.slug,
            name: r.name,
            assembly_type: r.assembly_type,
            description: r.description,
            packaging_instructions: r.packaging_instructions,
            inventory_count: r.inventory_count,
            average_unit_cost: price(r.average_unit_cost),
            notes: r.notes,
            components: own
                .into_iter()
                .map(|c| {
                    Ok(GoodComponent {
                        finished_unit: opt_key(&unit_slug, c.finished_unit_id, "finished unit")?,
                        finished_good: opt_key(&good_slug, c.component_good_id, "finished good")?,
                        packaging: opt_key(
                            &ingredient_slug,
                            c.packaging_ingredient_id,
                            "ingredient",
                        )?,
                        quantity: q(c.quantity),
                        notes: c.notes,
                    })
                })
                .collect::<AppResult<_>>()?,
        });
    }
    for r in t.packages {
        doc.packages.push(Package {
            name: r.name,
            description: r.description,
            is_template: r.is_template,
            notes: r.notes,
            items: items
                .remove(&r.id)
                .unwrap_or_default()
                .into_iter()
                .map(|i| {
                    Ok(PackageItem {
                        finished_good: key(&good_slug, i.finished_good_id, "finished good")?
                            .clone(),
                        quantity: i.quantity,
                    })
                })
                .collect::<AppResult<_>>()?,
        });
    }
    for r in t.recipients {
        doc.recipients.push(Recipient {
            uuid: r.uuid,
            name: r.name,
            household_name: r.household_name,
            address: r.address,
            notes: r.notes,
        });
    }
    for r in t.events {
        doc.events.push(Event {
            name: r.name,
            event_date: date(r.event_date),
            notes: r.notes,
        });
    }
    for r in t.assignments {
        doc.assignments.push(Assignment {
            event: event(r.event_id)?,
            recipient: key(&recipient_uuid, r.recipient_id, "recipient")?.clone(),
            package: key(&package_name, r.package_id, "package")?.clone(),
            quantity: r.quantity,
            notes: r.notes,
            fulfillment_status: r.fulfillment_status,
            delivered_to: r.delivered_to,
            ready_at: r.ready_at.map(timestamp),
            delivered_at: r.delivered_at.map(timestamp),
            ready_by: r.ready_by,
            delivered_by: r.delivered_by,
        });
    }
    for r in t.production_targets {
        doc.production_targets.push(ProductionTarget {
            event: event(r.event_id)?,
            recipe: key(&recipe_name, r.recipe_id, "recipe")?.clone(),
            target_batches: r.target_batches,
            notes: r.notes,
        });
    }
    for r in t.assembly_targets {
        doc.assembly_targets.push(AssemblyTarget {
            event: event(r.event_id)?,
            finished_good: key(&good_slug, r.finished_good_id, "finished good")?.clone(),
            target_quantity: r.target_quantity,
            notes: r.notes,
        });
    }
    for r in t.production_runs {
        let consumptions = p_used
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                Ok(ProductionConsumption {
                    ingredient: opt_key(&ingredient_slug, c.ingredient_id, "ingredient")?,
                    ingredient_name: c.ingredient_name,
                    lot: opt_key(&lot_uuid, c.lot_id, "lot")?,
                    quantity: q(c.quantity),
                    unit: c.unit,
                    unit_cost: price(c.unit_cost),
                    cost: money(c.cost),
                })
            })
            .collect::<AppResult<_>>()?;
        doc.production_runs.push(ProductionRun {
            uuid: r.uuid,
            recipe: key(&recipe_name, r.recipe_id, "recipe")?.clone(),
            finished_unit: key(&unit_slug, r.finished_unit_id, "finished unit")?.clone(),
            event: r.event_id.map(event).transpose()?,
            num_batches: r.num_batches,
            expected_yield: r.expected_yield,
            actual_yield: r.actual_yield,
            produced_at: timestamp(r.produced_at),
            notes: r.notes,
            total_ingredient_cost: money(r.total_ingredient_cost),
            per_unit_cost: price(r.per_unit_cost),
            recorded_by: r.recorded_by,
            consumptions,
        });
    }
    for r in t.assembly_runs {
        let consumptions = a_used
            .remove(&r.id)
            .unwrap_or_default()
            .into_iter()
            .map(|c| {
                Ok(AssemblyConsumption {
                    kind: c.kind,
                    finished_unit: opt_key(&unit_slug, c.finished_unit_id, "finished unit")?,
                    finished_good: opt_key(&good_slug, c.finished_good_id, "finished good")?,
                    ingredient: opt_key(&ingredient_slug, c.ingredient_id, "ingredient")?,
                    lot: opt_key(&lot_uuid, c.lot_id, "lot")?,
                    component_name: c.component_name,
                    quantity: q(c.quantity),
                    unit: c.unit,
                    unit_cost: price(c.unit_cost),
                    cost: money(c.cost),
                })
            })
            .collect::<AppResult<_>>()?;
        doc.assembly_runs.push(AssemblyRun {
            uuid: r.uuid,
            finished_good: key(&good_slug, r.finished_good_id, "finished good")?.clone(),
            event: r.event_id.map(event).transpose()?,
            quantity: r.quantity,
            assembled_at: timestamp(r.assembled_at),
            notes: r.notes,
            total_component_cost: money(r.total_component_cost),
            per_unit_cost: price(r.per_unit_cost),
            recorded_by: r.recorded_by,
            consumptions,
        });
    }
    Ok(doc)
}

/// A document with no entries (header fields to be filled in).
pub fn empty() -> Document {
    Document {
        format: FORMAT.to_string(),
        version: VERSION,
        exported_at: String::new(),
        ingredients: Vec::new(),
        products: Vec::new(),
        lots: Vec::new(),
        recipes: Vec::new(),
        finished_units: Vec::new(),
        finished_goods: Vec::new(),
        packages: Vec::new(),
        recipients: Vec::new(),
        events: Vec::new(),
        assignments: Vec::new(),
        production_targets: Vec::new(),
        assembly_targets: Vec::new(),
        production_runs: Vec::new(),
        assembly_runs: Vec::new(),
    }
}

/// Exports the whole database.
pub async fn export(db: &Db) -> AppResult<Document> {
    let tables = load(db).await?;
    build(tables, crate::store::now())
}
