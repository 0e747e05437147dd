//! Database access: the backend switch, pools, migrations and statement counting.
//!
//! [`Db`] holds one pool of either backend. Query code is written once and expanded per
//! backend by the [`db_run!`](crate::db_run) and [`db_write!`](crate::db_write) macros, so the same
//! diesel query body is type-checked against PostgreSQL and SQLite.

pub mod errors;
pub mod migrate;
// Row structs mirror the tables column by column; each field is the column of its name.
#[allow(missing_docs)]
pub mod models;
pub mod pool;
pub mod reads;
pub mod retry;
/// diesel's table definitions (`table!`), which generate undocumented items.
#[allow(missing_docs)]
pub mod schema;

pub use pool::{Backend, Db, DbStats, PooledConn, SqliteConn};
pub use reads::{Reads, SharedReads};

/// Runs a read-only body with `$conn` bound to a `&mut` connection of the active backend.
///
/// The body is expanded once per backend and run as an async block that must evaluate to
/// `AppResult<T>`: as in [`db_write!`](crate::db_write), `?` and `return` inside it leave
/// the body, never the function that uses the macro.
#[macro_export]
macro_rules! db_run {
    ($db:expr, |$conn:ident| $body:expr) => {{
        match $db.get().await? {
            $crate::db::PooledConn::Postgres(mut pooled) => {
                let $conn: &mut diesel_async::AsyncPgConnection = &mut pooled;
                $crate::db::run_body(async { $body }).await
            }
            $crate::db::PooledConn::Sqlite(mut pooled) => {
                let $conn: &mut $crate::db::SqliteConn = &mut pooled;
                $crate::db::run_body(async { $body }).await
            }
        }
    }};
}

/// Runs a body inside one write transaction that takes the write lock first:
/// a read-write transaction on PostgreSQL (callers lock rows with `FOR UPDATE` where they
/// read-then-write) and `BEGIN IMMEDIATE` on SQLite. Any `Err` rolls everything back.
///
/// When the body succeeds, the transaction's last statement raises the
/// [data version](crate::store::data_version), so every instance's cached answers become
/// stale the moment it commits.
///
/// A transaction that loses a serialization failure or deadlock is run again from the
/// start (see [`retry`](crate::db::retry)), so the body must not have effects outside the
/// database. A connection that broke is discarded instead of going back to the pool.
#[macro_export]
macro_rules! db_write {
    ($db:expr, |$conn:ident| $body:expr) => {{
        let mut attempts = $crate::db::retry::Attempts::new();
        loop {
            let result = match $db.get().await? {
                $crate::db::PooledConn::Postgres(mut pooled) => {
                    use diesel_async::AsyncConnection as _;
                    let conn_ref: &mut diesel_async::AsyncPgConnection = &mut pooled;
                    let result = conn_ref
                        .transaction(async |$conn| -> $crate::error::AppResult<_> {
                            let value = $crate::db::write_body(async { $body }).await?;
                            $crate::store::data_version::RaiseDataVersion::raise_data_version(
                                $conn,
                            )
                            .await?;
                            Ok(value)
                        })
                        .await;
                    $crate::db::pool::discard_if_broken(pooled, &result);
                    result
                }
                $crate::db::PooledConn::Sqlite(mut pooled) => {
                    let conn_ref: &mut $crate::db::SqliteConn = &mut pooled;
                    let result = conn_ref
                        .immediate_transaction(async |$conn| -> $crate::error::AppResult<_> {
                            let value = $crate::db::write_body(async { $body }).await?;
                            $crate::store::data_version::RaiseDataVersion::raise_data_version(
                                $conn,
                            )
                            .await?;
                            Ok(value)
                        })
                        .await;
                    $crate::db::pool::discard_if_broken(pooled, &result);
                    result
                }
            };
            if !attempts.again(&result).await {
                break result;
            }
        }
    }};
}

/// The body of a [`db_run!`](crate::db_run) as a future of a known type, so `?` and `return`
/// inside it leave the body.
pub async fn run_body<T>(
    body: impl std::future::Future<Output = crate::error::AppResult<T>>,
) -> crate::error::AppResult<T> {
    body.await
}

/// The body of a [`db_write!`] transaction as a future of a known type, so `?` and `return`
/// inside it leave the body, not the transaction, and the data version is raised after it.
pub async fn write_body<T>(
    body: impl std::future::Future<Output = crate::error::AppResult<T>>,
) -> crate::error::AppResult<T> {
    body.await
}

/// Loads one row by primary key inside a macro-expanded body, or returns `NOT_FOUND`
/// for the [`Entity`](crate::domain::entity::Entity) given.
#[macro_export]
macro_rules! find_row {
    ($conn:expr, $table:expr, $row:ty, $id:expr, $entity:expr) => {
        $table
            .find($id)
            .select(<$row>::as_select())
            .first::<$row>($conn)
            .await
            .optional()?
            .ok_or_else(|| $crate::error::AppError::not_found($entity, $id))?
    };
}

/// Implements a trait for the connection type of each backend from one body, so steps
/// shared by several transactions (lock lots, apply draws…) are written once and
/// type-checked against both databases.
#[macro_export]
macro_rules! impl_for_backends {
    (impl $trait:path { $($body:tt)* }) => {
        impl $trait for diesel_async::AsyncPgConnection {
            $($body)*
        }
        impl $trait for $crate::db::SqliteConn {
            $($body)*
        }
    };
}
