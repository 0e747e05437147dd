//! Products: purchasable forms of an ingredient (brand, package size, GTIN).

use super::{clean_text, new_uuid, now};
use crate::db::schema::{ingredients, products};
use crate::db::Db;
use crate::db_write;
use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::units::{convert, Unit};
use crate::error::{AppError, AppResult};
use crate::store::ingredients::Ingredient;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;

pub use crate::db::models::Product;

/// A validated new product.
#[derive(Debug, Clone)]
pub struct NewProduct {
    /// Ingredient primary key.
    pub ingredient_id: i64,
    /// Brand.
    pub brand: String,
    /// Package size (> 0).
    pub package_quantity: Decimal,
    /// Package size unit, convertible to the ingredient's unit.
    pub package_unit: Unit,
    /// Make it the preferred product (any other preferred product of the ingredient is unmarked).
    pub preferred: bool,
    /// Barcode.
    pub gtin: Option<String>,
    /// Supplier.
    pub supplier: Option<String>,
    /// Free text.
    pub notes: Option<String>,
}

/// Changes to a product; `Some(None)` clears a nullable field.
#[derive(Debug, Clone, Default)]
pub struct ProductChanges {
    /// New brand.
    pub brand: Option<String>,
    /// New package size.
    pub package_quantity: Option<Decimal>,
    /// New package unit.
    pub package_unit: Option<Unit>,
    /// New preferred flag.
    pub preferred: Option<bool>,
    /// New GTIN.
    pub gtin: Option<Option<String>>,
    /// New supplier.
    pub supplier: Option<Option<String>>,
    /// New notes.
    pub notes: Option<Option<String>>,
}

/// Checks a GTIN: 8, 12, 13 or 14 digits with a valid check digit.
pub fn validate_gtin(gtin: &str) -> AppResult<String> {
    let gtin = gtin.trim();
    if crate::domain::text::check(crate::domain::text::GTIN, gtin).is_err() {
        return Err(AppError::bad_input(format!(
            "GTIN {} must be 8, 12, 13 or 14 digits",
            crate::domain::text::excerpt(gtin)
        )));
    }
    let digits: Vec<u32> = gtin.chars().filter_map(|c| c.to_digit(10)).collect();
    if digits.len() != gtin.len() || ![8, 12, 13, 14].contains(&digits.len()) {
        return Err(AppError::bad_input(format!(
            "GTIN \"{gtin}\" must be 8, 12, 13 or 14 digits"
        )));
    }
    let (body, check) = digits.split_at(digits.len() - 1);
    let sum: u32 = body
        .iter()
        .rev()
        .enumerate()
        .map(|(i, d)| if i % 2 == 0 { d * 3 } else { *d })
        .sum();
    if (10 - sum % 10) % 10 != check[0] {
        return Err(AppError::bad_input(format!(
            "GTIN \"{gtin}\" has a wrong check digit"
        )));
    }
    Ok(gtin.to_string())
}

fn package_quantity(quantity: Decimal) -> AppResult<i64> {
    let raw = to_scaled(quantity, Scale::Quantity)?;
    if raw <= 0 {
        return Err(AppError::bad_input(
            "packageQuantity must be greater than zero",
        ));
    }
    Ok(raw)
}

fn check_convertible(ingredient: &Ingredient, unit: Unit) -> AppResult<()> {
    convert(
        Decimal::ONE,
        unit,
        ingredient.stock_unit(),
        ingredient.density().as_ref(),
        &ingredient.name,
    )?;
    Ok(())
}

/// Creates a product for an ingredient.
pub async fn create(db: &Db, input: NewProduct) -> AppResult<Product> {
    let quantity = package_quantity(input.package_quantity)?;
    let gtin = input.gtin.as_deref().map(validate_gtin).transpose()?;
    let ts = now();
    db_write!(db, |conn| {
        let ingredient = crate::find_row!(
            conn,
            ingredients::table,
            Ingredient,
            input.ingredient_id,
            crate::domain::entity::Entity::Ingredient
        );
        check_convertible(&ingredient, input.package_unit)?;
        if let Some(gtin) = &gtin {
            let taken: i64 = products::table
                .filter(products::gtin.eq(gtin))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Err(AppError::Conflict(format!(
                    "a product with GTIN {gtin} already exists"
                )));
            }
        }
        if input.preferred {
            diesel::update(products::table.filter(products::ingredient_id.eq(ingredient.id)))
                .set((products::preferred.eq(false), products::updated_at.eq(ts)))
                .execute(conn)
                .await?;
        }
        let row = diesel::insert_into(products::table)
            .values((
                products::uuid.eq(new_uuid()),
                products::created_at.eq(ts),
                products::updated_at.eq(ts),
                products::ingredient_id.eq(ingredient.id),
                products::brand.eq(crate::domain::text::trimmed(
                    crate::domain::text::BRAND,
                    &input.brand,
                )?),
                products::package_quantity.eq(quantity),
                products::package_unit.eq(input.package_unit.name()),
                products::preferred.eq(input.preferred),
                products::gtin.eq(&gtin),
                products::supplier.eq(clean_text(
                    crate::domain::text::SUPPLIER,
                    input.supplier.clone(),
                )?),
                products::notes.eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(Product::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Applies changes to a product.
pub async fn update(db: &Db, id: i64, changes: ProductChanges) -> AppResult<Product> {
    let quantity = changes.package_quantity.map(package_quantity).transpose()?;
    let gtin = match &changes.gtin {
        Some(Some(g)) => Some(Some(validate_gtin(g)?)),
        Some(None) => Some(None),
        None => None,
    };
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            products::table,
            Product,
            id,
            crate::domain::entity::Entity::Product
        );
        let ingredient = crate::find_row!(
            conn,
            ingredients::table,
            Ingredient,
            current.ingredient_id,
            crate::domain::entity::Entity::Ingredient
        );
        let unit = changes
            .package_unit
            .map(|u| u.name().to_string())
            .unwrap_or(current.package_unit.clone());
        check_convertible(&ingredient, unit.parse()?)?;
        let gtin = gtin.clone().unwrap_or(current.gtin.clone());
        if let Some(g) = &gtin {
            let taken: i64 = products::table
                .filter(products::gtin.eq(g))
                .filter(products::id.ne(id))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Err(AppError::Conflict(format!(
                    "a product with GTIN {g} already exists"
                )));
            }
        }
        let preferred = changes.preferred.unwrap_or(current.preferred);
        if preferred && !current.preferred {
            diesel::update(
                products::table.filter(products::ingredient_id.eq(current.ingredient_id)),
            )
            .set((products::preferred.eq(false), products::updated_at.eq(ts)))
            .execute(conn)
            .await?;
        }
        let row = diesel::update(products::table.find(id))
            .set((
                products::updated_at.eq(ts),
                products::brand.eq(changes
                    .brand
                    .as_deref()
                    .map(|v| crate::domain::text::trimmed(crate::domain::text::BRAND, v))
                    .transpose()?
                    .unwrap_or(current.brand.clone())),
                products::package_quantity.eq(quantity.unwrap_or(current.package_quantity)),
                products::package_unit.eq(&unit),
                products::preferred.eq(preferred),
                products::gtin.eq(&gtin),
                products::supplier.eq(super::changed_text(
                    crate::domain::text::SUPPLIER,
                    &changes.supplier,
                    &current.supplier,
                )?),
                products::notes.eq(super::changed_text(
                    crate::domain::text::NOTES,
                    &changes.notes,
                    &current.notes,
                )?),
            ))
            .returning(Product::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Deletes a product; lots bought as this product keep their stock and lose the link.
pub async fn delete(db: &Db, id: i64) -> AppResult<Product> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            products::table,
            Product,
            id,
            crate::domain::entity::Entity::Product
        );
        diesel::delete(products::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// Products by primary key (one query).
    by_ids,
    products,
    Product
);

crate::rows_by_parent_ids!(
    /// Products of many ingredients, preferred first then by creation (one query).
    by_ingredient_ids,
    products,
    Product,
    ingredient_id,
    (products::preferred.desc(), products::id)
);

#[cfg(test)]
mod tests {
    use super::validate_gtin;

    #[test]
    fn gtin_check_digits() {
        assert!(validate_gtin("4006381333931").is_ok());
        assert!(validate_gtin("036000291452").is_ok());
        assert!(validate_gtin("96385074").is_ok());
        assert!(validate_gtin("4006381333932").is_err());
        assert!(validate_gtin("40063813339x1").is_err());
        assert!(validate_gtin("123").is_err());
    }
}
