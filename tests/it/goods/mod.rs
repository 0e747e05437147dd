//! Finished goods (components, nesting, cycles) and packages (items that add up), with
//! their delete restrictions.

mod finished_goods;
mod packages;

use crate::db_test;
use crate::fixtures::create_ingredient;
use crate::fixtures::{self, count, pk};
use crate::harness::TestApp;
use bakeplan::graphql::ids;
use serde_json::{json, Value};

/// An event, a recipient and an assignment of `package` to them, through the API; returns
/// `(event, assignment)`.
async fn assignment(app: &TestApp, package: &Value) -> (Value, Value) {
    let event = fixtures::event(app, "Christmas", "2026-12-24").await;
    let grandma = fixtures::recipient(app, "Grandma").await;
    let assignment = fixtures::assign(
        app,
        json!({"eventId": event["id"], "recipientId": grandma["id"], "packageId": package["id"]}),
    )
    .await;
    (event, assignment)
}

const GOOD_FIELDS: &str = "id slug name assemblyType description packagingInstructions notes
    inventoryCount averageUnitCost
    components { kind quantity notes finishedUnit { id name } finishedGood { id name }
      packaging { id name unit } }";

fn create_good_doc() -> String {
    format!(
        "mutation($input: CreateFinishedGoodInput!) {{ createFinishedGood(input: $input) {{ {GOOD_FIELDS} }} }}"
    )
}

fn update_good_doc() -> String {
    format!(
        "mutation($input: UpdateFinishedGoodInput!) {{ updateFinishedGood(input: $input) {{ {GOOD_FIELDS} }} }}"
    )
}

const DELETE_GOOD: &str = "mutation($id: ID!) { deleteFinishedGood(id: $id) { deletedId } }";

/// Creates a finished good and returns it.
pub async fn create_good(app: &TestApp, input: Value) -> Value {
    app.ok(&create_good_doc(), json!({ "input": input })).await["createFinishedGood"].clone()
}

const PACKAGE_FIELDS: &str =
    "id name description isTemplate notes items { quantity finishedGood { id name } }";

fn create_package_doc() -> String {
    format!(
        "mutation($input: CreatePackageInput!) {{ createPackage(input: $input) {{ {PACKAGE_FIELDS} }} }}"
    )
}

/// Creates a package and returns it.
pub async fn create_package(app: &TestApp, input: Value) -> Value {
    app.ok(&create_package_doc(), json!({ "input": input }))
        .await["createPackage"]
        .clone()
}

/// Everything the API shows about finished goods and packages, plus raw row counts, to
/// prove a refused write left nothing behind.
async fn state(app: &TestApp) -> Value {
    let mut data = app
        .ok(
            &format!(
                "{{ finishedGoods(first: 100) {{ totalCount nodes {{ {GOOD_FIELDS} updatedAt }} }}
                   packages(first: 100) {{ totalCount nodes {{ {PACKAGE_FIELDS} updatedAt }} }} }}"
            ),
            json!({}),
        )
        .await;
    data["rows"] = json!([
        count(app, "finished_goods").await,
        count(app, "finished_good_components").await,
        count(app, "packages").await,
        count(app, "package_items").await,
    ]);
    data
}

/// Pantry and baked items most tests share.
struct Catalog {
    box_: Value,
    tissue: Value,
    flour: Value,
    sugar_cookie: Value,
    gingerbread: Value,
}

async fn catalog(app: &TestApp) -> Catalog {
    Catalog {
        box_: create_ingredient(
            app,
            json!({"name": "Gift Box", "unit": "each", "isPackaging": true}),
        )
        .await,
        tissue: create_ingredient(
            app,
            json!({"name": "Tissue Paper", "unit": "each", "isPackaging": true}),
        )
        .await,
        flour: create_ingredient(app, json!({"name": "Flour", "unit": "g"})).await,
        sugar_cookie: fixtures::baked_item(app, "Sugar Cookie").await["id"].clone(),
        gingerbread: fixtures::baked_item(app, "Gingerbread Man").await["id"].clone(),
    }
}
