//! [`TestApp`]: a real server on 127.0.0.1 with a database of its own, and the direct
//! database access tests use to check what a request did.

use super::databases::TestDatabase;
use bakeplan::auth::AuthMode;
use bakeplan::db::pool::DbOptions;
use bakeplan::db::{Backend, Db};
use bakeplan::graphql::Limits;
use bakeplan::http::{self, AppState, ServerOptions};
use diesel_async::RunQueryDsl;
use std::net::SocketAddr;
use std::time::{Duration, Instant};

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
        let (url, database) = TestDatabase::create(backend).await;
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
        let (addr, handle) = start_server(state, workers);
        TestApp {
            addr,
            db,
            backend,
            handle,
            database,
        }
    }

    /// Starts a second server on this app's database, its state adjusted by `customize`
    /// (to compare two settings on the same rows); stop it with the handle.
    pub fn twin(
        &self,
        customize: impl FnOnce(AppState) -> AppState,
    ) -> (SocketAddr, actix_web::dev::ServerHandle) {
        let state = customize(
            AppState::new(self.db.clone(), Limits::default(), 10).with_auth(AuthMode::Off),
        );
        start_server(state, 1)
    }

    /// Stops the server and removes the database.
    pub async fn finish(self) {
        self.handle.stop(false).await;
        let TestApp { db, database, .. } = self;
        drop(db);
        database.remove().await;
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
        let deadline = Instant::now() + Duration::from_secs(5);
        loop {
            let (_, in_use, _) = self.db.pool_status();
            if in_use == 0 {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "{in_use} pooled connections stayed in use on {:?}",
                self.backend
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// Statements executed so far through this app's pool for the operations themselves:
    /// the response cache's reads of the data version (one per cacheable read) are not
    /// counted, so a test measures what a query costs to execute.
    pub fn statements(&self) -> u64 {
        let stats = self.db.stats();
        stats.statements() - stats.data_version_reads()
    }

    /// Connections taken from this app's pool so far for the operations themselves (the
    /// data version's reads, one connection each, are not counted).
    pub fn checkouts(&self) -> u64 {
        let stats = self.db.stats();
        stats.checkouts() - stats.data_version_reads()
    }
}

async fn execute_sql(db: &Db, sql: &str) -> bakeplan::error::AppResult<diesel::QueryResult<usize>> {
    bakeplan::db_run!(db, |conn| Ok(diesel::sql_query(sql).execute(conn).await))
}

/// Starts a server with `state` on a free port of 127.0.0.1, on the current runtime.
pub(super) fn start_server(
    state: AppState,
    workers: usize,
) -> (SocketAddr, actix_web::dev::ServerHandle) {
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
    (addr, handle)
}
