//! Test harness: each test gets its own database (a temp SQLite file, or a PostgreSQL
//! database cloned from a migrated template) and its own server on 127.0.0.1, driven over
//! real HTTP with GraphQL documents as a client would send them.

use bakeplan::auth::AuthMode;
use bakeplan::db::pool::DbOptions;
use bakeplan::db::{migrate, Backend, Db};
use bakeplan::graphql::Limits;
use bakeplan::http::{self, AppState, ServerOptions};
use diesel::sql_types::Text;
use diesel::QueryableByName;
use diesel_async::{AsyncConnection, AsyncPgConnection, RunQueryDsl, SimpleAsyncConnection};
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::OnceCell;

/// Runs a test body once on SQLite and once on PostgreSQL, each against a fresh database.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::harness::TestApp::spawn(bakeplan::db::Backend::Sqlite).await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $crate::harness::TestApp::spawn(bakeplan::db::Backend::Postgres).await;
                $body
                $app.finish().await;
            }
        }
    };
    // The same with the server made by `$spawn(backend)` (e.g. with auth required).
    ($name:ident, spawn = $spawn:path, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $spawn(bakeplan::db::Backend::Sqlite).await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $spawn(bakeplan::db::Backend::Postgres).await;
                $body
                $app.finish().await;
            }
        }
    };
}

/// Like `db_test!`, for concurrency tests: the server runs `workers` HTTP workers and a pool
/// of 16 connections, so concurrent requests reach the database at once.
#[macro_export]
macro_rules! db_test_concurrent {
    ($name:ident, workers = $workers:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let $app =
                    $crate::harness::TestApp::spawn_with(bakeplan::db::Backend::Sqlite, $workers, 16)
                        .await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let $app = $crate::harness::TestApp::spawn_with(
                    bakeplan::db::Backend::Postgres,
                    $workers,
                    16,
                )
                .await;
                $body
                $app.finish().await;
            }
        }
    };
}

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
enum TestDatabase {
    Sqlite(#[allow(dead_code)] tempfile::TempDir),
    Postgres {
        name: String,
    },
    /// Made by the test itself; not removed by the harness.
    External,
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

/// A running server with its own database.
pub struct TestApp {
    /// The server's address.
    pub addr: SocketAddr,
    /// Direct database access, for assertions on stored rows.
    pub db: Db,
    /// The backend under test.
    pub backend: Backend,
    handle: actix_web::dev::ServerHandle,
    database: TestDatabase,
}

impl TestApp {
    /// Creates a fresh database, migrates it, and starts a server on a free port
    /// (one HTTP worker, a pool of 8 connections).
    pub async fn spawn(backend: Backend) -> TestApp {
        TestApp::spawn_with(backend, 1, 8).await
    }

    /// Like [`TestApp::spawn`], with authentication required (`--auth required`).
    pub async fn spawn_with_auth(backend: Backend) -> TestApp {
        TestApp::spawn_custom(backend, 1, 8, |state| state.with_auth(AuthMode::Required)).await
    }

    /// Like [`TestApp::spawn`], with `workers` HTTP workers and a pool of `max_connections`
    /// (concurrency tests and the benchmark).
    pub async fn spawn_with(backend: Backend, workers: usize, max_connections: usize) -> TestApp {
        TestApp::spawn_custom(backend, workers, max_connections, |state| state).await
    }

    /// Like [`TestApp::spawn_with`], letting the test adjust the server's state (allowed
    /// origins, limits) before it starts.
    pub async fn spawn_custom(
        backend: Backend,
        workers: usize,
        max_connections: usize,
        customize: impl FnOnce(AppState) -> AppState,
    ) -> TestApp {
        let (url, database) = match backend {
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
        };
        let options = DbOptions {
            max_connections,
            ..DbOptions::default()
        };
        TestApp::serve(url, backend, database, workers, &options, customize)
    }

    /// Starts a server on a database the caller made and migrated (e.g. on a throwaway
    /// PostgreSQL cluster); `finish` leaves that database alone.
    pub fn spawn_on_url(url: &str, workers: usize, options: &DbOptions) -> TestApp {
        TestApp::serve(
            url.to_string(),
            Backend::from_url(url),
            TestDatabase::External,
            workers,
            options,
            |state| state,
        )
    }

    fn serve(
        url: String,
        backend: Backend,
        database: TestDatabase,
        workers: usize,
        options: &DbOptions,
        customize: impl FnOnce(AppState) -> AppState,
    ) -> TestApp {
        let db = Db::open(&url, options).expect("open pool");
        // Authentication is off unless a test turns it on (see `spawn_with_auth`).
        let state =
            customize(AppState::new(db.clone(), Limits::default(), 10).with_auth(AuthMode::Off));
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let server = http::start(
            state,
            listener,
            &ServerOptions {
                workers: Some(workers),
                shutdown_timeout_secs: 1,
                ..ServerOptions::default()
            },
        )
        .expect("start server");
        let handle = server.handle();
        tokio::spawn(server);
        TestApp {
            addr,
            db,
            backend,
            handle,
            database,
        }
    }

    /// Stops the server and removes the database.
    pub async fn finish(self) {
        self.handle.stop(false).await;
        let TestApp {
            db, mut database, ..
        } = self;
        drop(db);
        if let TestDatabase::Postgres { name } = &mut database {
            let name = std::mem::take(name);
            let mut conn = AsyncPgConnection::establish(&postgres_admin_url())
                .await
                .expect("PostgreSQL reachable");
            conn.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                .await
                .expect("drop test database");
        }
    }

    /// Sends one raw HTTP request and returns the status and body.
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> (u16, String) {
        raw_http(self.addr, method, path, headers, body).await
    }

    /// Posts a GraphQL document with variables and returns the whole JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_with_status(query, variables).await.1
    }

    /// Like [`TestApp::graphql`], with the HTTP status.
    pub async fn graphql_with_status(&self, query: &str, variables: Value) -> (u16, Value) {
        let body = json!({"query": query, "variables": variables}).to_string();
        let (status, text) = self
            .http(
                "POST",
                "/graphql",
                &[("content-type", "application/json")],
                Some(&body),
            )
            .await;
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("status {status}, not JSON: {text}"));
        (status, value)
    }

    /// Posts a document that must succeed and returns its `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}\nquery: {query}"
        );
        response["data"].clone()
    }

    /// Runs a document as the holder of a baker token named `name` and returns its `data`
    /// (which must have no errors), as a phone would: a token is made for the name (any
    /// earlier one of that name revoked first), and the document is POSTed with
    /// `Authorization: Bearer …` to a second instance on this test's database with
    /// `--auth required`, which is stopped afterwards.
    pub async fn ok_as(&self, name: &str, query: &str, variables: Value) -> Value {
        use bakeplan::store::tokens::{self, NewToken};
        let new_token = || NewToken {
            name: name.to_string(),
            role: bakeplan::auth::Role::Baker,
            expires_in_days: None,
        };
        let token = match tokens::create(&self.db, new_token()).await {
            Ok(created) => created.secret,
            Err(_) => {
                tokens::revoke(&self.db, name).await.expect("revoke");
                tokens::create(&self.db, new_token())
                    .await
                    .expect("token")
                    .secret
            }
        };
        let state = AppState::new(self.db.clone(), Limits::default(), 10)
            .with_auth(bakeplan::auth::AuthMode::Required);
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        let options = ServerOptions {
            workers: Some(1),
            shutdown_timeout_secs: 1,
            ..ServerOptions::default()
        };
        let server = http::start(state, listener, &options).expect("authenticated instance");
        let handle = server.handle();
        tokio::spawn(server);
        let authorization = format!("Bearer {token}");
        let body = json!({"query": query, "variables": variables}).to_string();
        let reply = raw_http_full(
            addr,
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", &authorization),
            ],
            Some(&body),
        )
        .await;
        handle.stop(false).await;
        let response = reply.json();
        assert!(
            response.get("errors").is_none(),
            "unexpected errors as {name}: {response:#}\nquery: {query}"
        );
        response["data"].clone()
    }

    /// Posts a document that must fail and returns its first error.
    pub async fn error(&self, query: &str, variables: Value) -> GqlError {
        let response = self.graphql(query, variables).await;
        let error = response["errors"]
            .get(0)
            .unwrap_or_else(|| panic!("expected an error, got {response:#}"))
            .clone();
        GqlError {
            code: error["extensions"]["code"]
                .as_str()
                .unwrap_or("<none>")
                .to_string(),
            message: error["message"].as_str().unwrap_or_default().to_string(),
            extensions: error["extensions"].clone(),
        }
    }

    /// Runs one SQL statement on this app's database, bypassing the API, and returns
    /// diesel's own outcome: the rows affected, or the error with its `DatabaseErrorKind`.
    pub async fn execute_sql(&self, sql: &str) -> diesel::QueryResult<usize> {
        execute_sql(&self.db, sql)
            .await
            .expect("a pooled database connection")
    }

    /// Waits up to five seconds for every pooled connection to be returned, and fails the
    /// test if one stays in use.
    pub async fn assert_pool_idle(&self) {
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
        loop {
            let (_, in_use, _) = self.db.pool_status();
            if in_use == 0 {
                return;
            }
            assert!(
                std::time::Instant::now() < deadline,
                "{in_use} pooled connections stayed in use on {:?}",
                self.backend
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }

    /// Statements executed so far through this app's pool for the operations themselves:
    /// the response cache's reads of the data version (one per cacheable read) are not
    /// counted, so a test measures what a query costs to execute.
    pub fn statements(&self) -> u64 {
        let stats = self.db.stats();
        stats.statements() - stats.data_version_reads()
    }
}

async fn execute_sql(db: &Db, sql: &str) -> bakeplan::error::AppResult<diesel::QueryResult<usize>> {
    bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(sql).execute(conn).await))
}

/// One GraphQL error, as a client sees it.
#[derive(Debug, Clone)]
pub struct GqlError {
    /// `extensions.code`.
    pub code: String,
    /// The message.
    pub message: String,
    /// All extensions.
    pub extensions: Value,
}

impl GqlError {
    /// Asserts the code and that the message mentions `needle` (case-insensitive).
    pub fn expect(&self, code: &str, needle: &str) {
        assert_eq!(self.code, code, "wrong code for error: {self:?}");
        assert!(
            self.message.to_lowercase().contains(&needle.to_lowercase()),
            "message {:?} does not mention {needle:?}",
            self.message
        );
    }
}

/// A minimal HTTP/1.1 client (one request per connection), enough for tests.
pub async fn raw_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String) {
    let response = raw_http_full(addr, method, path, headers, body).await;
    (response.status, response.body)
}

/// An HTTP response as the tests see it.
#[derive(Debug)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The response headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked.
    pub body: String,
}

impl HttpReply {
    /// The value of a response header.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("status {}, not JSON: {}", self.status, self.body))
    }
}

impl TestApp {
    /// Sends one raw HTTP request and returns status, headers and body.
    pub async fn http_full(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> HttpReply {
        raw_http_full(self.addr, method, path, headers, body).await
    }
}

/// [`raw_http`] with the response headers.
pub async fn raw_http_full(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> HttpReply {
    let mut stream = tokio::net::TcpStream::connect(addr).await.expect("connect");
    let mut request = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    if let Some(body) = body {
        request.push_str(&format!("Content-Length: {}\r\n", body.len()));
    }
    request.push_str("\r\n");
    if let Some(body) = body {
        request.push_str(body);
    }
    stream.write_all(request.as_bytes()).await.expect("write");
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.expect("read");
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .expect("status line");
    let chunked = head.to_lowercase().contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_string()
    };
    let headers = head
        .lines()
        .skip(1)
        .filter_map(|line| line.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    HttpReply {
        status,
        headers,
        body,
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}

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

/// Runs the built `bakeplan` binary on a database with `args`, with no configuration from
/// the environment (`DATABASE_URL`, `BAKEPLAN_AUTH`) and only warnings logged.
pub fn bakeplan(url: &str, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_bakeplan"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("BAKEPLAN_AUTH")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bakeplan")
}

/// A command's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `bakeplan serve` child process and every line it logged so far.
pub struct ServerProcess {
    /// `None` once stopped.
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The authentication mode it logged at start (`required` or `off`).
    pub auth: String,
}

impl ServerProcess {
    /// Starts `serve --bind BIND` followed by `args`, with JSON logs, and waits for its
    /// "serving" line.
    pub fn start(url: &str, bind: &str, args: &[&str]) -> ServerProcess {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bakeplan"))
            .args([
                "--database-url",
                url,
                "--log-format",
                "json",
                "serve",
                "--bind",
                bind,
            ])
            .args(["--workers", "1"])
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("BAKEPLAN_AUTH")
            .env("RUST_LOG", "info,bakeplan=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start bakeplan serve");
        let stderr = child.stderr.take();
        let mut server = ServerProcess {
            child: Some(child),
            log: Arc::default(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            auth: String::new(),
        };
        let lines = server.log.clone();
        std::thread::spawn(move || {
            let Some(stderr) = stderr else { return };
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let serving = server.log.lock().unwrap().iter().find_map(|line| {
                let value: Value = serde_json::from_str(line).ok()?;
                let message = value["fields"]["message"].as_str()?;
                let rest = message.strip_prefix("serving GraphQL on http://")?;
                let port: u16 = rest.split('/').next()?.rsplit(':').next()?.parse().ok()?;
                Some((port, value["fields"]["auth"].as_str()?.to_string()))
            });
            if let Some((port, auth)) = serving {
                server.addr.set_port(port);
                server.auth = auth;
                return server;
            }
            // Dropping `server` stops the child.
            assert!(
                Instant::now() < deadline,
                "the server did not start: {:?}",
                server.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// POSTs `query`, with `token` as a Bearer token if given.
    pub async fn post(&self, token: Option<&str>, query: &str) -> (u16, Value) {
        let body = json!({ "query": query }).to_string();
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer.as_str()));
        }
        let reply = raw_http_full(self.addr, "POST", "/graphql", &headers, Some(&body)).await;
        (reply.status, reply.json())
    }

    /// Stops the server (this test's own child) and returns its log.
    pub fn stop(mut self) -> Vec<String> {
        self.kill();
        std::thread::sleep(Duration::from_millis(100));
        let log = self.log.lock().unwrap().clone();
        log
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A test that fails half-way does not leave its server running.
impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
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
