//! Steps on stock that run inside a caller's write transaction: lock what will change (in
//! one global order), apply draws. Written once for both backends (idempotency keys are
//! [`idempotency`](super::idempotency)'s).

use super::now;
use crate::db::models::{FinishedGood, FinishedUnit};
use crate::db::schema::{finished_goods, finished_units, ingredients, inventory_lots};
use crate::domain::fifo::{Draw, LotStock};
use crate::error::{AppError, AppResult};
use crate::store::lots::InventoryLot;
use diesel::prelude::*;
use diesel::query_builder::{AsQuery, FromClause, SelectStatement};
use diesel::QuerySource;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::future::Future;

/// Row locks taken inside a write transaction before reading what it will change.
///
/// Every recording transaction locks in one global order — finished goods, then finished
/// units, then inventory lots, each by primary key — so concurrent recordings wait for each
/// other instead of deadlocking (a multi-row `UPDATE` locks rows in whatever order its scan
/// meets them, which changes as rows get new versions). PostgreSQL takes the locks with
/// `SELECT … ORDER BY id FOR UPDATE`, which returns the latest committed values once the
/// lock is granted; on SQLite `BEGIN IMMEDIATE` already holds the database's write lock and
/// the same query is a plain read.
pub trait RowLocks: Send {
    /// Locks every lot with stock of the given ingredients and returns them per ingredient
    /// in FIFO order (purchase date, then creation).
    fn lock_lots(
        &mut self,
        ingredient_ids: &[i64],
    ) -> impl Future<Output = AppResult<HashMap<i64, Vec<InventoryLot>>>> + Send;

    /// Locks the given finished units and returns them by id (missing ones are absent).
    fn lock_finished_units(
        &mut self,
        ids: &[i64],
    ) -> impl Future<Output = AppResult<HashMap<i64, FinishedUnit>>> + Send;

    /// Locks the given finished goods and returns them by id (missing ones are absent).
    fn lock_finished_goods(
        &mut self,
        ids: &[i64],
    ) -> impl Future<Output = AppResult<HashMap<i64, FinishedGood>>> + Send;
}

/// Where a read that locks its rows starts, per backend: the table's query with
/// `FOR UPDATE` on PostgreSQL, the plain query on SQLite (see [`RowLocks`]). Filters, order
/// and selection added afterwards keep the locking clause at the end of the statement.
pub trait LockingRead {
    /// The query a locking read starts from.
    type Start<T: QuerySource>;

    /// Turns a table's query (`table.as_query()`) into the start of a locking read.
    fn locking_read<T: QuerySource>(query: SelectStatement<FromClause<T>>) -> Self::Start<T>;
}

impl LockingRead for diesel_async::AsyncPgConnection {
    type Start<T: QuerySource> = diesel::dsl::ForUpdate<SelectStatement<FromClause<T>>>;

    fn locking_read<T: QuerySource>(query: SelectStatement<FromClause<T>>) -> Self::Start<T> {
        query.for_update()
    }
}

impl LockingRead for crate::db::SqliteConn {
    type Start<T: QuerySource> = SelectStatement<FromClause<T>>;

    fn locking_read<T: QuerySource>(query: SelectStatement<FromClause<T>>) -> Self::Start<T> {
        query
    }
}

crate::impl_for_backends! {
    impl RowLocks {
        async fn lock_lots(&mut self, ingredient_ids: &[i64]) -> AppResult<HashMap<i64, Vec<InventoryLot>>> {
            let mut lots: Vec<InventoryLot> = Self::locking_read(inventory_lots::table.as_query())
                .filter(inventory_lots::ingredient_id.eq_any(ingredient_ids))
                .filter(inventory_lots::quantity_remaining.gt(0))
                .order(inventory_lots::id)
                .select(InventoryLot::as_select())
                .load(self)
                .await?;
            lots.sort_by_key(|lot| (lot.purchased_on, lot.id));
            Ok(super::group_by(lots, |lot| lot.ingredient_id))
        }

        async fn lock_finished_units(&mut self, ids: &[i64]) -> AppResult<HashMap<i64, FinishedUnit>> {
            let rows: Vec<FinishedUnit> = Self::locking_read(finished_units::table.as_query())
                .filter(finished_units::id.eq_any(ids))
                .order(finished_units::id)
                .select(FinishedUnit::as_select())
                .load(self)
                .await?;
            Ok(rows.into_iter().map(|row| (row.id, row)).collect())
        }

        async fn lock_finished_goods(&mut self, ids: &[i64]) -> AppResult<HashMap<i64, FinishedGood>> {
            let rows: Vec<FinishedGood> = Self::locking_read(finished_goods::table.as_query())
                .filter(finished_goods::id.eq_any(ids))
                .order(finished_goods::id)
                .select(FinishedGood::as_select())
                .load(self)
                .await?;
            Ok(rows.into_iter().map(|row| (row.id, row)).collect())
        }
    }
}

/// Stock operations available on a connection inside a write transaction.
pub trait StockTx: Send {
    /// Takes each draw's quantity from its lot. A lot that no longer holds the quantity is
    /// an internal error (the caller locked the lots, so it cannot happen).
    fn apply_draws(&mut self, draws: &[Draw]) -> impl Future<Output = AppResult<()>> + Send;

    /// Locks an ingredient's row (so concurrent writes that add stock to it queue up) and
    /// returns what its lots hold now (scaled quantity). Used to keep the stock of one
    /// ingredient within [`MAX_STOCK`](crate::domain::limits::MAX_STOCK).
    fn lock_stock(&mut self, ingredient_id: i64) -> impl Future<Output = AppResult<i64>> + Send;
}

/// The FIFO view of a lot.
pub fn lot_stock(lot: &InventoryLot) -> LotStock {
    LotStock {
        lot_id: lot.id,
        remaining: lot.quantity_remaining,
        unit_cost: lot.unit_cost,
    }
}

crate::impl_for_backends! {
    impl StockTx {
        async fn apply_draws(&mut self, draws: &[Draw]) -> AppResult<()> {
            let ts = now();
            for draw in draws {
                let changed = diesel::update(
                    inventory_lots::table
                        .find(draw.lot_id)
                        .filter(inventory_lots::quantity_remaining.ge(draw.quantity)),
                )
                .set((
                    inventory_lots::quantity_remaining.eq(inventory_lots::quantity_remaining - draw.quantity),
                    inventory_lots::updated_at.eq(ts),
                ))
                .execute(self)
                .await?;
                if changed != 1 {
                    return Err(AppError::Internal(format!("lot {} changed while it was locked", draw.lot_id)));
                }
            }
            Ok(())
        }

        async fn lock_stock(&mut self, ingredient_id: i64) -> AppResult<i64> {
            // A no-op update takes the row lock on PostgreSQL; SQLite already holds the
            // write lock.
            diesel::update(ingredients::table.find(ingredient_id))
                .set(ingredients::updated_at.eq(ingredients::updated_at))
                .execute(self)
                .await?;
            Ok(inventory_lots::table
                .filter(inventory_lots::ingredient_id.eq(ingredient_id))
                .select(diesel::dsl::sql::<diesel::sql_types::BigInt>(
                    "CAST(COALESCE(SUM(quantity_remaining), 0) AS BIGINT)",
                ))
                .first(self)
                .await?)
        }
    }
}
