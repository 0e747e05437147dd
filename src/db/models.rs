//! Row structs of every table, shared by both backends. Scaled decimals are raw `i64`
//! (see `domain::fixed`): quantities 1e-6, money 1e-4, unit prices 1e-10.

use super::schema::*;
use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

/// A pantry item.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = ingredients, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct Ingredient {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub name: String,
    pub name_key: String,
    pub slug: String,
    pub category: String,
    pub unit: String,
    pub is_packaging: bool,
    pub density_volume: Option<i64>,
    pub density_volume_unit: Option<String>,
    pub density_weight: Option<i64>,
    pub density_weight_unit: Option<String>,
    pub notes: Option<String>,
}

/// A purchasable form of an ingredient.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = products, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct Product {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub ingredient_id: i64,
    pub brand: String,
    pub package_quantity: i64,
    pub package_unit: String,
    pub preferred: bool,
    pub gtin: Option<String>,
    pub supplier: Option<String>,
    pub notes: Option<String>,
}

/// One purchase of an ingredient and what is left of it.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = inventory_lots, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct InventoryLot {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub ingredient_id: i64,
    pub product_id: Option<i64>,
    pub purchased_on: NaiveDate,
    pub quantity_purchased: i64,
    pub quantity_remaining: i64,
    pub unit_cost: i64,
    pub total_cost: i64,
    pub expires_on: Option<NaiveDate>,
    pub location: Option<String>,
    pub notes: Option<String>,
    /// The name of the API token that recorded it; `None` when authentication was off.
    pub recorded_by: Option<String>,
}

/// A kept record of a correction of a lot.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = inventory_adjustments, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct InventoryAdjustment {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub lot_id: i64,
    pub quantity_before: i64,
    pub quantity_after: i64,
    pub reason: String,
    pub notes: Option<String>,
    /// The name of the API token that recorded it; `None` when authentication was off.
    pub recorded_by: Option<String>,
}

/// A recipe.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = recipes, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct Recipe {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub name: String,
    pub name_key: String,
    pub category: String,
    pub yield_quantity: i64,
    pub yield_unit: String,
    pub yield_description: Option<String>,
    pub estimated_minutes: Option<i32>,
    pub source: Option<String>,
    pub notes: Option<String>,
}

/// An ingredient line of a recipe.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = recipe_ingredients, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct RecipeIngredient {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub recipe_id: i64,
    pub ingredient_id: i64,
    pub position: i32,
    pub quantity: i64,
    pub unit: String,
    pub notes: Option<String>,
}

/// A sub-recipe used by a recipe, with a batch multiplier.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = recipe_components, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct RecipeComponent {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub recipe_id: i64,
    pub component_recipe_id: i64,
    pub position: i32,
    pub quantity: i64,
    pub notes: Option<String>,
}

/// What a recipe yields (cookies, a cake).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = finished_units, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct FinishedUnit {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub slug: String,
    pub name: String,
    pub recipe_id: i64,
    pub yield_mode: String,
    pub items_per_batch: Option<i32>,
    pub item_unit: Option<String>,
    pub batch_percentage: Option<i64>,
    pub inventory_count: i32,
    pub average_unit_cost: i64,
    pub notes: Option<String>,
}

/// An assembled item (gift box, variety pack).
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = finished_goods, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct FinishedGood {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub slug: String,
    pub name: String,
    pub assembly_type: String,
    pub description: Option<String>,
    pub packaging_instructions: Option<String>,
    pub inventory_count: i32,
    pub average_unit_cost: i64,
    pub notes: Option<String>,
}

/// One component of a finished good.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = finished_good_components, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct FinishedGoodComponent {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_good_id: i64,
    pub position: i32,
    pub finished_unit_id: Option<i64>,
    pub component_good_id: Option<i64>,
    pub packaging_ingredient_id: Option<i64>,
    pub quantity: i64,
    pub notes: Option<String>,
}

/// What one recipient receives.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = packages, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct Package {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub name: String,
    pub description: Option<String>,
    pub is_template: bool,
    pub notes: Option<String>,
}

/// A finished good in a package.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = package_items, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct PackageItem {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub package_id: i64,
    pub finished_good_id: i64,
    pub quantity: i32,
}

/// A person or household receiving packages.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = recipients, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct Recipient {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub name: String,
    pub household_name: Option<String>,
    pub address: Option<String>,
    pub notes: Option<String>,
}

/// A baking event ("Christmas 2026").
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = events, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct Event {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub name: String,
    pub event_date: NaiveDate,
    pub year: i32,
    pub notes: Option<String>,
}

/// An assignment of a package to a recipient for an event.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = event_recipient_packages, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct EventRecipientPackage {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub event_id: i64,
    pub recipient_id: i64,
    pub package_id: i64,
    pub quantity: i32,
    pub notes: Option<String>,
    pub fulfillment_status: String,
    pub delivered_to: Option<String>,
    pub ready_at: Option<NaiveDateTime>,
    pub delivered_at: Option<NaiveDateTime>,
    /// The name of the API token that made it READY; `None` when unknown.
    pub ready_by: Option<String>,
    /// The name of the API token that made it DELIVERED; `None` when unknown.
    pub delivered_by: Option<String>,
}

/// How many batches of a recipe an event needs.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = event_production_targets, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct EventProductionTarget {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub event_id: i64,
    pub recipe_id: i64,
    pub target_batches: i32,
    pub notes: Option<String>,
}

/// How many of a finished good an event needs.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = event_assembly_targets, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct EventAssemblyTarget {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub event_id: i64,
    pub finished_good_id: i64,
    pub target_quantity: i32,
    pub notes: Option<String>,
}

/// Batches baked.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = production_runs, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ProductionRun {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub recipe_id: i64,
    pub finished_unit_id: i64,
    pub event_id: Option<i64>,
    pub num_batches: i32,
    pub expected_yield: i32,
    pub actual_yield: i32,
    pub produced_at: NaiveDateTime,
    pub notes: Option<String>,
    pub total_ingredient_cost: i64,
    pub per_unit_cost: i64,
    /// The name of the API token that recorded it; `None` when authentication was off.
    pub recorded_by: Option<String>,
}

/// What a production run drew from one lot.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = production_consumptions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ProductionConsumption {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub production_run_id: i64,
    pub ingredient_id: Option<i64>,
    pub ingredient_name: String,
    pub lot_id: Option<i64>,
    pub quantity: i64,
    pub unit: String,
    pub unit_cost: i64,
    pub cost: i64,
}

/// Finished goods assembled.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = assembly_runs, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AssemblyRun {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub finished_good_id: i64,
    pub event_id: Option<i64>,
    pub quantity: i32,
    pub assembled_at: NaiveDateTime,
    pub notes: Option<String>,
    pub total_component_cost: i64,
    pub per_unit_cost: i64,
    /// The name of the API token that recorded it; `None` when authentication was off.
    pub recorded_by: Option<String>,
}

/// What an assembly run drew from one component or lot.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = assembly_consumptions, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct AssemblyConsumption {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub assembly_run_id: i64,
    pub kind: String,
    pub finished_unit_id: Option<i64>,
    pub finished_good_id: Option<i64>,
    pub ingredient_id: Option<i64>,
    pub lot_id: Option<i64>,
    pub component_name: String,
    pub quantity: i64,
    pub unit: String,
    pub unit_cost: i64,
    pub cost: i64,
}

/// A recorded idempotency key and the row it produced.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = idempotency_keys, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct IdempotencyKey {
    pub id: i64,
    pub uuid: String,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub operation: String,
    pub idempotency_key: String,
    pub request_hash: String,
    pub result_id: i64,
}

/// An API token; its text is not stored, only its SHA-256.
#[derive(Debug, Clone, PartialEq, Eq, Queryable, Selectable, Identifiable)]
#[diesel(table_name = api_tokens, check_for_backend(diesel::pg::Pg, diesel::sqlite::Sqlite))]
pub struct ApiToken {
    pub id: i64,
    pub name: String,
    pub role: String,
    pub secret_hash: String,
    pub created_at: NaiveDateTime,
    pub last_used_at: Option<NaiveDateTime>,
    pub expires_at: Option<NaiveDateTime>,
    pub revoked_at: Option<NaiveDateTime>,
}
