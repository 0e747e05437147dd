//! Recipes with their ingredient lines and sub-recipe components.
//!
//! Writes check, inside their transaction, that every line's unit converts to its
//! ingredient's stock unit and that the components keep the recipe graph acyclic and at
//! most [`crate::domain::recipe_graph::MAX_NESTING`] levels deep.
//! Changes to components are serialized (an advisory lock on PostgreSQL, the write lock on
//! SQLite), so two concurrent edits cannot build a cycle between them.
//!
//! Aggregated ingredients are computed in two separable steps:
//! [`LoadRecipeTree::load_recipe_tree`] loads the tree as plain data (one query per nesting
//! level) on any connection, including inside a write transaction, and [`aggregate_tree`]
//! does the exact math.

mod aggregate;
mod children;
mod input;
mod structure;
mod tree;

pub use aggregate::{aggregate_tree, aggregated_ingredients};
pub use input::{ComponentInput, LineInput, NewRecipe, RecipeChanges};
pub use tree::{trees_by_recipe_ids, LoadRecipeTree};

use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{
    event_production_targets, finished_units, production_runs, recipe_components,
    recipe_ingredients, recipes,
};
use crate::db::Db;
use crate::domain::names::name_key;
use crate::error::{AppError, AppResult};
use crate::{db_run, db_write};
use children::RecipeChildren;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use input::{minutes, valid_components, valid_lines, yield_quantity, yield_unit};
use structure::RecipeStructure;

pub use crate::db::models::{Recipe, RecipeComponent, RecipeIngredient};

fn name_taken(name: &str) -> AppError {
    AppError::Conflict(format!(
        "a recipe named \"{name}\" already exists (names are compared ignoring case); choose another name"
    ))
}

/// Creates a recipe with its lines and components, all in one transaction.
pub async fn create(db: &Db, input: NewRecipe) -> AppResult<Recipe> {
    let name = crate::domain::text::required_name("recipe", &input.name)?;
    let key = name_key(&name);
    let yield_quantity = yield_quantity(input.yield_quantity)?;
    let yield_unit = yield_unit(&input.yield_unit)?;
    let estimated_minutes = minutes(input.estimated_minutes)?;
    let lines = valid_lines(&input.ingredients)?;
    let components = valid_components(&input.components)?;
    let ts = now();
    db_write!(db, |conn| {
        let taken: i64 = recipes::table
            .filter(recipes::name_key.eq(&key))
            .count()
            .get_result(conn)
            .await?;
        if taken > 0 {
            return Err(name_taken(&name));
        }
        conn.verify_lines(&lines).await?;
        if !components.is_empty() {
            conn.check_structure(None, &name, &components).await?;
        }
        let row = diesel::insert_into(recipes::table)
            .values((
                recipes::uuid.eq(new_uuid()),
                recipes::created_at.eq(ts),
                recipes::updated_at.eq(ts),
                recipes::name.eq(&name),
                recipes::name_key.eq(&key),
                recipes::category.eq(crate::domain::text::trimmed(
                    crate::domain::text::CATEGORY,
                    &input.category,
                )?),
                recipes::yield_quantity.eq(yield_quantity),
                recipes::yield_unit.eq(&yield_unit),
                recipes::yield_description.eq(clean_text(
                    crate::domain::text::YIELD_DESCRIPTION,
                    input.yield_description.clone(),
                )?),
                recipes::estimated_minutes.eq(estimated_minutes),
                recipes::source.eq(clean_text(
                    crate::domain::text::SOURCE,
                    input.source.clone(),
                )?),
                recipes::notes.eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(Recipe::as_returning())
            .get_result(conn)
            .await?;
        conn.insert_children(row.id, ts, &lines, &components)
            .await?;
        Ok(row)
    })
}

/// Applies the given changes to a recipe; given lists replace the old ones in the same
/// transaction.
pub async fn update(db: &Db, id: i64, changes: RecipeChanges) -> AppResult<Recipe> {
    let new_name = changes
        .name
        .as_deref()
        .map(|name| crate::domain::text::required_name("recipe", name))
        .transpose()?;
    let new_yield = changes.yield_quantity.map(yield_quantity).transpose()?;
    let new_yield_unit = changes.yield_unit.as_deref().map(yield_unit).transpose()?;
    let new_minutes = changes.estimated_minutes.map(minutes).transpose()?;
    let lines = changes
        .ingredients
        .as_deref()
        .map(valid_lines)
        .transpose()?;
    let components = changes
        .components
        .as_deref()
        .map(valid_components)
        .transpose()?;
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            recipes::table,
            Recipe,
            id,
            crate::domain::entity::Entity::Recipe
        );
        let name = new_name.clone().unwrap_or(current.name.clone());
        let key = name_key(&name);
        if key != current.name_key {
            let taken: i64 = recipes::table
                .filter(recipes::name_key.eq(&key))
                .filter(recipes::id.ne(id))
                .count()
                .get_result(conn)
                .await?;
            if taken > 0 {
                return Err(name_taken(&name));
            }
        }
        if let Some(lines) = &lines {
            conn.verify_lines(lines).await?;
        }
        if let Some(components) = &components {
            conn.check_structure(Some(id), &name, components).await?;
        }
        let row = diesel::update(recipes::table.find(id))
            .set((
                recipes::updated_at.eq(ts),
                recipes::name.eq(&name),
                recipes::name_key.eq(&key),
                recipes::category.eq(changes
                    .category
                    .as_deref()
                    .map(|v| crate::domain::text::trimmed(crate::domain::text::CATEGORY, v))
                    .transpose()?
                    .unwrap_or(current.category.clone())),
                recipes::yield_quantity.eq(new_yield.unwrap_or(current.yield_quantity)),
                recipes::yield_unit.eq(new_yield_unit.as_ref().unwrap_or(&current.yield_unit)),
                recipes::yield_description.eq(super::changed_text(
                    crate::domain::text::YIELD_DESCRIPTION,
                    &changes.yield_description,
                    &current.yield_description,
                )?),
                recipes::estimated_minutes.eq(new_minutes.unwrap_or(current.estimated_minutes)),
                recipes::source.eq(super::changed_text(
                    crate::domain::text::SOURCE,
                    &changes.source,
                    &current.source,
                )?),
                recipes::notes.eq(super::changed_text(
                    crate::domain::text::NOTES,
                    &changes.notes,
                    &current.notes,
                )?),
            ))
            .returning(Recipe::as_returning())
            .get_result(conn)
            .await?;
        if lines.is_some() {
            diesel::delete(recipe_ingredients::table.filter(recipe_ingredients::recipe_id.eq(id)))
                .execute(conn)
                .await?;
        }
        if components.is_some() {
            diesel::delete(recipe_components::table.filter(recipe_components::recipe_id.eq(id)))
                .execute(conn)
                .await?;
        }
        conn.insert_children(
            id,
            ts,
            lines.as_deref().unwrap_or(&[]),
            components.as_deref().unwrap_or(&[]),
        )
        .await?;
        Ok(row)
    })
}

/// Deletes a recipe, refused while production targets, production runs, finished units or
/// parent recipes reference it. Its lines and components go with it.
pub async fn delete(db: &Db, id: i64) -> AppResult<Recipe> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            recipes::table,
            Recipe,
            id,
            crate::domain::entity::Entity::Recipe
        );
        let targets: i64 = event_production_targets::table
            .filter(event_production_targets::recipe_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let runs: i64 = production_runs::table
            .filter(production_runs::recipe_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let units: i64 = finished_units::table
            .filter(finished_units::recipe_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let parents: i64 = recipe_components::table
            .filter(recipe_components::component_recipe_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        super::refuse_if_referenced(
            "recipe",
            &current.name,
            &[
                ("production targets", targets),
                ("production runs", runs),
                ("finished units", units),
                ("parent recipes", parents),
            ],
        )?;
        diesel::delete(recipes::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// Recipe rows by primary key (one query).
    by_ids,
    recipes,
    Recipe
);

crate::rows_by_parent_ids!(
    /// Ingredient lines of many recipes, in their given order (one query).
    lines_by_recipe_ids,
    recipe_ingredients,
    RecipeIngredient,
    recipe_id,
    (recipe_ingredients::position, recipe_ingredients::id)
);

crate::rows_by_parent_ids!(
    /// Sub-recipe components of many recipes, in their given order (one query).
    components_by_recipe_ids,
    recipe_components,
    RecipeComponent,
    recipe_id,
    (recipe_components::position, recipe_components::id)
);

/// Filters for the recipe list.
#[derive(Debug, Clone, Default)]
pub struct RecipeFilter {
    /// Exact category.
    pub category: Option<String>,
    /// Case-insensitive substring of the name.
    pub search: Option<String>,
}

/// One page of recipes ordered by name.
pub async fn list(
    db: &Db,
    filter: &RecipeFilter,
    keyset: &Keyset<Recipe>,
) -> AppResult<Page<Recipe>> {
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
            let mut query = recipes::table.into_boxed();
            if let Some(c) = &filter.category {
                query = query.filter(recipes::category.eq(c.clone()));
            }
            if let Some(s) = &search {
                query = query.filter(
                    recipes::name_key
                        .like(s.clone())
                        .escape(crate::domain::text::LIKE_ESCAPE),
                );
            }
            query
        };
        Ok(crate::keyset_page!(conn, keyset, build, Recipe,
            sort: recipes::name_key, key: |k| k.clone(), id: recipes::id, asc))
    })
}

impl Keyed for Recipe {
    type Key = String;
    const LIST: &'static str = "recipes:name";
    fn position(&self) -> Position<String> {
        Position {
            key: self.name_key.clone(),
            id: self.id,
        }
    }
}
