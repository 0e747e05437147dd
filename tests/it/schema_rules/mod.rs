//! The database holds the rules of SPEC §1 by itself: CHECK constraints, unique rules, the
//! closed vocabularies and the foreign keys with the delete behaviour of §1.7. Every test
//! talks SQL straight to the database (no API), with statements written identically for
//! both backends, and runs on SQLite and on PostgreSQL.
//!
//! Each rejection asserts diesel's `DatabaseErrorKind`, and since the same expectation runs
//! on both backends, the kind is the same on both. diesel's SQLite backend reads the
//! *extended* result code (`sqlite3_extended_errcode`, diesel 2.3 `sqlite/connection/stmt.rs`)
//! and maps `SQLITE_CONSTRAINT_CHECK` to `CheckViolation`, `SQLITE_CONSTRAINT_FOREIGNKEY` to
//! `ForeignKeyViolation`, `SQLITE_CONSTRAINT_NOTNULL` to `NotNullViolation` and
//! `SQLITE_CONSTRAINT_UNIQUE` / `_PRIMARYKEY` to `UniqueViolation`, exactly like
//! diesel-async's PostgreSQL mapping of SQLSTATE 23514 / 23503 / 23502 / 23505. The plain
//! `REFERENCES` of the schema are `NO ACTION`, which both backends report as
//! `ForeignKeyViolation` (PostgreSQL would too for `ON DELETE RESTRICT`: it raises 23503,
//! not 23001, so diesel's `RestrictViolation` never appears here).

mod constraints;
mod deletes;
mod migrations;

use crate::db_test;
use crate::harness::TestApp;
use bakeplan::db::{migrate, Backend, Db};
use bakeplan::domain::kinds::{AssemblyType, ComponentKind, FulfillmentStatus, YieldMode};
use bakeplan::error::AppResult;
use diesel::result::{DatabaseErrorKind, Error};
use diesel::sql_types::{BigInt, Bool, Text};
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};

use DatabaseErrorKind::{CheckViolation, ForeignKeyViolation, NotNullViolation, UniqueViolation};

/// The timestamp every row of these tests carries.
const TS: &str = "'2026-11-01 00:00:00'";

/// A fresh `uuid` value (unique within the test process, so within any one database).
fn uid() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    format!("'schema-rules-{}'", NEXT.fetch_add(1, Ordering::Relaxed))
}

/// Runs a statement that the database must accept; returns the rows it affected.
async fn expect_accepted(app: &TestApp, sql: &str) -> usize {
    match app.execute_sql(sql).await {
        Ok(rows) => rows,
        Err(e) => panic!(
            "[{}] expected the database to accept\n  {sql}\nbut it failed: {e:?}",
            app.backend.name()
        ),
    }
}

/// Runs a statement that the database must refuse with the given kind of error.
async fn expect_rejected(app: &TestApp, sql: &str, kind: DatabaseErrorKind) {
    match app.execute_sql(sql).await {
        Err(Error::DatabaseError(actual, info)) => assert_eq!(
            actual,
            kind,
            "[{}] wrong error kind for\n  {sql}\nmessage: {}",
            app.backend.name(),
            info.message()
        ),
        other => panic!(
            "[{}] expected {kind:?} for\n  {sql}\nbut got {other:?}",
            app.backend.name()
        ),
    }
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Word {
    #[diesel(sql_type = Text)]
    s: String,
}

async fn load_numbers(db: &Db, sql: &str) -> AppResult<Vec<Number>> {
    bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(sql).load(conn).await?))
}

async fn load_words(db: &Db, sql: &str) -> AppResult<Vec<Word>> {
    bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(sql).load(conn).await?))
}

/// Runs a query selecting one BIGINT column named `n` (ids, `COUNT(*)`) and returns its
/// single value.
async fn number(app: &TestApp, sql: &str) -> i64 {
    let rows = load_numbers(&app.db, sql)
        .await
        .unwrap_or_else(|e| panic!("[{}] {sql}: {e}", app.backend.name()));
    assert_eq!(
        rows.len(),
        1,
        "[{}] {sql}: expected one row",
        app.backend.name()
    );
    rows[0].n
}

/// Runs a query selecting one TEXT column named `s` and returns its single value.
async fn word(app: &TestApp, sql: &str) -> String {
    let rows = load_words(&app.db, sql)
        .await
        .unwrap_or_else(|e| panic!("[{}] {sql}: {e}", app.backend.name()));
    assert_eq!(
        rows.len(),
        1,
        "[{}] {sql}: expected one row",
        app.backend.name()
    );
    rows.into_iter().next().map(|w| w.s).unwrap_or_default()
}

/// One row of every catalog kind the constraints below refer to.
struct Fixture {
    ingredient: i64,
    packaging: i64,
    recipe: i64,
    unit: i64,
    good: i64,
    package: i64,
    recipient: i64,
    event: i64,
}

/// Inserts an ingredient, a packaging ingredient, a recipe, a finished unit, a finished good,
/// a package, a recipient and an event, each named after `tag` (so one test can build two).
async fn fixture(app: &TestApp, tag: &str) -> Fixture {
    let ingredient = insert_ingredient(app, &format!("{tag} flour"), false).await;
    let packaging = insert_ingredient(app, &format!("{tag} box"), true).await;
    let recipe = insert_recipe(app, &format!("{tag} cookies")).await;
    expect_accepted(
        app,
        &format!(
            "INSERT INTO finished_units (uuid, created_at, updated_at, slug, name, recipe_id, yield_mode, \
             items_per_batch, inventory_count, average_unit_cost) \
             VALUES ({}, {TS}, {TS}, '{tag}-cookie', '{tag} cookie', {recipe}, 'DISCRETE_COUNT', 24, 0, 0)",
            uid()
        ),
    )
    .await;
    let unit = number(
        app,
        &format!("SELECT id AS n FROM finished_units WHERE slug = '{tag}-cookie'"),
    )
    .await;
    let good = insert_good(app, &format!("{tag}-tin"), "GIFT_BOX").await;
    expect_accepted(
        app,
        &format!(
            "INSERT INTO packages (uuid, created_at, updated_at, name, is_template) \
             VALUES ({}, {TS}, {TS}, '{tag} hamper', FALSE)",
            uid()
        ),
    )
    .await;
    let package = number(
        app,
        &format!("SELECT id AS n FROM packages WHERE name = '{tag} hamper'"),
    )
    .await;
    expect_accepted(
        app,
        &format!(
            "INSERT INTO recipients (uuid, created_at, updated_at, name) VALUES ({}, {TS}, {TS}, '{tag} aunt')",
            uid()
        ),
    )
    .await;
    let recipient = number(
        app,
        &format!("SELECT id AS n FROM recipients WHERE name = '{tag} aunt'"),
    )
    .await;
    expect_accepted(
        app,
        &format!(
            "INSERT INTO events (uuid, created_at, updated_at, name, event_date, year) \
             VALUES ({}, {TS}, {TS}, '{tag} christmas', '2026-12-24', 2026)",
            uid()
        ),
    )
    .await;
    let event = number(
        app,
        &format!("SELECT id AS n FROM events WHERE name = '{tag} christmas'"),
    )
    .await;
    Fixture {
        ingredient,
        packaging,
        recipe,
        unit,
        good,
        package,
        recipient,
        event,
    }
}

async fn insert_ingredient(app: &TestApp, name: &str, packaging: bool) -> i64 {
    let key = name.replace(' ', "-");
    let flag = if packaging { "TRUE" } else { "FALSE" };
    expect_accepted(
        app,
        &format!(
            "INSERT INTO ingredients (uuid, created_at, updated_at, name, name_key, slug, category, unit, is_packaging) \
             VALUES ({}, {TS}, {TS}, '{name}', '{key}', '{key}', 'Misc', 'g', {flag})",
            uid()
        ),
    )
    .await;
    number(
        app,
        &format!("SELECT id AS n FROM ingredients WHERE slug = '{key}'"),
    )
    .await
}

async fn insert_recipe(app: &TestApp, name: &str) -> i64 {
    expect_accepted(
        app,
        &format!(
            "INSERT INTO recipes (uuid, created_at, updated_at, name, name_key, category, yield_quantity, yield_unit) \
             VALUES ({}, {TS}, {TS}, '{name}', '{name}', 'Cookies', 24000000, 'each')",
            uid()
        ),
    )
    .await;
    number(
        app,
        &format!("SELECT id AS n FROM recipes WHERE name_key = '{name}'"),
    )
    .await
}

async fn insert_good(app: &TestApp, slug: &str, assembly_type: &str) -> i64 {
    expect_accepted(
        app,
        &format!(
            "INSERT INTO finished_goods (uuid, created_at, updated_at, slug, name, assembly_type, inventory_count, average_unit_cost) \
             VALUES ({}, {TS}, {TS}, '{slug}', '{slug}', '{assembly_type}', 0, 0)",
            uid()
        ),
    )
    .await;
    number(
        app,
        &format!("SELECT id AS n FROM finished_goods WHERE slug = '{slug}'"),
    )
    .await
}

fn production_target(event: i64, recipe: i64, batches: &str) -> String {
    format!(
        "INSERT INTO event_production_targets (uuid, created_at, updated_at, event_id, recipe_id, target_batches) \
         VALUES ({}, {TS}, {TS}, {event}, {recipe}, {batches})",
        uid()
    )
}

fn assembly_target(event: i64, good: i64, quantity: &str) -> String {
    format!(
        "INSERT INTO event_assembly_targets (uuid, created_at, updated_at, event_id, finished_good_id, target_quantity) \
         VALUES ({}, {TS}, {TS}, {event}, {good}, {quantity})",
        uid()
    )
}

fn production_run(f: &Fixture, event: &str, num_batches: i64, actual_yield: i64) -> String {
    format!(
        "INSERT INTO production_runs (uuid, created_at, updated_at, recipe_id, finished_unit_id, event_id, \
         num_batches, expected_yield, actual_yield, produced_at, total_ingredient_cost, per_unit_cost) \
         VALUES ({}, {TS}, {TS}, {}, {}, {event}, {num_batches}, 24, {actual_yield}, {TS}, 0, 0)",
        uid(),
        f.recipe,
        f.unit
    )
}

fn assembly_run(good: i64, event: &str, quantity: i64) -> String {
    format!(
        "INSERT INTO assembly_runs (uuid, created_at, updated_at, finished_good_id, event_id, quantity, \
         assembled_at, total_component_cost, per_unit_cost) \
         VALUES ({}, {TS}, {TS}, {good}, {event}, {quantity}, {TS}, 0, 0)",
        uid()
    )
}

fn assignment(
    f: &Fixture,
    package: i64,
    quantity: i64,
    status: &str,
    delivered_to: &str,
) -> String {
    format!(
        "INSERT INTO event_recipient_packages (uuid, created_at, updated_at, event_id, recipient_id, package_id, \
         quantity, fulfillment_status, delivered_to) \
         VALUES ({}, {TS}, {TS}, {}, {}, {package}, {quantity}, '{status}', {delivered_to})",
        uid(),
        f.event,
        f.recipient
    )
}

fn lot(ingredient: i64, purchased: i64, remaining: i64) -> String {
    format!(
        "INSERT INTO inventory_lots (uuid, created_at, updated_at, ingredient_id, purchased_on, \
         quantity_purchased, quantity_remaining, unit_cost, total_cost) \
         VALUES ({}, {TS}, {TS}, {ingredient}, '2026-11-01', {purchased}, {remaining}, 0, 0)",
        uid()
    )
}

fn component(
    good: i64,
    unit: &str,
    component_good: &str,
    packaging: &str,
    quantity: i64,
) -> String {
    format!(
        "INSERT INTO finished_good_components (uuid, created_at, updated_at, finished_good_id, position, \
         finished_unit_id, component_good_id, packaging_ingredient_id, quantity) \
         VALUES ({}, {TS}, {TS}, {good}, 1, {unit}, {component_good}, {packaging}, {quantity})",
        uid()
    )
}

fn finished_unit(recipe: i64, slug: &str, mode: &str, items: &str, percentage: &str) -> String {
    format!(
        "INSERT INTO finished_units (uuid, created_at, updated_at, slug, name, recipe_id, yield_mode, \
         items_per_batch, batch_percentage, inventory_count, average_unit_cost) \
         VALUES ({}, {TS}, {TS}, '{slug}', '{slug}', {recipe}, '{mode}', {items}, {percentage}, 0, 0)",
        uid()
    )
}

/// Runs statements that the database must each refuse with `kind`.
async fn expect_all_rejected(app: &TestApp, kind: DatabaseErrorKind, statements: &[String]) {
    for sql in statements {
        expect_rejected(app, sql, kind).await;
    }
}

/// Rows in a table.
async fn count(app: &TestApp, table: &str, condition: &str) -> i64 {
    number(
        app,
        &format!("SELECT COUNT(*) AS n FROM {table} WHERE {condition}"),
    )
    .await
}

fn delete(table: &str, id: i64) -> String {
    format!("DELETE FROM {table} WHERE id = {id}")
}
