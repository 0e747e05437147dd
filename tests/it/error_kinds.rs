//! Every kind of database failure a caller can cause becomes the same typed [`AppError`] on
//! SQLite and on PostgreSQL, through bakeplan's one conversion of diesel errors: each test
//! provokes the failure for real (a statement the schema refuses, a missing row) through the
//! store or `db_run!`, and asserts the variant, never the backend's own wording.

use crate::db_test;
use bakeplan::db::Db;
use bakeplan::domain::entity::Entity;
use bakeplan::error::{AppError, AppResult};
use bakeplan::store::ingredients::{self, NewIngredient};
use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

const TS: &str = "'2026-11-01 00:00:00'";

/// Runs one statement through `db_run!`, so a failure takes the path every store step's
/// `?` takes.
async fn run(db: &Db, sql: &str) -> AppResult<usize> {
    bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(sql).execute(conn).await?))
}

#[derive(QueryableByName)]
struct Number {
    #[diesel(sql_type = BigInt)]
    #[allow(dead_code)]
    n: i64,
}

/// Loads exactly one row, as `get_result` does; no row is diesel's `NotFound`.
async fn one_number(db: &Db, sql: &str) -> AppResult<i64> {
    bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(sql)
        .get_result::<Number>(conn)
        .await?
        .n))
}

/// A product row of `ingredient`; `gtin`, `brand` and `package_quantity` are spliced in as
/// SQL so each test can break exactly one rule.
fn product(ingredient: i64, uuid: &str, gtin: &str, brand: &str, package_quantity: &str) -> String {
    format!(
        "INSERT INTO products (uuid, created_at, updated_at, ingredient_id, brand, package_quantity, \
         package_unit, preferred, gtin) \
         VALUES ('{uuid}', {TS}, {TS}, {ingredient}, {brand}, {package_quantity}, 'g', FALSE, {gtin})"
    )
}

/// An ingredient made through the store, as the API makes one.
async fn flour(db: &Db) -> i64 {
    ingredients::create(
        db,
        NewIngredient {
            name: "Flour".into(),
            category: "Dry".into(),
            unit: "g".parse().expect("a known unit"),
            is_packaging: false,
            density: None,
            notes: None,
        },
    )
    .await
    .expect("the ingredient is created")
    .id
}

db_test!(unique_violations_are_duplicates, |app| {
    let id = flour(&app.db).await;
    run(
        &app.db,
        &product(id, "p-1", "'4006381333931'", "'Acme'", "1000"),
    )
    .await
    .expect("the first product is stored");
    let error = run(
        &app.db,
        &product(id, "p-2", "'4006381333931'", "'Acme'", "1000"),
    )
    .await
    .unwrap_err();
    assert!(
        matches!(&error, AppError::Duplicate { .. }),
        "[{}] {error:?}",
        app.backend.name()
    );
    assert!(error
        .to_string()
        .starts_with("a row with the same unique value already exists ("));
});

db_test!(foreign_key_violations_are_restricted_references, |app| {
    let error = run(&app.db, &product(999_999, "p-1", "NULL", "'Acme'", "1000"))
        .await
        .unwrap_err();
    assert!(
        matches!(&error, AppError::DeleteRestricted { entity: "row", references, .. }
            if references.len() == 1 && references[0].kind.starts_with("other rows (")),
        "[{}] {error:?}",
        app.backend.name()
    );
});

db_test!(check_and_not_null_violations_are_bad_input, |app| {
    let id = flour(&app.db).await;
    // A package quantity of 0 breaks a CHECK; a NULL brand breaks NOT NULL.
    for (rule, brand, quantity) in [("check", "'Acme'", "0"), ("not null", "NULL", "1000")] {
        let error = run(&app.db, &product(id, "p-1", "NULL", brand, quantity))
            .await
            .unwrap_err();
        assert!(
            matches!(&error, AppError::BadInput(message)
                if message.starts_with("a value is out of its allowed range (")),
            "[{}] {rule}: {error:?}",
            app.backend.name()
        );
    }
});

db_test!(missing_rows_are_not_found_or_internal, |app| {
    // The store looks rows up by key and names the kind that is missing.
    let error = ingredients::delete(&app.db, 999_999).await.unwrap_err();
    assert!(
        matches!(&error, AppError::NotFound { entity: Entity::Ingredient, id } if id == "999999"),
        "[{}] {error:?}",
        app.backend.name()
    );
    // A row the code expected without looking it up by key is a bug, not the caller's doing.
    let error = one_number(&app.db, "SELECT id AS n FROM ingredients WHERE id = 999999")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, AppError::Database(diesel::result::Error::NotFound)),
        "[{}] {error:?}",
        app.backend.name()
    );
});

db_test!(other_database_errors_stay_internal, |app| {
    let error = run(&app.db, "SELECT no_such_column FROM ingredients")
        .await
        .unwrap_err();
    assert!(
        matches!(&error, AppError::Database(_)),
        "[{}] {error:?}",
        app.backend.name()
    );
});
