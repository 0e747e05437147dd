//! Dumps of every application table, so a test can prove that a refused request wrote
//! nothing.

use super::TestApp;
use bakeplan::db::{Backend, Db};
use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::RunQueryDsl;

#[derive(QueryableByName)]
struct OneText {
    #[diesel(sql_type = Text)]
    value: String,
}

impl TestApp {
    /// Every row of every application table, as one text per table, in primary-key order.
    /// Tests take it before and after a refused request to prove nothing was written.
    /// `data_version` is left out: it is bookkeeping every write transaction raises, even
    /// one that finds nothing to change (see `response_cache.rs` for the tests of it).
    pub async fn snapshot(&self) -> Vec<(String, String)> {
        let db = &self.db;
        let tables_sql = match self.backend {
            Backend::Sqlite => {
                "SELECT name AS value FROM sqlite_master WHERE type = 'table' \
                 AND name NOT LIKE 'sqlite_%' AND name NOT IN ('__diesel_schema_migrations', 'data_version') ORDER BY name"
            }
            Backend::Postgres => {
                "SELECT table_name::text AS value FROM information_schema.tables \
                 WHERE table_schema = 'public' AND table_type = 'BASE TABLE' \
                 AND table_name NOT IN ('__diesel_schema_migrations', 'data_version') ORDER BY table_name"
            }
        };
        let tables = query_texts(db, tables_sql.to_string())
            .await
            .expect("list tables");
        let mut out = Vec::new();
        for table in tables {
            let sql = match self.backend {
                Backend::Sqlite => {
                    let columns = query_texts(
                        db,
                        format!("SELECT name AS value FROM pragma_table_info('{table}') ORDER BY cid"),
                    )
                    .await
                    .expect("list columns");
                    let list = columns
                        .iter()
                        .map(|c| format!("\"{c}\""))
                        .collect::<Vec<_>>()
                        .join(", ");
                    format!(
                        "SELECT COALESCE(json_group_array(json(r)), '[]') AS value FROM \
                         (SELECT json_array({list}) AS r FROM \"{table}\" ORDER BY {list})"
                    )
                }
                Backend::Postgres => format!(
                    "SELECT COALESCE(json_agg(t ORDER BY t)::text, '[]') AS value FROM \"{table}\" t"
                ),
            };
            let rows = query_texts(db, sql)
                .await
                .unwrap_or_else(|e| panic!("dump {table}: {e}"));
            out.push((table, rows.into_iter().next().unwrap_or_default()));
        }
        out
    }

    /// Asserts that the database holds exactly what `before` (a [`TestApp::snapshot`]) held.
    pub async fn assert_unchanged(&self, before: &[(String, String)], what: &str) {
        let after = self.snapshot().await;
        for ((table, rows_before), (_, rows_after)) in before.iter().zip(after.iter()) {
            assert_eq!(
                rows_before, rows_after,
                "{what}: table {table} changed on {:?}",
                self.backend
            );
        }
        assert_eq!(before.len(), after.len(), "{what}: tables changed");
    }
}

/// Runs a query whose rows have one text column named `value`.
async fn query_texts(db: &Db, sql: String) -> bakeplan::error::AppResult<Vec<String>> {
    let rows: Vec<OneText> =
        bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(&sql).load(conn).await?))?;
    Ok(rows.into_iter().map(|r| r.value).collect())
}
