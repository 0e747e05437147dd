//! Recipes with their ingredient lines and sub-recipe components.
//!
//! Writes check, inside their transaction, that every line's unit converts to its
//! ingredient's stock unit and that the components keep the recipe graph acyclic and at
//! most [`crate::domain::recipe_graph::MAX_NESTING`] levels deep. Changes to
//! components are serialized (an advisory lock on PostgreSQL, the write lock on SQLite), so
//! two concurrent edits cannot build a cycle between them.
//!
//! Aggregated ingredients are computed in two separable steps: `load_recipe_tree!`
//! loads the tree as plain data (one query per nesting level) on any connection, including
//! inside a write transaction, and [`aggregate_tree`] does the exact math.

use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{
    event_production_targets, finished_units, ingredients, production_runs, recipe_components,
    recipe_ingredients, recipes,
};
use crate::db::Db;
use crate::domain::aggregate::{self, AggregateError, AggregatedLine, RecipeTree};
use crate::domain::fixed::{to_scaled, Scale};
use crate::domain::names::name_key;
use crate::domain::recipe_graph::{RecipeGraph, MAX_NESTING};
use crate::domain::units::{convert, Unit};
use crate::error::{AppError, AppResult};
use crate::store::ingredients::Ingredient;
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use rust_decimal::Decimal;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

pub use crate::db::models::{Recipe, RecipeComponent, RecipeIngredient};

/// The id the graph check uses for a recipe that is being created (database ids start at 1).
const NEW_RECIPE: i64 = 0;

/// One ingredient line as given: `quantity unit` of an ingredient for one batch.
#[derive(Debug, Clone)]
pub struct LineInput {
    /// Ingredient primary key.
    pub ingredient_id: i64,
    /// Quantity for one batch (> 0), in `unit`.
    pub quantity: Decimal,
    /// Unit of the vocabulary, convertible to the ingredient's stock unit.
    pub unit: Unit,
    /// Free text ("sifted").
    pub notes: Option<String>,
}

/// One sub-recipe component as given.
#[derive(Debug, Clone)]
pub struct ComponentInput {
    /// The sub-recipe's primary key.
    pub recipe_id: i64,
    /// Batches of the sub-recipe one batch takes (> 0).
    pub quantity: Decimal,
    /// Free text.
    pub notes: Option<String>,
}

/// A new recipe with its lines and components.
#[derive(Debug, Clone)]
pub struct NewRecipe {
    /// Display name, unique case-insensitively.
    pub name: String,
    /// Category (may be empty).
    pub category: String,
    /// What one batch yields (> 0), in `yield_unit`.
    pub yield_quantity: Decimal,
    /// Unit of the yield, free text ("cookies").
    pub yield_unit: String,
    /// Free text about the yield.
    pub yield_description: Option<String>,
    /// Working time of one batch (≥ 0).
    pub estimated_minutes: Option<i32>,
    /// Where the recipe comes from.
    pub source: Option<String>,
    /// Free text.
    pub notes: Option<String>,
    /// Ingredient lines, in order.
    pub ingredients: Vec<LineInput>,
    /// Sub-recipes, in order.
    pub components: Vec<ComponentInput>,
}

/// Changes to a recipe; `None` keeps a field, `Some(None)` clears a nullable one, and a
/// given list replaces the whole list.
#[derive(Debug, Clone, Default)]
pub struct RecipeChanges {
    /// New name.
    pub name: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New yield quantity.
    pub yield_quantity: Option<Decimal>,
    /// New yield unit.
    pub yield_unit: Option<String>,
    /// New yield description.
    pub yield_description: Option<Option<String>>,
    /// New working time.
    pub estimated_minutes: Option<Option<i32>>,
    /// New source.
    pub source: Option<Option<String>>,
    /// New notes.
    pub notes: Option<Option<String>>,
    /// New ingredient lines (replacing all).
    pub ingredients: Option<Vec<LineInput>>,
    /// New components (replacing all).
    pub components: Option<Vec<ComponentInput>>,
}

/// A line after the checks that need no database: its scaled quantity.
#[derive(Debug, Clone)]
struct ValidLine {
    ingredient_id: i64,
    quantity: i64,
    quantity_exact: Decimal,
    unit: Unit,
    notes: Option<String>,
}

/// A component after the checks that need no database.
#[derive(Debug, Clone)]
struct ValidComponent {
    recipe_id: i64,
    quantity: i64,
    notes: Option<String>,
}

fn yield_quantity(quantity: Decimal) -> AppResult<i64> {
    let raw = to_scaled(quantity, Scale::Quantity)?;
    if raw <= 0 {
        return Err(AppError::bad_input(format!(
            "yieldQuantity must be greater than zero (got {quantity})"
        )));
    }
    Ok(raw)
}

fn yield_unit(unit: &str) -> AppResult<String> {
    let unit = crate::domain::text::name(crate::domain::text::YIELD_UNIT, unit)?;
    if unit.is_empty() {
        return Err(AppError::bad_input(
            "yieldUnit must not be empty (say what a batch yields, e.g. \"cookies\")",
        ));
    }
    Ok(unit)
}

fn minutes(value: Option<i32>) -> AppResult<Option<i32>> {
    match value {
        Some(m) if m < 0 => Err(AppError::bad_input(format!(
            "estimatedMinutes must not be negative (got {m})"
        ))),
        other => Ok(other),
    }
}

fn valid_lines(lines: &[LineInput]) -> AppResult<Vec<ValidLine>> {
    lines
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let quantity = to_scaled(line.quantity, Scale::Quantity)?;
            if quantity <= 0 {
                return Err(AppError::bad_input(format!(
                    "ingredient line {}: quantity must be greater than zero (got {})",
                    i + 1,
                    line.quantity
                )));
            }
            Ok(ValidLine {
                ingredient_id: line.ingredient_id,
                quantity,
                quantity_exact: line.quantity,
                unit: line.unit,
                notes: clean_text(crate::domain::text::NOTES, line.notes.clone())?,
            })
        })
        .collect()
}

fn valid_components(components: &[ComponentInput]) -> AppResult<Vec<ValidComponent>> {
    components
        .iter()
        .enumerate()
        .map(|(i, component)| {
            let quantity = to_scaled(component.quantity, Scale::Quantity)?;
            if quantity <= 0 {
                return Err(AppError::bad_input(format!(
                    "component {}: quantity (batches of the sub-recipe) must be greater than zero (got {})",
                    i + 1,
                    component.quantity
                )));
            }
            Ok(ValidComponent {
                recipe_id: component.recipe_id,
                quantity,
                notes: clean_text(crate::domain::text::NOTES, component.notes.clone())?,
            })
        })
        .collect()
}

/// Checks every line against its ingredient (exists, unit convertible to its stock unit).
fn check_lines(lines: &[ValidLine], found: Vec<Ingredient>) -> AppResult<()> {
    let by_id = super::index_by(found, |i| i.id);
    for line in lines {
        let ingredient = by_id.get(&line.ingredient_id).ok_or_else(|| {
            AppError::not_found(
                crate::domain::entity::Entity::Ingredient,
                line.ingredient_id,
            )
        })?;
        convert(
            line.quantity_exact,
            line.unit,
            ingredient.stock_unit(),
            ingredient.density().as_ref(),
            &ingredient.name,
        )?;
    }
    Ok(())
}

/// Checks that the component recipes exist and none is listed twice; returns their names.
fn check_components(
    components: &[ValidComponent],
    found: Vec<(i64, String)>,
) -> AppResult<HashMap<i64, String>> {
    let names: HashMap<i64, String> = found.into_iter().collect();
    let mut seen = HashSet::new();
    for component in components {
        let name = names.get(&component.recipe_id).ok_or_else(|| {
            AppError::not_found(crate::domain::entity::Entity::Recipe, component.recipe_id)
        })?;
        if !seen.insert(component.recipe_id) {
            return Err(AppError::bad_input(format!(
                "the sub-recipe \"{name}\" is listed twice among the components; give it once with the combined quantity"
            )));
        }
    }
    Ok(names)
}

/// Which statement serializes changes to the recipe graph on a backend: a transaction-level
/// advisory lock on PostgreSQL; nothing on SQLite, whose write transactions already hold the
/// single writer lock.
trait GraphLock {
    const SQL: Option<&'static str>;
}

impl GraphLock for diesel_async::AsyncPgConnection {
    const SQL: Option<&'static str> = Some("SELECT pg_advisory_xact_lock(727274001)");
}

impl GraphLock for crate::db::SqliteConn {
    const SQL: Option<&'static str> = None;
}

fn graph_lock_sql<C: GraphLock>(_conn: &C) -> Option<&'static str> {
    C::SQL
}

/// Inside a write transaction: locks the recipe graph, loads the part of it around
/// `$recipe` (descendants through the new components, and, for an existing recipe, its
/// ancestors), one query per level, and checks the rules with the new components in place.
macro_rules! check_structure {
    ($conn:ident, $recipe:expr, $name:expr, $components:expr, $existing:expr) => {{
        let recipe: i64 = $recipe;
        let components: &[ValidComponent] = $components;
        if let Some(sql) = graph_lock_sql(&*$conn) {
            diesel::sql_query(sql).execute($conn).await?;
        }
        let ids: Vec<i64> = components.iter().map(|c| c.recipe_id).collect();
        let found: Vec<(i64, String)> = if ids.is_empty() {
            Vec::new()
        } else {
            recipes::table
                .filter(recipes::id.eq_any(&ids))
                .select((recipes::id, recipes::name))
                .load($conn)
                .await?
        };
        let names = check_components(components, found)?;
        let mut graph = RecipeGraph::new();
        for (id, name) in &names {
            graph.add_recipe(*id, name.clone());
        }
        // Descendants, level by level; the recipe's own stored components are replaced.
        let mut seen: HashSet<i64> = ids.iter().copied().collect();
        seen.insert(recipe);
        let mut frontier: Vec<i64> = ids.iter().copied().filter(|id| *id != recipe).collect();
        for _ in 0..MAX_NESTING {
            if frontier.is_empty() {
                break;
            }
            let edges: Vec<(i64, i64, String)> = recipe_components::table
                .inner_join(
                    recipes::table.on(recipes::id.eq(recipe_components::component_recipe_id)),
                )
                .filter(recipe_components::recipe_id.eq_any(&frontier))
                .select((
                    recipe_components::recipe_id,
                    recipe_components::component_recipe_id,
                    recipes::name,
                ))
                .load($conn)
                .await?;
            frontier = Vec::new();
            for (parent, child, name) in edges {
                graph.add_recipe(child, name);
                graph.add_component(parent, child);
                if seen.insert(child) {
                    frontier.push(child);
                }
            }
        }
        // Ancestors, level by level (a new recipe has none).
        if $existing {
            let mut seen: HashSet<i64> = HashSet::from([recipe]);
            let mut frontier = vec![recipe];
            for _ in 0..MAX_NESTING {
                if frontier.is_empty() {
                    break;
                }
                let edges: Vec<(i64, i64, String)> = recipe_components::table
                    .inner_join(recipes::table.on(recipes::id.eq(recipe_components::recipe_id)))
                    .filter(recipe_components::component_recipe_id.eq_any(&frontier))
                    .select((
                        recipe_components::recipe_id,
                        recipe_components::component_recipe_id,
                        recipes::name,
                    ))
                    .load($conn)
                    .await?;
                frontier = Vec::new();
                for (parent, child, name) in edges {
                    if parent != recipe {
                        graph.add_recipe(parent, name);
                        graph.add_component(parent, child);
                    }
                    if seen.insert(parent) {
                        frontier.push(parent);
                    }
                }
            }
        }
        graph.add_recipe(recipe, $name);
        graph.set_components(recipe, &ids);
        graph
            .check(recipe)
            .map_err(|e| AppError::bad_input(e.to_string()))?;
    }};
}

/// Inside a write transaction: loads the ingredients of the lines and checks each line.
macro_rules! verify_lines {
    ($conn:ident, $lines:expr) => {{
        let lines: &[ValidLine] = $lines;
        if !lines.is_empty() {
            let ids: Vec<i64> = lines.iter().map(|l| l.ingredient_id).collect();
            let found: Vec<Ingredient> = ingredients::table
                .filter(ingredients::id.eq_any(&ids))
                .select(Ingredient::as_select())
                .load($conn)
                .await?;
            check_lines(lines, found)?;
        }
    }};
}

/// Inside a write transaction: inserts lines and components of a recipe, in input order
/// (one statement per row: diesel-async cannot send a multi-row insert to SQLite).
macro_rules! insert_children {
    ($conn:ident, $recipe:expr, $ts:expr, $lines:expr, $components:expr) => {{
        let recipe: i64 = $recipe;
        let lines: &[ValidLine] = $lines;
        let components: &[ValidComponent] = $components;
        for (i, line) in lines.iter().enumerate() {
            diesel::insert_into(recipe_ingredients::table)
                .values((
                    recipe_ingredients::uuid.eq(new_uuid()),
                    recipe_ingredients::created_at.eq($ts),
                    recipe_ingredients::updated_at.eq($ts),
                    recipe_ingredients::recipe_id.eq(recipe),
                    recipe_ingredients::ingredient_id.eq(line.ingredient_id),
                    recipe_ingredients::position.eq(i as i32),
                    recipe_ingredients::quantity.eq(line.quantity),
                    recipe_ingredients::unit.eq(line.unit.name()),
                    recipe_ingredients::notes.eq(&line.notes),
                ))
                .execute($conn)
                .await?;
        }
        for (i, component) in components.iter().enumerate() {
            diesel::insert_into(recipe_components::table)
                .values((
                    recipe_components::uuid.eq(new_uuid()),
                    recipe_components::created_at.eq($ts),
                    recipe_components::updated_at.eq($ts),
                    recipe_components::recipe_id.eq(recipe),
                    recipe_components::component_recipe_id.eq(component.recipe_id),
                    recipe_components::position.eq(i as i32),
                    recipe_components::quantity.eq(component.quantity),
                    recipe_components::notes.eq(&component.notes),
                ))
                .execute($conn)
                .await?;
        }
    }};
}

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
        verify_lines!(conn, &lines);
        if !components.is_empty() {
            check_structure!(conn, NEW_RECIPE, name.clone(), &components, false);
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
        insert_children!(conn, row.id, ts, &lines, &components);
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
            verify_lines!(conn, lines);
        }
        if let Some(components) = &components {
            check_structure!(conn, id, name.clone(), components, true);
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
        insert_children!(
            conn,
            id,
            ts,
            lines.as_deref().unwrap_or(&[]),
            components.as_deref().unwrap_or(&[])
        );
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

/// Loads, on any connection (`$conn: &mut` either backend's connection, also inside a
/// write transaction), the recipe trees under the recipe ids `$roots` as plain data: one
/// query for the roots, two per nesting level, one for the ingredients. Evaluates to
/// `AppResult<RecipeTree>`; roots that do not exist are simply absent from it.
#[macro_export]
macro_rules! load_recipe_tree {
    ($conn:ident, $roots:expr) => {
        async {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            use $crate::db::schema::{ingredients, recipe_components, recipe_ingredients, recipes};
            use $crate::domain::aggregate::{
                RecipeTree, TreeComponent, TreeIngredient, TreeLine, TreeRecipe,
            };
            use $crate::domain::fixed::{from_scaled, Scale};
            let roots: &[i64] = $roots;
            let mut tree = RecipeTree::default();
            let found: Vec<(i64, String)> = recipes::table
                .filter(recipes::id.eq_any(roots))
                .select((recipes::id, recipes::name))
                .load($conn)
                .await?;
            let mut frontier = Vec::new();
            for (id, name) in found {
                tree.recipes.insert(
                    id,
                    TreeRecipe {
                        name,
                        ..TreeRecipe::default()
                    },
                );
                frontier.push(id);
            }
            let mut ingredient_ids = std::collections::BTreeSet::new();
            // One level more than allowed, so stored data can never loop forever.
            for _ in 0..=$crate::domain::recipe_graph::MAX_NESTING {
                if frontier.is_empty() {
                    break;
                }
                let lines: Vec<(i64, i64, i64, String)> = recipe_ingredients::table
                    .filter(recipe_ingredients::recipe_id.eq_any(&frontier))
                    .order((
                        recipe_ingredients::recipe_id,
                        recipe_ingredients::position,
                        recipe_ingredients::id,
                    ))
                    .select((
                        recipe_ingredients::recipe_id,
                        recipe_ingredients::ingredient_id,
                        recipe_ingredients::quantity,
                        recipe_ingredients::unit,
                    ))
                    .load($conn)
                    .await?;
                for (recipe_id, ingredient_id, quantity, unit) in lines {
                    ingredient_ids.insert(ingredient_id);
                    let unit = unit.parse().map_err(|_| {
                        $crate::error::AppError::Internal(format!(
                            "stored unit {unit:?} is invalid"
                        ))
                    })?;
                    if let Some(recipe) = tree.recipes.get_mut(&recipe_id) {
                        recipe.lines.push(TreeLine {
                            ingredient_id,
                            quantity: from_scaled(quantity, Scale::Quantity),
                            unit,
                        });
                    }
                }
                let components: Vec<(i64, i64, i64, String)> = recipe_components::table
                    .inner_join(
                        recipes::table.on(recipes::id.eq(recipe_components::component_recipe_id)),
                    )
                    .filter(recipe_components::recipe_id.eq_any(&frontier))
                    .order((
                        recipe_components::recipe_id,
                        recipe_components::position,
                        recipe_components::id,
                    ))
                    .select((
                        recipe_components::recipe_id,
                        recipe_components::component_recipe_id,
                        recipe_components::quantity,
                        recipes::name,
                    ))
                    .load($conn)
                    .await?;
                frontier = Vec::new();
                for (recipe_id, child, quantity, name) in components {
                    if let Some(recipe) = tree.recipes.get_mut(&recipe_id) {
                        recipe.components.push(TreeComponent {
                            recipe_id: child,
                            multiplier: from_scaled(quantity, Scale::Quantity),
                        });
                    }
                    if !tree.recipes.contains_key(&child) {
                        tree.recipes.insert(
                            child,
                            TreeRecipe {
                                name,
                                ..TreeRecipe::default()
                            },
                        );
                        frontier.push(child);
                    }
                }
            }
            if !ingredient_ids.is_empty() {
                let ids: Vec<i64> = ingredient_ids.into_iter().collect();
                let rows: Vec<$crate::db::models::Ingredient> = ingredients::table
                    .filter(ingredients::id.eq_any(&ids))
                    .select(<$crate::db::models::Ingredient>::as_select())
                    .load($conn)
                    .await?;
                for row in rows {
                    tree.ingredients.insert(
                        row.id,
                        TreeIngredient {
                            unit: row.stock_unit(),
                            density: row.density(),
                            name: row.name,
                        },
                    );
                }
            }
            Ok::<RecipeTree, $crate::error::AppError>(tree)
        }
        .await
    };
}

impl From<AggregateError> for AppError {
    fn from(error: AggregateError) -> Self {
        match error {
            AggregateError::Conversion(_) | AggregateError::Overflow(_) => {
                AppError::BadInput(error.to_string())
            }
            AggregateError::MissingRecipe(_)
            | AggregateError::MissingIngredient(_)
            | AggregateError::Cycle(_) => AppError::Internal(error.to_string()),
        }
    }
}

/// The aggregated ingredients of `recipe_id` for `batches` (> 0) batches from a loaded
/// tree: exact, converted to each ingredient's stock unit, ordered by ingredient name.
pub fn aggregate_tree(
    tree: &RecipeTree,
    recipe_id: i64,
    batches: Decimal,
) -> AppResult<Vec<AggregatedLine>> {
    if batches <= Decimal::ZERO {
        return Err(AppError::bad_input(format!(
            "batches must be greater than zero (got {batches})"
        )));
    }
    if !tree.recipes.contains_key(&recipe_id) {
        return Err(AppError::not_found(
            crate::domain::entity::Entity::Recipe,
            recipe_id,
        ));
    }
    Ok(aggregate::aggregate(tree, recipe_id, batches)?)
}

/// The aggregated ingredients of a recipe for `batches` batches (SPEC §1.3).
pub async fn aggregated_ingredients(
    db: &Db,
    recipe_id: i64,
    batches: Decimal,
) -> AppResult<Vec<AggregatedLine>> {
    let tree = trees_by_recipe_ids(db, &[recipe_id]).await?;
    match tree.get(&recipe_id) {
        Some(tree) => aggregate_tree(tree, recipe_id, batches),
        None => Err(AppError::not_found(
            crate::domain::entity::Entity::Recipe,
            recipe_id,
        )),
    }
}

/// The recipe trees of many recipes, loaded together (a bounded number of queries): every
/// found recipe id maps to the same shared tree, which holds them all.
pub async fn trees_by_recipe_ids(db: &Db, ids: &[i64]) -> AppResult<HashMap<i64, Arc<RecipeTree>>> {
    let tree: RecipeTree = db_run!(db, |conn| crate::load_recipe_tree!(conn, ids))?;
    let tree = Arc::new(tree);
    Ok(ids
        .iter()
        .filter(|id| tree.recipes.contains_key(id))
        .map(|id| (*id, Arc::clone(&tree)))
        .collect())
}
