//! Bounded retries of write transactions that lost a conflict.
//!
//! PostgreSQL aborts one side of a deadlock (40P01) or a serialization failure (40001); the
//! transaction did nothing and re-running it from the start usually succeeds. Every write
//! transaction (see [`db_write!`](crate::db_write)) is counted by [`Attempts`]: up to
//! [`MAX_ATTEMPTS`] attempts with a short jittered backoff, then `SERVICE_UNAVAILABLE`.
//! Other failures, transient or not, are returned at once: a broken connection or a held
//! SQLite lock already waited (connect fails fast, `busy_timeout`), and the client retries
//! those with its idempotency key.

use crate::error::{AppError, AppResult};
use std::hash::{BuildHasher, Hasher};
use std::time::Duration;

/// Attempts of one transaction before a conflict is reported as `SERVICE_UNAVAILABLE`.
pub const MAX_ATTEMPTS: u32 = 3;

/// Base delay before the second attempt; doubled for each further one.
const BASE_DELAY: Duration = Duration::from_millis(10);

/// Counts the attempts of one transaction and decides whether to run it again.
///
/// Used as a loop by [`db_write!`](crate::db_write) (a loop rather than a closure-taking
/// function, so the body's future stays `Send` for spawned writes):
/// `loop { let result = run().await; if !attempts.again(&result).await { break result } }`.
#[derive(Debug)]
pub struct Attempts {
    done: u32,
}

impl Default for Attempts {
    fn default() -> Self {
        Attempts::new()
    }
}

impl Attempts {
    /// The first attempt is about to run.
    pub fn new() -> Self {
        Attempts { done: 0 }
    }

    /// After an attempt finished with `result`: `true` (after a short pause) when it lost a
    /// conflict and attempts are left, `false` when `result` is the final answer.
    pub async fn again<T>(&mut self, result: &AppResult<T>) -> bool {
        self.done += 1;
        match result {
            Err(AppError::Unavailable { kind, detail }) if kind.is_retried() => {
                if self.done >= MAX_ATTEMPTS {
                    tracing::warn!(attempts = self.done, %detail, "transaction kept conflicting; giving up");
                    return false;
                }
                tracing::info!(attempt = self.done, %detail, "transaction conflicted; running it again");
                tokio::time::sleep(backoff(self.done)).await;
                true
            }
            _ => false,
        }
    }
}

/// The pause after failed attempt `done` (1-based): `BASE_DELAY × 2^(done-1)`, plus up to
/// as much again at random, so two transactions that deadlocked do not meet again in step.
pub fn backoff(done: u32) -> Duration {
    let base = BASE_DELAY * 2u32.saturating_pow(done.saturating_sub(1).min(10));
    let random = std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish();
    let base_ms = u64::try_from(base.as_millis()).unwrap_or(u64::MAX).max(1);
    base + Duration::from_millis(random % base_ms)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Transient;

    /// The loop `db_write!` runs, around an injected body.
    async fn with_retries<T>(mut attempt: impl AsyncFnMut() -> AppResult<T>) -> AppResult<T> {
        let mut attempts = Attempts::new();
        loop {
            let result = attempt().await;
            if !attempts.again(&result).await {
                break result;
            }
        }
    }

    fn transient(kind: Transient) -> AppError {
        AppError::Unavailable {
            kind,
            detail: "injected".into(),
        }
    }

    #[tokio::test]
    async fn a_conflict_is_retried_until_it_succeeds() {
        let mut calls = 0;
        let result = with_retries(async || {
            calls += 1;
            if calls < MAX_ATTEMPTS {
                Err(transient(Transient::Conflict))
            } else {
                Ok(calls)
            }
        })
        .await;
        assert_eq!(result.unwrap(), MAX_ATTEMPTS);
    }

    #[tokio::test]
    async fn a_persistent_conflict_gives_up_as_unavailable() {
        let mut calls = 0;
        let result: AppResult<()> = with_retries(async || {
            calls += 1;
            Err(transient(Transient::Conflict))
        })
        .await;
        assert_eq!(calls, MAX_ATTEMPTS);
        assert!(matches!(
            result,
            Err(AppError::Unavailable {
                kind: Transient::Conflict,
                ..
            })
        ));
    }

    #[tokio::test]
    async fn other_failures_are_not_retried() {
        for error in [
            transient(Transient::Connection),
            transient(Transient::Busy),
            transient(Transient::PoolTimeout),
            AppError::not_found(crate::domain::entity::Entity::Recipe, 1),
            AppError::bad_input("no"),
        ] {
            let mut calls = 0;
            let mut error = Some(error);
            let result: AppResult<()> = with_retries(async || {
                calls += 1;
                Err(error.take().expect("called once"))
            })
            .await;
            assert!(result.is_err());
            assert_eq!(calls, 1);
        }
    }

    #[test]
    fn backoff_grows_and_stays_short() {
        for done in 1..MAX_ATTEMPTS {
            let pause = backoff(done);
            let base = BASE_DELAY * 2u32.pow(done - 1);
            assert!(pause >= base && pause < base * 2, "{pause:?} for {done}");
        }
        assert!(backoff(100) < Duration::from_secs(60));
    }
}
