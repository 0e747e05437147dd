//! Locks a write transaction takes to serialize a check that no row lock covers: a name
//! being free (the row that would take it does not exist yet) or the finished-goods graph
//! staying free of cycles (two transactions could each add one half of a cycle).
//!
//! On PostgreSQL each is a transaction-scoped advisory lock, held until the transaction
//! ends; on SQLite nothing is needed, since a write transaction (`BEGIN IMMEDIATE`) already
//! holds the database's single writer lock.

use crate::error::AppResult;
use diesel_async::RunQueryDsl;
use std::future::Future;

/// What a [`WriteLocks::take_write_lock`] serializes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WriteLock {
    /// The name checks of one year's events, so two transactions creating "Christmas" and
    /// "christmas" at once cannot both find the name free.
    EventNames {
        /// The year of the events.
        year: i32,
    },
    /// Writes that add finished goods to finished goods, so two concurrent updates cannot
    /// each add one half of a cycle.
    GoodsGraph,
    /// The run totals of one event's production targets: a target copies its totals row
    /// when it is written, and a run adds to that row and to its target, so a target made
    /// while the first run of its recipe is recorded would otherwise miss that run (each
    /// transaction's statements see no rows the other has not committed).
    EventRunTotals {
        /// The event.
        event_id: i64,
    },
}

/// The advisory-lock class of event names (the first key of the two-key lock).
const EVENT_NAMES_LOCK: i32 = 0x4556; // "EV"

/// The advisory-lock class of events' run totals (the first key of the two-key lock; the
/// second is the event's id cut to 32 bits: events sharing one only wait for each other).
const EVENT_RUN_TOTALS_LOCK: i32 = 0x4554; // "ET"

/// The advisory lock of the finished-goods graph (a one-key lock).
const GOODS_GRAPH_LOCK: &str = "SELECT pg_advisory_xact_lock(727275001)";

/// Takes a [`WriteLock`] inside a write transaction.
pub trait WriteLocks: Send {
    /// Waits for the lock and holds it until the transaction ends (one statement on
    /// PostgreSQL, none on SQLite).
    fn take_write_lock(&mut self, lock: WriteLock) -> impl Future<Output = AppResult<()>> + Send;
}

impl WriteLocks for diesel_async::AsyncPgConnection {
    async fn take_write_lock(&mut self, lock: WriteLock) -> AppResult<()> {
        match lock {
            WriteLock::EventNames { year } => {
                diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                    .bind::<diesel::sql_types::Integer, _>(EVENT_NAMES_LOCK)
                    .bind::<diesel::sql_types::Integer, _>(year)
                    .execute(self)
                    .await?;
            }
            WriteLock::GoodsGraph => {
                diesel::sql_query(GOODS_GRAPH_LOCK).execute(self).await?;
            }
            WriteLock::EventRunTotals { event_id } => {
                diesel::sql_query("SELECT pg_advisory_xact_lock($1, $2)")
                    .bind::<diesel::sql_types::Integer, _>(EVENT_RUN_TOTALS_LOCK)
                    .bind::<diesel::sql_types::Integer, _>(event_id as i32)
                    .execute(self)
                    .await?;
            }
        }
        Ok(())
    }
}

impl WriteLocks for crate::db::SqliteConn {
    async fn take_write_lock(&mut self, _lock: WriteLock) -> AppResult<()> {
        Ok(())
    }
}
