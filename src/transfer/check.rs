//! The first half of an import: every field of the document parsed and checked against the
//! rules the API enforces, without touching the database. The result ([`Checked`]) holds
//! stored values (scaled integers, canonical units) and references still as natural keys;
//! `resolve` turns those into ids inside the import transaction.
//!
//! Each error names the entry by its path (`lots[3].quantityRemaining`) and, where it has
//! one, its natural key.

use super::document::{self as doc, Document, EventRef};
use super::values::{bad, parse_date, parse_decimal, parse_timestamp, Sign};
use crate::domain::fixed::Scale;
use crate::domain::kinds::{ComponentKind, YieldMode};
use crate::domain::names::{is_valid_slug, name_key};
use crate::domain::text::{self, Field};
use crate::domain::units::{Density, Unit};
use crate::error::{AppError, AppResult};
use chrono::{NaiveDate, NaiveDateTime};
use std::collections::HashMap;

/// A checked ingredient.
#[derive(Debug, Clone)]
pub struct Ingredient {
    /// Path in the document, for errors.
    pub path: String,
    /// Slug (key).
    pub slug: String,
    /// Name as given.
    pub name: String,
    /// Category.
    pub category: String,
    /// Canonical stock unit.
    pub unit: Unit,
    /// Packaging flag.
    pub is_packaging: bool,
    /// (volume, volume unit, weight, weight unit), quantities scaled.
    pub density: Option<(i64, String, i64, String)>,
    /// Notes.
    pub notes: Option<String>,
}

/// A checked product.
#[derive(Debug, Clone)]
pub struct Product {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::Product,
    /// Scaled package quantity.
    pub package_quantity: i64,
    /// Canonical package unit.
    pub package_unit: Unit,
    /// Checked GTIN.
    pub gtin: Option<String>,
}

/// A checked lot with its adjustments.
#[derive(Debug, Clone)]
pub struct Lot {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::Lot,
    /// Parsed dates.
    pub purchased_on: NaiveDate,
    /// Parsed expiry.
    pub expires_on: Option<NaiveDate>,
    /// Scaled (purchased, remaining, unit cost, total cost).
    pub amounts: (i64, i64, i64, i64),
    /// Its adjustments.
    pub adjustments: Vec<Adjustment>,
}

/// A checked adjustment of a lot.
#[derive(Debug, Clone)]
pub struct Adjustment {
    /// Identity.
    pub uuid: String,
    /// When it was made (its creation time).
    pub adjusted_at: NaiveDateTime,
    /// Scaled remaining quantity before.
    pub before: i64,
    /// Scaled remaining quantity after.
    pub after: i64,
    /// Why.
    pub reason: String,
    /// Free text.
    pub notes: Option<String>,
    /// Who made it.
    pub recorded_by: Option<String>,
}

/// A checked recipe.
#[derive(Debug, Clone)]
pub struct Recipe {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::Recipe,
    /// Scaled yield quantity.
    pub yield_quantity: i64,
    /// (ingredient slug, scaled quantity, canonical unit, notes) per line.
    pub lines: Vec<(String, i64, Unit, Option<String>)>,
    /// (recipe name, scaled multiplier, notes) per component.
    pub components: Vec<(String, i64, Option<String>)>,
}

/// A checked finished unit.
#[derive(Debug, Clone)]
pub struct FinishedUnit {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::FinishedUnit,
    /// Yield mode.
    pub mode: YieldMode,
    /// Scaled batch percentage.
    pub batch_percentage: Option<i64>,
    /// Scaled average unit cost.
    pub average_unit_cost: i64,
}

/// A checked finished good.
#[derive(Debug, Clone)]
pub struct FinishedGood {
    /// Path, for errors.
    pub path: String,
    /// The document entry.
    pub row: doc::FinishedGood,
    /// Scaled average unit cost.
    pub average_unit_cost: i64,
    /// (kind, referenced key, scaled quantity, notes) per component.
    pub components: Vec<(ComponentKind, String, i64, Option<String>)>,
}

/// A checked event.
#[derive(Debug, Clone)]
pub struct Event {
    /// Path, for errors.
    pub path: String,
    /// Its key as other entries write it.
    pub key: EventRef,
    /// Parsed date.
    pub date: NaiveDate,
    /// Notes.
    pub notes: Option<String>,
}

/// The whole document, checked.
#[derive(Debug, Clone)]
pub struct Checked {
    /// Ingredients.
    pub ingredients: Vec<Ingredient>,
    /// Products.
    pub products: Vec<Product>,
    /// Lots.
    pub lots: Vec<Lot>,
    /// Recipes.
    pub recipes: Vec<Recipe>,
    /// Finished units.
    pub finished_units: Vec<FinishedUnit>,
    /// Finished goods.
    pub finished_goods: Vec<FinishedGood>,
    /// Packages (entries as given; checked).
    pub packages: Vec<doc::Package>,
    /// Recipients (entries as given; checked).
    pub recipients: Vec<doc::Recipient>,
    /// Events.
    pub events: Vec<Event>,
    /// Assignments, targets and runs.
    pub activity: super::check_runs::Activity,
}

/// Checks a text field as stored (no NUL, within its length).
pub fn check_text(path: &str, field: Field, value: &str) -> AppResult<()> {
    text::check(field, value).map_err(|e| bad(path, e))
}

/// Checks an optional text field.
pub fn check_opt(path: &str, field: Field, value: &Option<String>) -> AppResult<()> {
    value
        .as_deref()
        .map_or(Ok(()), |v| check_text(path, field, v))
}

/// Checks a name: not blank, within the name length.
pub fn check_name(path: &str, value: &str) -> AppResult<()> {
    if value.trim().is_empty() {
        return Err(bad(path, "must not be empty"));
    }
    check_text(path, text::NAME, value)
}

/// Checks a slug's form and that no earlier entry of the same array has it.
pub fn check_slug(slugs: &mut Seen<String>, path: &str, slug: &str) -> AppResult<()> {
    if !is_valid_slug(slug) {
        return Err(bad(path, format!("\"{slug}\" is not a valid slug")));
    }
    slugs.add(path, format!("\"{slug}\""))
}

pub(super) fn check_uuid(path: &str, value: &str) -> AppResult<()> {
    uuid::Uuid::parse_str(value)
        .map(|_| ())
        .map_err(|_| bad(path, format!("\"{value}\" is not a UUID")))
}

fn unit(path: &str, value: &str) -> AppResult<Unit> {
    value.parse::<Unit>().map_err(|e| bad(path, e))
}

/// Remembers keys seen in one array and refuses a second entry with the same key.
pub struct Seen<K: std::hash::Hash + Eq> {
    what: &'static str,
    first: HashMap<K, String>,
}

impl<K: std::hash::Hash + Eq + std::fmt::Display> Seen<K> {
    /// Keys of `what` (e.g. `"ingredient slug"`).
    pub fn new(what: &'static str) -> Self {
        Seen {
            what,
            first: HashMap::new(),
        }
    }

    /// Records `key` at `path`, or fails naming both entries.
    pub fn add(&mut self, path: &str, key: K) -> AppResult<()> {
        if let Some(first) = self.first.get(&key) {
            return Err(bad(
                path,
                format!("duplicate {} {key} (already at {first})", self.what),
            ));
        }
        self.first.insert(key, path.to_string());
        Ok(())
    }
}

/// Parses and checks a whole document (format and version first).
pub fn check(document: &Document) -> AppResult<Checked> {
    if document.format != doc::FORMAT {
        return Err(AppError::bad_input(format!(
            "format: \"{}\" is not a Bakeplan export (expected \"{}\")",
            document.format,
            doc::FORMAT
        )));
    }
    if document.version != doc::VERSION {
        return Err(AppError::bad_input(format!(
            "version: this server reads version {} documents; this one is version {}",
            doc::VERSION,
            document.version
        )));
    }
    let ingredients = ingredients(&document.ingredients)?;
    let products = products(&document.products)?;
    let lots = lots(&document.lots)?;
    let recipes = recipes(&document.recipes)?;
    let finished_units = super::check_catalog::finished_units(&document.finished_units)?;
    let finished_goods = super::check_catalog::finished_goods(&document.finished_goods)?;
    let packages = super::check_catalog::packages(&document.packages)?;
    let recipients = super::check_catalog::recipients(&document.recipients)?;
    let events = super::check_catalog::events(&document.events)?;
    let activity = super::check_runs::check(document)?;
    let checked = Checked {
        ingredients,
        products,
        lots,
        recipes,
        finished_units,
        finished_goods,
        packages,
        recipients,
        events,
        activity,
    };
    super::consistency::check(&checked)?;
    Ok(checked)
}

fn ingredients(rows: &[doc::Ingredient]) -> AppResult<Vec<Ingredient>> {
    let mut slugs = Seen::new("ingredient slug");
    let mut names = Seen::new("ingredient name");
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let path = format!("ingredients[{i}]");
        let at = |field: &str| format!("{path}.{field}");
        check_slug(&mut slugs, &at("slug"), &r.slug)?;
        check_name(&at("name"), &r.name)?;
        names.add(&at("name"), format!("\"{}\"", name_key(&r.name)))?;
        check_text(&at("category"), text::CATEGORY, &r.category)?;
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        let density = match &r.density {
            None => None,
            Some(d) => {
                let volume = parse_decimal(
                    &at("density.volume"),
                    &d.volume,
                    Scale::Quantity,
                    Sign::Positive,
                )?;
                let weight = parse_decimal(
                    &at("density.weight"),
                    &d.weight,
                    Scale::Quantity,
                    Sign::Positive,
                )?;
                let vu = unit(&at("density.volumeUnit"), &d.volume_unit)?;
                let wu = unit(&at("density.weightUnit"), &d.weight_unit)?;
                Density::new(
                    crate::domain::fixed::from_scaled(volume, Scale::Quantity),
                    vu,
                    crate::domain::fixed::from_scaled(weight, Scale::Quantity),
                    wu,
                )
                .map_err(|e| bad(&at("density"), e))?;
                Some((volume, vu.name().to_string(), weight, wu.name().to_string()))
            }
        };
        out.push(Ingredient {
            unit: unit(&at("unit"), &r.unit)?,
            path,
            slug: r.slug.clone(),
            name: r.name.clone(),
            category: r.category.clone(),
            is_packaging: r.is_packaging,
            density,
            notes: r.notes.clone(),
        });
    }
    Ok(out)
}

fn products(rows: &[doc::Product]) -> AppResult<Vec<Product>> {
    let mut uuids = Seen::new("product uuid");
    let mut gtins = Seen::new("GTIN");
    let mut preferred = Seen::new("preferred product of ingredient");
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let path = format!("products[{i}]");
        let at = |field: &str| format!("{path}.{field}");
        check_uuid(&at("uuid"), &r.uuid)?;
        uuids.add(&at("uuid"), format!("\"{}\"", r.uuid))?;
        check_text(&at("brand"), text::BRAND, &r.brand)?;
        check_opt(&at("supplier"), text::SUPPLIER, &r.supplier)?;
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        let gtin = match &r.gtin {
            Some(g) => {
                let g =
                    crate::store::products::validate_gtin(g).map_err(|e| bad(&at("gtin"), e))?;
                gtins.add(&at("gtin"), format!("\"{g}\""))?;
                Some(g)
            }
            None => None,
        };
        if r.preferred {
            preferred.add(&at("preferred"), format!("\"{}\"", r.ingredient))?;
        }
        out.push(Product {
            package_quantity: parse_decimal(
                &at("packageQuantity"),
                &r.package_quantity,
                Scale::Quantity,
                Sign::Positive,
            )?,
            package_unit: unit(&at("packageUnit"), &r.package_unit)?,
            gtin,
            path,
            row: r.clone(),
        });
    }
    Ok(out)
}

fn lots(rows: &[doc::Lot]) -> AppResult<Vec<Lot>> {
    let mut uuids = Seen::new("uuid");
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let path = format!("lots[{i}]");
        let at = |field: &str| format!("{path}.{field}");
        check_uuid(&at("uuid"), &r.uuid)?;
        uuids.add(&at("uuid"), format!("\"{}\"", r.uuid))?;
        check_opt(&at("location"), text::LOCATION, &r.location)?;
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        check_opt(&at("recordedBy"), text::RECORDED_BY, &r.recorded_by)?;
        let purchased_on = parse_date(&at("purchasedOn"), &r.purchased_on)?;
        let expires_on = r
            .expires_on
            .as_deref()
            .map(|d| parse_date(&at("expiresOn"), d))
            .transpose()?;
        let purchased = parse_decimal(
            &at("quantityPurchased"),
            &r.quantity_purchased,
            Scale::Quantity,
            Sign::Positive,
        )?;
        let remaining = parse_decimal(
            &at("quantityRemaining"),
            &r.quantity_remaining,
            Scale::Quantity,
            Sign::NonNegative,
        )?;
        let unit_cost = parse_decimal(
            &at("unitCost"),
            &r.unit_cost,
            Scale::UnitPrice,
            Sign::NonNegative,
        )?;
        let total_cost = parse_decimal(
            &at("totalCost"),
            &r.total_cost,
            Scale::Money,
            Sign::NonNegative,
        )?;
        let mut adjustments = Vec::with_capacity(r.adjustments.len());
        for (j, a) in r.adjustments.iter().enumerate() {
            let apath = format!("{path}.adjustments[{j}]");
            let aat = |field: &str| format!("{apath}.{field}");
            check_uuid(&aat("uuid"), &a.uuid)?;
            uuids.add(&aat("uuid"), format!("\"{}\"", a.uuid))?;
            if a.reason.trim().is_empty() {
                return Err(bad(&aat("reason"), "must not be empty"));
            }
            check_text(&aat("reason"), text::REASON, &a.reason)?;
            check_opt(&aat("notes"), text::NOTES, &a.notes)?;
            check_opt(&aat("recordedBy"), text::RECORDED_BY, &a.recorded_by)?;
            adjustments.push(Adjustment {
                uuid: a.uuid.clone(),
                adjusted_at: parse_timestamp(&aat("adjustedAt"), &a.adjusted_at)?,
                before: parse_decimal(
                    &aat("quantityBefore"),
                    &a.quantity_before,
                    Scale::Quantity,
                    Sign::NonNegative,
                )?,
                after: parse_decimal(
                    &aat("quantityAfter"),
                    &a.quantity_after,
                    Scale::Quantity,
                    Sign::NonNegative,
                )?,
                reason: a.reason.clone(),
                notes: a.notes.clone(),
                recorded_by: a.recorded_by.clone(),
            });
        }
        out.push(Lot {
            path,
            row: r.clone(),
            purchased_on,
            expires_on,
            amounts: (purchased, remaining, unit_cost, total_cost),
            adjustments,
        });
    }
    Ok(out)
}

fn recipes(rows: &[doc::Recipe]) -> AppResult<Vec<Recipe>> {
    let mut names = Seen::new("recipe name");
    let mut out = Vec::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let path = format!("recipes[{i}]");
        let at = |field: &str| format!("{path}.{field}");
        check_name(&at("name"), &r.name)?;
        names.add(&at("name"), format!("\"{}\"", name_key(&r.name)))?;
        check_text(&at("category"), text::CATEGORY, &r.category)?;
        check_text(&at("yieldUnit"), text::YIELD_UNIT, &r.yield_unit)?;
        check_opt(
            &at("yieldDescription"),
            text::YIELD_DESCRIPTION,
            &r.yield_description,
        )?;
        check_opt(&at("source"), text::SOURCE, &r.source)?;
        check_opt(&at("notes"), text::NOTES, &r.notes)?;
        if r.estimated_minutes.is_some_and(|m| m < 0) {
            return Err(bad(&at("estimatedMinutes"), "must not be negative"));
        }
        let mut lines = Vec::new();
        for (j, l) in r.ingredients.iter().enumerate() {
            let lat = |field: &str| format!("{path}.ingredients[{j}].{field}");
            check_opt(&lat("notes"), text::NOTES, &l.notes)?;
            lines.push((
                l.ingredient.clone(),
                parse_decimal(
                    &lat("quantity"),
                    &l.quantity,
                    Scale::Quantity,
                    Sign::Positive,
                )?,
                unit(&lat("unit"), &l.unit)?,
                l.notes.clone(),
            ));
        }
        let mut components = Vec::new();
        let mut used = Seen::new("sub-recipe");
        for (j, c) in r.components.iter().enumerate() {
            let cat = |field: &str| format!("{path}.components[{j}].{field}");
            check_opt(&cat("notes"), text::NOTES, &c.notes)?;
            if name_key(&c.recipe) == name_key(&r.name) {
                return Err(bad(
                    &cat("recipe"),
                    format!("recipe \"{}\" cannot contain itself", r.name),
                ));
            }
            used.add(&cat("recipe"), format!("\"{}\"", name_key(&c.recipe)))?;
            components.push((
                c.recipe.clone(),
                parse_decimal(
                    &cat("quantity"),
                    &c.quantity,
                    Scale::Quantity,
                    Sign::Positive,
                )?,
                c.notes.clone(),
            ));
        }
        out.push(Recipe {
            yield_quantity: parse_decimal(
                &at("yieldQuantity"),
                &r.yield_quantity,
                Scale::Quantity,
                Sign::Positive,
            )?,
            path,
            row: r.clone(),
            lines,
            components,
        });
    }
    Ok(out)
}
