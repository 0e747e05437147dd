//! Finished units: what a recipe yields, counted in inventory as pieces of a batch
//! (`DISCRETE_COUNT`) or portions of a batch (`BATCH_PORTION`).
//!
//! Inventory count and average unit cost start at zero; only production and assembly move
//! them, never these writes.

use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{
    assembly_consumptions, finished_good_components, finished_units, production_runs, recipes,
};
use crate::db::Db;
use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::kinds::YieldMode;
use crate::domain::names::{is_valid_slug, numbered_slug, slugify};
use crate::error::{AppError, AppResult};
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;

pub use crate::db::models::FinishedUnit;

/// A new finished unit.
#[derive(Debug, Clone)]
pub struct NewFinishedUnit {
    /// Display name (required).
    pub name: String,
    /// Slug; derived from the name (numbered if taken) when absent.
    pub slug: Option<String>,
    /// The recipe it is made by.
    pub recipe_id: i64,
    /// Pieces or portions.
    pub yield_mode: YieldMode,
    /// Pieces per batch (DISCRETE_COUNT only, > 0).
    pub items_per_batch: Option<i32>,
    /// What a piece is called ("cookie").
    pub item_unit: Option<String>,
    /// Percent of a batch one item is (BATCH_PORTION only, in (0, 100]).
    pub batch_percentage: Option<Decimal>,
    /// Free text.
    pub notes: Option<String>,
}

/// Changes to a finished unit; `Some(None)` clears a nullable field. The yield fields are
/// re-validated together; when the yield mode changes, the other mode's field is dropped
/// unless it is given (which is then an error).
#[derive(Debug, Clone, Default)]
pub struct FinishedUnitChanges {
    /// New name.
    pub name: Option<String>,
    /// New slug.
    pub slug: Option<String>,
    /// Another recipe (refused once production runs recorded this unit).
    pub recipe_id: Option<i64>,
    /// New yield mode.
    pub yield_mode: Option<YieldMode>,
    /// New pieces per batch.
    pub items_per_batch: Option<Option<i32>>,
    /// New piece name.
    pub item_unit: Option<Option<String>>,
    /// New batch percentage.
    pub batch_percentage: Option<Option<Decimal>>,
    /// New notes.
    pub notes: Option<Option<String>>,
}

/// Checks the yield fields together and returns the stored `(items_per_batch,
/// batch_percentage)` columns.
pub fn validate_yield(
    mode: YieldMode,
    items_per_batch: Option<i32>,
    batch_percentage: Option<Decimal>,
) -> AppResult<(Option<i32>, Option<i64>)> {
    match mode {
        YieldMode::DiscreteCount => {
            if batch_percentage.is_some() {
                return Err(AppError::bad_input(
                    "batchPercentage applies only to BATCH_PORTION; leave it out for DISCRETE_COUNT",
                ));
            }
            match items_per_batch {
                None => Err(AppError::bad_input(
                    "DISCRETE_COUNT needs itemsPerBatch (how many pieces one batch yields, greater than zero)",
                )),
                Some(n) if n <= 0 => Err(AppError::bad_input(format!(
                    "itemsPerBatch must be greater than zero (got {n})"
                ))),
                Some(n) => Ok((Some(n), None)),
            }
        }
        YieldMode::BatchPortion => {
            if items_per_batch.is_some() {
                return Err(AppError::bad_input(
                    "itemsPerBatch applies only to DISCRETE_COUNT; leave it out for BATCH_PORTION",
                ));
            }
            let Some(percentage) = batch_percentage else {
                return Err(AppError::bad_input(
                    "BATCH_PORTION needs batchPercentage (the percent of a batch one item is, greater than 0 and at most 100)",
                ));
            };
            let raw = to_scaled(percentage, Scale::Quantity)?;
            if raw <= 0 || raw > 100_000_000 {
                return Err(AppError::bad_input(format!(
                    "batchPercentage must be greater than 0 and at most 100 (got {percentage})"
                )));
            }
            Ok((None, Some(raw)))
        }
    }
}

fn valid_slug(slug: &str) -> AppResult<String> {
    let slug = &crate::domain::text::trimmed(crate::domain::text::SLUG, slug)?;
    if !is_valid_slug(slug) {
        return Err(AppError::bad_input(format!(
            "slug \"{slug}\" is not valid: use lower-case letters, digits and single dashes (e.g. \"sugar-cookie\")"
        )));
    }
    Ok(slug.to_string())
}

fn slug_taken(slug: &str) -> AppError {
    AppError::Conflict(format!(
        "a finished unit with slug \"{slug}\" already exists; choose another slug or leave it out to derive one"
    ))
}

/// Creates a finished unit of a recipe with zero inventory.
pub async fn create(db: &Db, input: NewFinishedUnit) -> AppResult<FinishedUnit> {
    let name = crate::domain::text::required_name("finished unit", &input.name)?;
    let given_slug = input.slug.as_deref().map(valid_slug).transpose()?;
    let (items, percentage) = validate_yield(
        input.yield_mode,
        input.items_per_batch,
        input.batch_percentage,
    )?;
    let base_slug = slugify(&name);
    let ts = now();
    db_write!(db, |conn| {
        let recipe_exists: i64 = recipes::table
            .filter(recipes::id.eq(input.recipe_id))
            .count()
            .get_result(conn)
            .await?;
        if recipe_exists == 0 {
            return Err(AppError::not_found(
                crate::domain::entity::Entity::Recipe,
                input.recipe_id,
            ));
        }
        let slug = match &given_slug {
            Some(slug) => {
                let taken: i64 = finished_units::table
                    .filter(finished_units::slug.eq(slug))
                    .count()
                    .get_result(conn)
                    .await?;
                if taken > 0 {
                    return Err(slug_taken(slug));
                }
                slug.clone()
            }
            None => {
                let slugs: Vec<String> = finished_units::table
                    .filter(finished_units::slug.like(format!("{base_slug}%")))
                    .select(finished_units::slug)
                    .load(conn)
                    .await?;
                (1..)
                    .map(|n| numbered_slug(&base_slug, n))
                    .find(|candidate| !slugs.contains(candidate))
                    .expect("some numbered slug is free")
            }
        };
        let row = diesel::insert_into(finished_units::table)
            .values((
                finished_units::uuid.eq(new_uuid()),
                finished_units::created_at.eq(ts),
                finished_units::updated_at.eq(ts),
                finished_units::slug.eq(&slug),
                finished_units::name.eq(&name),
                finished_units::recipe_id.eq(input.recipe_id),
                finished_units::yield_mode.eq(input.yield_mode.as_str()),
                finished_units::items_per_batch.eq(items),
                finished_units::item_unit.eq(clean_text(
                    crate::domain::text::ITEM_UNIT,
                    input.item_unit.clone(),
                )?),
                finished_units::batch_percentage.eq(percentage),
                finished_units::inventory_count.eq(0),
                finished_units::average_unit_cost.eq(0i64),
                finished_units::notes
                    .eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(FinishedUnit::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Applies the given changes to a finished unit.
pub async fn update(db: &Db, id: i64, changes: FinishedUnitChanges) -> AppResult<FinishedUnit> {
    let new_name = changes
        .name
        .as_deref()
        .map(|name| crate::domain::text::required_name("finished unit", name))
        .transpose()?;
    let new_slug = changes.slug.as_deref().map(valid_slug).transpose()?;
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            finished_units::table,
            FinishedUnit,
            id,
            crate::domain::entity::Entity::FinishedUnit
        );
        let mode = match changes.yield_mode {
            Some(mode) => mode,
            None => current
                .yield_mode
                .parse::<YieldMode>()
                .map_err(AppError::Internal)?,
        };
        let items = match changes.items_per_batch {
            Some(value) => value,
            None if mode == YieldMode::DiscreteCount => current.items_per_batch,
            None => None,
        };
        let percentage = match changes.batch_percentage {
            Some(value) => value,
            None if mode == YieldMode::BatchPortion => current
                .batch_percentage
                .map(|raw| crate::domain::fixed::from_scaled(raw, Scale::Quantity)),
            None => None,
        };
        let (items, percentage) = validate_yield(mode, items, percentage)?;
        if let Some(slug) = &new_slug {
            if *slug != current.slug {
                let taken: i64 = finished_units::table
                    .filter(finished_units::slug.eq(slug))
                    .filter(finished_units::id.ne(id))
                    .count()
                    .get_result(conn)
                    .await?;
                if taken > 0 {
                    return Err(slug_taken(slug));
                }
            }
        }
        let recipe_id = changes.recipe_id.unwrap_or(current.recipe_id);
        if recipe_id != current.recipe_id {
            let exists: i64 = recipes::table
                .filter(recipes::id.eq(recipe_id))
                .count()
                .get_result(conn)
                .await?;
            if exists == 0 {
                return Err(AppError::not_found(
                    crate::domain::entity::Entity::Recipe,
                    recipe_id,
                ));
            }
            let runs: i64 = production_runs::table
                .filter(production_runs::finished_unit_id.eq(id))
                .count()
                .get_result(conn)
                .await?;
            if runs > 0 {
                return Err(AppError::bad_input(format!(
                    "cannot move finished unit \"{}\" to another recipe: {runs} production run(s) recorded it; create a new finished unit instead",
                    current.name
                )));
            }
        }
        let row = diesel::update(finished_units::table.find(id))
            .set((
                finished_units::updated_at.eq(ts),
                finished_units::name.eq(new_name.as_ref().unwrap_or(&current.name)),
                finished_units::slug.eq(new_slug.as_ref().unwrap_or(&current.slug)),
                finished_units::recipe_id.eq(recipe_id),
                finished_units::yield_mode.eq(mode.as_str()),
                finished_units::items_per_batch.eq(items),
                finished_units::item_unit.eq(super::changed_text(
                    crate::domain::text::ITEM_UNIT,
                    &changes.item_unit,
                    &current.item_unit,
                )?),
                finished_units::batch_percentage.eq(percentage),
                finished_units::notes.eq(super::changed_text(
                    crate::domain::text::NOTES,
                    &changes.notes,
                    &current.notes,
                )?),
            ))
            .returning(FinishedUnit::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Deletes a finished unit, refused while production runs, finished good components or
/// assembly consumptions reference it.
pub async fn delete(db: &Db, id: i64) -> AppResult<FinishedUnit> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            finished_units::table,
            FinishedUnit,
            id,
            crate::domain::entity::Entity::FinishedUnit
        );
        let runs: i64 = production_runs::table
            .filter(production_runs::finished_unit_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let goods: i64 = finished_good_components::table
            .filter(finished_good_components::finished_unit_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let assemblies: i64 = assembly_consumptions::table
            .filter(assembly_consumptions::finished_unit_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        super::refuse_if_referenced(
            "finished unit",
            &current.name,
            &[
                ("production runs", runs),
                ("finished good components", goods),
                ("assembly consumptions", assemblies),
            ],
        )?;
        diesel::delete(finished_units::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// FinishedUnit rows by primary key (one query).
    by_ids,
    finished_units,
    FinishedUnit
);

crate::rows_by_parent_ids!(
    /// The finished units of many recipes, by name (one query).
    by_recipe_ids,
    finished_units,
    FinishedUnit,
    recipe_id,
    (finished_units::name, finished_units::id)
);

/// Filters for the finished unit list.
#[derive(Debug, Clone, Default)]
pub struct FinishedUnitFilter {
    /// Only the units of this recipe.
    pub recipe_id: Option<i64>,
}

/// One page of finished units ordered by name.
pub async fn list(
    db: &Db,
    filter: &FinishedUnitFilter,
    keyset: &Keyset<FinishedUnit>,
) -> AppResult<Page<FinishedUnit>> {
    db_run!(db, |conn| {
        let build = || {
            let mut query = finished_units::table.into_boxed();
            if let Some(recipe_id) = filter.recipe_id {
                query = query.filter(finished_units::recipe_id.eq(recipe_id));
            }
            query
        };
        Ok(crate::keyset_page!(conn, keyset, build, FinishedUnit,
            sort: finished_units::name, key: |k| k.clone(), id: finished_units::id, asc))
    })
}

impl Keyed for FinishedUnit {
    type Key = String;
    const LIST: &'static str = "finished_units:name";
    fn position(&self) -> Position<String> {
        Position {
            key: self.name.clone(),
            id: self.id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn d(s: &str) -> Decimal {
        Decimal::from_str(s).unwrap()
    }

    fn message(result: AppResult<(Option<i32>, Option<i64>)>) -> String {
        result.unwrap_err().to_string()
    }

    #[test]
    fn discrete_count_needs_positive_items_only() {
        assert_eq!(
            validate_yield(YieldMode::DiscreteCount, Some(24), None).unwrap(),
            (Some(24), None)
        );
        assert!(
            message(validate_yield(YieldMode::DiscreteCount, None, None))
                .contains("needs itemsPerBatch")
        );
        assert!(
            message(validate_yield(YieldMode::DiscreteCount, Some(0), None))
                .contains("greater than zero (got 0)")
        );
        assert!(message(validate_yield(
            YieldMode::DiscreteCount,
            Some(3),
            Some(d("50"))
        ))
        .contains("batchPercentage applies only to BATCH_PORTION"));
    }

    #[test]
    fn batch_portion_needs_a_percentage_up_to_100() {
        assert_eq!(
            validate_yield(YieldMode::BatchPortion, None, Some(d("100"))).unwrap(),
            (None, Some(100_000_000))
        );
        assert_eq!(
            validate_yield(YieldMode::BatchPortion, None, Some(d("12.5"))).unwrap(),
            (None, Some(12_500_000))
        );
        for bad in ["0", "-5", "100.000001"] {
            assert!(
                message(validate_yield(YieldMode::BatchPortion, None, Some(d(bad))))
                    .contains("greater than 0 and at most 100"),
                "{bad}"
            );
        }
        assert!(message(validate_yield(YieldMode::BatchPortion, None, None))
            .contains("needs batchPercentage"));
        assert!(message(validate_yield(
            YieldMode::BatchPortion,
            Some(1),
            Some(d("50"))
        ))
        .contains("itemsPerBatch applies only to DISCRETE_COUNT"));
    }
}
