//! Where the statements of one read go: each to a connection of its own from the pool, or
//! all of one read's statements down one PostgreSQL connection, pipelined.
//!
//! tokio-postgres sends a statement without waiting for the answers of those before it on
//! the same connection, so the statements a read runs side by side reach PostgreSQL in
//! one write and wake one backend, instead of three connections (three backends, three
//! wake-ups on each side) for three small statements. PostgreSQL runs them one after
//! another either way; what is saved is the waking and the round trips, which were most
//! of a small read's cost (see `docs/benchmarks.md`, "Pipelined reads").

use super::pool::{Backend, Db, PooledConn};
use crate::error::AppResult;
use diesel_async::pooled_connection::deadpool::Object;
use diesel_async::AsyncPgConnection;

/// Where a read's statements run; cheap to copy, so each store function takes one.
#[derive(Clone, Copy)]
pub enum Reads<'a> {
    /// Each statement on a connection checked out from the pool for it.
    Pool(&'a Db),
    /// Every statement on this one PostgreSQL connection, pipelined when several are
    /// awaited together.
    Shared(&'a AsyncPgConnection),
}

impl<'a> From<&'a Db> for Reads<'a> {
    fn from(db: &'a Db) -> Self {
        Reads::Pool(db)
    }
}

impl Reads<'_> {
    /// The backend the statements go to.
    pub fn backend(self) -> Backend {
        match self {
            Reads::Pool(db) => db.backend(),
            Reads::Shared(_) => Backend::Postgres,
        }
    }
}

/// One connection held for the reads of one request: on PostgreSQL a pooled connection
/// all its statements share; on SQLite none, as each statement there runs on a thread
/// of its own and gains nothing from sharing one.
pub struct SharedReads<'a> {
    db: &'a Db,
    postgres: Option<Object<AsyncPgConnection>>,
}

impl<'a> SharedReads<'a> {
    /// Checks a PostgreSQL connection out of `db`'s pool, to keep until this is dropped.
    pub async fn open(db: &'a Db) -> AppResult<SharedReads<'a>> {
        let postgres = match db.backend() {
            Backend::Sqlite => None,
            Backend::Postgres => match db.get().await? {
                PooledConn::Postgres(conn) => Some(conn),
                PooledConn::Sqlite(_) => None,
            },
        };
        Ok(SharedReads { db, postgres })
    }

    /// Where the statements of this read go.
    pub fn reads(&self) -> Reads<'_> {
        match &self.postgres {
            Some(conn) => Reads::Shared(conn),
            None => Reads::Pool(self.db),
        }
    }
}

/// Runs a read-only body with `$conn` bound to a `&mut` connection of wherever `$reads`
/// (anything that converts into a [`Reads`]) sends statements: as in
/// [`db_run!`](crate::db_run), the body is an async block evaluating to `AppResult<T>`,
/// expanded once per kind of connection (a shared PostgreSQL one is `&mut
/// &AsyncPgConnection`).
#[macro_export]
macro_rules! db_read {
    ($reads:expr, |$conn:ident| $body:expr) => {{
        let reads: $crate::db::Reads<'_> = $reads.into();
        match reads {
            $crate::db::Reads::Shared(shared) => {
                let mut shared: &diesel_async::AsyncPgConnection = shared;
                let $conn: &mut &diesel_async::AsyncPgConnection = &mut shared;
                $crate::db::run_body(async { $body }).await
            }
            $crate::db::Reads::Pool(db) => $crate::db_run!(db, |$conn| $body),
        }
    }};
}
