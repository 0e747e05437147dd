//! The database each test runs on: a migrated SQLite file in a temp dir, or a PostgreSQL
//! database cloned from a template migrated once per set of migrations. Both are removed
//! when the test ends, also when it panics.

use super::TestApp;
use bakeplan::db::{migrate, Backend};
use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use tokio::sync::OnceCell;

/// The PostgreSQL server tests use (never skipped: an unreachable server fails the test).
pub fn postgres_admin_url() -> String {
    std::env::var("BAKEPLAN_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

fn database_url(admin: &str, database: &str) -> String {
    let base = admin
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(admin);
    format!("{base}/{database}")
}

/// A hash of the PostgreSQL migrations, so a changed migration builds a new template.
fn migrations_fingerprint() -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("migrations/postgres");
    let mut entries: Vec<_> = walk(&dir);
    entries.sort();
    for path in entries {
        path.to_string_lossy().hash(&mut hasher);
        std::fs::read(&path)
            .expect("readable migration")
            .hash(&mut hasher);
    }
    format!("{:016x}", hasher.finish())
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("migrations folder") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

#[derive(QueryableByName)]
struct DatName {
    #[diesel(sql_type = Text)]
    datname: String,
}

static TEMPLATE: OnceCell<String> = OnceCell::const_new();

/// Creates (once per fingerprint, across processes) a migrated template database.
async fn postgres_template() -> String {
    TEMPLATE
        .get_or_init(|| async {
            let admin = postgres_admin_url();
            let name = format!("bakeplan_tmpl_{}", migrations_fingerprint());
            let mut conn = AsyncPgConnection::establish(&admin)
                .await
                .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is not reachable: {e}"));
            conn.batch_execute("SELECT pg_advisory_lock(727274)")
                .await
                .expect("advisory lock");
            let existing: Vec<DatName> =
                diesel::sql_query("SELECT datname FROM pg_database WHERE datname = $1")
                    .bind::<Text, _>(&name)
                    .load(&mut conn)
                    .await
                    .expect("list databases");
            if existing.is_empty() {
                let building = format!("{name}_building");
                conn.batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
                    .await
                    .expect("drop stale");
                conn.batch_execute(&format!("CREATE DATABASE {building}"))
                    .await
                    .expect("create template");
                migrate::run_pending(&database_url(&admin, &building))
                    .await
                    .expect("migrate template");
                conn.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .await
                    .expect("rename template");
                // Leftovers of crashed runs: test databases nobody is connected to.
                let stale: Vec<DatName> = diesel::sql_query(
                    "SELECT datname FROM pg_database d WHERE datname LIKE 'bakeplan_test_%' \
                     AND NOT EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.datname = d.datname)",
                )
                .load(&mut conn)
                .await
                .expect("list stale databases");
                for db in stale {
                    let _ = conn
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {}", db.datname))
                        .await;
                }
            }
            conn.batch_execute("SELECT pg_advisory_unlock(727274)")
                .await
                .expect("advisory unlock");
            name
        })
        .await
        .clone()
}

/// Where a test's database lives, so it can be removed afterwards.
pub(super) enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        name: String,
    },
    /// Made by the test itself; not removed by the harness.
    External,
}

impl TestDatabase {
    /// Creates and migrates a fresh database; returns its URL.
    pub(super) async fn create(backend: Backend) -> (String, TestDatabase) {
        match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().expect("temp dir");
                let url = dir.path().join("test.db").to_string_lossy().into_owned();
                migrate::run_pending(&url).await.expect("migrate sqlite");
                (url, TestDatabase::Sqlite(dir))
            }
            Backend::Postgres => {
                let template = postgres_template().await;
                let admin = postgres_admin_url();
                let name = format!("bakeplan_test_{}", uuid::Uuid::new_v4().simple());
                let mut conn = AsyncPgConnection::establish(&admin)
                    .await
                    .expect("PostgreSQL reachable");
                conn.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
                    .await
                    .expect("create test database");
                (database_url(&admin, &name), TestDatabase::Postgres { name })
            }
        }
    }

    /// Removes a PostgreSQL database now and fails the test if that fails (a SQLite temp
    /// dir goes with the value).
    pub(super) async fn remove(mut self) {
        if let TestDatabase::Postgres { name } = &mut self {
            let name = std::mem::take(name);
            let mut conn = AsyncPgConnection::establish(&postgres_admin_url())
                .await
                .expect("PostgreSQL reachable");
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("drop test database");
        }
    }
}

/// A test that panics before [`TestApp::finish`] still removes its PostgreSQL database: the
/// drop runs on a thread of its own (a runtime cannot be blocked on from inside another,
/// and this may run while a panic unwinds), and `WITH (FORCE)` ends the connections the
/// still-running server holds. Errors are ignored here; `finish` reports them.
impl Drop for TestDatabase {
    fn drop(&mut self) {
        let TestDatabase::Postgres { name } = self else {
            return;
        };
        if name.is_empty() {
            return;
        }
        let name = std::mem::take(name);
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the drop");
            runtime.block_on(async {
                if let Ok(mut conn) = AsyncPgConnection::establish(&postgres_admin_url()).await {
                    let _ = conn
                        .batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                        .await;
                }
            });
        });
        let _ = dropped.join();
    }
}

/// Whether a database of that name exists on the test PostgreSQL server.
async fn postgres_database_exists(name: &str) -> bool {
    let mut conn = AsyncPgConnection::establish(&postgres_admin_url())
        .await
        .expect("PostgreSQL reachable");
    #[derive(QueryableByName)]
    struct Found {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        count: i64,
    }
    let found: Found =
        diesel::sql_query("SELECT count(*) AS count FROM pg_database WHERE datname = $1")
            .bind::<Text, _>(name)
            .get_result(&mut conn)
            .await
            .expect("read pg_database");
    found.count == 1
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_test_that_panics_still_removes_its_postgres_database() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let name = app
        .db
        .url()
        .rsplit('/')
        .next()
        .expect("a database name")
        .to_string();
    assert!(postgres_database_exists(&name).await);
    let outcome = tokio::spawn(async move {
        let _app = app;
        panic!("a failing test, on purpose");
    })
    .await;
    assert!(outcome.is_err(), "the test body panicked");
    assert!(
        !postgres_database_exists(&name).await,
        "{name} was left behind"
    );
}
