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

async fn load_columns(db: &Db, sql: &str) -> AppResult<Vec<ColumnInfo>> {
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

db_test!(targets_must_be_positive_and_unique_per_event, |app| {
    let f = fixture(&app, "t").await;
    let other_recipe = insert_recipe(&app, "t brownies").await;
    let other_good = insert_good(&app, "t-crate", "BULK_PACK").await;
    let (event, recipe, good) = (f.event, f.recipe, f.good);

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            production_target(event, recipe, "0"),
            production_target(event, recipe, "-1"),
            assembly_target(event, good, "0"),
            assembly_target(event, good, "-1"),
        ],
    )
    .await;
    expect_all_rejected(
        &app,
        NotNullViolation,
        &[
            production_target(event, recipe, "NULL"),
            assembly_target(event, good, "NULL"),
        ],
    )
    .await;
    assert_eq!(
        expect_accepted(&app, &production_target(event, recipe, "1")).await,
        1
    );
    assert_eq!(
        expect_accepted(&app, &assembly_target(event, good, "1")).await,
        1
    );

    // One target per (event, recipe) and per (event, finished good) ...
    expect_all_rejected(
        &app,
        UniqueViolation,
        &[
            production_target(event, recipe, "2"),
            assembly_target(event, good, "2"),
        ],
    )
    .await;
    // ... while another recipe or good for the same event is fine.
    expect_accepted(&app, &production_target(event, other_recipe, "3")).await;
    expect_accepted(&app, &assembly_target(event, other_good, "3")).await;

    // Changing a target to zero or less is refused like inserting one.
    expect_all_rejected(&app, CheckViolation, &[
        format!("UPDATE event_production_targets SET target_batches = 0 WHERE recipe_id = {recipe}"),
        format!("UPDATE event_assembly_targets SET target_quantity = -1 WHERE finished_good_id = {good}"),
    ])
    .await;
    // Targets point at rows that exist.
    expect_all_rejected(
        &app,
        ForeignKeyViolation,
        &[
            production_target(event, 999_999, "1"),
            assembly_target(999_999, good, "1"),
        ],
    )
    .await;
    assert_eq!(
        count(&app, "event_production_targets", "target_batches > 0").await,
        2
    );
    assert_eq!(
        count(&app, "event_assembly_targets", "target_quantity > 0").await,
        2
    );
});

db_test!(runs_need_positive_counts_and_may_stand_alone, |app| {
    let f = fixture(&app, "r").await;
    let event = f.event.to_string();

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            production_run(&f, &event, 0, 24),
            production_run(&f, &event, -2, 24),
            production_run(&f, &event, 1, -1),
            assembly_run(f.good, &event, 0),
            assembly_run(f.good, &event, -1),
        ],
    )
    .await;
    expect_all_rejected(
        &app,
        ForeignKeyViolation,
        &[
            production_run(&f, "999999", 1, 24),
            assembly_run(999_999, &event, 1),
        ],
    )
    .await;
    expect_accepted(&app, &production_run(&f, &event, 1, 0)).await;
    expect_accepted(&app, &assembly_run(f.good, &event, 1)).await;
    // A standalone run is attributed to no event.
    expect_accepted(&app, &production_run(&f, "NULL", 2, 48)).await;
    expect_accepted(&app, &assembly_run(f.good, "NULL", 3)).await;
    assert_eq!(count(&app, "production_runs", "event_id IS NULL").await, 1);
    assert_eq!(count(&app, "assembly_runs", "event_id IS NULL").await, 1);
    assert_eq!(
        count(&app, "production_runs", &format!("event_id = {event}")).await,
        1
    );
    assert_eq!(
        count(&app, "assembly_runs", &format!("event_id = {event}")).await,
        1
    );

    // An assembly consumption's kind is one of the component kinds and reads back unchanged.
    let run = number(
        &app,
        &format!("SELECT id AS n FROM assembly_runs WHERE event_id = {event}"),
    )
    .await;
    let consumption = |kind: &str, quantity: i64| {
        format!(
            "INSERT INTO assembly_consumptions (uuid, created_at, updated_at, assembly_run_id, kind, \
             component_name, quantity, unit, unit_cost, cost) \
             VALUES ({}, {TS}, {TS}, {run}, '{kind}', '{kind} part', {quantity}, 'each', 0, 0)",
            uid()
        )
    };
    expect_all_rejected(
        &app,
        CheckViolation,
        &[consumption("RIBBON", 1), consumption("PACKAGING", 0)],
    )
    .await;
    for kind in ComponentKind::ALL {
        expect_accepted(&app, &consumption(kind.as_str(), 1_000_000)).await;
        let stored = word(
            &app,
            &format!(
                "SELECT kind AS s FROM assembly_consumptions WHERE component_name = '{kind} part'"
            ),
        )
        .await;
        assert_eq!(stored.parse::<ComponentKind>(), Ok(*kind));
    }
    // Consumptions go with their run.
    assert_eq!(
        expect_accepted(&app, &delete("assembly_runs", run)).await,
        1
    );
    assert_eq!(count(&app, "assembly_consumptions", "1 = 1").await, 0);
});

db_test!(inventory_quantities_are_never_negative, |app| {
    let f = fixture(&app, "i").await;

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            lot(f.ingredient, 1_000_000, -1),
            lot(f.ingredient, 0, 0),
            lot(f.ingredient, -5, 0),
        ],
    )
    .await;
    expect_accepted(&app, &lot(f.ingredient, 1_000_000, 0)).await;
    let lot_id = number(&app, "SELECT id AS n FROM inventory_lots").await;
    expect_rejected(
        &app,
        &format!("UPDATE inventory_lots SET quantity_remaining = -1 WHERE id = {lot_id}"),
        CheckViolation,
    )
    .await;

    let adjustment = |before: i64, after: i64, reason: &str| {
        format!(
            "INSERT INTO inventory_adjustments (uuid, created_at, updated_at, lot_id, quantity_before, quantity_after, reason) \
             VALUES ({}, {TS}, {TS}, {lot_id}, {before}, {after}, {reason})",
            uid()
        )
    };
    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            adjustment(-1, 0, "'spilled'"),
            adjustment(0, -1, "'spilled'"),
            adjustment(1, 0, "''"),
        ],
    )
    .await;
    expect_rejected(&app, &adjustment(1, 0, "NULL"), NotNullViolation).await;
    expect_accepted(&app, &adjustment(0, 0, "'recount'")).await;
    expect_accepted(&app, &adjustment(1_000_000, 0, "'spilled'")).await;
    assert_eq!(
        count(&app, "inventory_adjustments", &format!("lot_id = {lot_id}")).await,
        2
    );
});

db_test!(assignments_hold_their_status_rules, |app| {
    let f = fixture(&app, "a").await;
    let p = f.package;

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            assignment(&f, p, 1, "SHIPPED", "NULL"),
            assignment(&f, p, 1, "pending", "NULL"),
            assignment(&f, p, 0, "PENDING", "NULL"),
            assignment(&f, p, 1, "PENDING", "'left with neighbour'"),
            assignment(&f, p, 1, "READY", "'left with neighbour'"),
        ],
    )
    .await;

    // Every status is accepted and reads back unchanged (each on its own package: one
    // assignment per event, recipient and package).
    for (i, status) in FulfillmentStatus::ALL.iter().enumerate() {
        let name = format!("a box {i}");
        expect_accepted(
            &app,
            &format!(
                "INSERT INTO packages (uuid, created_at, updated_at, name, is_template) \
                 VALUES ({}, {TS}, {TS}, '{name}', TRUE)",
                uid()
            ),
        )
        .await;
        let package = number(
            &app,
            &format!("SELECT id AS n FROM packages WHERE name = '{name}'"),
        )
        .await;
        let delivered_to = match status {
            FulfillmentStatus::Delivered => "'porch'",
            _ => "NULL",
        };
        expect_accepted(
            &app,
            &assignment(&f, package, 1, status.as_str(), delivered_to),
        )
        .await;
        let stored = word(
            &app,
            &format!("SELECT fulfillment_status AS s FROM event_recipient_packages WHERE package_id = {package}"),
        )
        .await;
        assert_eq!(stored, status.as_str());
        assert_eq!(stored.parse::<FulfillmentStatus>(), Ok(*status));
    }
    assert_eq!(FulfillmentStatus::ALL.len(), 3);

    // One assignment per (event, recipient, package).
    expect_accepted(&app, &assignment(&f, p, 2, "PENDING", "NULL")).await;
    expect_rejected(
        &app,
        &assignment(&f, p, 1, "PENDING", "NULL"),
        UniqueViolation,
    )
    .await;

    // A status outside the vocabulary, or a recipient named before delivery, is refused.
    let update =
        |set: &str| format!("UPDATE event_recipient_packages SET {set} WHERE package_id = {p}");
    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            update("fulfillment_status = 'LOST'"),
            update("delivered_to = 'door'"),
            update("quantity = 0"),
        ],
    )
    .await;
    expect_rejected(&app, &update("fulfillment_status = NULL"), NotNullViolation).await;
    let delivered = update("fulfillment_status = 'DELIVERED', delivered_to = 'door'");
    assert_eq!(expect_accepted(&app, &delivered).await, 1);

    // An author is stamped with the time of the step: never without it.
    expect_all_rejected(
        &app,
        CheckViolation,
        &[update("ready_by = 'erin'"), update("delivered_by = 'finn'")],
    )
    .await;
    let stamped = update(&format!(
        "ready_at = {TS}, ready_by = 'erin', delivered_at = {TS}, delivered_by = 'finn'"
    ));
    assert_eq!(expect_accepted(&app, &stamped).await, 1);
    assert_eq!(
        word(
            &app,
            &format!("SELECT ready_by || '/' || delivered_by AS s FROM event_recipient_packages WHERE package_id = {p}"),
        )
        .await,
        "erin/finn"
    );
    expect_all_rejected(
        &app,
        CheckViolation,
        &[update("ready_at = NULL"), update("delivered_at = NULL")],
    )
    .await;
});

db_test!(finished_units_and_goods_hold_their_shape, |app| {
    let f = fixture(&app, "g").await;
    let r = f.recipe;

    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            finished_unit(r, "u1", "OTHER", "12", "NULL"),
            // DISCRETE_COUNT needs items_per_batch (> 0) and no batch_percentage.
            finished_unit(r, "u2", "DISCRETE_COUNT", "NULL", "NULL"),
            finished_unit(r, "u3", "DISCRETE_COUNT", "0", "NULL"),
            finished_unit(r, "u4", "DISCRETE_COUNT", "12", "50000000"),
            // BATCH_PORTION needs 0 < batch_percentage <= 100 (scaled 1e-6) and no items_per_batch.
            finished_unit(r, "u5", "BATCH_PORTION", "NULL", "100000001"),
            finished_unit(r, "u6", "BATCH_PORTION", "NULL", "0"),
            finished_unit(r, "u7", "BATCH_PORTION", "NULL", "NULL"),
            finished_unit(r, "u8", "BATCH_PORTION", "4", "25000000"),
        ],
    )
    .await;
    expect_rejected(
        &app,
        &finished_unit(999_999, "u9", "DISCRETE_COUNT", "12", "NULL"),
        ForeignKeyViolation,
    )
    .await;
    // A whole batch as one piece is the upper bound.
    expect_accepted(
        &app,
        &finished_unit(r, "cake", "BATCH_PORTION", "NULL", "100000000"),
    )
    .await;
    expect_accepted(
        &app,
        &finished_unit(r, "bar", "DISCRETE_COUNT", "12", "NULL"),
    )
    .await;
    for (slug, mode) in [
        ("cake", YieldMode::BatchPortion),
        ("bar", YieldMode::DiscreteCount),
    ] {
        let stored = word(
            &app,
            &format!("SELECT yield_mode AS s FROM finished_units WHERE slug = '{slug}'"),
        )
        .await;
        assert_eq!(stored.parse::<YieldMode>(), Ok(mode));
    }
    assert_eq!(YieldMode::ALL.len(), 2);

    expect_rejected(
        &app,
        &format!(
            "INSERT INTO finished_goods (uuid, created_at, updated_at, slug, name, assembly_type, \
             inventory_count, average_unit_cost) VALUES ({}, {TS}, {TS}, 'odd', 'odd', 'HAMPER', 0, 0)",
            uid()
        ),
        CheckViolation,
    )
    .await;
    for (i, kind) in AssemblyType::ALL.iter().enumerate() {
        let good = insert_good(&app, &format!("kind-{i}"), kind.as_str()).await;
        let stored = word(
            &app,
            &format!("SELECT assembly_type AS s FROM finished_goods WHERE id = {good}"),
        )
        .await;
        assert_eq!(stored, kind.as_str());
        assert_eq!(stored.parse::<AssemblyType>(), Ok(*kind));
    }

    let good = f.good;
    let itself = good.to_string();
    let unit = f.unit.to_string();
    let packaging = f.packaging.to_string();
    let other = insert_good(&app, "g-sampler", "VARIETY_PACK")
        .await
        .to_string();
    expect_all_rejected(
        &app,
        CheckViolation,
        &[
            // Exactly one of finished unit, finished good, packaging.
            component(good, "NULL", "NULL", "NULL", 1_000_000),
            component(good, &unit, &other, "NULL", 1_000_000),
            component(good, &unit, "NULL", &packaging, 1_000_000),
            // Finished units and goods come in whole numbers (scaled 1e-6), and never zero.
            component(good, &unit, "NULL", "NULL", 1_500_000),
            component(good, "NULL", &other, "NULL", 500_000),
            component(good, &unit, "NULL", "NULL", 0),
            // A good cannot contain itself.
            component(good, "NULL", &itself, "NULL", 1_000_000),
        ],
    )
    .await;
    expect_accepted(&app, &component(good, &unit, "NULL", "NULL", 2_000_000)).await;
    expect_accepted(&app, &component(good, "NULL", &other, "NULL", 1_000_000)).await;
    // Packaging may be fractional.
    expect_accepted(
        &app,
        &component(good, "NULL", "NULL", &packaging, 1_500_000),
    )
    .await;
    assert_eq!(
        count(
            &app,
            "finished_good_components",
            &format!("finished_good_id = {good}")
        )
        .await,
        3
    );
});

db_test!(deleting_an_event_follows_spec_1_7, |app| {
    // Only targets: the event goes and takes its targets with it.
    let f = fixture(&app, "e").await;
    expect_accepted(&app, &production_target(f.event, f.recipe, "2")).await;
    expect_accepted(&app, &assembly_target(f.event, f.good, "4")).await;
    assert_eq!(expect_accepted(&app, &delete("events", f.event)).await, 1);
    assert_eq!(count(&app, "events", &format!("id = {}", f.event)).await, 0);
    assert_eq!(count(&app, "event_production_targets", "1 = 1").await, 0);
    assert_eq!(count(&app, "event_assembly_targets", "1 = 1").await, 0);

    // A production run attributed to the event blocks its deletion, and the targets stay.
    let f = fixture(&app, "p").await;
    expect_accepted(&app, &production_target(f.event, f.recipe, "2")).await;
    expect_accepted(&app, &production_run(&f, &f.event.to_string(), 1, 24)).await;
    expect_rejected(&app, &delete("events", f.event), ForeignKeyViolation).await;
    assert_eq!(count(&app, "event_production_targets", "1 = 1").await, 1);
    // Once the run is standalone, the delete goes through.
    expect_accepted(&app, "UPDATE production_runs SET event_id = NULL").await;
    assert_eq!(expect_accepted(&app, &delete("events", f.event)).await, 1);
    assert_eq!(count(&app, "event_production_targets", "1 = 1").await, 0);
    assert_eq!(count(&app, "production_runs", "1 = 1").await, 1);

    // An assembly run attributed to the event blocks it as well.
    let f = fixture(&app, "q").await;
    expect_accepted(&app, &assembly_run(f.good, &f.event.to_string(), 1)).await;
    expect_rejected(&app, &delete("events", f.event), ForeignKeyViolation).await;
    expect_accepted(&app, "DELETE FROM assembly_runs").await;
    // Assignments never go with their event implicitly.
    expect_accepted(&app, &assignment(&f, f.package, 1, "PENDING", "NULL")).await;
    expect_rejected(&app, &delete("events", f.event), ForeignKeyViolation).await;
    expect_accepted(&app, "DELETE FROM event_recipient_packages").await;
    assert_eq!(expect_accepted(&app, &delete("events", f.event)).await, 1);
});

db_test!(deleting_catalog_rows_follows_spec_1_7, |app| {
    let f = fixture(&app, "c").await;

    // A recipe with a production target is kept.
    let shortbread = insert_recipe(&app, "c shortbread").await;
    expect_accepted(&app, &production_target(f.event, shortbread, "1")).await;
    expect_rejected(&app, &delete("recipes", shortbread), ForeignKeyViolation).await;

    // A recipe used as a component of another is kept.
    let icing = insert_recipe(&app, "c icing").await;
    let uses = |parent: i64, part: i64| {
        format!(
            "INSERT INTO recipe_components (uuid, created_at, updated_at, recipe_id, component_recipe_id, position, quantity) \
             VALUES ({}, {TS}, {TS}, {parent}, {part}, 1, 1000000)",
            uid()
        )
    };
    expect_accepted(&app, &uses(f.recipe, icing)).await;
    expect_rejected(&app, &delete("recipes", icing), ForeignKeyViolation).await;
    // A recipe with a finished unit is kept.
    expect_rejected(&app, &delete("recipes", f.recipe), ForeignKeyViolation).await;

    // A finished good with an assembly target, or in a package, is kept.
    let basket = insert_good(&app, "c-basket", "HOLIDAY_SET").await;
    expect_accepted(&app, &assembly_target(f.event, basket, "2")).await;
    expect_rejected(&app, &delete("finished_goods", basket), ForeignKeyViolation).await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO package_items (uuid, created_at, updated_at, package_id, finished_good_id, quantity) \
             VALUES ({}, {TS}, {TS}, {}, {}, 1)",
            uid(),
            f.package,
            f.good
        ),
    )
    .await;
    expect_rejected(&app, &delete("finished_goods", f.good), ForeignKeyViolation).await;

    // A finished good inside another, or with an assembly run, is kept.
    let sampler = insert_good(&app, "c-sampler", "VARIETY_PACK").await;
    expect_accepted(
        &app,
        &component(basket, "NULL", &sampler.to_string(), "NULL", 1_000_000),
    )
    .await;
    expect_rejected(
        &app,
        &delete("finished_goods", sampler),
        ForeignKeyViolation,
    )
    .await;
    let tin = insert_good(&app, "c-tin2", "GIFT_BOX").await;
    expect_accepted(&app, &assembly_run(tin, "NULL", 1)).await;
    expect_rejected(&app, &delete("finished_goods", tin), ForeignKeyViolation).await;

    // A finished unit inside a finished good is kept.
    expect_accepted(
        &app,
        &component(basket, &f.unit.to_string(), "NULL", "NULL", 1_000_000),
    )
    .await;
    expect_rejected(&app, &delete("finished_units", f.unit), ForeignKeyViolation).await;

    // A package or recipient with an assignment is kept.
    expect_accepted(&app, &assignment(&f, f.package, 1, "PENDING", "NULL")).await;
    expect_rejected(&app, &delete("packages", f.package), ForeignKeyViolation).await;
    expect_rejected(
        &app,
        &delete("recipients", f.recipient),
        ForeignKeyViolation,
    )
    .await;

    // A recipe's lines go with it, and so do its own component lines; the ingredient on a
    // line is kept.
    let fudge = insert_recipe(&app, "c fudge").await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO recipe_ingredients (uuid, created_at, updated_at, recipe_id, ingredient_id, position, quantity, unit) \
             VALUES ({}, {TS}, {TS}, {fudge}, {}, 1, 250000000, 'g')",
            uid(),
            f.ingredient
        ),
    )
    .await;
    expect_accepted(&app, &uses(fudge, icing)).await;
    expect_rejected(
        &app,
        &delete("ingredients", f.ingredient),
        ForeignKeyViolation,
    )
    .await;
    assert_eq!(
        count(&app, "recipe_ingredients", &format!("recipe_id = {fudge}")).await,
        1
    );
    assert_eq!(
        count(&app, "recipe_components", &format!("recipe_id = {fudge}")).await,
        1
    );
    assert_eq!(expect_accepted(&app, &delete("recipes", fudge)).await, 1);
    assert_eq!(count(&app, "recipe_ingredients", "1 = 1").await, 0);
    assert_eq!(count(&app, "recipe_components", "1 = 1").await, 1);

    // Products, lots and their adjustments go with their ingredient.
    let sugar = insert_ingredient(&app, "c sugar", false).await;
    let product = |ingredient: i64, brand: &str| {
        format!(
            "INSERT INTO products (uuid, created_at, updated_at, ingredient_id, brand, package_quantity, package_unit, preferred) \
             VALUES ({}, {TS}, {TS}, {ingredient}, '{brand}', 1000000000, 'g', TRUE)",
            uid()
        )
    };
    expect_accepted(&app, &product(sugar, "Domino")).await;
    expect_accepted(&app, &lot(sugar, 1_000_000_000, 0)).await;
    let lot_id = number(
        &app,
        &format!("SELECT id AS n FROM inventory_lots WHERE ingredient_id = {sugar}"),
    )
    .await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO inventory_adjustments (uuid, created_at, updated_at, lot_id, quantity_before, quantity_after, reason) \
             VALUES ({}, {TS}, {TS}, {lot_id}, 1000000000, 0, 'used up')",
            uid()
        ),
    )
    .await;
    assert_eq!(
        expect_accepted(&app, &delete("ingredients", sugar)).await,
        1
    );
    assert_eq!(count(&app, "products", "1 = 1").await, 0);
    assert_eq!(count(&app, "inventory_lots", "1 = 1").await, 0);
    assert_eq!(count(&app, "inventory_adjustments", "1 = 1").await, 0);

    // Deleting a product keeps its lots, which only lose the link.
    let butter = insert_ingredient(&app, "c butter", false).await;
    expect_accepted(&app, &product(butter, "Kerrygold")).await;
    let brand = number(
        &app,
        &format!("SELECT id AS n FROM products WHERE ingredient_id = {butter}"),
    )
    .await;
    expect_accepted(
        &app,
        &format!(
            "INSERT INTO inventory_lots (uuid, created_at, updated_at, ingredient_id, product_id, purchased_on, \
             quantity_purchased, quantity_remaining, unit_cost, total_cost) \
             VALUES ({}, {TS}, {TS}, {butter}, {brand}, '2026-11-01', 227000000, 227000000, 0, 0)",
            uid()
        ),
    )
    .await;
    assert_eq!(expect_accepted(&app, &delete("products", brand)).await, 1);
    assert_eq!(count(&app, "inventory_lots", "product_id IS NULL").await, 1);
});

/// Migration directory names under `migrations/<dialect>`, sorted.
fn migration_names(dialect: &str) -> Vec<String> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(dialect);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("dir entry"))
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in &names {
        for file in ["up.sql", "down.sql"] {
            let path = dir.join(name).join(file);
            assert!(path.is_file(), "{} is missing", path.display());
        }
    }
    names
}

#[test]
fn migration_folders_hold_the_same_migrations() {
    let postgres = migration_names("postgres");
    let sqlite = migration_names("sqlite");
    assert!(!postgres.is_empty(), "no PostgreSQL migrations found");
    assert_eq!(
        postgres, sqlite,
        "migrations/postgres and migrations/sqlite differ"
    );
    assert_eq!(
        migrate::embedded_versions(Backend::Postgres),
        migrate::embedded_versions(Backend::Sqlite),
        "the embedded migrations differ"
    );
}

#[derive(QueryableByName)]
struct ColumnInfo {
    #[diesel(sql_type = Text)]
    table_name: String,
    #[diesel(sql_type = Text)]
    column_name: String,
    #[diesel(sql_type = Bool)]
    not_null: bool,
}

/// Table → column → NOT NULL, as the migrated database reports it.
type Shape = BTreeMap<String, BTreeMap<String, bool>>;

async fn schema_shape(app: &TestApp) -> Shape {
    let sql = match app.backend {
        // `INTEGER PRIMARY KEY` is SQLite's rowid: it can never hold NULL, but pragma_table_info
        // only reports an explicit NOT NULL, so a primary-key column counts as NOT NULL.
        Backend::Sqlite => {
            "SELECT m.name AS table_name, p.name AS column_name, (p.\"notnull\" <> 0 OR p.pk > 0) AS not_null \
             FROM sqlite_master m JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT IN ('__diesel_schema_migrations', 'sqlite_sequence')"
        }
        Backend::Postgres => {
            "SELECT CAST(table_name AS TEXT) AS table_name, CAST(column_name AS TEXT) AS column_name, \
             is_nullable = 'NO' AS not_null \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '__diesel_schema_migrations'"
        }
    };
    let rows = load_columns(&app.db, sql)
        .await
        .unwrap_or_else(|e| panic!("[{}] reading the schema: {e}", app.backend.name()));
    let mut shape = Shape::new();
    for row in rows {
        shape
            .entry(row.table_name)
            .or_default()
            .insert(row.column_name, row.not_null);
    }
    shape
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn both_migrations_build_the_same_tables_and_columns() {
    let sqlite = TestApp::spawn(Backend::Sqlite).await;
    let postgres = TestApp::spawn(Backend::Postgres).await;
    let sqlite_shape = schema_shape(&sqlite).await;
    let postgres_shape = schema_shape(&postgres).await;
    sqlite.finish().await;
    postgres.finish().await;

    assert!(
        postgres_shape.contains_key("event_production_targets"),
        "the schema query found no tables: {postgres_shape:?}"
    );
    let tables = |shape: &Shape| shape.keys().cloned().collect::<Vec<_>>();
    assert_eq!(
        tables(&sqlite_shape),
        tables(&postgres_shape),
        "the tables differ"
    );
    for (table, columns) in &postgres_shape {
        assert_eq!(
            &sqlite_shape[table], columns,
            "table {table}: columns or NOT NULL flags differ (left SQLite, right PostgreSQL)"
        );
    }
}
