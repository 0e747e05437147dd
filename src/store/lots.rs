//! Purchases, inventory lots and their adjustments.

use super::{clean_text, new_uuid, now};
use crate::db::schema::{ingredients, inventory_adjustments, inventory_lots, products};
use crate::db::Db;
use crate::domain::fixed::{from_scaled, round_to, to_scaled, Scale};
use crate::domain::limits::{check_money, check_stock, LimitExceeded};
use crate::domain::units::{convert, Unit};
use crate::error::{AppError, AppResult};
use crate::store::idempotency::{once_per_key, Idempotency, IdempotencySteps, RECORD_PURCHASE};
use crate::store::ingredients::Ingredient;
use crate::store::products::Product;
use crate::store::stock::StockTx;
use crate::{db_run, db_write};
use chrono::NaiveDate;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::collections::HashMap;

pub use crate::db::models::InventoryLot;

pub use crate::db::models::InventoryAdjustment;

/// A validated purchase.
#[derive(Debug, Clone)]
pub struct NewPurchase {
    /// Ingredient primary key.
    pub ingredient_id: i64,
    /// Product primary key (must be a product of that ingredient).
    pub product_id: Option<i64>,
    /// Quantity bought, in `unit`.
    pub quantity: Decimal,
    /// Unit of `quantity`; convertible to the ingredient's unit.
    pub unit: Unit,
    /// What it cost in total (≥ 0).
    pub total_cost: Decimal,
    /// Purchase date.
    pub purchased_on: NaiveDate,
    /// Best-before date.
    pub expires_on: Option<NaiveDate>,
    /// Where it is kept.
    pub location: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Optional idempotency key: the same key and request again returns the first lot.
    pub idempotency: Option<Idempotency>,
    /// Who records it: the calling API token's name (`None` with authentication off).
    /// A replay returns the first lot with its own author.
    pub recorded_by: Option<String>,
}

/// Records a purchase as a new lot: the quantity converted exactly to the ingredient's unit
/// (kept to 6 decimal places) and the unit cost = total cost / that quantity. With an
/// idempotency key, a retry of the same request returns the first lot and records nothing;
/// the same key with another request is `CONFLICT`.
pub async fn record_purchase(db: &Db, input: NewPurchase) -> AppResult<InventoryLot> {
    if input.quantity <= Decimal::ZERO {
        return Err(AppError::bad_input(
            "purchase quantity must be greater than zero",
        ));
    }
    if input.total_cost < Decimal::ZERO {
        return Err(AppError::bad_input("totalCost must not be negative"));
    }
    let total_cost = check_money(to_scaled(input.total_cost, Scale::Money)?, || {
        "totalCost".to_string()
    })?;
    if let Some(expires) = input.expires_on {
        if expires < input.purchased_on {
            return Err(AppError::bad_input(
                "expiresOn must not be before purchasedOn",
            ));
        }
    }
    once_per_key(input.idempotency.as_ref(), || {
        record_purchase_once(db, &input, total_cost)
    })
    .await
}

async fn record_purchase_once(
    db: &Db,
    input: &NewPurchase,
    total_cost: i64,
) -> AppResult<InventoryLot> {
    let ts = now();
    db_write!(db, |conn| {
        if let Some(lot_id) = conn
            .replay_or_claim(RECORD_PURCHASE, input.idempotency.as_ref())
            .await?
        {
            let lot = crate::find_row!(
                conn,
                inventory_lots::table,
                InventoryLot,
                lot_id,
                crate::domain::entity::Entity::InventoryLot
            );
            return Ok(lot);
        }
        let ingredient = crate::find_row!(
            conn,
            ingredients::table,
            Ingredient,
            input.ingredient_id,
            crate::domain::entity::Entity::Ingredient
        );
        if let Some(product_id) = input.product_id {
            let product = crate::find_row!(
                conn,
                products::table,
                Product,
                product_id,
                crate::domain::entity::Entity::Product
            );
            if product.ingredient_id != ingredient.id {
                return Err(AppError::bad_input(format!(
                    "product {} ({}) is not a product of \"{}\"",
                    product_id, product.brand, ingredient.name
                )));
            }
        }
        let converted = convert(
            input.quantity,
            input.unit,
            ingredient.stock_unit(),
            ingredient.density().as_ref(),
            &ingredient.name,
        )?;
        let quantity =
            to_scaled(converted, Scale::Quantity).map_err(|e| beyond_stock(e, &ingredient))?;
        if quantity <= 0 {
            return Err(AppError::bad_input(format!(
                "{} {} of \"{}\" is less than 0.000001 {}",
                input.quantity, input.unit, ingredient.name, ingredient.unit
            )));
        }
        let held = conn.lock_stock(ingredient.id).await?;
        check_stock(held, quantity, &ingredient.name, &ingredient.unit)?;
        // totalCost ≤ MAX_MONEY and quantity ≥ 0.000001: the quotient fits a decimal.
        let unit_cost = to_scaled(
            from_scaled(total_cost, Scale::Money) / from_scaled(quantity, Scale::Quantity),
            Scale::UnitPrice,
        )
        .map_err(|_| {
            AppError::bad_input(format!(
                "the unit cost of this purchase ({} for {} {}) is too large to be stored; at most {} per {} can be",
                input.total_cost,
                from_scaled(quantity, Scale::Quantity),
                ingredient.unit,
                i64::MAX / 10_000_000_000,
                ingredient.unit
            ))
        })?;
        let row = diesel::insert_into(inventory_lots::table)
            .values((
                inventory_lots::uuid.eq(new_uuid()),
                inventory_lots::created_at.eq(ts),
                inventory_lots::updated_at.eq(ts),
                inventory_lots::ingredient_id.eq(ingredient.id),
                inventory_lots::product_id.eq(input.product_id),
                inventory_lots::purchased_on.eq(input.purchased_on),
                inventory_lots::quantity_purchased.eq(quantity),
                inventory_lots::quantity_remaining.eq(quantity),
                inventory_lots::unit_cost.eq(unit_cost),
                inventory_lots::total_cost.eq(total_cost),
                inventory_lots::expires_on.eq(input.expires_on),
                inventory_lots::location.eq(clean_text(
                    crate::domain::text::LOCATION,
                    input.location.clone(),
                )?),
                inventory_lots::notes
                    .eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
                inventory_lots::recorded_by.eq(clean_text(
                    crate::domain::text::RECORDED_BY,
                    input.recorded_by.clone(),
                )?),
            ))
            .returning(InventoryLot::as_returning())
            .get_result(conn)
            .await?;
        conn.settle(RECORD_PURCHASE, input.idempotency.as_ref(), row.id)
            .await?;
        Ok(row)
    })
}

/// A quantity too large to store at all, with the stock limit it is far beyond.
fn beyond_stock(error: crate::domain::fixed::OutOfRange, ingredient: &Ingredient) -> AppError {
    AppError::bad_input(format!(
        "{error}; the stock on hand of \"{}\" is at most {} {}",
        ingredient.name,
        crate::domain::limits::MAX_STOCK,
        ingredient.unit
    ))
}

/// How to correct a lot.
#[derive(Debug, Clone)]
pub struct LotAdjustment {
    /// The lot.
    pub lot_id: i64,
    /// The new remaining quantity (absolute) or a signed change, in the ingredient's unit.
    pub change: QuantityChange,
    /// Why (required).
    pub reason: String,
    /// Free text.
    pub notes: Option<String>,
    /// Who makes it: the calling API token's name (`None` with authentication off).
    pub recorded_by: Option<String>,
}

/// An absolute or relative correction.
#[derive(Debug, Clone, Copy)]
pub enum QuantityChange {
    /// Set the remaining quantity to this.
    SetTo(Decimal),
    /// Add this (negative to remove).
    By(Decimal),
}

/// Corrects a lot's remaining quantity and keeps a record of it. The lot row is locked
/// first, so a concurrent consumption cannot interleave.
pub async fn adjust(
    db: &Db,
    input: LotAdjustment,
) -> AppResult<(InventoryLot, InventoryAdjustment)> {
    let reason = crate::domain::text::trimmed(crate::domain::text::REASON, &input.reason)?;
    if reason.is_empty() {
        return Err(AppError::bad_input(
            "an adjustment needs a reason (e.g. spoilage, counting error)",
        ));
    }
    let ts = now();
    db_write!(db, |conn| {
        // A no-op update takes the row lock on PostgreSQL; SQLite already holds the write lock.
        let locked = diesel::update(inventory_lots::table.find(input.lot_id))
            .set(inventory_lots::updated_at.eq(inventory_lots::updated_at))
            .execute(conn)
            .await?;
        if locked == 0 {
            return Err(AppError::not_found(
                crate::domain::entity::Entity::InventoryLot,
                input.lot_id,
            ));
        }
        let lot = crate::find_row!(
            conn,
            inventory_lots::table,
            InventoryLot,
            input.lot_id,
            crate::domain::entity::Entity::InventoryLot
        );
        let ingredient = crate::find_row!(
            conn,
            ingredients::table,
            Ingredient,
            lot.ingredient_id,
            crate::domain::entity::Entity::Ingredient
        );
        let before = from_scaled(lot.quantity_remaining, Scale::Quantity);
        let after = match input.change {
            QuantityChange::SetTo(value) => value,
            QuantityChange::By(delta) => before
                .checked_add(delta)
                .ok_or_else(|| LimitExceeded::stock(&ingredient.name, &ingredient.unit))?,
        };
        let after_raw = match to_scaled(after, Scale::Quantity) {
            Ok(raw) => raw,
            // Far below zero: refused as such just below.
            Err(_) if after.is_sign_negative() => -1,
            Err(e) => return Err(beyond_stock(e, &ingredient)),
        };
        if after_raw < 0 {
            return Err(AppError::bad_input(format!(
                "the lot has {} left; it cannot go below zero (asked for {})",
                before,
                round_to(after, Scale::Quantity)
            )));
        }
        if after_raw > lot.quantity_remaining {
            let held = conn.lock_stock(ingredient.id).await?;
            check_stock(
                held,
                after_raw - lot.quantity_remaining,
                &ingredient.name,
                &ingredient.unit,
            )?;
        }
        let updated = diesel::update(inventory_lots::table.find(lot.id))
            .set((
                inventory_lots::quantity_remaining.eq(after_raw),
                inventory_lots::updated_at.eq(ts),
            ))
            .returning(InventoryLot::as_returning())
            .get_result(conn)
            .await?;
        let record = diesel::insert_into(inventory_adjustments::table)
            .values((
                inventory_adjustments::uuid.eq(new_uuid()),
                inventory_adjustments::created_at.eq(ts),
                inventory_adjustments::updated_at.eq(ts),
                inventory_adjustments::lot_id.eq(lot.id),
                inventory_adjustments::quantity_before.eq(lot.quantity_remaining),
                inventory_adjustments::quantity_after.eq(after_raw),
                inventory_adjustments::reason.eq(&reason),
                inventory_adjustments::notes
                    .eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
                inventory_adjustments::recorded_by.eq(clean_text(
                    crate::domain::text::RECORDED_BY,
                    input.recorded_by.clone(),
                )?),
            ))
            .returning(InventoryAdjustment::as_returning())
            .get_result(conn)
            .await?;
        Ok((updated, record))
    })
}

crate::rows_by_ids!(
    /// Lots by primary key (one query).
    by_ids,
    inventory_lots,
    InventoryLot
);

crate::rows_by_parent_ids!(
    /// Lots of many ingredients in FIFO order (purchase date, then creation), one query.
    by_ingredient_ids,
    inventory_lots,
    InventoryLot,
    ingredient_id,
    (inventory_lots::purchased_on, inventory_lots::id)
);

/// Stock on hand (sum of remaining quantities, scaled) of many ingredients, one query.
/// Ingredients without lots are absent from the map.
pub async fn on_hand_by_ingredient_ids(db: &Db, ids: &[i64]) -> AppResult<HashMap<i64, i64>> {
    let rows: Vec<(i64, i64)> = db_run!(db, |conn| inventory_lots::table
        .filter(inventory_lots::ingredient_id.eq_any(ids))
        .group_by(inventory_lots::ingredient_id)
        .select((
            inventory_lots::ingredient_id,
            diesel::dsl::sql::<BigInt>("CAST(SUM(quantity_remaining) AS BIGINT)"),
        ))
        .load(conn)
        .await
        .map_err(AppError::from))?;
    Ok(rows.into_iter().collect())
}

crate::rows_by_parent_ids!(
    /// Adjustment records of many lots, oldest first, one query.
    adjustments_by_lot_ids,
    inventory_adjustments,
    InventoryAdjustment,
    lot_id,
    (inventory_adjustments::id)
);
