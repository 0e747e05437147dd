//! Connection pools for both backends, with per-connection setup and statement counting.

use crate::error::{AppError, AppResult};
use diesel::connection::{Instrumentation, InstrumentationEvent};
use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::{Object, Pool};
use diesel_async::pooled_connection::{
    AsyncDieselConnectionManager, ManagerConfig, RecyclingMethod,
};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};
use futures::FutureExt;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The SQLite connection type used through diesel-async.
pub type SqliteConn = SyncConnectionWrapper<SqliteConnection>;

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// PostgreSQL through tokio-postgres.
    Postgres,
    /// Embedded SQLite (bundled).
    Sqlite,
}

impl Backend {
    /// Picks the backend from a database URL: `postgres://` or `postgresql://` is PostgreSQL,
    /// anything else a SQLite file path (an optional `sqlite://` prefix is stripped).
    pub fn from_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    /// Lower-case name, as used in logs and metrics.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgres",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// Counters shared by every connection of a pool.
#[derive(Debug, Default)]
pub struct DbStats {
    statements: AtomicU64,
    data_version_reads: AtomicU64,
    checkouts: AtomicU64,
}

impl DbStats {
    /// Every SQL statement executed through this pool so far.
    pub fn statements(&self) -> u64 {
        self.statements.load(Ordering::Relaxed)
    }

    /// Of [`statements`](Self::statements), the reads of the data version (one per read
    /// the response cache looks up), so what the operations themselves cost can be told
    /// apart.
    pub fn data_version_reads(&self) -> u64 {
        self.data_version_reads.load(Ordering::Relaxed)
    }

    /// Connections taken from the pool so far: one per statement of a read that does not
    /// share its connection, one per read that does ([`SharedReads`](super::SharedReads)),
    /// one per transaction.
    pub fn checkouts(&self) -> u64 {
        self.checkouts.load(Ordering::Relaxed)
    }

    /// Counts one read of the data version.
    pub fn count_data_version_read(&self) {
        self.data_version_reads.fetch_add(1, Ordering::Relaxed);
    }
}

/// Counts statements as diesel starts them.
struct StatementCounter(Arc<DbStats>);

impl Instrumentation for StatementCounter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { .. } = event {
            self.0.statements.fetch_add(1, Ordering::Relaxed);
        }
    }
}

#[derive(Clone)]
enum Pools {
    Postgres(Pool<AsyncPgConnection>),
    Sqlite(Pool<SqliteConn>),
}

/// A pooled connection of either backend. Short-lived and never moved after checkout,
/// so boxing the larger variant would only add an allocation per query.
#[allow(clippy::large_enum_variant)]
pub enum PooledConn {
    /// PostgreSQL connection.
    Postgres(Object<AsyncPgConnection>),
    /// SQLite connection.
    Sqlite(Object<SqliteConn>),
}

/// Options for opening a [`Db`].
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Maximum connections in the pool.
    pub max_connections: usize,
    /// How long a request waits for a free connection.
    pub acquire_timeout: Duration,
    /// PostgreSQL `statement_timeout` applied to every connection.
    pub statement_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        DbOptions {
            max_connections: 16,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(30),
        }
    }
}

/// The settings every SQLite connection starts with, the server's and the migrator's.
///
/// `busy_timeout` comes first: `journal_mode` reads the database, and a connection opened
/// while another one is opening the WAL (the first connections of a fresh pool, opened at
/// once) or holds the database would otherwise fail at once with "database is locked"
/// instead of waiting for it.
pub const SQLITE_CONNECTION_PRAGMAS: &str =
    "PRAGMA busy_timeout = 5000; PRAGMA foreign_keys = ON; \
     PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;";

/// The database handle shared by the whole server: a pool of one backend and its counters.
#[derive(Clone)]
pub struct Db {
    pools: Pools,
    stats: Arc<DbStats>,
    url: Arc<str>,
}

impl Db {
    /// Opens a pool for `url` (see [`Backend::from_url`]). Connections are made lazily.
    pub fn open(url: &str, options: &DbOptions) -> AppResult<Db> {
        let stats = Arc::new(DbStats::default());
        let pools = match Backend::from_url(url) {
            Backend::Postgres => {
                let counter = stats.clone();
                let timeout_ms = options.statement_timeout.as_millis();
                let mut config = ManagerConfig::<AsyncPgConnection>::default();
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(move |url| {
                    let counter = counter.clone();
                    async move {
                        let mut conn = AsyncPgConnection::establish(url).await?;
                        conn.batch_execute(&format!(
                            "SET statement_timeout = {timeout_ms}; SET application_name = 'bakeplan'; SET TIME ZONE 'UTC'"
                        ))
                        .await
                        .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                        conn.set_instrumentation(StatementCounter(counter));
                        Ok(conn)
                    }
                    .boxed()
                });
                let manager = AsyncDieselConnectionManager::new_with_config(url, config);
                Pools::Postgres(build_pool(manager, options)?)
            }
            Backend::Sqlite => {
                let counter = stats.clone();
                let mut config = ManagerConfig::<SqliteConn>::default();
                config.recycling_method = RecyclingMethod::Fast;
                config.custom_setup = Box::new(move |url| {
                    let counter = counter.clone();
                    let path = sqlite_path(url).to_string();
                    async move {
                        let mut conn = SqliteConn::establish(&path).await?;
                        conn.batch_execute(SQLITE_CONNECTION_PRAGMAS)
                            .await
                            .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                        conn.set_instrumentation(StatementCounter(counter));
                        Ok(conn)
                    }
                    .boxed()
                });
                let manager = AsyncDieselConnectionManager::new_with_config(url, config);
                Pools::Sqlite(build_pool(manager, options)?)
            }
        };
        Ok(Db {
            pools,
            stats,
            url: url.into(),
        })
    }

    /// The backend this handle talks to.
    pub fn backend(&self) -> Backend {
        match self.pools {
            Pools::Postgres(_) => Backend::Postgres,
            Pools::Sqlite(_) => Backend::Sqlite,
        }
    }

    /// The URL the pool was opened with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Statement and other counters.
    pub fn stats(&self) -> &DbStats {
        &self.stats
    }

    /// Pool size, connections in use and max size, for `/metrics`.
    pub fn pool_status(&self) -> (usize, usize, usize) {
        let status = match &self.pools {
            Pools::Postgres(p) => p.status(),
            Pools::Sqlite(p) => p.status(),
        };
        (
            status.size,
            status.size.saturating_sub(status.available),
            status.max_size,
        )
    }

    /// Takes a connection from the pool.
    ///
    /// Refused on a current-thread runtime (an actix worker): a query future dropped there
    /// half-way would make diesel-async's SQLite wrapper panic in `block_in_place`, so the
    /// HTTP layer runs all database work on the multi-thread runtime, and this check keeps
    /// a mistake from reaching that panic.
    pub async fn get(&self) -> AppResult<PooledConn> {
        if tokio::runtime::Handle::current().runtime_flavor()
            != tokio::runtime::RuntimeFlavor::MultiThread
        {
            return Err(AppError::Internal(
                "database work was started on a current-thread runtime; it must run on the \
                 multi-thread runtime"
                    .into(),
            ));
        }
        self.stats.checkouts.fetch_add(1, Ordering::Relaxed);
        match &self.pools {
            Pools::Postgres(p) => p.get().await.map(PooledConn::Postgres),
            Pools::Sqlite(p) => p.get().await.map(PooledConn::Sqlite),
        }
        .map_err(super::errors::from_pool_error)
    }
}

/// Returns a connection to the pool, unless `result` says it broke: then it is taken out of
/// the pool and closed, so the next request opens a fresh one instead of failing on it.
pub fn discard_if_broken<M, T>(pooled: deadpool::managed::Object<M>, result: &AppResult<T>)
where
    M: deadpool::managed::Manager,
{
    if let Err(AppError::Unavailable {
        kind: super::errors::Transient::Connection,
        ..
    }) = result
    {
        drop(deadpool::managed::Object::take(pooled));
    }
}

/// The file path of a SQLite URL (`sqlite://file.db`, `sqlite:file.db` or a plain path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

fn build_pool<C>(
    manager: AsyncDieselConnectionManager<C>,
    options: &DbOptions,
) -> AppResult<Pool<C>>
where
    C: diesel_async::pooled_connection::PoolableConnection + Send + 'static,
    AsyncDieselConnectionManager<C>:
        deadpool::managed::Manager<Type = C, Error = diesel_async::pooled_connection::PoolError>,
{
    Pool::builder(manager)
        .max_size(options.max_connections)
        .wait_timeout(Some(options.acquire_timeout))
        .create_timeout(Some(options.acquire_timeout))
        .runtime(deadpool::Runtime::Tokio1)
        .build()
        .map_err(|e| AppError::Internal(format!("could not build the connection pool: {e}")))
}
