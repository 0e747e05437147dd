//! Recipes (lines, sub-recipes, aggregated ingredients) and finished units.

use crate::db_test;
use crate::fixtures;
use crate::harness::TestApp;
use crate::pantry::create_ingredient;
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

db_test!(recipes_are_created_nested_and_read_back, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    assert_eq!(cookies["name"], "Sugar Cookies");
    assert_eq!(cookies["yieldQuantity"], "36");
    assert_eq!(cookies["yieldUnit"], "cookies");
    assert_eq!(cookies["yieldDescription"], "about three dozen");
    assert_eq!(cookies["estimatedMinutes"], 45);
    assert_eq!(
        cookies["ingredients"],
        json!([
            {"ingredient": {"name": "Flour"}, "quantity": "2", "unit": "cup", "notes": "sifted"},
            {"ingredient": {"name": "Butter"}, "quantity": "8", "unit": "tbsp", "notes": null},
            {"ingredient": {"name": "Eggs"}, "quantity": "0.25", "unit": "dozen", "notes": null}
        ])
    );
    assert_eq!(
        cookies["components"],
        json!([{"recipe": {"name": "Vanilla Glaze"}, "quantity": "0.5", "notes": "for the tops"}])
    );
    assert_eq!(
        glaze["ingredients"][1]["unit"], "tsp",
        "units are canonical"
    );

    let node = app
        .ok(
            "query($id: ID!) { node(id: $id) { __typename id ... on Recipe { name components { recipe { id ingredients { ingredient { name } } } } } } }",
            json!({"id": cookies["id"]}),
        )
        .await;
    assert_eq!(node["node"]["__typename"], "Recipe");
    assert_eq!(node["node"]["components"][0]["recipe"]["id"], glaze["id"]);
    assert_eq!(
        node["node"]["components"][0]["recipe"]["ingredients"],
        json!([{"ingredient": {"name": "Sugar"}}, {"ingredient": {"name": "Vanilla"}}, {"ingredient": {"name": "Butter"}}])
    );

    // One batch: flour 2 cup = 8.5 oz = 240.9709465625 g; butter (8 + 0.5) tbsp × 14.2 g;
    // eggs 0.25 dozen; sugar 0.5 × 100 g; vanilla 0.5 tsp = 2.464460796875 ml.
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { ... on Recipe { aggregatedIngredients { ingredient { name } quantity unit } } } }",
            json!({"id": cookies["id"]}),
        )
        .await;
    assert_eq!(
        data["node"]["aggregatedIngredients"],
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "120.7", "unit": "g"},
            {"ingredient": {"name": "Eggs"}, "quantity": "3", "unit": "each"},
            {"ingredient": {"name": "Flour"}, "quantity": "240.970947", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "50", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "2.464461", "unit": "ml"}
        ])
    );
    // Three batches: exact sums, rounded once (6 cup = 25.5 oz = 722.9128396875 g;
    // 1.5 tsp = 7.393382390625 ml).
    assert_eq!(
        aggregated(&app, &cookies["id"], "3").await,
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "362.1", "unit": "g"},
            {"ingredient": {"name": "Eggs"}, "quantity": "9", "unit": "each"},
            {"ingredient": {"name": "Flour"}, "quantity": "722.91284", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "150", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "7.393382", "unit": "ml"}
        ])
    );
    // Three levels: a tray of 2 batches of cookies plus its own vanilla; half a tray is one
    // batch of cookies (glaze multiplied through twice) and 1 tsp of vanilla.
    let tray = create_recipe(
        &app,
        json!({"name": "Cookie Tray", "yieldQuantity": "1", "yieldUnit": "tray",
               "ingredients": [{"ingredientId": p["vanilla"], "quantity": "2", "unit": "tsp"}],
               "components": [{"recipeId": cookies["id"], "quantity": "2"}]}),
    )
    .await;
    assert_eq!(
        aggregated(&app, &tray["id"], "0.5").await,
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "120.7", "unit": "g"},
            {"ingredient": {"name": "Eggs"}, "quantity": "3", "unit": "each"},
            {"ingredient": {"name": "Flour"}, "quantity": "240.970947", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "50", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "7.393382", "unit": "ml"}
        ])
    );
    let error = app
        .error(AGGREGATE, json!({"id": tray["id"], "batches": "0"}))
        .await;
    error.expect("BAD_USER_INPUT", "batches must be greater than zero");
});

db_test!(recipes_are_updated_replacing_lines, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let data = app
        .ok(
            &update_recipe_doc(),
            json!({"input": {"id": cookies["id"], "name": "Butter Cookies", "yieldDescription": null,
                   "ingredients": [
                       {"ingredientId": p["butter"], "quantity": "250", "unit": "g"},
                       {"ingredientId": p["flour"], "quantity": "0.5", "unit": "kg", "notes": "cold"}]}}),
        )
        .await;
    let updated = &data["updateRecipe"];
    assert_eq!(updated["name"], "Butter Cookies");
    assert_eq!(updated["yieldDescription"], Value::Null, "null clears");
    assert_eq!(updated["source"], "Grandma", "absent fields are kept");
    assert_eq!(updated["estimatedMinutes"], 45);
    assert_eq!(
        updated["ingredients"],
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "250", "unit": "g", "notes": null},
            {"ingredient": {"name": "Flour"}, "quantity": "0.5", "unit": "kg", "notes": "cold"}
        ])
    );
    assert_eq!(
        updated["components"],
        json!([{"recipe": {"name": "Vanilla Glaze"}, "quantity": "0.5", "notes": "for the tops"}]),
        "components not given are kept"
    );
    assert_eq!(
        aggregated(&app, &cookies["id"], "2").await,
        json!([
            {"ingredient": {"name": "Butter"}, "quantity": "514.2", "unit": "g"},
            {"ingredient": {"name": "Flour"}, "quantity": "1000", "unit": "g"},
            {"ingredient": {"name": "Sugar"}, "quantity": "100", "unit": "g"},
            {"ingredient": {"name": "Vanilla"}, "quantity": "4.928922", "unit": "ml"}
        ])
    );
    // Replacing the components with an empty list removes them; the glaze can then go.
    let data = app
        .ok(
            &update_recipe_doc(),
            json!({"input": {"id": cookies["id"], "components": [], "estimatedMinutes": null}}),
        )
        .await;
    assert_eq!(data["updateRecipe"]["components"], json!([]));
    assert_eq!(data["updateRecipe"]["estimatedMinutes"], Value::Null);
    assert_eq!(
        data["updateRecipe"]["ingredients"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    let data = app.ok(DELETE_RECIPE, json!({"id": glaze["id"]})).await;
    assert_eq!(data["deleteRecipe"]["deletedId"], glaze["id"]);
    // Renaming to the same name in another case is not a conflict with itself.
    let data = app
        .ok(
            &update_recipe_doc(),
            json!({"input": {"id": cookies["id"], "name": "BUTTER cookies"}}),
        )
        .await;
    assert_eq!(data["updateRecipe"]["name"], "BUTTER cookies");
});

db_test!(recipe_lists_page_filter_and_load_in_batches, |app| {
    let p = pantry(&app).await;
    let (glaze, _cookies) = cookies(&app, &p).await;
    for (name, category) in [
        ("Apple Pie", "Pies"),
        ("pecan pie", "Pies"),
        ("Brownies", "Bars"),
    ] {
        create_recipe(
            &app,
            json!({"name": name, "category": category, "yieldQuantity": "1", "yieldUnit": "pie",
                   "ingredients": [{"ingredientId": p["sugar"], "quantity": "200", "unit": "g"}]}),
        )
        .await;
    }
    let data = app
        .ok("{ recipes(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { name } } }", json!({}))
        .await;
    assert_eq!(data["recipes"]["totalCount"], 5);
    assert_eq!(
        data["recipes"]["nodes"],
        json!([{"name": "Apple Pie"}, {"name": "Brownies"}])
    );
    let data = app
        .ok(
            "query($after: String) { recipes(first: 2, after: $after) { pageInfo { hasNextPage hasPreviousPage } nodes { name } } }",
            json!({"after": data["recipes"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        data["recipes"]["nodes"],
        json!([{"name": "pecan pie"}, {"name": "Sugar Cookies"}]),
        "ordered by name ignoring case"
    );
    assert_eq!(
        data["recipes"]["pageInfo"],
        json!({"hasNextPage": true, "hasPreviousPage": true})
    );
    let data = app
        .ok(
            "{ last: recipes(last: 1) { nodes { name } } pies: recipes(category: \"Pies\") { totalCount nodes { name } }
               search: recipes(search: \"PIE\") { nodes { name } } none: recipes(search: \"zzz\") { totalCount } }",
            json!({}),
        )
        .await;
    assert_eq!(data["last"]["nodes"], json!([{"name": "Vanilla Glaze"}]));
    assert_eq!(data["pies"]["totalCount"], 2);
    assert_eq!(
        data["search"]["nodes"],
        json!([{"name": "Apple Pie"}, {"name": "pecan pie"}])
    );
    assert_eq!(data["none"]["totalCount"], 0);
    app.error("{ recipes(first: 101) { totalCount } }", json!({}))
        .await
        .expect("BAD_USER_INPUT", "at most 100");

    // Relations load per level, not per recipe (each loader is asked from one place, so
    // its keys always arrive in one batch): the same statements for 5 recipes as for 7
    // (of the same nesting depth).
    let nested = "{ recipes(first: 50) { nodes { name ingredients { quantity ingredient { name } }
        components { quantity recipe { name } } finishedUnits { name }
        aggregatedIngredients(batches: \"2\") { quantity unit } } } }";
    // (Once first, so the pool has opened its connections: their setup is counted too.)
    app.ok(nested, json!({})).await;
    let before = app.statements();
    app.ok(nested, json!({})).await;
    let five = app.statements() - before;
    for name in ["Fudge", "Toffee"] {
        create_recipe(
            &app,
            json!({"name": name, "yieldQuantity": "1", "yieldUnit": "box",
                   "ingredients": [{"ingredientId": p["butter"], "quantity": "1", "unit": "cup"}],
                   "components": [{"recipeId": glaze["id"], "quantity": "1"}]}),
        )
        .await;
    }
    app.ok(nested, json!({})).await;
    let before = app.statements();
    let data = app.ok(nested, json!({})).await;
    let seven = app.statements() - before;
    assert_eq!(data["recipes"]["nodes"].as_array().unwrap().len(), 7);
    assert_eq!(
        five, seven,
        "statements must not grow with the number of recipes"
    );
});

db_test!(invalid_recipes_are_refused_and_change_nothing, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let before = snapshot(&app).await;
    let create = create_recipe_doc();
    let missing_ingredient = ids::encode("Ingredient", 999_999);
    let missing_recipe = ids::encode("Recipe", 999_999);
    let ingredient_not_found = format!("Ingredient {} was not found", missing_ingredient.as_str());
    let recipe_not_found = format!("Recipe {} was not found", missing_recipe.as_str());
    let line = |ingredient: &Value, quantity: &str, unit: &str| {
        json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "pan",
               "ingredients": [{"ingredientId": p["flour"], "quantity": "1", "unit": "cup"},
                               {"ingredientId": ingredient, "quantity": quantity, "unit": unit}]})
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            line(&p["butter"], "1", "stone"),
            "BAD_USER_INPUT",
            "ingredient line 2: unknown unit \"stone\"",
        ),
        (
            line(&p["eggs"], "100", "g"),
            "BAD_USER_INPUT",
            "cannot convert g (mass) to each (count) for \"Eggs\"",
        ),
        (
            line(&p["sugar"], "1", "cup"),
            "BAD_USER_INPUT",
            "cannot convert cup to g for \"Sugar\": it has no density",
        ),
        (
            line(&p["sugar"], "0", "g"),
            "BAD_USER_INPUT",
            "ingredient line 2: quantity must be greater than zero (got 0)",
        ),
        (
            line(&p["sugar"], "-5", "g"),
            "BAD_USER_INPUT",
            "ingredient line 2: quantity must be greater than zero (got -5)",
        ),
        (
            line(&p["sugar"], "0.0000001", "g"),
            "BAD_USER_INPUT",
            "quantity must be greater than zero",
        ),
        (
            line(&json!(missing_ingredient), "1", "g"),
            "NOT_FOUND",
            &ingredient_not_found,
        ),
        (
            line(&glaze["id"], "1", "g"),
            "BAD_USER_INPUT",
            "belongs to a Recipe, not to a Ingredient",
        ),
        (
            line(&json!("not-an-id"), "1", "g"),
            "BAD_USER_INPUT",
            "is not a valid id",
        ),
        (
            json!({"name": "sugar COOKIES", "yieldQuantity": "1", "yieldUnit": "x"}),
            "CONFLICT",
            "a recipe named \"sugar COOKIES\" already exists",
        ),
        (
            json!({"name": "  ", "yieldQuantity": "1", "yieldUnit": "x"}),
            "BAD_USER_INPUT",
            "recipe name must not be empty",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "0", "yieldUnit": "x"}),
            "BAD_USER_INPUT",
            "yieldQuantity must be greater than zero",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "-2", "yieldUnit": "x"}),
            "BAD_USER_INPUT",
            "yieldQuantity must be greater than zero",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": " "}),
            "BAD_USER_INPUT",
            "yieldUnit must not be empty",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x", "estimatedMinutes": -1}),
            "BAD_USER_INPUT",
            "estimatedMinutes must not be negative",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": glaze["id"], "quantity": "0"}]}),
            "BAD_USER_INPUT",
            "component 1: quantity (batches of the sub-recipe) must be greater than zero",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": glaze["id"], "quantity": "-1"}]}),
            "BAD_USER_INPUT",
            "must be greater than zero (got -1)",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": glaze["id"], "quantity": "1"}, {"recipeId": glaze["id"], "quantity": "2"}]}),
            "BAD_USER_INPUT",
            "the sub-recipe \"Vanilla Glaze\" is listed twice",
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": missing_recipe, "quantity": "1"}]}),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            json!({"name": "Shortbread", "yieldQuantity": "1", "yieldUnit": "x",
                "components": [{"recipeId": p["sugar"], "quantity": "1"}]}),
            "BAD_USER_INPUT",
            "not to a Recipe",
        ),
    ];
    for (input, code, message) in cases {
        app.error(&create, json!({ "input": input }))
            .await
            .expect(code, message);
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused creates change nothing"
    );

    let update = update_recipe_doc();
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"id": cookies["id"], "name": "Vanilla glaze"}),
            "CONFLICT",
            "already exists",
        ),
        (
            json!({"id": cookies["id"], "name": "Iced Cookies",
                "ingredients": [{"ingredientId": p["eggs"], "quantity": "2", "unit": "cup"}]}),
            "BAD_USER_INPUT",
            "cannot convert cup (volume) to each (count) for \"Eggs\"",
        ),
        (
            json!({"id": cookies["id"], "yieldQuantity": "0", "ingredients": []}),
            "BAD_USER_INPUT",
            "yieldQuantity",
        ),
        (
            json!({"id": cookies["id"], "components": [{"recipeId": glaze["id"], "quantity": "0"}]}),
            "BAD_USER_INPUT",
            "greater than zero",
        ),
        (
            json!({"id": missing_recipe, "name": "x"}),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            json!({"id": p["flour"], "name": "x"}),
            "BAD_USER_INPUT",
            "not to a Recipe",
        ),
    ];
    for (input, code, message) in cases {
        app.error(&update, json!({ "input": input }))
            .await
            .expect(code, message);
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused updates change nothing"
    );
    app.error(DELETE_RECIPE, json!({"id": ids::encode("Recipe", 999_999)}))
        .await
        .expect("NOT_FOUND", "was not found");
    app.error(DELETE_RECIPE, json!({"id": p["flour"]}))
        .await
        .expect("BAD_USER_INPUT", "not to a Recipe");
});

db_test!(cycles_and_nesting_depth_are_refused, |app| {
    let alpha = create_recipe(&app, simple("Alpha")).await;
    let mut beta = simple("Beta");
    beta["components"] = json!([{"recipeId": alpha["id"], "quantity": "1"}]);
    let beta = create_recipe(&app, beta).await;
    let mut gamma = simple("Gamma");
    gamma["components"] = json!([{"recipeId": beta["id"], "quantity": "2"}]);
    let gamma = create_recipe(&app, gamma).await;
    let leaf = create_recipe(&app, simple("Leaf")).await;
    let before = snapshot(&app).await;
    let update = update_recipe_doc();
    let with = |id: &Value, components: &[&Value]| json!({"input": {"id": id, "components": components.iter().map(|c| json!({"recipeId": c, "quantity": "1"})).collect::<Vec<_>>()}});

    let error = app.error(&update, with(&beta["id"], &[&beta["id"]])).await;
    error.expect(
        "BAD_USER_INPUT",
        "a recipe cannot contain itself: Beta → Beta is a cycle",
    );
    let error = app.error(&update, with(&alpha["id"], &[&beta["id"]])).await;
    error.expect("BAD_USER_INPUT", "Alpha → Beta → Alpha is a cycle");
    let error = app
        .error(&update, with(&alpha["id"], &[&leaf["id"], &gamma["id"]]))
        .await;
    error.expect("BAD_USER_INPUT", "Alpha → Gamma → Beta → Alpha is a cycle");

    // Four levels below a new recipe, and four levels through existing parents.
    let mut delta = simple("Delta");
    delta["components"] = json!([{"recipeId": gamma["id"], "quantity": "1"}]);
    let error = app
        .error(&create_recipe_doc(), json!({ "input": delta }))
        .await;
    error.expect(
        "BAD_USER_INPUT",
        "recipes nest at most 3 levels deep, but Delta → Gamma → Beta → Alpha would be 4 levels",
    );
    let error = app.error(&update, with(&alpha["id"], &[&leaf["id"]])).await;
    error.expect(
        "BAD_USER_INPUT",
        "Gamma → Beta → Alpha → Leaf would be 4 levels",
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused writes change nothing"
    );

    // Three levels are fine: Beta swaps Alpha for Leaf, and Alpha may then join Gamma.
    let data = app.ok(&update, with(&beta["id"], &[&leaf["id"]])).await;
    assert_eq!(
        data["updateRecipe"]["components"],
        json!([{"recipe": {"name": "Leaf"}, "quantity": "1", "notes": null}])
    );
    let data = app
        .ok(&update, with(&gamma["id"], &[&beta["id"], &alpha["id"]]))
        .await;
    assert_eq!(
        data["updateRecipe"]["components"].as_array().unwrap().len(),
        2
    );
});

db_test!(concurrent_edits_cannot_build_a_cycle, |app| {
    // Each round, two requests race to make X contain Y and Y contain X: exactly one wins.
    let update = update_recipe_doc();
    for round in 0..5 {
        let x = create_recipe(&app, simple(&format!("X{round}"))).await;
        let y = create_recipe(&app, simple(&format!("Y{round}"))).await;
        let link = |from: &Value, to: &Value| json!({"input": {"id": from, "components": [{"recipeId": to, "quantity": "1"}]}});
        let (a, b) = tokio::join!(
            app.graphql(&update, link(&x["id"], &y["id"])),
            app.graphql(&update, link(&y["id"], &x["id"]))
        );
        let failed: Vec<&Value> = [&a, &b]
            .into_iter()
            .filter(|r| r.get("errors").is_some())
            .collect();
        assert_eq!(failed.len(), 1, "exactly one edit wins: {a:#} {b:#}");
        assert_eq!(
            failed[0]["errors"][0]["extensions"]["code"],
            "BAD_USER_INPUT"
        );
        assert!(failed[0]["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("is a cycle"));
    }
});

db_test!(finished_units_of_both_modes, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let cake = create_recipe(&app, simple("Pound Cake")).await;
    let cookie = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": " Sugar  Cookie ", "recipeId": cookies["id"], "yieldMode": "DISCRETE_COUNT",
                   "itemsPerBatch": 36, "itemUnit": "cookie", "notes": "iced"}}),
        )
        .await["createFinishedUnit"]
        .clone();
    assert_eq!(
        cookie,
        json!({"id": cookie["id"], "slug": "sugar-cookie", "name": "Sugar Cookie", "yieldMode": "DISCRETE_COUNT",
               "itemsPerBatch": 36, "itemUnit": "cookie", "batchPercentage": null, "inventoryCount": 0,
               "averageUnitCost": "0", "notes": "iced", "recipe": {"name": "Sugar Cookies"}})
    );
    let second = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Sugar Cookie!", "recipeId": cookies["id"], "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 12}}),
        )
        .await["createFinishedUnit"]
        .clone();
    assert_eq!(
        second["slug"], "sugar-cookie-2",
        "derived slugs are numbered"
    );
    let whole = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Whole Cake", "slug": "pound-cake-whole", "recipeId": cake["id"],
                   "yieldMode": "BATCH_PORTION", "batchPercentage": "100"}}),
        )
        .await["createFinishedUnit"]
        .clone();
    assert_eq!(whole["slug"], "pound-cake-whole");
    assert_eq!(whole["batchPercentage"], "100");
    assert_eq!(whole["itemsPerBatch"], Value::Null);

    let data = app
        .ok(
            "query($id: ID!, $unit: ID!) { node(id: $id) { ... on Recipe { finishedUnits { slug recipe { id } } } }
               unit: node(id: $unit) { __typename ... on FinishedUnit { name } } }",
            json!({"id": cookies["id"], "unit": whole["id"]}),
        )
        .await;
    assert_eq!(
        data["node"]["finishedUnits"],
        json!([{"slug": "sugar-cookie", "recipe": {"id": cookies["id"]}}, {"slug": "sugar-cookie-2", "recipe": {"id": cookies["id"]}}])
    );
    assert_eq!(
        data["unit"],
        json!({"__typename": "FinishedUnit", "name": "Whole Cake"})
    );

    // Switching the mode drops the other mode's field; the recipe may change while no
    // production run recorded the unit.
    let data = app
        .ok(
            UPDATE_UNIT,
            json!({"input": {"id": second["id"], "yieldMode": "BATCH_PORTION", "batchPercentage": "12.5",
                   "recipeId": cake["id"], "name": "Cake Slice", "slug": "cake-slice", "itemUnit": "slice"}}),
        )
        .await;
    assert_eq!(
        data["updateFinishedUnit"],
        json!({"id": second["id"], "slug": "cake-slice", "name": "Cake Slice", "yieldMode": "BATCH_PORTION",
               "itemsPerBatch": null, "itemUnit": "slice", "batchPercentage": "12.5", "notes": null,
               "recipe": {"name": "Pound Cake"}})
    );
    let data = app
        .ok(
            UPDATE_UNIT,
            json!({"input": {"id": cookie["id"], "itemsPerBatch": 40, "notes": null}}),
        )
        .await;
    assert_eq!(data["updateFinishedUnit"]["itemsPerBatch"], 40);
    assert_eq!(data["updateFinishedUnit"]["notes"], Value::Null);
    assert_eq!(
        data["updateFinishedUnit"]["slug"], "sugar-cookie",
        "absent fields are kept"
    );

    // The connection, ordered by name, with paging and a recipe filter.
    let data = app
        .ok(
            "query($recipe: ID!) { all: finishedUnits(first: 2) { totalCount pageInfo { hasNextPage endCursor } nodes { name } }
               cake: finishedUnits(recipeId: $recipe) { totalCount nodes { slug } } }",
            json!({"recipe": cake["id"]}),
        )
        .await;
    assert_eq!(data["all"]["totalCount"], 3);
    assert_eq!(
        data["all"]["nodes"],
        json!([{"name": "Cake Slice"}, {"name": "Sugar Cookie"}])
    );
    assert_eq!(
        data["cake"]["nodes"],
        json!([{"slug": "cake-slice"}, {"slug": "pound-cake-whole"}])
    );
    let data = app
        .ok(
            "query($after: String) { finishedUnits(first: 2, after: $after) { pageInfo { hasNextPage } nodes { name } } }",
            json!({"after": data["all"]["pageInfo"]["endCursor"]}),
        )
        .await;
    assert_eq!(
        data["finishedUnits"]["nodes"],
        json!([{"name": "Whole Cake"}])
    );
    assert_eq!(data["finishedUnits"]["pageInfo"]["hasNextPage"], false);
    app.error(
        "query($id: ID!) { finishedUnits(recipeId: $id) { totalCount } }",
        json!({"id": p["sugar"]}),
    )
    .await
    .expect("BAD_USER_INPUT", "not to a Recipe");

    // Invalid inputs, each refused with nothing written.
    let before = snapshot(&app).await;
    let missing_recipe = ids::encode("Recipe", 999_999);
    let recipe_not_found = format!("Recipe {} was not found", missing_recipe.as_str());
    let missing_unit = ids::encode("FinishedUnit", 999_999);
    let unit_not_found = format!("FinishedUnit {} was not found", missing_unit.as_str());
    let unit = |extra: Value| {
        let mut input = json!({"name": "Glaze Cup", "recipeId": glaze["id"]});
        input
            .as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        json!({ "input": input })
    };
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            unit(json!({"yieldMode": "DISCRETE_COUNT"})),
            "BAD_USER_INPUT",
            "DISCRETE_COUNT needs itemsPerBatch",
        ),
        (
            unit(json!({"yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 0})),
            "BAD_USER_INPUT",
            "itemsPerBatch must be greater than zero (got 0)",
        ),
        (
            unit(
                json!({"yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 4, "batchPercentage": "50"}),
            ),
            "BAD_USER_INPUT",
            "batchPercentage applies only to BATCH_PORTION",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION"})),
            "BAD_USER_INPUT",
            "BATCH_PORTION needs batchPercentage",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "0"})),
            "BAD_USER_INPUT",
            "greater than 0 and at most 100 (got 0)",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "150"})),
            "BAD_USER_INPUT",
            "greater than 0 and at most 100 (got 150)",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "itemsPerBatch": 2}),
            ),
            "BAD_USER_INPUT",
            "itemsPerBatch applies only to DISCRETE_COUNT",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "slug": "Glaze Cup"}),
            ),
            "BAD_USER_INPUT",
            "slug \"Glaze Cup\" is not valid",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "slug": "glaze--cup"}),
            ),
            "BAD_USER_INPUT",
            "is not valid",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "slug": "cake-slice"}),
            ),
            "CONFLICT",
            "slug \"cake-slice\" already exists",
        ),
        (
            unit(json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "name": " "})),
            "BAD_USER_INPUT",
            "name must not be empty",
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "recipeId": missing_recipe}),
            ),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            unit(
                json!({"yieldMode": "BATCH_PORTION", "batchPercentage": "50", "recipeId": p["eggs"]}),
            ),
            "BAD_USER_INPUT",
            "not to a Recipe",
        ),
    ];
    for (variables, code, message) in cases {
        app.error(CREATE_UNIT, variables)
            .await
            .expect(code, message);
    }
    let cases: Vec<(Value, &str, &str)> = vec![
        (
            json!({"id": cookie["id"], "slug": "cake-slice"}),
            "CONFLICT",
            "already exists",
        ),
        (
            json!({"id": cookie["id"], "slug": "Cake_Slice"}),
            "BAD_USER_INPUT",
            "is not valid",
        ),
        (
            json!({"id": cookie["id"], "batchPercentage": "50"}),
            "BAD_USER_INPUT",
            "batchPercentage applies only to BATCH_PORTION",
        ),
        (
            json!({"id": cookie["id"], "itemsPerBatch": null}),
            "BAD_USER_INPUT",
            "DISCRETE_COUNT needs itemsPerBatch",
        ),
        (
            json!({"id": cookie["id"], "yieldMode": "BATCH_PORTION"}),
            "BAD_USER_INPUT",
            "BATCH_PORTION needs batchPercentage",
        ),
        (
            json!({"id": whole["id"], "batchPercentage": "100.5"}),
            "BAD_USER_INPUT",
            "at most 100",
        ),
        (
            json!({"id": whole["id"], "recipeId": missing_recipe}),
            "NOT_FOUND",
            &recipe_not_found,
        ),
        (
            json!({"id": missing_unit, "name": "x"}),
            "NOT_FOUND",
            &unit_not_found,
        ),
        (
            json!({"id": cookies["id"], "name": "x"}),
            "BAD_USER_INPUT",
            "not to a FinishedUnit",
        ),
    ];
    for (input, code, message) in cases {
        app.error(UPDATE_UNIT, json!({ "input": input }))
            .await
            .expect(code, message);
    }
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused writes change nothing"
    );
});

db_test!(deletes_are_refused_while_referenced, |app| {
    let p = pantry(&app).await;
    let (glaze, cookies) = cookies(&app, &p).await;
    let unit = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Sugar Cookie", "recipeId": cookies["id"], "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 36}}),
        )
        .await["createFinishedUnit"]
        .clone();
    let glaze_unit = app
        .ok(
            CREATE_UNIT,
            json!({"input": {"name": "Glaze Jar", "recipeId": glaze["id"], "yieldMode": "BATCH_PORTION", "batchPercentage": "100"}}),
        )
        .await["createFinishedUnit"]
        .clone();

    // The glaze is used by the cookies and has a finished unit.
    let error = app.error(DELETE_RECIPE, json!({"id": glaze["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete recipe \"Vanilla Glaze\": it is referenced by 1 finished units, 1 parent recipes",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "finished units", "count": 1}, {"kind": "parent recipes", "count": 1}])
    );

    // A production target and run (rows written directly: their API is another feature's).
    let christmas = fixtures::event(&app, "Christmas", "2026-12-24").await;
    fixtures::production_target_row(&app, &christmas["id"], &cookies["id"], 3).await;
    fixtures::production_run_row(&app, &cookies["id"], &unit["id"], None).await;
    let before = snapshot(&app).await;
    let error = app.error(DELETE_RECIPE, json!({"id": cookies["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "1 production targets, 1 production runs, 1 finished units",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "production targets", "count": 1}, {"kind": "production runs", "count": 1}, {"kind": "finished units", "count": 1}])
    );
    let error = app.error(DELETE_UNIT, json!({"id": unit["id"]})).await;
    error.expect(
        "DELETE_RESTRICTED",
        "cannot delete finished unit \"Sugar Cookie\": it is referenced by 1 production runs",
    );
    assert_eq!(
        error.extensions["references"],
        json!([{"kind": "production runs", "count": 1}])
    );
    let error = app
        .error(
            UPDATE_UNIT,
            json!({"input": {"id": unit["id"], "recipeId": glaze["id"]}}),
        )
        .await;
    error.expect(
        "BAD_USER_INPUT",
        "cannot move finished unit \"Sugar Cookie\" to another recipe: 1 production run(s) recorded it",
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "refused deletes change nothing"
    );

    // Once unreferenced, deletes go through, taking lines and components along.
    app.ok(DELETE_UNIT, json!({"id": glaze_unit["id"]})).await;
    app.error(DELETE_RECIPE, json!({"id": glaze["id"]}))
        .await
        .expect("DELETE_RESTRICTED", "1 parent recipes");
    app.ok(
        &update_recipe_doc(),
        json!({"input": {"id": cookies["id"], "components": []}}),
    )
    .await;
    let data = app.ok(DELETE_RECIPE, json!({"id": glaze["id"]})).await;
    assert_eq!(data["deleteRecipe"]["deletedId"], glaze["id"]);
    let data = app
        .ok(
            "query($id: ID!) { node(id: $id) { id } recipes { totalCount } }",
            json!({"id": glaze["id"]}),
        )
        .await;
    assert_eq!(data["node"], Value::Null);
    assert_eq!(data["recipes"]["totalCount"], 1);
    // The pantry's ingredients are free again except where the cookies still use them.
    app.ok(
        "mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }",
        json!({"id": p["sugar"]}),
    )
    .await;
    app.error(
        "mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }",
        json!({"id": p["flour"]}),
    )
    .await
    .expect("DELETE_RESTRICTED", "recipe lines");
});
