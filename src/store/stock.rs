//! Steps on stock that run inside a caller's write transaction: lock and read lots in
//! FIFO order, apply draws, remember idempotency keys. Written once for both backends.

use super::now;
use crate::db::schema::{idempotency_keys, inventory_lots};
use crate::domain::fifo::{Draw, LotStock};
use crate::error::{AppError, AppResult};
use crate::store::lots::InventoryLot;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::future::Future;

/// Stock operations available on a connection inside a write transaction.
pub trait StockTx: Send {
    /// Locks every lot with stock of the given ingredients (row locks on PostgreSQL; the
    /// writer lock is already held on SQLite) and returns them per ingredient in FIFO order.
    fn lock_lots(
        &mut self,
        ingredient_ids: &[i64],
    ) -> impl Future<Output = AppResult<HashMap<i64, Vec<InventoryLot>>>> + Send;

    /// Takes each draw's quantity from its lot. A lot that no longer holds the quantity is
    /// an internal error (the caller locked the lots, so it cannot happen).
    fn apply_draws(&mut self, draws: &[Draw]) -> impl Future<Output = AppResult<()>> + Send;

    /// The stored request fingerprint and result row of an idempotency key, if any.
    fn find_idempotency_key(
        &mut self,
        operation: &str,
        key: &str,
    ) -> impl Future<Output = AppResult<Option<(String, i64)>>> + Send;

    /// Remembers that `key` produced `result_id` for a request with `fingerprint`.
    fn save_idempotency_key(
        &mut self,
        operation: &str,
        key: &str,
        fingerprint: &str,
        result_id: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;
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
        async fn lock_lots(&mut self, ingredient_ids: &[i64]) -> AppResult<HashMap<i64, Vec<InventoryLot>>> {
            // A no-op update locks exactly the rows it returns, with their current values.
            let mut lots: Vec<InventoryLot> = diesel::update(
                inventory_lots::table
                    .filter(inventory_lots::ingredient_id.eq_any(ingredient_ids))
                    .filter(inventory_lots::quantity_remaining.gt(0)),
            )
            .set(inventory_lots::updated_at.eq(inventory_lots::updated_at))
            .returning(InventoryLot::as_returning())
            .get_results(self)
            .await?;
            lots.sort_by_key(|lot| (lot.purchased_on, lot.id));
            Ok(super::group_by(lots, |lot| lot.ingredient_id))
        }

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

        async fn find_idempotency_key(&mut self, operation: &str, key: &str) -> AppResult<Option<(String, i64)>> {
            Ok(idempotency_keys::table
                .filter(idempotency_keys::operation.eq(operation))
                .filter(idempotency_keys::idempotency_key.eq(key))
                .select((idempotency_keys::request_hash, idempotency_keys::result_id))
                .first(self)
                .await
                .optional()?)
        }

        async fn save_idempotency_key(&mut self, operation: &str, key: &str, fingerprint: &str, result_id: i64) -> AppResult<()> {
            let ts = now();
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::uuid.eq(super::new_uuid()),
                    idempotency_keys::created_at.eq(ts),
                    idempotency_keys::updated_at.eq(ts),
                    idempotency_keys::operation.eq(operation),
                    idempotency_keys::idempotency_key.eq(key),
                    idempotency_keys::request_hash.eq(fingerprint),
                    idempotency_keys::result_id.eq(result_id),
                ))
                .execute(self)
                .await?;
            Ok(())
        }
    }
}

/// A stable fingerprint of a request (FNV-1a 64 over its canonical JSON), to tell a retry
/// from a different request reusing the same idempotency key.
pub fn fingerprint(request: &serde_json::Value) -> String {
    let text = request.to_string();
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in text.as_bytes() {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{hash:016x}")
}

#[cfg(test)]
mod tests {
    use super::fingerprint;
    use serde_json::json;

    #[test]
    fn fingerprints_tell_requests_apart() {
        let a = fingerprint(&json!({"recipe": 1, "batches": 2}));
        assert_eq!(
            a,
            fingerprint(&json!({"batches": 2, "recipe": 1})),
            "key order does not matter"
        );
        assert_ne!(a, fingerprint(&json!({"recipe": 1, "batches": 3})));
        assert_eq!(a.len(), 16);
    }
}
