//! Recipients, events, assignments and the fulfillment workflow.

mod assignments;
mod lifecycle;
mod refusals;

use crate::db_test;
use crate::fixtures::{
    self, assembly_run_row, count, production_run_row, sql, sql_number, ASSIGN, CREATE_EVENT,
    CREATE_RECIPIENT,
};
use crate::harness::TestApp;
use bakeplan::graphql::ids;
use serde_json::{json, Value};

const UPDATE_EVENT: &str = "mutation($input: UpdateEventInput!) {
  updateEvent(input: $input) { id name eventDate year notes } }";
const DELETE_EVENT: &str = "mutation($id: ID!, $cascade: Boolean) {
  deleteEvent(id: $id, cascadeAssignments: $cascade) { deletedId } }";
const UPDATE_RECIPIENT: &str = "mutation($input: UpdateRecipientInput!) {
  updateRecipient(input: $input) { id name householdName address notes } }";
const DELETE_RECIPIENT: &str = "mutation($id: ID!) { deleteRecipient(id: $id) { deletedId } }";
const UPDATE_ASSIGNMENT: &str = "mutation($input: UpdateAssignmentInput!) {
  updateAssignment(input: $input) { id quantity notes } }";
const REMOVE_ASSIGNMENT: &str = "mutation($id: ID!) { removeAssignment(id: $id) { deletedId } }";
const SET_STATUS: &str = "mutation($input: UpdateFulfillmentStatusInput!) {
  updateFulfillmentStatus(input: $input) { id fulfillmentStatus deliveredTo readyAt deliveredAt updatedAt } }";

/// A package without items, through the API; returns its id.
async fn package(app: &TestApp, name: &str) -> Value {
    fixtures::package(app, name, json!([])).await["id"].clone()
}

/// A recipe, one of its finished units and a finished good holding it, through the API.
struct Catalog {
    recipe: Value,
    finished_unit: Value,
    finished_good: Value,
}

async fn catalog(app: &TestApp) -> Catalog {
    let recipe = fixtures::recipe(app, "Shortbread").await;
    let finished_unit = fixtures::finished_unit(app, &recipe["id"], "Shortbread Cookie", 24).await;
    let finished_good = fixtures::gift_box(
        app,
        "Cookie Box",
        json!([{"finishedUnitId": finished_unit["id"], "quantity": "6"}]),
    )
    .await;
    Catalog {
        recipe: recipe["id"].clone(),
        finished_unit: finished_unit["id"].clone(),
        finished_good: finished_good["id"].clone(),
    }
}

/// A production target (3 batches) and an assembly target (5 boxes) for `event`.
async fn targets(app: &TestApp, catalog: &Catalog, event: &Value) {
    fixtures::production_target(app, event, &catalog.recipe, 3).await;
    fixtures::assembly_target(app, event, &catalog.finished_good, 5).await;
}

/// Everything this area stores, read back through the API, to compare before and after a
/// failed mutation.
async fn everything(app: &TestApp) -> Value {
    app.ok(
        "{ events(first: 100) { totalCount nodes { id name eventDate year notes updatedAt
             assignments { id quantity notes fulfillmentStatus deliveredTo readyAt deliveredAt updatedAt
               recipient { id } package { id } } } }
           recipients(first: 100) { totalCount nodes { id name householdName address notes updatedAt } } }",
        json!({}),
    )
    .await
}
