//! Recipes (lines, sub-recipes, aggregated ingredients) and finished units.

mod finished_units;
mod refusals;
mod writes;

use crate::db_test;
use crate::fixtures;
use crate::fixtures::create_ingredient;
use crate::harness::TestApp;
use bakeplan::graphql::ids;
use serde_json::{json, Value};

const RECIPE_FIELDS: &str =
    "id name category yieldQuantity yieldUnit yieldDescription estimatedMinutes source notes
    ingredients { ingredient { name } quantity unit notes }
    components { recipe { name } quantity notes }
    finishedUnits { name }";

fn create_recipe_doc() -> String {
    format!("mutation($input: CreateRecipeInput!) {{ createRecipe(input: $input) {{ {RECIPE_FIELDS} }} }}")
}

fn update_recipe_doc() -> String {
    format!("mutation($input: UpdateRecipeInput!) {{ updateRecipe(input: $input) {{ {RECIPE_FIELDS} }} }}")
}

const CREATE_UNIT: &str = "mutation($input: CreateFinishedUnitInput!) { createFinishedUnit(input: $input) {
    id slug name yieldMode itemsPerBatch itemUnit batchPercentage inventoryCount averageUnitCost notes recipe { name } } }";
const UPDATE_UNIT: &str =
    "mutation($input: UpdateFinishedUnitInput!) { updateFinishedUnit(input: $input) {
    id slug name yieldMode itemsPerBatch itemUnit batchPercentage notes recipe { name } } }";
const DELETE_RECIPE: &str = "mutation($id: ID!) { deleteRecipe(id: $id) { deletedId } }";
const DELETE_UNIT: &str = "mutation($id: ID!) { deleteFinishedUnit(id: $id) { deletedId } }";
const AGGREGATE: &str = "query($id: ID!, $batches: Decimal!) { node(id: $id) { ... on Recipe {
    aggregatedIngredients(batches: $batches) { ingredient { name } quantity unit } } } }";

/// Creates a recipe and returns it.
pub async fn create_recipe(app: &TestApp, input: Value) -> Value {
    app.ok(&create_recipe_doc(), json!({ "input": input }))
        .await["createRecipe"]
        .clone()
}

/// A minimal valid recipe input with the given name.
fn simple(name: &str) -> Value {
    json!({"name": name, "yieldQuantity": "1", "yieldUnit": "batch"})
}

/// Everything the recipe API shows, to prove a refused write changed nothing.
async fn snapshot(app: &TestApp) -> Value {
    app.ok(
        &format!(
            "{{ recipes(first: 100) {{ totalCount nodes {{ {RECIPE_FIELDS} updatedAt }} }}
               finishedUnits(first: 100) {{ totalCount nodes {{ id slug name yieldMode itemsPerBatch itemUnit batchPercentage notes updatedAt recipe {{ name }} }} }} }}"
        ),
        json!({}),
    )
    .await
}

/// The pantry of the recipe tests: flour and butter with densities, eggs by count, vanilla
/// by volume, sugar without density.
async fn pantry(app: &TestApp) -> Value {
    let flour = create_ingredient(
        app,
        json!({"name": "Flour", "unit": "g", "density": {"volume": "1", "volumeUnit": "cup", "weight": "4.25", "weightUnit": "oz"}}),
    )
    .await;
    let butter = create_ingredient(
        app,
        json!({"name": "Butter", "unit": "g", "density": {"volume": "1", "volumeUnit": "tbsp", "weight": "14.2", "weightUnit": "g"}}),
    )
    .await;
    let eggs = create_ingredient(app, json!({"name": "Eggs", "unit": "each"})).await;
    let vanilla = create_ingredient(app, json!({"name": "Vanilla", "unit": "ml"})).await;
    let sugar = create_ingredient(app, json!({"name": "Sugar", "unit": "g"})).await;
    json!({"flour": flour["id"], "butter": butter["id"], "eggs": eggs["id"], "vanilla": vanilla["id"], "sugar": sugar["id"]})
}

/// Vanilla glaze and sugar cookies (using half a batch of glaze per batch).
async fn cookies(app: &TestApp, p: &Value) -> (Value, Value) {
    let glaze = create_recipe(
        app,
        json!({"name": "Vanilla Glaze", "category": "Toppings", "yieldQuantity": "1", "yieldUnit": "cup",
               "ingredients": [
                   {"ingredientId": p["sugar"], "quantity": "100", "unit": "g"},
                   {"ingredientId": p["vanilla"], "quantity": "1", "unit": "TSP"},
                   {"ingredientId": p["butter"], "quantity": "1", "unit": "tbsp", "notes": "melted"}]}),
    )
    .await;
    let cookies = create_recipe(
        app,
        json!({"name": "Sugar Cookies", "category": "Cookies", "yieldQuantity": "36", "yieldUnit": "cookies",
               "yieldDescription": "about three dozen", "estimatedMinutes": 45, "source": "Grandma",
               "ingredients": [
                   {"ingredientId": p["flour"], "quantity": "2", "unit": "cup", "notes": "sifted"},
                   {"ingredientId": p["butter"], "quantity": "8", "unit": "tbsp"},
                   {"ingredientId": p["eggs"], "quantity": "0.25", "unit": "dozen"}],
               "components": [{"recipeId": glaze["id"], "quantity": "0.5", "notes": "for the tops"}]}),
    )
    .await;
    (glaze, cookies)
}

async fn aggregated(app: &TestApp, id: &Value, batches: &str) -> Value {
    app.ok(AGGREGATE, json!({"id": id, "batches": batches}))
        .await["node"]["aggregatedIngredients"]
        .clone()
}
