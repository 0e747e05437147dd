//! The two migration folders hold the same migrations and build the same tables.

use super::*;

async fn load_columns(db: &Db, sql: &str) -> AppResult<Vec<ColumnInfo>> {
    bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(sql).load(conn).await?))
}

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
