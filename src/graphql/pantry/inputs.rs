//! The pantry's input types, and the parsing of their units and densities.

use crate::domain::units::{Density as DomainDensity, Unit};
use crate::error::AppError;
use crate::graphql::scalars::{Date, Decimal};
use async_graphql::{InputObject, MaybeUndefined, ID};

/// Parses a unit name from input.
pub fn parse_unit(text: &str) -> Result<Unit, AppError> {
    Ok(text.parse::<Unit>()?)
}

/// "V volume-unit weighs W mass-unit".
#[derive(InputObject)]
pub struct DensityInput {
    /// The volume measured (> 0).
    pub volume: Decimal,
    /// A volume unit (cup, ml, tbsp…).
    pub volume_unit: String,
    /// What it weighs (> 0).
    pub weight: Decimal,
    /// A mass unit (g, oz…).
    pub weight_unit: String,
}

impl DensityInput {
    /// The density, its units parsed and its quantities checked.
    pub(super) fn parse(&self) -> Result<DomainDensity, AppError> {
        Ok(DomainDensity::new(
            self.volume.0,
            parse_unit(&self.volume_unit)?,
            self.weight.0,
            parse_unit(&self.weight_unit)?,
        )?)
    }
}

/// Input of `createIngredient`.
#[derive(InputObject)]
pub struct CreateIngredientInput {
    /// Display name, unique case-insensitively.
    pub name: String,
    /// Category.
    #[graphql(default)]
    pub category: String,
    /// The unit stock is kept in (any unit of the vocabulary).
    pub unit: String,
    /// Packaging (bags, boxes, ribbons).
    #[graphql(default = false)]
    pub is_packaging: bool,
    /// Optional density, needed to convert between mass and volume.
    pub density: Option<DensityInput>,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of `updateIngredient`: only the fields given change; `null` clears a nullable field.
#[derive(InputObject)]
pub struct UpdateIngredientInput {
    /// The ingredient.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New stock unit (refused while lots, recipe lines, packaging components or products
    /// depend on the old one).
    pub unit: Option<String>,
    /// New packaging flag.
    pub is_packaging: Option<bool>,
    /// New density, or `null` to clear it.
    pub density: MaybeUndefined<DensityInput>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
}

/// Input of `createProduct`.
#[derive(InputObject)]
pub struct CreateProductInput {
    /// The ingredient.
    pub ingredient_id: ID,
    /// Brand.
    #[graphql(default)]
    pub brand: String,
    /// Package size (> 0).
    pub package_quantity: Decimal,
    /// Package unit, convertible to the ingredient's unit.
    pub package_unit: String,
    /// Make this the preferred product (the previous one is unmarked).
    #[graphql(default = false)]
    pub preferred: bool,
    /// Barcode.
    pub gtin: Option<String>,
    /// Supplier.
    pub supplier: Option<String>,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of `updateProduct`.
#[derive(InputObject)]
pub struct UpdateProductInput {
    /// The product.
    pub id: ID,
    /// New brand.
    pub brand: Option<String>,
    /// New package size.
    pub package_quantity: Option<Decimal>,
    /// New package unit.
    pub package_unit: Option<String>,
    /// New preferred flag.
    pub preferred: Option<bool>,
    /// New GTIN, or `null` to clear it.
    pub gtin: MaybeUndefined<String>,
    /// New supplier, or `null` to clear it.
    pub supplier: MaybeUndefined<String>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
}

/// Input of `recordPurchase`.
#[derive(InputObject)]
pub struct RecordPurchaseInput {
    /// The ingredient bought.
    pub ingredient_id: ID,
    /// The product bought, if known (must be a product of that ingredient).
    pub product_id: Option<ID>,
    /// Quantity bought (> 0), in `unit`.
    pub quantity: Decimal,
    /// Unit of `quantity`; defaults to the ingredient's unit.
    pub unit: Option<String>,
    /// What it cost in total (≥ 0).
    pub total_cost: Decimal,
    /// Purchase date; defaults to today (UTC).
    pub purchased_on: Option<Date>,
    /// Best-before date.
    pub expires_on: Option<Date>,
    /// Where it is kept.
    pub location: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Send the same key again (e.g. a retry after a network error) to get the first lot
    /// back instead of recording the purchase twice.
    pub idempotency_key: Option<String>,
}

/// Input of `adjustInventoryLot`: give exactly one of `quantityRemaining` and `quantityChange`.
#[derive(InputObject)]
pub struct AdjustInventoryLotInput {
    /// The lot.
    pub lot_id: ID,
    /// The counted remaining quantity, in the ingredient's unit.
    pub quantity_remaining: Option<Decimal>,
    /// A signed change (negative removes stock), in the ingredient's unit.
    pub quantity_change: Option<Decimal>,
    /// Why (spoilage, counting error…).
    pub reason: String,
    /// Free text.
    pub notes: Option<String>,
}
