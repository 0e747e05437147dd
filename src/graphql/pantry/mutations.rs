//! The pantry's mutations: ingredients and products, purchases and lot corrections.

use super::{
    parse_unit, AdjustInventoryLotInput, CreateIngredientInput, CreateProductInput, DensityInput,
    Ingredient, InventoryAdjustment, InventoryLot, Product, RecordPurchaseInput,
    UpdateIngredientInput, UpdateProductInput,
};
use crate::error::AppError;
use crate::graphql::changes::{nullable, try_nullable_map};
use crate::graphql::context::{caller_name, db, detached};
use crate::graphql::ids;
use crate::graphql::loaders::{loaders, IngredientById};
use crate::graphql::DeletePayload;
use crate::store::production::Idempotency;
use crate::store::{ingredients as ingredient_store, lots as lot_store, products as product_store};
use async_graphql::{Context, Object, Result, SimpleObject, ID};
use chrono::Utc;

/// Result of `adjustInventoryLot`.
#[derive(SimpleObject)]
pub struct AdjustInventoryLotPayload {
    /// The lot after the correction.
    pub lot: InventoryLot,
    /// The record kept of it.
    pub adjustment: InventoryAdjustment,
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
            density: try_nullable_map(input.density, |d| d.parse())?,
            notes: nullable(input.notes),
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
            gtin: nullable(input.gtin),
            supplier: nullable(input.supplier),
            notes: nullable(input.notes),
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
