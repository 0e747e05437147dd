//! Shared builders: every catalog row a test needs is created through the GraphQL API, the
//! way a client would. Only rows that no API writes yet (production and assembly runs,
//! event targets) are inserted with SQL, by the `…_row` functions at the end.
//!
//! Ingredients and purchases come from `crate::pantry::{create_ingredient, purchase}`.

use crate::harness::TestApp;
use bakeplan::error::{AppError, AppResult};
use bakeplan::graphql::ids;
use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

/// `createRecipe`, returning the recipe's id, name and yield.
const CREATE_RECIPE: &str = "mutation($input: CreateRecipeInput!) {
  createRecipe(input: $input) { id name yieldQuantity yieldUnit } }";

/// `createFinishedUnit`, returning the unit's id, slug and name.
const CREATE_FINISHED_UNIT: &str = "mutation($input: CreateFinishedUnitInput!) {
  createFinishedUnit(input: $input) { id slug name itemsPerBatch } }";

/// `createFinishedGood`, returning the good's id, slug and name.
const CREATE_FINISHED_GOOD: &str = "mutation($input: CreateFinishedGoodInput!) {
  createFinishedGood(input: $input) { id slug name } }";

/// `createPackage`, returning the package's id and name.
const CREATE_PACKAGE: &str = "mutation($input: CreatePackageInput!) {
  createPackage(input: $input) { id name } }";

/// `createEvent`, with the fields the event tests check.
pub const CREATE_EVENT: &str = "mutation($input: CreateEventInput!) {
  createEvent(input: $input) { id name eventDate year notes } }";

/// `createRecipient`, with the fields the event tests check.
pub const CREATE_RECIPIENT: &str = "mutation($input: CreateRecipientInput!) {
  createRecipient(input: $input) { id name householdName address notes } }";

/// `assignPackage`, with the fields the event tests check.
pub const ASSIGN: &str = "mutation($input: AssignPackageInput!) {
  assignPackage(input: $input) { id quantity notes fulfillmentStatus deliveredTo readyAt deliveredAt
    event { name } recipient { name } package { name } } }";

/// Creates a recipe from a full `CreateRecipeInput` and returns `{id name yieldQuantity yieldUnit}`.
pub async fn recipe_with(app: &TestApp, input: Value) -> Value {
    app.ok(CREATE_RECIPE, json!({ "input": input })).await["createRecipe"].clone()
}

/// Creates a recipe yielding 24 cookies per batch, without lines.
pub async fn recipe(app: &TestApp, name: &str) -> Value {
    recipe_with(
        app,
        json!({"name": name, "category": "Cookies", "yieldQuantity": "24", "yieldUnit": "cookies"}),
    )
    .await
}

/// Creates a `DISCRETE_COUNT` finished unit of a recipe (`items_per_batch` cookies per
/// batch) and returns `{id slug name itemsPerBatch}`.
pub async fn finished_unit(
    app: &TestApp,
    recipe_id: &Value,
    name: &str,
    items_per_batch: i64,
) -> Value {
    app.ok(
        CREATE_FINISHED_UNIT,
        json!({"input": {"name": name, "recipeId": recipe_id, "yieldMode": "DISCRETE_COUNT",
                         "itemsPerBatch": items_per_batch, "itemUnit": "cookie"}}),
    )
    .await["createFinishedUnit"]
        .clone()
}

/// A recipe named "`name` Recipe" and a finished unit `name` of it (24 per batch); returns
/// the finished unit.
pub async fn baked_item(app: &TestApp, name: &str) -> Value {
    let recipe = recipe(app, &format!("{name} Recipe")).await;
    finished_unit(app, &recipe["id"], name, 24).await
}

/// Creates a finished good from a full `CreateFinishedGoodInput` and returns `{id slug name}`.
pub async fn finished_good_with(app: &TestApp, input: Value) -> Value {
    app.ok(CREATE_FINISHED_GOOD, json!({ "input": input }))
        .await["createFinishedGood"]
        .clone()
}

/// Creates a `GIFT_BOX` finished good with the given components
/// (`[{finishedUnitId|finishedGoodId|packagingId, quantity}]`).
pub async fn gift_box(app: &TestApp, name: &str, components: Value) -> Value {
    finished_good_with(
        app,
        json!({"name": name, "assemblyType": "GIFT_BOX", "components": components}),
    )
    .await
}

/// Creates a package with the given items (`[{finishedGoodId, quantity}]`) and returns `{id name}`.
pub async fn package(app: &TestApp, name: &str, items: Value) -> Value {
    app.ok(
        CREATE_PACKAGE,
        json!({"input": {"name": name, "items": items}}),
    )
    .await["createPackage"]
        .clone()
}

/// Creates an event and returns `{id name eventDate year notes}`.
pub async fn event(app: &TestApp, name: &str, date: &str) -> Value {
    app.ok(
        CREATE_EVENT,
        json!({"input": {"name": name, "eventDate": date}}),
    )
    .await["createEvent"]
        .clone()
}

/// Creates a recipient and returns `{id name householdName address notes}`.
pub async fn recipient(app: &TestApp, name: &str) -> Value {
    app.ok(CREATE_RECIPIENT, json!({"input": {"name": name}}))
        .await["createRecipient"]
        .clone()
}

/// Assigns a package (`AssignPackageInput`) and returns the assignment.
pub async fn assign(app: &TestApp, input: Value) -> Value {
    app.ok(ASSIGN, json!({ "input": input })).await["assignPackage"].clone()
}

/// The primary key behind a global id (for the SQL-only rows below).
pub fn pk(id: &Value) -> i64 {
    ids::decode_any(id.as_str().expect("an id"))
        .expect("a valid id")
        .1
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Runs one portable SQL statement directly on the test database.
pub async fn sql(app: &TestApp, statement: &str) {
    let result: AppResult<usize> = async {
        bakeplan::db_run!(app.db, |conn| diesel::sql_query(statement)
            .execute(conn)
            .await
            .map_err(AppError::from))
    }
    .await;
    result.unwrap_or_else(|e| panic!("fixture SQL failed: {e}\n{statement}"));
}

/// Reads one BIGINT (a column named `n`) with SQL.
pub async fn sql_number(app: &TestApp, query: &str) -> i64 {
    let result: AppResult<Vec<Number>> = async {
        bakeplan::db_run!(app.db, |conn| diesel::sql_query(query)
            .load::<Number>(conn)
            .await
            .map_err(AppError::from))
    }
    .await;
    result
        .unwrap_or_else(|e| panic!("fixture query failed: {e}\n{query}"))
        .into_iter()
        .next()
        .unwrap_or_else(|| panic!("no row: {query}"))
        .n
}

/// How many rows a table has.
pub async fn count(app: &TestApp, table: &str) -> i64 {
    sql_number(
        app,
        &format!("SELECT CAST(COUNT(*) AS BIGINT) AS n FROM {table}"),
    )
    .await
}

const STAMP: &str = "'2026-11-01 00:00:00', '2026-11-01 00:00:00'";

fn uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

fn nullable(id: Option<&Value>) -> String {
    id.map(|id| pk(id).to_string())
        .unwrap_or_else(|| "NULL".into())
}

/// SQL only (no API records production yet): a production run of one batch of `recipe`
/// into `finished_unit` (24 expected, 24 made), attributed to `event` if given.
pub async fn production_run_row(
    app: &TestApp,
    recipe: &Value,
    finished_unit: &Value,
    event: Option<&Value>,
) {
    sql(
        app,
        &format!(
            "INSERT INTO production_runs (uuid, created_at, updated_at, recipe_id, finished_unit_id, event_id, \
             num_batches, expected_yield, actual_yield, produced_at, notes, total_ingredient_cost, per_unit_cost) \
             VALUES ('{}', {STAMP}, {}, {}, {}, 1, 24, 24, '2026-11-02 10:00:00', NULL, 0, 0)",
            uuid(),
            pk(recipe),
            pk(finished_unit),
            nullable(event)
        ),
    )
    .await;
}

/// SQL only (no API records assembly yet): an assembly run of 2 of `finished_good`,
/// attributed to `event` if given.
pub async fn assembly_run_row(app: &TestApp, finished_good: &Value, event: Option<&Value>) {
    sql(
        app,
        &format!(
            "INSERT INTO assembly_runs (uuid, created_at, updated_at, finished_good_id, event_id, quantity, \
             assembled_at, notes, total_component_cost, per_unit_cost) \
             VALUES ('{}', {STAMP}, {}, {}, 2, '2026-11-03 10:00:00', NULL, 0, 0)",
            uuid(),
            pk(finished_good),
            nullable(event)
        ),
    )
    .await;
}

/// SQL only (no API sets targets yet): a production target of `batches` batches of `recipe`
/// for `event`.
pub async fn production_target_row(app: &TestApp, event: &Value, recipe: &Value, batches: i64) {
    sql(
        app,
        &format!(
            "INSERT INTO event_production_targets (uuid, created_at, updated_at, event_id, recipe_id, \
             target_batches, notes) VALUES ('{}', {STAMP}, {}, {}, {batches}, NULL)",
            uuid(),
            pk(event),
            pk(recipe)
        ),
    )
    .await;
}

/// SQL only (no API sets targets yet): an assembly target of `quantity` of `finished_good`
/// for `event`.
pub async fn assembly_target_row(
    app: &TestApp,
    event: &Value,
    finished_good: &Value,
    quantity: i64,
) {
    sql(
        app,
        &format!(
            "INSERT INTO event_assembly_targets (uuid, created_at, updated_at, event_id, finished_good_id, \
             target_quantity, notes) VALUES ('{}', {STAMP}, {}, {}, {quantity}, NULL)",
            uuid(),
            pk(event),
            pk(finished_good)
        ),
    )
    .await;
}
