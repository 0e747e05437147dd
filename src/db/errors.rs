//! The one place that decides what a database failure means: transient, the caller's
//! violation of a constraint, or internal.
//!
//! A transient failure is not the caller's fault and not a fact about the data: the database
//! cannot be reached, the pool has no free connection, or a transaction lost a conflict. It is
//! reported as `SERVICE_UNAVAILABLE` (HTTP 503) so clients retry, never as `NOT_FOUND` or an
//! internal error. The conversion into [`AppError`] at the end of this module also sorts
//! the constraint violations a caller can cause, so every layer above gets typed errors.
//!
//! PostgreSQL errors are recognised by diesel's error kind where diesel has one
//! (serialization failure, connection errors without a SQLSTATE) and otherwise by the
//! server's message, because diesel-async does not expose the SQLSTATE of other codes.

use crate::error::{AppError, Reference};
use diesel::result::{ConnectionError, DatabaseErrorKind, Error as DieselError};
use std::fmt;

/// Why a failure is transient; decides whether the server retries and whether the
/// connection is thrown away.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transient {
    /// No connection could be made, or the one in use broke (server down, restarting,
    /// network). The connection is discarded, not returned to the pool.
    Connection,
    /// No pooled connection became free within the acquire timeout.
    PoolTimeout,
    /// PostgreSQL aborted the transaction to resolve a serialization failure (40001) or a
    /// deadlock (40P01); re-running the whole transaction may succeed.
    Conflict,
    /// SQLite's write lock stayed held by another connection longer than `busy_timeout`.
    Busy,
}

impl Transient {
    /// Whether the server re-runs the transaction itself (a bounded number of times).
    pub fn is_retried(self) -> bool {
        self == Transient::Conflict
    }
}

impl fmt::Display for Transient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Transient::Connection => "connection failed",
            Transient::PoolTimeout => "no free connection in the pool",
            Transient::Conflict => "transaction conflict",
            Transient::Busy => "database locked",
        })
    }
}

/// PostgreSQL messages (lower case) of errors that mean "this connection is gone or the
/// server does not accept connections right now" (SQLSTATE classes 08 and 57P0x, 53300).
const PG_CONNECTION_MESSAGES: &[&str] = &[
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "the database system is not yet accepting connections",
    "the database system is not accepting connections",
    "sorry, too many clients already",
    "connection closed",
    "connection reset",
    "connection refused",
    "broken pipe",
    "error communicating with the server",
];

/// Whether a database error is transient, and of which kind; `None` for everything that
/// is about the request or the data (constraint violations, missing rows, bugs).
pub fn classify(error: &DieselError) -> Option<Transient> {
    match error {
        DieselError::DatabaseError(kind, info) => {
            let message = info.message().to_ascii_lowercase();
            match kind {
                DatabaseErrorKind::SerializationFailure => Some(Transient::Conflict),
                DatabaseErrorKind::UnableToSendCommand | DatabaseErrorKind::ClosedConnection => {
                    Some(Transient::Connection)
                }
                DatabaseErrorKind::UniqueViolation
                | DatabaseErrorKind::ForeignKeyViolation
                | DatabaseErrorKind::NotNullViolation
                | DatabaseErrorKind::CheckViolation
                | DatabaseErrorKind::RestrictViolation
                | DatabaseErrorKind::ExclusionViolation
                | DatabaseErrorKind::ReadOnlyTransaction => None,
                _ => classify_message(&message),
            }
        }
        DieselError::RollbackErrorOnCommit {
            rollback_error,
            commit_error,
        } => classify(commit_error).or_else(|| classify(rollback_error)),
        // A transaction whose rollback failed leaves the connection unusable; that only
        // happens when the connection broke under it.
        DieselError::BrokenTransactionManager => Some(Transient::Connection),
        _ => None,
    }
}

fn classify_message(message: &str) -> Option<Transient> {
    if message.contains("deadlock detected") || message.contains("could not serialize access") {
        Some(Transient::Conflict)
    } else if message.contains("database is locked")
        || message.contains("database table is locked")
        || message.contains("database schema is locked")
    {
        Some(Transient::Busy)
    } else if PG_CONNECTION_MESSAGES.iter().any(|m| message.contains(m)) {
        Some(Transient::Connection)
    } else {
        None
    }
}

/// Whether failing to open a connection is transient: everything except a malformed URL
/// (a configuration error that no retry can fix).
pub fn classify_connection(error: &ConnectionError) -> Option<Transient> {
    match error {
        ConnectionError::InvalidConnectionUrl(_) | ConnectionError::InvalidCString(_) => None,
        ConnectionError::CouldntSetupConfiguration(inner) => {
            Some(classify(inner).unwrap_or(Transient::Connection))
        }
        _ => Some(Transient::Connection),
    }
}

/// The pool's error when no connection can be handed out.
pub type PoolError = deadpool::managed::PoolError<diesel_async::pooled_connection::PoolError>;

/// Turns a failed checkout into an application error: timeouts and connection failures
/// are transient, a misconfigured pool is internal.
pub fn from_pool_error(error: PoolError) -> AppError {
    use deadpool::managed::{PoolError as P, TimeoutType};
    use diesel_async::pooled_connection::PoolError as Backend;
    let kind = match &error {
        P::Timeout(TimeoutType::Wait) => Some(Transient::PoolTimeout),
        P::Timeout(_) | P::Closed => Some(Transient::Connection),
        P::Backend(Backend::ConnectionError(e)) => classify_connection(e),
        P::Backend(Backend::QueryError(e)) => Some(classify(e).unwrap_or(Transient::Connection)),
        P::NoRuntimeSpecified | P::PostCreateHook(_) => None,
    };
    match kind {
        Some(kind) => AppError::Unavailable {
            kind,
            detail: format!("could not get a database connection: {error}"),
        },
        None => AppError::Internal(format!("could not get a database connection: {error}")),
    }
}

/// The one conversion of database errors: transient failures become `Unavailable`, the
/// caller's violations of a rule the schema enforces become the error the client is sent
/// (a unique value taken: `Duplicate`; a check or NOT NULL: `BadInput`; a reference:
/// `DeleteRestricted`), and anything else stays `Database` (internal; logged, not sent).
impl From<DieselError> for AppError {
    fn from(error: DieselError) -> Self {
        if let Some(kind) = classify(&error) {
            return AppError::Unavailable {
                kind,
                detail: error.to_string(),
            };
        }
        let DieselError::DatabaseError(kind, info) = &error else {
            return AppError::Database(error);
        };
        // PostgreSQL names the constraint; SQLite only says which columns in its message.
        let constraint = info
            .constraint_name()
            .map(str::to_string)
            .unwrap_or_else(|| info.message().to_string());
        match kind {
            DatabaseErrorKind::UniqueViolation => AppError::Duplicate { constraint },
            DatabaseErrorKind::CheckViolation | DatabaseErrorKind::NotNullViolation => {
                AppError::BadInput(format!(
                    "a value is out of its allowed range ({constraint})"
                ))
            }
            DatabaseErrorKind::ForeignKeyViolation => AppError::DeleteRestricted {
                entity: "row",
                name: info.table_name().unwrap_or("?").to_string(),
                references: vec![Reference {
                    kind: format!("other rows ({constraint})"),
                    count: 1,
                }],
            },
            _ => AppError::Database(error),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use deadpool::managed::{PoolError as P, TimeoutType};
    use diesel_async::pooled_connection::PoolError as Backend;

    fn db_error(kind: DatabaseErrorKind, message: &str) -> DieselError {
        DieselError::DatabaseError(kind, Box::new(message.to_string()))
    }

    fn unknown(message: &str) -> DieselError {
        db_error(DatabaseErrorKind::Unknown, message)
    }

    #[test]
    fn broken_and_refused_connections_are_transient() {
        // tokio-postgres errors without a SQLSTATE: closed socket, refused connect.
        for message in [
            "connection closed",
            "error communicating with the server: Connection reset by peer (os error 104)",
            "error connecting to server: Connection refused (os error 111)",
        ] {
            assert_eq!(
                classify(&db_error(DatabaseErrorKind::UnableToSendCommand, message)),
                Some(Transient::Connection),
                "{message}"
            );
        }
        assert_eq!(
            classify(&db_error(DatabaseErrorKind::ClosedConnection, "closed")),
            Some(Transient::Connection)
        );
        // Server-side: fast shutdown (57P01), startup (57P03), too many clients (53300).
        for message in [
            "terminating connection due to administrator command",
            "the database system is shutting down",
            "the database system is starting up",
            "sorry, too many clients already",
        ] {
            assert_eq!(
                classify(&unknown(message)),
                Some(Transient::Connection),
                "{message}"
            );
        }
        assert_eq!(
            classify(&DieselError::BrokenTransactionManager),
            Some(Transient::Connection)
        );
    }

    #[test]
    fn serialization_failures_and_deadlocks_are_retried_conflicts() {
        let serialization = db_error(
            DatabaseErrorKind::SerializationFailure,
            "could not serialize access due to concurrent update",
        );
        assert_eq!(classify(&serialization), Some(Transient::Conflict));
        assert_eq!(
            classify(&unknown("deadlock detected")),
            Some(Transient::Conflict)
        );
        assert!(Transient::Conflict.is_retried());
        assert!(!Transient::Connection.is_retried());
        assert!(!Transient::Busy.is_retried());
        // A conflict reported at COMMIT is still a conflict.
        let on_commit = DieselError::RollbackErrorOnCommit {
            rollback_error: Box::new(DieselError::NotInTransaction),
            commit_error: Box::new(serialization),
        };
        assert_eq!(classify(&on_commit), Some(Transient::Conflict));
    }

    #[test]
    fn sqlite_lock_timeouts_are_busy() {
        assert_eq!(
            classify(&unknown("database is locked")),
            Some(Transient::Busy)
        );
        assert_eq!(
            classify(&unknown("database table is locked")),
            Some(Transient::Busy)
        );
    }

    #[test]
    fn data_errors_are_not_transient() {
        assert_eq!(classify(&DieselError::NotFound), None);
        for kind in [
            DatabaseErrorKind::UniqueViolation,
            DatabaseErrorKind::ForeignKeyViolation,
            DatabaseErrorKind::CheckViolation,
            DatabaseErrorKind::NotNullViolation,
        ] {
            // Even when the message happens to mention a lock.
            assert_eq!(classify(&db_error(kind, "database is locked")), None);
        }
        assert_eq!(classify(&unknown("syntax error at or near \"x\"")), None);
        assert_eq!(
            classify(&unknown(
                "invalid byte sequence for encoding \"UTF8\": 0x00"
            )),
            None
        );
    }

    #[test]
    fn pool_errors_are_classified() {
        let unavailable = |e: PoolError| match from_pool_error(e) {
            AppError::Unavailable { kind, .. } => Some(kind),
            _ => None,
        };
        assert_eq!(
            unavailable(P::Timeout(TimeoutType::Wait)),
            Some(Transient::PoolTimeout)
        );
        assert_eq!(
            unavailable(P::Timeout(TimeoutType::Create)),
            Some(Transient::Connection)
        );
        assert_eq!(
            unavailable(P::Backend(Backend::ConnectionError(
                ConnectionError::BadConnection("connection refused".into())
            ))),
            Some(Transient::Connection)
        );
        assert_eq!(
            unavailable(P::Backend(Backend::ConnectionError(
                ConnectionError::CouldntSetupConfiguration(db_error(
                    DatabaseErrorKind::UnableToSendCommand,
                    "error connecting to server: Connection refused (os error 111)"
                ))
            ))),
            Some(Transient::Connection)
        );
        assert_eq!(
            unavailable(P::Backend(Backend::QueryError(unknown(
                "terminating connection due to administrator command"
            )))),
            Some(Transient::Connection)
        );
        assert_eq!(unavailable(P::Closed), Some(Transient::Connection));
        // A malformed URL is a configuration error, not something to retry.
        assert!(matches!(
            from_pool_error(P::Backend(Backend::ConnectionError(
                ConnectionError::InvalidConnectionUrl("nope".into())
            ))),
            AppError::Internal(_)
        ));
        assert!(matches!(
            from_pool_error(P::NoRuntimeSpecified),
            AppError::Internal(_)
        ));
    }

    #[test]
    fn constraint_violations_become_the_callers_errors() {
        let unique = AppError::from(db_error(
            DatabaseErrorKind::UniqueViolation,
            "UNIQUE constraint failed: recipes.name_key",
        ));
        assert!(
            matches!(&unique, AppError::Duplicate { constraint } if constraint == "UNIQUE constraint failed: recipes.name_key"),
            "{unique:?}"
        );
        assert_eq!(
            unique.to_string(),
            "a row with the same unique value already exists (UNIQUE constraint failed: recipes.name_key)"
        );
        for kind in [
            DatabaseErrorKind::CheckViolation,
            DatabaseErrorKind::NotNullViolation,
        ] {
            let error = AppError::from(db_error(kind, "CHECK constraint failed: quantity"));
            assert!(
                matches!(&error, AppError::BadInput(m) if m == "a value is out of its allowed range (CHECK constraint failed: quantity)"),
                "{error:?}"
            );
        }
        let reference = AppError::from(db_error(
            DatabaseErrorKind::ForeignKeyViolation,
            "FOREIGN KEY constraint failed",
        ));
        match reference {
            AppError::DeleteRestricted {
                entity,
                name,
                references,
            } => {
                assert_eq!((entity, name.as_str()), ("row", "?"));
                assert_eq!(
                    references,
                    vec![Reference {
                        kind: "other rows (FOREIGN KEY constraint failed)".into(),
                        count: 1
                    }]
                );
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn conversion_keeps_other_errors_and_marks_transient_ones() {
        assert!(matches!(
            AppError::from(DieselError::NotFound),
            AppError::Database(DieselError::NotFound)
        ));
        assert!(matches!(
            AppError::from(unknown("syntax error at or near \"x\"")),
            AppError::Database(_)
        ));
        assert!(matches!(
            AppError::from(unknown("database is locked")),
            AppError::Unavailable {
                kind: Transient::Busy,
                ..
            }
        ));
    }
}
