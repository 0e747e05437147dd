//! The pantry's object types: ingredients, their products, inventory lots and the
//! adjustments kept of them.

use crate::domain::fixed::{from_scaled, round_to, Scale};
use crate::error::AppError;
use crate::graphql::ids;
use crate::graphql::loaders::{
    loaders, require, AdjustmentsByLot, IngredientById, LotsByIngredient, OnHandByIngredient,
    ProductById, ProductsByIngredient,
};
use crate::graphql::scalars::{utc, Date, Decimal};
use crate::store::{ingredients as ingredient_store, lots as lot_store, products as product_store};
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

/// A pantry item: flour, butter, gift boxes. Stock is kept in its `unit`.
pub struct Ingredient(pub ingredient_store::Ingredient);

/// What a stated volume of an ingredient weighs ("1 cup weighs 4.25 oz").
#[derive(SimpleObject)]
pub struct Density {
    /// The volume measured.
    pub volume: Decimal,
    /// Its unit.
    pub volume_unit: String,
    /// What it weighs.
    pub weight: Decimal,
    /// The weight's unit.
    pub weight_unit: String,
}

#[Object]
impl Ingredient {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Ingredient", self.0.id)
    }
    /// Stable UUID.
    async fn uuid(&self) -> &str {
        &self.0.uuid
    }
    /// Display name (unique, case-insensitive).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// URL-safe name, fixed at creation.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Free-form category ("Flour", "Dairy", "Packaging").
    async fn category(&self) -> &str {
        &self.0.category
    }
    /// The canonical unit the stock is kept in.
    async fn unit(&self) -> &str {
        &self.0.unit
    }
    /// Bags, boxes, ribbons are packaging.
    async fn is_packaging(&self) -> bool {
        self.0.is_packaging
    }
    /// The density as stated, if any.
    async fn density(&self) -> Option<Density> {
        self.0.density().map(|d| Density {
            volume: d.volume.into(),
            volume_unit: d.volume_unit.name().to_string(),
            weight: d.weight.into(),
            weight_unit: d.weight_unit.name().to_string(),
        })
    }
    /// The density in grams per millilitre (10 decimal places), if known.
    async fn density_grams_per_ml(&self) -> Result<Option<Decimal>> {
        let Some(density) = self.0.density() else {
            return Ok(None);
        };
        let grams_per_ml = density.grams_per_ml().map_err(AppError::from)?;
        Ok(Some(round_to(grams_per_ml, Scale::UnitPrice).into()))
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Purchasable forms of this ingredient, preferred first.
    async fn products(&self, ctx: &Context<'_>) -> Result<Vec<Product>> {
        let rows = loaders(ctx)
            .load_one(ProductsByIngredient(self.0.id))
            .await?;
        Ok(rows.unwrap_or_default().into_iter().map(Product).collect())
    }
    /// Stock on hand: the remaining quantity of all lots, in `unit`.
    async fn on_hand(&self, ctx: &Context<'_>) -> Result<Decimal> {
        let raw = loaders(ctx).load_one(OnHandByIngredient(self.0.id)).await?;
        Ok(from_scaled(raw.unwrap_or(0), Scale::Quantity).into())
    }
    /// Inventory lots in FIFO order (oldest purchase first); empty lots only when asked.
    async fn lots(
        &self,
        ctx: &Context<'_>,
        #[graphql(default = false)] include_empty: bool,
    ) -> Result<Vec<InventoryLot>> {
        let rows = loaders(ctx).load_one(LotsByIngredient(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .filter(|lot| include_empty || lot.quantity_remaining > 0)
            .map(InventoryLot)
            .collect())
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// A purchasable form of an ingredient (brand and package size).
pub struct Product(pub product_store::Product);

#[Object]
impl Product {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Product", self.0.id)
    }
    /// The ingredient this is a form of.
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Ingredient> {
        load_ingredient(ctx, self.0.ingredient_id).await
    }
    /// Brand.
    async fn brand(&self) -> &str {
        &self.0.brand
    }
    /// Package size.
    async fn package_quantity(&self) -> Decimal {
        from_scaled(self.0.package_quantity, Scale::Quantity).into()
    }
    /// Unit of the package size.
    async fn package_unit(&self) -> &str {
        &self.0.package_unit
    }
    /// Whether this is the ingredient's preferred product (at most one is).
    async fn preferred(&self) -> bool {
        self.0.preferred
    }
    /// Barcode (GTIN-8/12/13/14), unique.
    async fn gtin(&self) -> Option<&str> {
        self.0.gtin.as_deref()
    }
    /// Where it is bought.
    async fn supplier(&self) -> Option<&str> {
        self.0.supplier.as_deref()
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// One purchase of an ingredient and what is left of it. Quantities are in the
/// ingredient's unit.
pub struct InventoryLot(pub lot_store::InventoryLot);

#[Object]
impl InventoryLot {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("InventoryLot", self.0.id)
    }
    /// The ingredient.
    async fn ingredient(&self, ctx: &Context<'_>) -> Result<Ingredient> {
        load_ingredient(ctx, self.0.ingredient_id).await
    }
    /// The product bought, if recorded (and not deleted since).
    async fn product(&self, ctx: &Context<'_>) -> Result<Option<Product>> {
        let Some(id) = self.0.product_id else {
            return Ok(None);
        };
        Ok(loaders(ctx).load_one(ProductById(id)).await?.map(Product))
    }
    /// Purchase date; lots are consumed oldest first.
    async fn purchased_on(&self) -> Date {
        Date(self.0.purchased_on)
    }
    /// Quantity bought, in `unit`.
    async fn quantity_purchased(&self) -> Decimal {
        from_scaled(self.0.quantity_purchased, Scale::Quantity).into()
    }
    /// Quantity left, in `unit`.
    async fn quantity_remaining(&self) -> Decimal {
        from_scaled(self.0.quantity_remaining, Scale::Quantity).into()
    }
    /// The ingredient's unit, which every quantity of the lot is in.
    async fn unit(&self, ctx: &Context<'_>) -> Result<String> {
        // Usually the lot was reached through its ingredient: no query then.
        if let Some(unit) = loaders(ctx)
            .loader()
            .known_unit(self.0.ingredient_id, self.0.created_at)
        {
            return Ok(unit);
        }
        Ok(load_ingredient(ctx, self.0.ingredient_id).await?.0.unit)
    }
    /// Cost per unit: total cost / quantity purchased (10 decimal places).
    async fn unit_cost(&self) -> Decimal {
        from_scaled(self.0.unit_cost, Scale::UnitPrice).into()
    }
    /// What the purchase cost.
    async fn total_cost(&self) -> Decimal {
        from_scaled(self.0.total_cost, Scale::Money).into()
    }
    /// Best-before date.
    async fn expires_on(&self) -> Option<Date> {
        self.0.expires_on.map(Date)
    }
    /// Where it is kept.
    async fn location(&self) -> Option<&str> {
        self.0.location.as_deref()
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Who recorded the purchase: the name of the API token used; `null` when it was
    /// recorded with authentication off (or before authors were kept).
    async fn recorded_by(&self) -> Option<&str> {
        self.0.recorded_by.as_deref()
    }
    /// Manual corrections of this lot, oldest first.
    async fn adjustments(&self, ctx: &Context<'_>) -> Result<Vec<InventoryAdjustment>> {
        let rows = loaders(ctx).load_one(AdjustmentsByLot(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(InventoryAdjustment)
            .collect())
    }
    /// Creation time (breaks FIFO ties between lots bought the same day).
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// A kept record of a correction of a lot's remaining quantity.
pub struct InventoryAdjustment(pub lot_store::InventoryAdjustment);

#[Object]
impl InventoryAdjustment {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("InventoryAdjustment", self.0.id)
    }
    /// The adjusted lot.
    async fn lot(&self, ctx: &Context<'_>) -> Result<Option<InventoryLot>> {
        Ok(loaders(ctx)
            .load_one(crate::graphql::loaders::LotById(self.0.lot_id))
            .await?
            .map(InventoryLot))
    }
    /// Remaining quantity before the correction.
    async fn quantity_before(&self) -> Decimal {
        from_scaled(self.0.quantity_before, Scale::Quantity).into()
    }
    /// Remaining quantity after the correction.
    async fn quantity_after(&self) -> Decimal {
        from_scaled(self.0.quantity_after, Scale::Quantity).into()
    }
    /// After minus before (negative when stock was removed).
    async fn quantity_change(&self) -> Decimal {
        from_scaled(
            self.0.quantity_after - self.0.quantity_before,
            Scale::Quantity,
        )
        .into()
    }
    /// Why.
    async fn reason(&self) -> &str {
        &self.0.reason
    }
    /// Who made the correction: the name of the API token used; `null` when it was made
    /// with authentication off (or before authors were kept).
    async fn recorded_by(&self) -> Option<&str> {
        self.0.recorded_by.as_deref()
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
}

/// Loads an ingredient that must exist (a dangling reference is an internal error).
pub async fn load_ingredient(ctx: &Context<'_>, id: i64) -> Result<Ingredient> {
    require(ctx, IngredientById(id)).await.map(Ingredient)
}
