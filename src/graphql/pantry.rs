//! Pantry API: ingredients, products, purchases, inventory lots and adjustments.

use super::connection::{Conn, PageArgs};
use super::context::{caller_name, db, detached};
use super::ids;
use super::loaders::{
    loaders, require, AdjustmentsByLot, IngredientById, LotsByIngredient, OnHandByIngredient,
    ProductById, ProductsByIngredient,
};
use super::scalars::{utc, Date, Decimal};
use super::DeletePayload;
use crate::domain::fixed::{from_scaled, round_to, Scale};
use crate::domain::units::{Density as DomainDensity, Unit};
use crate::error::AppError;
use crate::store::production::Idempotency;
use crate::store::{ingredients as ingredient_store, lots as lot_store, products as product_store};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject, ID};
use chrono::{DateTime, Utc};

/// Parses a unit name from input.
pub fn parse_unit(text: &str) -> Result<Unit, AppError> {
    Ok(text.parse::<Unit>()?)
}

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
            .load_one(super::loaders::LotById(self.0.lot_id))
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
    fn parse(&self) -> Result<DomainDensity, AppError> {
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

/// Result of `adjustInventoryLot`.
#[derive(SimpleObject)]
pub struct AdjustInventoryLotPayload {
    /// The lot after the correction.
    pub lot: InventoryLot,
    /// The record kept of it.
    pub adjustment: InventoryAdjustment,
}

fn maybe<T, U>(
    value: MaybeUndefined<T>,
    f: impl FnOnce(T) -> Result<U, AppError>,
) -> Result<Option<Option<U>>, AppError> {
    Ok(match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(f(v)?)),
    })
}

/// Pantry queries.
#[derive(Default)]
pub struct PantryQuery;

#[Object]
impl PantryQuery {
    /// Ingredients ordered by name.
    #[allow(clippy::too_many_arguments)]
    async fn ingredients(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only packaging (true) or only food (false).")] is_packaging: Option<bool>,
        #[graphql(desc = "Only this category.")] category: Option<String>,
        #[graphql(
            desc = "Case-insensitive part of the name (at most 200 characters; `%` and `_` match themselves)."
        )]
        search: Option<String>,
    ) -> Result<Conn<Ingredient>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = ingredient_store::IngredientFilter {
            is_packaging,
            category,
            search,
        };
        let rows = ingredient_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, Ingredient))
    }
}

/// Pantry mutations.
#[derive(Default)]
pub struct PantryMutation;

#[Object]
impl PantryMutation {
    /// Creates an ingredient; its slug is derived from the name.
    async fn create_ingredient(
        &self,
        ctx: &Context<'_>,
        input: CreateIngredientInput,
    ) -> Result<Ingredient> {
        let new = ingredient_store::NewIngredient {
            name: input.name,
            category: input.category,
            unit: parse_unit(&input.unit)?,
            is_packaging: input.is_packaging,
            density: input
                .density
                .as_ref()
                .map(DensityInput::parse)
                .transpose()?,
            notes: input.notes,
        };
        let db = db(ctx).clone();
        detached(async move { ingredient_store::create(&db, new).await })
            .await
            .map(Ingredient)
    }

    /// Changes an ingredient. The slug never changes.
    async fn update_ingredient(
        &self,
        ctx: &Context<'_>,
        input: UpdateIngredientInput,
    ) -> Result<Ingredient> {
        let id = ids::decode(&input.id, "Ingredient")?;
        let changes = ingredient_store::IngredientChanges {
            name: input.name,
            category: input.category,
            unit: input.unit.as_deref().map(parse_unit).transpose()?,
            is_packaging: input.is_packaging,
            density: maybe(input.density, |d| d.parse())?,
            notes: maybe(input.notes, Ok)?,
        };
        let db = db(ctx).clone();
        detached(async move { ingredient_store::update(&db, id, changes).await })
            .await
            .map(Ingredient)
    }

    /// Deletes an ingredient (refused while recipe lines, lots with stock or finished goods use it).
    async fn delete_ingredient(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "Ingredient")?;
        let db = db(ctx).clone();
        detached(async move { ingredient_store::delete(&db, pk).await }).await?;
        Ok(DeletePayload { deleted_id: id })
    }

    /// Creates a product of an ingredient.
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductInput,
    ) -> Result<Product> {
        let new = product_store::NewProduct {
            ingredient_id: ids::decode(&input.ingredient_id, "Ingredient")?,
            brand: input.brand,
            package_quantity: input.package_quantity.0,
            package_unit: parse_unit(&input.package_unit)?,
            preferred: input.preferred,
            gtin: input.gtin,
            supplier: input.supplier,
            notes: input.notes,
        };
        let db = db(ctx).clone();
        detached(async move { product_store::create(&db, new).await })
            .await
            .map(Product)
    }

    /// Changes a product.
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        input: UpdateProductInput,
    ) -> Result<Product> {
        let id = ids::decode(&input.id, "Product")?;
        let changes = product_store::ProductChanges {
            brand: input.brand,
            package_quantity: input.package_quantity.map(|q| q.0),
            package_unit: input.package_unit.as_deref().map(parse_unit).transpose()?,
            preferred: input.preferred,
            gtin: maybe(input.gtin, Ok)?,
            supplier: maybe(input.supplier, Ok)?,
            notes: maybe(input.notes, Ok)?,
        };
        let db = db(ctx).clone();
        detached(async move { product_store::update(&db, id, changes).await })
            .await
            .map(Product)
    }

    /// Deletes a product; lots bought as it keep their stock.
    async fn delete_product(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "Product")?;
        let db = db(ctx).clone();
        detached(async move { product_store::delete(&db, pk).await }).await?;
        Ok(DeletePayload { deleted_id: id })
    }

    /// Records a purchase: creates one inventory lot, its quantity converted exactly to the
    /// ingredient's unit.
    async fn record_purchase(
        &self,
        ctx: &Context<'_>,
        input: RecordPurchaseInput,
    ) -> Result<InventoryLot> {
        let request = serde_json::json!({
            "ingredientId": input.ingredient_id.as_str(),
            "productId": input.product_id.as_ref().map(|id| id.as_str().to_string()),
            "quantity": input.quantity.0.to_string(),
            "unit": input.unit,
            "totalCost": input.total_cost.0.to_string(),
            "purchasedOn": input.purchased_on.as_ref().map(|d| d.0.to_string()),
            "expiresOn": input.expires_on.as_ref().map(|d| d.0.to_string()),
            "location": input.location,
            "notes": input.notes,
        });
        let idempotency = Idempotency::from_request(input.idempotency_key.as_deref(), &request)?;
        let ingredient_id = ids::decode(&input.ingredient_id, "Ingredient")?;
        let unit = match input.unit.as_deref() {
            Some(u) => Some(parse_unit(u)?),
            None => None,
        };
        let db = db(ctx).clone();
        let purchase = lot_store::NewPurchase {
            ingredient_id,
            product_id: ids::decode_opt(input.product_id.as_ref(), "Product")?,
            quantity: input.quantity.0,
            unit: match unit {
                Some(u) => u,
                // Only a missing row is NOT_FOUND; a failed load (database down) stays the
                // error it is.
                None => loaders(ctx)
                    .load_one(IngredientById(ingredient_id))
                    .await?
                    .ok_or_else(|| {
                        AppError::not_found(
                            crate::domain::entity::Entity::Ingredient,
                            ingredient_id,
                        )
                    })?
                    .stock_unit(),
            },
            total_cost: input.total_cost.0,
            purchased_on: input
                .purchased_on
                .map(|d| d.0)
                .unwrap_or_else(|| Utc::now().date_naive()),
            expires_on: input.expires_on.map(|d| d.0),
            location: input.location,
            notes: input.notes,
            idempotency,
            recorded_by: caller_name(ctx),
        };
        detached(async move { lot_store::record_purchase(&db, purchase).await })
            .await
            .map(InventoryLot)
    }

    /// Corrects a lot's remaining quantity (spoilage, counting error) and keeps a record.
    async fn adjust_inventory_lot(
        &self,
        ctx: &Context<'_>,
        input: AdjustInventoryLotInput,
    ) -> Result<AdjustInventoryLotPayload> {
        let lot_id = ids::decode(&input.lot_id, "InventoryLot")?;
        let change = match (input.quantity_remaining, input.quantity_change) {
            (Some(q), None) => lot_store::QuantityChange::SetTo(q.0),
            (None, Some(d)) => lot_store::QuantityChange::By(d.0),
            _ => {
                return Err(AppError::bad_input(
                    "give exactly one of quantityRemaining and quantityChange",
                )
                .into())
            }
        };
        let adjustment = lot_store::LotAdjustment {
            lot_id,
            change,
            reason: input.reason,
            notes: input.notes,
            recorded_by: caller_name(ctx),
        };
        let db = db(ctx).clone();
        let (lot, record) =
            detached(async move { lot_store::adjust(&db, adjustment).await }).await?;
        Ok(AdjustInventoryLotPayload {
            lot: InventoryLot(lot),
            adjustment: InventoryAdjustment(record),
        })
    }
}
