//! `bakeplan demo`: a small, realistic data set (`demo.json`, an export shipped with the
//! binary) loaded through the import, so the demo is also a test of the import path.

use super::{import, parse, Counts, ImportMode};
use crate::db::Db;
use crate::error::{AppError, AppResult};
use diesel::sql_types::BigInt;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

/// The demo document.
pub const DEMO_JSON: &str = include_str!("demo.json");

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    count: i64,
}

/// Rows in the tables a user fills (for the emptiness check).
pub async fn rows_in_use(db: &Db) -> AppResult<i64> {
    let sql = "SELECT CAST((SELECT COUNT(*) FROM ingredients) + (SELECT COUNT(*) FROM recipes) \
               + (SELECT COUNT(*) FROM finished_goods) + (SELECT COUNT(*) FROM packages) \
               + (SELECT COUNT(*) FROM recipients) + (SELECT COUNT(*) FROM events) AS BIGINT) AS count";
    let found: Count = crate::db_run!(db, |conn| diesel::sql_query(sql)
        .get_result(conn)
        .await
        .map_err(AppError::from))?;
    Ok(found.count)
}

/// Loads the demo data. Refuses a database that already has data unless `force`, which
/// replaces everything in it.
pub async fn load(db: &Db, force: bool) -> AppResult<Counts> {
    let document = parse(DEMO_JSON)?;
    if !force && rows_in_use(db).await? > 0 {
        return Err(AppError::bad_input(
            "this database already has data; the demo replaces everything in it, so run `bakeplan demo --force` to do that anyway",
        ));
    }
    let mode = if force {
        ImportMode::Replace
    } else {
        ImportMode::Merge
    };
    import(db, &document, mode).await
}
