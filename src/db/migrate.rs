//! Embedded migrations for both backends, and the "is the schema current" check.

use super::pool::{sqlite_path, Backend, Db, SQLITE_CONNECTION_PRAGMAS};
use crate::error::{AppError, AppResult};
use diesel::connection::SimpleConnection;
use diesel::migration::MigrationSource;
use diesel::{Connection, QueryableByName, SqliteConnection};
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl};
use diesel_migrations::{embed_migrations, EmbeddedMigrations, MigrationHarness};

/// PostgreSQL dialect of the migrations.
pub const POSTGRES: EmbeddedMigrations = embed_migrations!("migrations/postgres");
/// SQLite dialect of the same migrations (same names, same order).
pub const SQLITE: EmbeddedMigrations = embed_migrations!("migrations/sqlite");

fn internal(e: impl std::fmt::Display) -> AppError {
    AppError::Internal(format!("migration failed: {e}"))
}

/// Versions of the embedded migrations for a backend, in order.
pub fn embedded_versions(backend: Backend) -> Vec<String> {
    let source = match backend {
        Backend::Postgres => MigrationSource::<diesel::pg::Pg>::migrations(&POSTGRES),
        Backend::Sqlite => {
            return MigrationSource::<diesel::sqlite::Sqlite>::migrations(&SQLITE)
                .expect("embedded migrations are readable")
                .iter()
                .map(|m| m.name().version().to_string())
                .collect()
        }
    };
    source
        .expect("embedded migrations are readable")
        .iter()
        .map(|m| m.name().version().to_string())
        .collect()
}

/// Applies every pending migration on a dedicated connection; returns the versions applied.
///
/// Must run on a multi-threaded tokio runtime (the PostgreSQL harness blocks in place).
pub async fn run_pending(url: &str) -> AppResult<Vec<String>> {
    match Backend::from_url(url) {
        Backend::Postgres => {
            let conn = AsyncPgConnection::establish(url).await.map_err(internal)?;
            let mut harness = diesel_async::AsyncMigrationHarness::new(conn);
            // Serialize concurrent starters on the same database.
            let applied = tokio::task::block_in_place(|| {
                harness
                    .run_pending_migrations(POSTGRES)
                    .map(|versions| versions.iter().map(|v| v.to_string()).collect())
            });
            applied.map_err(internal)
        }
        Backend::Sqlite => {
            let path = sqlite_path(url).to_string();
            tokio::task::spawn_blocking(move || -> AppResult<Vec<String>> {
                let mut conn = SqliteConnection::establish(&path).map_err(internal)?;
                conn.batch_execute(SQLITE_CONNECTION_PRAGMAS)
                    .map_err(internal)?;
                let versions = conn.run_pending_migrations(SQLITE).map_err(internal)?;
                Ok(versions.iter().map(|v| v.to_string()).collect())
            })
            .await
            .map_err(internal)?
        }
    }
}

#[derive(QueryableByName)]
struct AppliedVersion {
    #[diesel(sql_type = diesel::sql_types::Text)]
    version: String,
}

/// Migrations embedded in this binary that the database has not applied yet.
/// An error means the database cannot be reached or was never migrated.
pub async fn pending_versions(db: &Db) -> AppResult<Vec<String>> {
    let query = diesel::sql_query("SELECT version FROM __diesel_schema_migrations");
    let applied: Vec<AppliedVersion> =
        crate::db_run!(db, |conn| query.load(conn).await.map_err(AppError::from))?;
    Ok(embedded_versions(db.backend())
        .into_iter()
        .filter(|v| !applied.iter().any(|a| &a.version == v))
        .collect())
}
