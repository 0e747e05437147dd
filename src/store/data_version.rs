//! The data version: one number the database keeps (table `data_version`), raised by every
//! write transaction just before it commits ([`db_write!`](crate::db_write) does it for
//! every write). Whoever remembers an answer together with the version it was computed at
//! knows that answer is still exact for as long as the number has not moved, whichever
//! server instance the writes went through. The response cache and `ETag`s are built on it.

use crate::db::schema::data_version;
use crate::db::Db;
use crate::db_run;
use crate::error::AppResult;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

/// The current data version: one read of a one-row table (counted apart in
/// [`DbStats`](crate::db::DbStats)).
pub async fn current(db: &Db) -> AppResult<i64> {
    let version = db_run!(db, |conn| data_version::table
        .find(1_i64)
        .select(data_version::version)
        .first::<i64>(conn)
        .await
        .map_err(crate::error::AppError::from));
    db.stats().count_data_version_read();
    version
}

/// Raises the data version inside a write transaction; its last statement before commit,
/// so the one row's lock is held only while the transaction commits.
pub trait RaiseDataVersion: Send {
    /// `UPDATE data_version SET version = version + 1`.
    fn raise_data_version(&mut self) -> impl std::future::Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl RaiseDataVersion {
        async fn raise_data_version(&mut self) -> AppResult<()> {
            diesel::update(data_version::table.find(1_i64))
                .set(data_version::version.eq(data_version::version + 1_i64))
                .execute(self)
                .await?;
            Ok(())
        }
    }
}
