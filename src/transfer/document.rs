//! The export document, version 1 (`docs/export-format.md`): plain serde types whose field
//! order is the order written, so the same data always gives the same bytes.
//!
//! Entities refer to each other by natural keys: ingredients, finished units and finished
//! goods by slug, recipes and packages by name, events by name and date. Entities without
//! a natural key (products, lots, adjustments, recipients, runs) carry their `uuid`, which
//! other entries use to refer to them. Decimals are strings; timestamps RFC 3339 in UTC.

use serde::{Deserialize, Serialize};

/// The value of the `format` field.
pub const FORMAT: &str = "bakeplan";
/// The only version this build reads and writes.
pub const VERSION: u32 = 1;

/// The whole document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Document {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u32,
    /// When the export was made (RFC 3339, UTC); informative only.
    pub exported_at: String,
    /// Pantry items.
    #[serde(default)]
    pub ingredients: Vec<Ingredient>,
    /// Purchasable forms of ingredients.
    #[serde(default)]
    pub products: Vec<Product>,
    /// Inventory lots with their adjustments, FIFO order within an ingredient.
    #[serde(default)]
    pub lots: Vec<Lot>,
    /// Recipes with their lines and sub-recipes.
    #[serde(default)]
    pub recipes: Vec<Recipe>,
    /// What recipes yield.
    #[serde(default)]
    pub finished_units: Vec<FinishedUnit>,
    /// Assembled items with their components.
    #[serde(default)]
    pub finished_goods: Vec<FinishedGood>,
    /// Packages with their items.
    #[serde(default)]
    pub packages: Vec<Package>,
    /// People and households receiving packages.
    #[serde(default)]
    pub recipients: Vec<Recipient>,
    /// Events.
    #[serde(default)]
    pub events: Vec<Event>,
    /// Packages assigned to recipients for events.
    #[serde(default)]
    pub assignments: Vec<Assignment>,
    /// Batches of a recipe an event needs.
    #[serde(default)]
    pub production_targets: Vec<ProductionTarget>,
    /// Quantities of a finished good an event needs.
    #[serde(default)]
    pub assembly_targets: Vec<AssemblyTarget>,
    /// Production runs with what they consumed.
    #[serde(default)]
    pub production_runs: Vec<ProductionRun>,
    /// Assembly runs with what they consumed.
    #[serde(default)]
    pub assembly_runs: Vec<AssemblyRun>,
}

/// A reference to an event: its name and date.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EventRef {
    /// The event's name.
    pub name: String,
    /// The event's date (`YYYY-MM-DD`).
    pub date: String,
}

impl std::fmt::Display for EventRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "\"{}\" of {}", self.name, self.date)
    }
}

/// "1 cup weighs 4.25 oz".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Density {
    /// The volume.
    pub volume: String,
    /// Its unit.
    pub volume_unit: String,
    /// What it weighs.
    pub weight: String,
    /// The weight's unit.
    pub weight_unit: String,
}

/// A pantry item (key: `slug`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ingredient {
    /// Natural key.
    pub slug: String,
    /// Unique, case-insensitive.
    pub name: String,
    /// Free category.
    pub category: String,
    /// The unit its stock is kept in.
    pub unit: String,
    /// Bags, boxes, ribbons.
    pub is_packaging: bool,
    /// Optional density.
    pub density: Option<Density>,
    /// Free text.
    pub notes: Option<String>,
}

/// A purchasable form of an ingredient (key: `uuid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Product {
    /// Identity.
    pub uuid: String,
    /// Ingredient slug.
    pub ingredient: String,
    /// Brand.
    pub brand: String,
    /// Package size.
    pub package_quantity: String,
    /// Unit of the package size.
    pub package_unit: String,
    /// At most one per ingredient.
    pub preferred: bool,
    /// Unique when present.
    pub gtin: Option<String>,
    /// Where it is bought.
    pub supplier: Option<String>,
    /// Free text.
    pub notes: Option<String>,
}

/// One purchase and what is left of it (key: `uuid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lot {
    /// Identity.
    pub uuid: String,
    /// Ingredient slug.
    pub ingredient: String,
    /// Product uuid, if bought as one.
    pub product: Option<String>,
    /// Purchase date.
    pub purchased_on: String,
    /// In the ingredient's unit.
    pub quantity_purchased: String,
    /// In the ingredient's unit.
    pub quantity_remaining: String,
    /// Cost per unit of the ingredient.
    pub unit_cost: String,
    /// What the purchase cost.
    pub total_cost: String,
    /// Optional expiry date.
    pub expires_on: Option<String>,
    /// Where it is kept.
    pub location: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Who recorded the purchase (an API token's name); null when unknown. Absent from
    /// exports made before authors were kept.
    #[serde(default)]
    pub recorded_by: Option<String>,
    /// Corrections of the remaining quantity, oldest first.
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
}

/// A correction of a lot's remaining quantity (key: `uuid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Adjustment {
    /// Identity.
    pub uuid: String,
    /// When it was made.
    pub adjusted_at: String,
    /// Remaining before.
    pub quantity_before: String,
    /// Remaining after.
    pub quantity_after: String,
    /// Why.
    pub reason: String,
    /// Free text.
    pub notes: Option<String>,
    /// Who made it (an API token's name); null when unknown. Absent from exports made
    /// before authors were kept.
    #[serde(default)]
    pub recorded_by: Option<String>,
}

/// A recipe (key: `name`, case-insensitive).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recipe {
    /// Natural key.
    pub name: String,
    /// Free category.
    pub category: String,
    /// What one batch yields (> 0).
    pub yield_quantity: String,
    /// Unit of the yield (free text).
    pub yield_unit: String,
    /// Optional description of the yield.
    pub yield_description: Option<String>,
    /// Working time.
    pub estimated_minutes: Option<i32>,
    /// Where it comes from.
    pub source: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Ingredient lines, in order.
    #[serde(default)]
    pub ingredients: Vec<RecipeLine>,
    /// Sub-recipes, in order.
    #[serde(default)]
    pub components: Vec<RecipeComponent>,
}

/// An ingredient line of a recipe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipeLine {
    /// Ingredient slug.
    pub ingredient: String,
    /// How much (> 0).
    pub quantity: String,
    /// In which unit.
    pub unit: String,
    /// Free text.
    pub notes: Option<String>,
}

/// A sub-recipe with its batch multiplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RecipeComponent {
    /// Recipe name.
    pub recipe: String,
    /// Batches of it per batch (> 0).
    pub quantity: String,
    /// Free text.
    pub notes: Option<String>,
}

/// What a recipe yields (key: `slug`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FinishedUnit {
    /// Natural key.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// Recipe name.
    pub recipe: String,
    /// `DISCRETE_COUNT` or `BATCH_PORTION`.
    pub yield_mode: String,
    /// Pieces per batch (DISCRETE_COUNT).
    pub items_per_batch: Option<i32>,
    /// What a piece is called.
    pub item_unit: Option<String>,
    /// Percent of a batch (BATCH_PORTION).
    pub batch_percentage: Option<String>,
    /// Items in stock (checked against the runs).
    pub inventory_count: i32,
    /// Moving average cost per item.
    pub average_unit_cost: String,
    /// Free text.
    pub notes: Option<String>,
}

/// An assembled item (key: `slug`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FinishedGood {
    /// Natural key.
    pub slug: String,
    /// Display name.
    pub name: String,
    /// `GIFT_BOX`, `VARIETY_PACK`, `HOLIDAY_SET`, `BULK_PACK` or `CUSTOM_ORDER`.
    pub assembly_type: String,
    /// Free text.
    pub description: Option<String>,
    /// Free text.
    pub packaging_instructions: Option<String>,
    /// Items in stock (checked against the runs).
    pub inventory_count: i32,
    /// Moving average cost per item.
    pub average_unit_cost: String,
    /// Free text.
    pub notes: Option<String>,
    /// Components, in order.
    #[serde(default)]
    pub components: Vec<GoodComponent>,
}

/// One component of a finished good: exactly one of the three references.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GoodComponent {
    /// Finished unit slug.
    pub finished_unit: Option<String>,
    /// Finished good slug.
    pub finished_good: Option<String>,
    /// Packaging ingredient slug.
    pub packaging: Option<String>,
    /// Whole number for units and goods; decimal in the ingredient's unit for packaging.
    pub quantity: String,
    /// Free text.
    pub notes: Option<String>,
}

/// What one recipient receives (key: `name`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Package {
    /// Natural key.
    pub name: String,
    /// Free text.
    pub description: Option<String>,
    /// A template to copy.
    pub is_template: bool,
    /// Free text.
    pub notes: Option<String>,
    /// Finished goods in it.
    #[serde(default)]
    pub items: Vec<PackageItem>,
}

/// A finished good in a package.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PackageItem {
    /// Finished good slug.
    pub finished_good: String,
    /// How many (> 0).
    pub quantity: i32,
}

/// A person or household (key: `uuid`: names need not be unique).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Recipient {
    /// Identity.
    pub uuid: String,
    /// Name.
    pub name: String,
    /// Household.
    pub household_name: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Free text.
    pub notes: Option<String>,
}

/// An event (key: `name` + `eventDate`; names are unique within a year).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Event {
    /// Name.
    pub name: String,
    /// Date.
    pub event_date: String,
    /// Free text.
    pub notes: Option<String>,
}

/// A package assigned to a recipient for an event (key: event + recipient + package).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Assignment {
    /// The event.
    pub event: EventRef,
    /// Recipient uuid.
    pub recipient: String,
    /// Package name.
    pub package: String,
    /// How many (≥ 1).
    pub quantity: i32,
    /// Free text.
    pub notes: Option<String>,
    /// `PENDING`, `READY` or `DELIVERED`.
    pub fulfillment_status: String,
    /// Only with `DELIVERED`.
    pub delivered_to: Option<String>,
    /// When it became ready.
    pub ready_at: Option<String>,
    /// When it was delivered.
    pub delivered_at: Option<String>,
    /// Who made it READY (an API token's name); only with `readyAt`. Absent from exports
    /// made before authors were kept.
    #[serde(default)]
    pub ready_by: Option<String>,
    /// Who made it DELIVERED (an API token's name); only with `deliveredAt`. Absent from
    /// exports made before authors were kept.
    #[serde(default)]
    pub delivered_by: Option<String>,
}

/// Batches of a recipe an event needs (key: event + recipe).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductionTarget {
    /// The event.
    pub event: EventRef,
    /// Recipe name.
    pub recipe: String,
    /// > 0.
    pub target_batches: i32,
    /// Free text.
    pub notes: Option<String>,
}

/// How many of a finished good an event needs (key: event + finished good).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssemblyTarget {
    /// The event.
    pub event: EventRef,
    /// Finished good slug.
    pub finished_good: String,
    /// > 0.
    pub target_quantity: i32,
    /// Free text.
    pub notes: Option<String>,
}

/// Batches baked (key: `uuid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductionRun {
    /// Identity.
    pub uuid: String,
    /// Recipe name.
    pub recipe: String,
    /// Finished unit slug (of that recipe).
    pub finished_unit: String,
    /// The event it counts for, if any.
    pub event: Option<EventRef>,
    /// > 0.
    pub num_batches: i32,
    /// What the batches should yield (checked).
    pub expected_yield: i32,
    /// What they yielded.
    pub actual_yield: i32,
    /// When.
    pub produced_at: String,
    /// Free text.
    pub notes: Option<String>,
    /// Sum of the consumption costs (checked).
    pub total_ingredient_cost: String,
    /// Total / actual yield (checked).
    pub per_unit_cost: String,
    /// Who recorded it (an API token's name); null when unknown. Absent from exports made
    /// before authors were kept.
    #[serde(default)]
    pub recorded_by: Option<String>,
    /// What was drawn from each lot.
    #[serde(default)]
    pub consumptions: Vec<ProductionConsumption>,
}

/// What a production run drew from one lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ProductionConsumption {
    /// Ingredient slug (null once the ingredient was deleted).
    pub ingredient: Option<String>,
    /// The ingredient's name as it was.
    pub ingredient_name: String,
    /// Lot uuid (null once the lot was deleted).
    pub lot: Option<String>,
    /// Quantity drawn.
    pub quantity: String,
    /// Its unit.
    pub unit: String,
    /// The lot's unit cost.
    pub unit_cost: String,
    /// quantity × unit cost (checked).
    pub cost: String,
}

/// Finished goods assembled (key: `uuid`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssemblyRun {
    /// Identity.
    pub uuid: String,
    /// Finished good slug.
    pub finished_good: String,
    /// The event it counts for, if any.
    pub event: Option<EventRef>,
    /// > 0.
    pub quantity: i32,
    /// When.
    pub assembled_at: String,
    /// Free text.
    pub notes: Option<String>,
    /// Sum of the consumption costs (checked).
    pub total_component_cost: String,
    /// Total / quantity (checked).
    pub per_unit_cost: String,
    /// Who recorded it (an API token's name); null when unknown. Absent from exports made
    /// before authors were kept.
    #[serde(default)]
    pub recorded_by: Option<String>,
    /// What was drawn.
    #[serde(default)]
    pub consumptions: Vec<AssemblyConsumption>,
}

/// What an assembly run drew from one component or lot.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AssemblyConsumption {
    /// `FINISHED_UNIT`, `FINISHED_GOOD` or `PACKAGING`.
    pub kind: String,
    /// Finished unit slug (kind FINISHED_UNIT).
    pub finished_unit: Option<String>,
    /// Finished good slug (kind FINISHED_GOOD).
    pub finished_good: Option<String>,
    /// Packaging ingredient slug (kind PACKAGING; null once deleted).
    pub ingredient: Option<String>,
    /// Lot uuid (kind PACKAGING; null once deleted).
    pub lot: Option<String>,
    /// The component's name as it was.
    pub component_name: String,
    /// Quantity drawn.
    pub quantity: String,
    /// Its unit.
    pub unit: String,
    /// Cost per unit.
    pub unit_cost: String,
    /// quantity × unit cost (checked).
    pub cost: String,
}
