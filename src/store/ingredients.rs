//! Ingredients: the pantry's items, with their stock unit and optional density.

use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{
    finished_good_components, ingredients, inventory_lots, products, recipe_ingredients, recipes,
};
use crate::db::Db;
use crate::domain::fixed::{from_scaled, to_scaled, Scale};
use crate::domain::names::{name_key, numbered_slug, slugify};
use crate::domain::units::{convert, Density, Unit};
use crate::error::{AppError, AppResult};
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub use crate::db::models::Ingredient;

impl Ingredient {
    /// The stock unit, parsed.
    pub fn stock_unit(&self) -> Unit {
        self.unit.parse().expect("stored units are valid")
    }

    /// The stated density, if any.
    pub fn density(&self) -> Option<Density> {
        match (
            self.density_volume,
            &self.density_volume_unit,
            self.density_weight,
            &self.density_weight_unit,
        ) {
            (Some(v), Some(vu), Some(w), Some(wu)) => Some(Density {
                volume: from_scaled(v, Scale::Quantity),
                volume_unit: vu.parse().expect("stored units are valid"),
                weight: from_scaled(w, Scale::Quantity),
                weight_unit: wu.parse().expect("stored units are valid"),
            }),
            _ => None,
        }
    }
}

/// A validated new ingredient.
#[derive(Debug, Clone)]
pub struct NewIngredient {
    /// Display name (required).
    pub name: String,
    /// Category (may be empty).
    pub category: String,
    /// Stock unit.
    pub unit: Unit,
    /// Whether it is packaging.
    pub is_packaging: bool,
    /// Optional density.
    pub density: Option<Density>,
    /// Free text.
    pub notes: Option<String>,
}

/// Changes to an ingredient; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct IngredientChanges {
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New stock unit (refused while lots, recipe lines, packaging components or products
    /// depend on the old one).
    pub unit: Option<Unit>,
    /// New packaging flag.
    pub is_packaging: Option<bool>,
    /// New density, or `Some(None)` to clear it.
    pub density: Option<Option<Density>>,
    /// New notes, or `Some(None)` to clear them.
    pub notes: Option<Option<String>>,
}

type DensityColumns = (Option<i64>, Option<String>, Option<i64>, Option<String>);

fn density_columns(density: Option<&Density>) -> AppResult<DensityColumns> {
    Ok(match density {
        None => (None, None, None, None),
        Some(d) => (
            Some(positive_scaled(to_scaled(d.volume, Scale::Quantity)?)?),
            Some(d.volume_unit.name().to_string()),
            Some(positive_scaled(to_scaled(d.weight, Scale::Quantity)?)?),
            Some(d.weight_unit.name().to_string()),
        ),
    })
}

fn positive_scaled(raw: i64) -> AppResult<i64> {
    if raw <= 0 {
        return Err(AppError::bad_input(
            "density volume and weight must be at least 0.000001",
        ));
    }
    Ok(raw)
}

/// Creates an ingredient with a slug derived from its name (numbered if taken).
pub async fn create(db: &Db, input: NewIngredient) -> AppResult<Ingredient> {
    let name = crate::domain::text::required_name("ingredient", &input.name)?;
    let key = name_key(&name);
    let (dv, dvu, dw, dwu) = density_columns(input.density.as_ref())?;
    let base_slug = slugify(&name);
    let ts = now();
    db_write!(db, |conn| {
        let taken: i64 = ingredients::table
            .filter(ingredients::name_key.eq(&key))
            .count()
            .get_result(conn)
            .await?;
        if taken > 0 {
            return Err(AppError::Conflict(format!(
                "an ingredient named \"{name}\" already exists"
            )));
        }
        let slugs: Vec<String> = ingredients::table
            .filter(ingredients::slug.like(format!("{base_slug}%")))
            .select(ingredients::slug)
            .load(conn)
            .await?;
        let slug = (1..)
            .map(|n| numbered_slug(&base_slug, n))
            .find(|candidate| !slugs.contains(candidate))
            .expect("some numbered slug is free");
        let row = diesel::insert_into(ingredients::table)
            .values((
                ingredients::uuid.eq(new_uuid()),
                ingredients::created_at.eq(ts),
                ingredients::updated_at.eq(ts),
                ingredients::name.eq(&name),
                ingredients::name_key.eq(&key),
                ingredients::slug.eq(&slug),
                ingredients::category.eq(crate::domain::text::trimmed(
                    crate::domain::text::CATEGORY,
                    &input.category,
                )?),
                ingredients::unit.eq(input.unit.name()),
                ingredients::is_packaging.eq(input.is_packaging),
                ingredients::density_volume.eq(dv),
                ingredients::density_volume_unit.eq(&dvu),
                ingredients::density_weight.eq(dw),
                ingredients::density_weight_unit.eq(&dwu),
                ingredients::notes.eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(Ingredient::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Applies the given changes to an ingredient. The slug never changes. The stock unit
/// cannot change while lots, recipe lines, packaging components or products depend on it,
/// and a new or cleared density must still convert every recipe line and product to the
/// stock unit; both are checked inside the transaction, with the ingredient row locked.
pub async fn update(db: &Db, id: i64, changes: IngredientChanges) -> AppResult<Ingredient> {
    let new_name = changes
        .name
        .as_deref()
        .map(|name| crate::domain::text::required_name("ingredient", name))
        .transpose()?;
    let density = changes
        .density
        .as_ref()
        .map(|d| density_columns(d.as_ref()))
        .transpose()?;
    let ts = now();
    db_write!(db, |conn| {
        // A no-op update takes the row lock on PostgreSQL (SQLite already holds the write
        // lock), so two concurrent updates cannot both write from the same old row.
        diesel::update(ingredients::table.find(id))
            .set(ingredients::updated_at.eq(ingredients::updated_at))
            .execute(conn)
            .await?;
        let current = crate::find_row!(
            conn,
            ingredients::table,
            Ingredient,
            id,
            crate::domain::entity::Entity::Ingredient
        );
        let name = new_name.clone().unwrap_or(current.name.clone());
        let key = name_key(&name);
        if key != current.name_key {
            let taken: i64 = ingredients::table
                .filter(ingredients::name_key.eq(&key))
                .filter(ingredients::id.ne(id))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Err(AppError::Conflict(format!(
                    "an ingredient named \"{name}\" already exists"
                )));
            }
        }
        let unit = changes
            .unit
            .map(|u| u.name().to_string())
            .unwrap_or(current.unit.clone());
        if unit != current.unit {
            let lots: i64 = inventory_lots::table
                .filter(inventory_lots::ingredient_id.eq(id))
                .count()
                .get_result(conn)
                .await?;
            let lines: i64 = recipe_ingredients::table
                .filter(recipe_ingredients::ingredient_id.eq(id))
                .count()
                .get_result(conn)
                .await?;
            let packaging: i64 = finished_good_components::table
                .filter(finished_good_components::packaging_ingredient_id.eq(id))
                .count()
                .get_result(conn)
                .await?;
            let product_count: i64 = products::table
                .filter(products::ingredient_id.eq(id))
                .count()
                .get_result(conn)
                .await?;
            refuse_unit_change(
                &current,
                &unit,
                &[
                    ("inventory lots", lots),
                    ("recipe lines", lines),
                    ("finished-good packaging components", packaging),
                    ("products", product_count),
                ],
            )?;
        }
        let (dv, dvu, dw, dwu) = density.clone().unwrap_or((
            current.density_volume,
            current.density_volume_unit.clone(),
            current.density_weight,
            current.density_weight_unit.clone(),
        ));
        let next = Ingredient {
            unit: unit.clone(),
            density_volume: dv,
            density_volume_unit: dvu.clone(),
            density_weight: dw,
            density_weight_unit: dwu.clone(),
            ..current.clone()
        };
        if next.density() != current.density() {
            let lines: Vec<(String, i64, String)> = recipe_ingredients::table
                .inner_join(recipes::table)
                .filter(recipe_ingredients::ingredient_id.eq(id))
                .order((
                    recipes::name_key.asc(),
                    recipes::id.asc(),
                    recipe_ingredients::position.asc(),
                ))
                .select((
                    recipes::name,
                    recipe_ingredients::quantity,
                    recipe_ingredients::unit,
                ))
                .load(conn)
                .await?;
            let forms: Vec<(String, i64, String)> = products::table
                .filter(products::ingredient_id.eq(id))
                .order((products::brand.asc(), products::id.asc()))
                .select((
                    products::brand,
                    products::package_quantity,
                    products::package_unit,
                ))
                .load(conn)
                .await?;
            let uses = lines
                .iter()
                .map(|(recipe, q, u)| (format!("recipe \"{recipe}\""), *q, u.as_str()))
                .chain(
                    forms
                        .iter()
                        .map(|(brand, q, u)| (format!("product \"{brand}\""), *q, u.as_str())),
                );
            check_density_change(&current, &next, uses)?;
        }
        let row = diesel::update(ingredients::table.find(id))
            .set((
                ingredients::updated_at.eq(ts),
                ingredients::name.eq(&name),
                ingredients::name_key.eq(&key),
                ingredients::category.eq(changes
                    .category
                    .as_deref()
                    .map(|v| crate::domain::text::trimmed(crate::domain::text::CATEGORY, v))
                    .transpose()?
                    .unwrap_or(current.category.clone())),
                ingredients::unit.eq(&unit),
                ingredients::is_packaging.eq(changes.is_packaging.unwrap_or(current.is_packaging)),
                ingredients::density_volume.eq(dv),
                ingredients::density_volume_unit.eq(&dvu),
                ingredients::density_weight.eq(dw),
                ingredients::density_weight_unit.eq(&dwu),
                ingredients::notes.eq(match &changes.notes {
                    Some(notes) => clean_text(crate::domain::text::NOTES, notes.clone())?,
                    None => current.notes.clone(),
                }),
            ))
            .returning(Ingredient::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Refuses a change of stock unit while any row keeps a quantity that depends on the old
/// unit, naming each kind of row and how many there are.
fn refuse_unit_change(current: &Ingredient, unit: &str, blocking: &[(&str, i64)]) -> AppResult<()> {
    let found: Vec<String> = blocking
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(kind, count)| format!("{count} {kind}"))
        .collect();
    if found.is_empty() {
        return Ok(());
    }
    Err(AppError::bad_input(format!(
        "cannot change the unit of \"{}\" from {} to {}: {} depend on {}; remove them first, or create a new ingredient in {}",
        current.name,
        current.unit,
        unit,
        found.join(", "),
        current.unit,
        unit
    )))
}

/// Checks that every use of the ingredient (`(what, scaled quantity, unit)`, in a stable
/// order) still converts to its stock unit with the new density; the first that would not
/// is named in the error.
fn check_density_change<'a>(
    current: &Ingredient,
    next: &Ingredient,
    uses: impl Iterator<Item = (String, i64, &'a str)>,
) -> AppResult<()> {
    let stock_unit = next.stock_unit();
    let density = next.density();
    let action = if density.is_none() { "clear" } else { "change" };
    for (what, raw, unit) in uses {
        let quantity = from_scaled(raw, Scale::Quantity);
        let unit: Unit = unit.parse()?;
        if let Err(e) = convert(quantity, unit, stock_unit, density.as_ref(), &current.name) {
            return Err(AppError::bad_input(format!(
                "cannot {action} the density of \"{}\": {what} uses {quantity} {unit} of it, which would no longer convert to {stock_unit} ({e}); change that first",
                current.name
            )));
        }
    }
    Ok(())
}

/// Deletes an ingredient, refused while recipe lines, lots with stock or finished goods
/// reference it. Its products and empty lots go with it.
pub async fn delete(db: &Db, id: i64) -> AppResult<Ingredient> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            ingredients::table,
            Ingredient,
            id,
            crate::domain::entity::Entity::Ingredient
        );
        let lines: i64 = recipe_ingredients::table
            .filter(recipe_ingredients::ingredient_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let stocked: i64 = inventory_lots::table
            .filter(inventory_lots::ingredient_id.eq(id))
            .filter(inventory_lots::quantity_remaining.gt(0))
            .count()
            .get_result(conn)
            .await?;
        let goods: i64 = finished_good_components::table
            .filter(finished_good_components::packaging_ingredient_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        super::refuse_if_referenced(
            "ingredient",
            &current.name,
            &[
                ("recipe lines", lines),
                ("inventory lots with stock", stocked),
                ("finished good components", goods),
            ],
        )?;
        diesel::delete(ingredients::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// Ingredients by primary key (one query).
    by_ids,
    ingredients,
    Ingredient
);

/// Filters for the ingredient list.
#[derive(Debug, Clone, Default)]
pub struct IngredientFilter {
    /// Only packaging (`true`) or only food (`false`).
    pub is_packaging: Option<bool>,
    /// Exact category.
    pub category: Option<String>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// One page of ingredients ordered by name.
pub async fn list(
    db: &Db,
    filter: &IngredientFilter,
    keyset: &Keyset<Ingredient>,
) -> AppResult<Page<Ingredient>> {
    let search = filter
        .search
        .as_deref()
        .map(crate::domain::text::contains_pattern)
        .transpose()?;
    if let Some(category) = filter.category.as_deref() {
        crate::domain::text::check(crate::domain::text::CATEGORY, category)?;
    }
    db_run!(db, |conn| {
        let build = || {
            let mut query = ingredients::table.into_boxed();
            if let Some(p) = filter.is_packaging {
                query = query.filter(ingredients::is_packaging.eq(p));
            }
            if let Some(c) = &filter.category {
                query = query.filter(ingredients::category.eq(c.clone()));
            }
            if let Some(s) = &search {
                query = query.filter(
                    ingredients::name_key
                        .like(s.clone())
                        .escape(crate::domain::text::LIKE_ESCAPE),
                );
            }
            query
        };

        Ok(crate::keyset_page!(conn, keyset, build, Ingredient,
            sort: ingredients::name_key, key: |k| k.clone(), id: ingredients::id, asc))
    })
}

impl Keyed for Ingredient {
    type Key = String;
    const LIST: &'static str = "ingredients:name";
    fn position(&self) -> Position<String> {
        Position {
            key: self.name_key.clone(),
            id: self.id,
        }
    }
}
