//! The idempotency protocol of every recording mutation (`recordProduction`,
//! `recordAssembly`, `recordPurchase`), written once:
//!
//! 1. [`Idempotency::from_request`] checks the client's key (the only place it is checked)
//!    and fingerprints the request as sent;
//! 2. inside the recording transaction, [`IdempotencySteps::replay_or_claim`] either finds
//!    the result of an earlier request with the key (a replay; the same key with another
//!    request is `CONFLICT`) or claims the key before anything else is written;
//! 3. [`IdempotencySteps::settle`] stores the result row once it exists;
//! 4. [`once_per_key`] runs the transaction again when a concurrent request with the same
//!    key committed first, so the retry replays that request's result.

use super::now;
use crate::db::schema::idempotency_keys;
use crate::error::{AppError, AppResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::future::Future;

/// A recording mutation that takes an idempotency key: keys are unique per operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    /// The name stored with each key (the mutation's name).
    name: &'static str,
    /// What the `CONFLICT` message calls one request of it ("request", "purchase").
    request: &'static str,
}

/// `recordProduction`.
pub const RECORD_PRODUCTION: Operation = Operation {
    name: "recordProduction",
    request: "request",
};

/// `recordAssembly`.
pub const RECORD_ASSEMBLY: Operation = Operation {
    name: "recordAssembly",
    request: "request",
};

/// `recordPurchase`.
pub const RECORD_PURCHASE: Operation = Operation {
    name: "recordPurchase",
    request: "purchase",
};

impl Operation {
    /// The same key sent earlier with a different request.
    fn reused_key(self, key: &str) -> AppError {
        let request = self.request;
        AppError::Conflict(format!(
            "idempotency key \"{key}\" was already used for a different {request}; use a new key for a new {request}"
        ))
    }
}

/// A key the client sent with a recording mutation, and the fingerprint of the request.
#[derive(Debug, Clone)]
pub struct Idempotency {
    /// The client's key.
    pub key: String,
    /// Fingerprint of the request as sent (see [`fingerprint`]).
    pub fingerprint: String,
}

impl Idempotency {
    /// The idempotency of a request: `None` without a key; a blank key, one longer than
    /// 200 characters or one with NUL is `BAD_USER_INPUT`. `request` is the input as sent, fingerprinted to
    /// tell a retry from another request reusing the key.
    pub fn from_request(
        key: Option<&str>,
        request: &serde_json::Value,
    ) -> AppResult<Option<Idempotency>> {
        match key.map(str::trim) {
            None => Ok(None),
            Some("") => Err(AppError::bad_input("idempotencyKey must not be empty")),
            Some(key) => {
                crate::domain::text::check(crate::domain::text::IDEMPOTENCY_KEY, key)?;
                Ok(Some(Idempotency {
                    key: key.to_string(),
                    fingerprint: fingerprint(request),
                }))
            }
        }
    }
}

/// The result id of a claimed key until its transaction stores the real one (never seen
/// outside that transaction: both are written before it commits).
const UNSETTLED: i64 = 0;

/// The steps of the protocol that run inside the recording transaction.
pub trait IdempotencySteps: Send {
    /// Without a key, `None`. With one: the result row of the earlier request that used
    /// it (`CONFLICT` when that request differs), else `None` after claiming the key for
    /// this request, before anything else is written. A concurrent transaction claiming
    /// the same key waits on the unique index until this one ends, then fails with a
    /// unique violation if it committed (see [`once_per_key`]), so two requests with one
    /// key never both record.
    fn replay_or_claim(
        &mut self,
        operation: Operation,
        idempotency: Option<&Idempotency>,
    ) -> impl Future<Output = AppResult<Option<i64>>> + Send;

    /// Stores the result row of a key claimed earlier in the same transaction (nothing
    /// without a key).
    fn settle(
        &mut self,
        operation: Operation,
        idempotency: Option<&Idempotency>,
        result_id: i64,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl IdempotencySteps {
        async fn replay_or_claim(
            &mut self,
            operation: Operation,
            idempotency: Option<&Idempotency>,
        ) -> AppResult<Option<i64>> {
            let Some(idem) = idempotency else {
                return Ok(None);
            };
            let earlier: Option<(String, i64)> = idempotency_keys::table
                .filter(idempotency_keys::operation.eq(operation.name))
                .filter(idempotency_keys::idempotency_key.eq(&idem.key))
                .select((idempotency_keys::request_hash, idempotency_keys::result_id))
                .first(self)
                .await
                .optional()?;
            if let Some((fingerprint, result_id)) = earlier {
                if fingerprint != idem.fingerprint {
                    return Err(operation.reused_key(&idem.key));
                }
                return Ok(Some(result_id));
            }
            let ts = now();
            diesel::insert_into(idempotency_keys::table)
                .values((
                    idempotency_keys::uuid.eq(super::new_uuid()),
                    idempotency_keys::created_at.eq(ts),
                    idempotency_keys::updated_at.eq(ts),
                    idempotency_keys::operation.eq(operation.name),
                    idempotency_keys::idempotency_key.eq(&idem.key),
                    idempotency_keys::request_hash.eq(&idem.fingerprint),
                    idempotency_keys::result_id.eq(UNSETTLED),
                ))
                .execute(self)
                .await?;
            Ok(None)
        }

        async fn settle(
            &mut self,
            operation: Operation,
            idempotency: Option<&Idempotency>,
            result_id: i64,
        ) -> AppResult<()> {
            let Some(idem) = idempotency else {
                return Ok(());
            };
            let changed = diesel::update(
                idempotency_keys::table
                    .filter(idempotency_keys::operation.eq(operation.name))
                    .filter(idempotency_keys::idempotency_key.eq(&idem.key)),
            )
            .set(idempotency_keys::result_id.eq(result_id))
            .execute(self)
            .await?;
            if changed != 1 {
                return Err(AppError::Internal(format!(
                    "idempotency key {:?} of {} was not claimed",
                    idem.key, operation.name
                )));
            }
            Ok(())
        }
    }
}

/// Runs a recording transaction (`attempt`), and once more when it lost the race for its
/// key: a unique violation while recording with a key means a concurrent request with the
/// same key committed first (nothing else a recording writes is unique), and the second
/// attempt replays that request's result.
pub async fn once_per_key<T, F, Fut>(idempotency: Option<&Idempotency>, attempt: F) -> AppResult<T>
where
    F: Fn() -> Fut,
    Fut: Future<Output = AppResult<T>>,
{
    match attempt().await {
        Err(error) if idempotency.is_some() && lost_race(&error) => attempt().await,
        other => other,
    }
}

fn lost_race(error: &AppError) -> bool {
    matches!(error, AppError::Duplicate { .. })
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
    use super::{fingerprint, RECORD_PURCHASE};
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

    #[test]
    fn a_reused_key_names_the_key_and_the_kind_of_request() {
        assert_eq!(
            RECORD_PURCHASE.reused_key("receipt-17").to_string(),
            crate::error::AppError::Conflict(
                "idempotency key \"receipt-17\" was already used for a different purchase; use a new key for a new purchase"
                    .into()
            )
            .to_string()
        );
    }
}
