//! Whole responses whose shape is the point (an error with its extensions, a page with its
//! `pageInfo`, a nested read), compared with the insta snapshots in `tests/snapshots/`.
//! Both backends must give the same snapshot.
//!
//! What differs between runs is redacted: a global id becomes the name of its type
//! (`[Recipe id]`), a cursor `[cursor]`, a time or today's date `[timestamp]` / `[today]`;
//! each redaction first checks that the value is what it claims to be.
//! After an intended change: `cargo insta review` (or `INSTA_UPDATE=always cargo test`),
//! then commit the `.snap` files.

use crate::db_test;
use crate::harness::TestApp;
use bakeplan::graphql::ids;
use insta::internals::Content;
use serde_json::{json, Value};

/// Fields holding a global id (`id` and the ids a payload names).
const ID_FIELDS: &[&str] = &["id", "deletedId"];
/// Fields holding a connection cursor.
const CURSOR_FIELDS: &[&str] = &["cursor", "startCursor", "endCursor"];
/// Fields holding a time the server takes from its clock.
const TIME_FIELDS: &[&str] = &["createdAt", "updatedAt", "producedAt"];
/// Fields holding a date that defaults to today.
const TODAY_FIELDS: &[&str] = &["purchasedOn"];

/// Asserts that `response` matches the snapshot `tests/snapshots/{name}.snap`, with the
/// values that differ between runs redacted.
fn assert_shape(name: &str, response: &Value) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("../snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    for field in ID_FIELDS {
        settings.add_dynamic_redaction(&format!(".**.{field}"), |value, _| {
            redact(value, |text| {
                let (type_name, _) =
                    ids::decode_any(text).unwrap_or_else(|_| panic!("{text:?} is not a global id"));
                format!("[{type_name} id]")
            })
        });
    }
    for field in CURSOR_FIELDS {
        settings.add_dynamic_redaction(&format!(".**.{field}"), |value, _| {
            redact(value, |text| {
                assert!(!text.is_empty(), "an empty cursor");
                "[cursor]".to_string()
            })
        });
    }
    for field in TIME_FIELDS {
        settings.add_dynamic_redaction(&format!(".**.{field}"), |value, _| {
            redact(value, |text| {
                chrono::DateTime::parse_from_rfc3339(text)
                    .unwrap_or_else(|e| panic!("{text:?} is not an RFC 3339 time: {e}"));
                "[timestamp]".to_string()
            })
        });
    }
    for field in TODAY_FIELDS {
        settings.add_dynamic_redaction(&format!(".**.{field}"), |value, _| {
            redact(value, |text| {
                let today = chrono::Utc::now().date_naive().to_string();
                assert_eq!(text, today, "a date defaulting to today");
                "[today]".to_string()
            })
        });
    }
    settings.bind(|| insta::assert_json_snapshot!(name, response));
}

/// Replaces a string by `replace(string)`; leaves `null` alone (an empty page has no
/// cursors) and fails on anything else.
fn redact(value: Content, replace: impl Fn(&str) -> String) -> Content {
    match value.as_str() {
        Some(text) => Content::from(replace(text)),
        None if matches!(value, Content::None | Content::Unit) => value,
        None => panic!("expected a string or null, got {value:?}"),
    }
}

const CREATE_INGREDIENT: &str = "mutation($input: CreateIngredientInput!) {
  createIngredient(input: $input) { id } }";

const RECORD_PURCHASE: &str = "mutation($input: RecordPurchaseInput!) {
  recordPurchase(input: $input) { id } }";

const CREATE_RECIPE: &str = "mutation($input: CreateRecipeInput!) {
  createRecipe(input: $input) { id } }";

const CREATE_FINISHED_UNIT: &str = "mutation($input: CreateFinishedUnitInput!) {
  createFinishedUnit(input: $input) { id } }";

/// Creates an ingredient kept in `unit` and returns its id.
async fn ingredient(app: &TestApp, name: &str, unit: &str) -> Value {
    let input = json!({"name": name, "category": "Baking", "unit": unit});
    app.ok(CREATE_INGREDIENT, json!({ "input": input })).await["createIngredient"]["id"].clone()
}

/// Buys `quantity` of an ingredient (in its unit) for `total_cost`.
async fn buy(app: &TestApp, ingredient: &Value, quantity: &str, total_cost: &str) {
    let input = json!({"ingredientId": ingredient, "quantity": quantity, "totalCost": total_cost});
    app.ok(RECORD_PURCHASE, json!({ "input": input })).await;
}

/// Shortbread (flour and butter, 24 cookies a batch) with 500 g of flour and 100 g of
/// butter in stock: one batch takes 250 g of each. Returns (flour, butter, recipe,
/// finished unit).
async fn shortbread(app: &TestApp) -> (Value, Value, Value, Value) {
    let flour = ingredient(app, "Flour", "g").await;
    let butter = ingredient(app, "Butter", "g").await;
    buy(app, &flour, "300", "0.90").await;
    buy(app, &flour, "200", "0.80").await;
    buy(app, &butter, "100", "1.50").await;
    let input = json!({"name": "Shortbread", "category": "Cookies", "yieldQuantity": "24",
        "yieldUnit": "cookies", "ingredients": [
            {"ingredientId": flour, "quantity": "250", "unit": "g"},
            {"ingredientId": butter, "quantity": "0.25", "unit": "kg", "notes": "cold"}]});
    let recipe =
        app.ok(CREATE_RECIPE, json!({ "input": input })).await["createRecipe"]["id"].clone();
    let input = json!({"name": "Shortbread Cookie", "recipeId": recipe,
        "yieldMode": "DISCRETE_COUNT", "itemsPerBatch": 24, "itemUnit": "cookie"});
    let unit = app
        .ok(CREATE_FINISHED_UNIT, json!({ "input": input }))
        .await["createFinishedUnit"]["id"]
        .clone();
    (flour, butter, recipe, unit)
}

const RECORD_PRODUCTION: &str = "mutation($input: RecordProductionInput!) {
  recordProduction(input: $input) {
    replayed warnings
    productionRun { id numBatches expectedYield actualYield producedAt totalIngredientCost
      perUnitCost recipe { id name } finishedUnit { id name }
      consumptions { ingredientName quantity unit unitCost cost lot { id } } } } }";

db_test!(a_shortfall_names_every_missing_ingredient, |app| {
    let (_, _, recipe, unit) = shortbread(&app).await;
    let response = app
        .graphql(
            RECORD_PRODUCTION,
            json!({"input": {"recipeId": recipe, "finishedUnitId": unit, "numBatches": 2,
                             "actualYield": 48}}),
        )
        .await;
    assert_shape("insufficient_inventory", &response);
});

db_test!(a_production_run_shows_its_fifo_consumptions, |app| {
    let (_, butter, recipe, unit) = shortbread(&app).await;
    buy(&app, &butter, "400", "6.00").await;
    let response = app
        .graphql(
            RECORD_PRODUCTION,
            json!({"input": {"recipeId": recipe, "finishedUnitId": unit, "numBatches": 1,
                             "actualYield": 23}}),
        )
        .await;
    assert_shape("production_run", &response);
});

db_test!(a_refused_delete_lists_its_references, |app| {
    let (flour, _, _, _) = shortbread(&app).await;
    let response = app
        .graphql(
            "mutation($id: ID!) { deleteIngredient(id: $id) { deletedId } }",
            json!({ "id": flour }),
        )
        .await;
    assert_shape("delete_restricted", &response);
});

db_test!(an_invalid_input_is_a_bad_user_input_error, |app| {
    let response = app
        .graphql(
            CREATE_INGREDIENT,
            json!({"input": {"name": "  ", "unit": "g"}}),
        )
        .await;
    assert_shape("empty_name", &response);
});

db_test!(
    a_document_that_does_not_validate_names_its_location,
    |app| {
        let response = app
            .graphql(
                "{ ingredients(first: 1) { nodes { id colour } } }",
                json!({}),
            )
            .await;
        assert_shape("unknown_field", &response);
    }
);

db_test!(a_page_has_cursors_and_page_info, |app| {
    for name in ["Butter", "Cinnamon", "Flour", "Sugar"] {
        ingredient(&app, name, "g").await;
    }
    let page = "query($after: String) { ingredients(first: 2, after: $after) {
      totalCount edges { cursor node { id name unit } }
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor } } }";
    let first = app.graphql(page, json!({})).await;
    assert_shape("ingredients_first_page", &first);
    let after = first["data"]["ingredients"]["pageInfo"]["endCursor"].clone();
    let second = app.graphql(page, json!({ "after": after })).await;
    assert_shape("ingredients_second_page", &second);
});

db_test!(
    a_recipe_reads_its_lines_and_sub_recipes_through_node,
    |app| {
        let (_, _, shortbread, _) = shortbread(&app).await;
        let sugar = ingredient(&app, "Sugar", "g").await;
        let input = json!({"name": "Holiday Tin Filling", "category": "Assortments",
        "yieldQuantity": "1", "yieldUnit": "tin", "estimatedMinutes": 30,
        "ingredients": [{"ingredientId": sugar, "quantity": "10", "unit": "g"}],
        "components": [{"recipeId": shortbread, "quantity": "0.5", "notes": "half a batch"}]});
        let tin =
            app.ok(CREATE_RECIPE, json!({ "input": input })).await["createRecipe"]["id"].clone();
        let response = app
            .graphql(
                "query($id: ID!) { node(id: $id) { __typename id ... on Recipe {
              name category yieldQuantity yieldUnit estimatedMinutes createdAt
              ingredients { quantity unit notes ingredient { id name } }
              components { quantity notes recipe { id name
                ingredients { quantity unit ingredient { name } } } }
              aggregatedIngredients(batches: \"2\") { quantity unit ingredient { name } }
              estimatedBatchCost } } }",
                json!({ "id": tin }),
            )
            .await;
        assert_shape("recipe_node", &response);
    }
);
