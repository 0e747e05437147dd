//! The typed error every layer below GraphQL returns.
//!
//! Policy: store and domain code return [`AppError`] with a message written for the API's
//! reader (what is wrong and how to fix it). The GraphQL edge maps each variant to one
//! stable `extensions.code` (see `graphql::error`). `Internal`, `Database` and `Unavailable`
//! carry details that are logged, never sent to clients.
//!
//! Database errors become `AppError` through one conversion (in `db::errors`), which sorts
//! transient failures (no connection, pool timeout, a lost conflict) into `Unavailable` and
//! the caller's violations of a constraint into `Duplicate`, `BadInput` or
//! `DeleteRestricted`; only what is left stays `Database`.

pub use crate::db::errors::Transient;
use serde::Serialize;
use thiserror::Error;

/// One row kind that blocks a delete, and how many such rows exist.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Reference {
    /// What references the row, e.g. `"production runs"`.
    pub kind: String,
    /// How many of them.
    pub count: i64,
}

/// One shortfall reported by `INSUFFICIENT_INVENTORY`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Shortfall {
    /// Ingredient name, for ingredient shortfalls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ingredient: Option<String>,
    /// Component name, for finished unit / finished good shortfalls.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub component: Option<String>,
    /// Quantity needed, as an exact decimal string.
    pub needed: String,
    /// Quantity available, as an exact decimal string.
    pub available: String,
    /// Unit of both quantities.
    pub unit: String,
}

/// Every failure the application reports.
#[derive(Debug, Error)]
pub enum AppError {
    /// The input is invalid; the message says what to fix.
    #[error("{0}")]
    BadInput(String),
    /// A referenced row does not exist.
    #[error("{entity} {id} was not found")]
    NotFound {
        /// The kind of row.
        entity: crate::domain::entity::Entity,
        /// The id as the client gave it.
        id: String,
    },
    /// A uniqueness rule would be broken.
    #[error("{0}")]
    Conflict(String),
    /// The database refused a write because a unique constraint already holds the value;
    /// a store step that expects such a race (an idempotency key) matches on this variant.
    #[error("a row with the same unique value already exists ({constraint})")]
    Duplicate {
        /// The constraint's name, or the database's message when it names none (SQLite).
        constraint: String,
    },
    /// The row cannot be deleted while other rows reference it.
    #[error("cannot delete {entity} \"{name}\": it is referenced by {}", describe_references(.references))]
    DeleteRestricted {
        /// The kind of row being deleted.
        entity: &'static str,
        /// Its display name.
        name: String,
        /// What references it.
        references: Vec<Reference>,
    },
    /// Not enough stock for the requested operation.
    #[error("insufficient inventory: {}", describe_shortfalls(.missing))]
    InsufficientInventory {
        /// Every shortfall, not just the first.
        missing: Vec<Shortfall>,
    },
    /// A workflow step that is not allowed from the current state.
    #[error("cannot change status from {current} to {requested}; allowed: {}", if .allowed.is_empty() { "none (final)".to_string() } else { .allowed.join(", ") })]
    InvalidTransition {
        /// The current state.
        current: String,
        /// The state asked for.
        requested: String,
        /// The states allowed next.
        allowed: Vec<String>,
    },
    /// The request carries no valid token (`--auth required`).
    #[error("{0}")]
    Unauthenticated(crate::auth::AuthFailure),
    /// The caller's role is too weak for a field of the operation; nothing was run.
    #[error("`{field}` needs the {} role; this request has {}", .required.as_str(), .role.as_str())]
    Forbidden {
        /// The root field refused.
        field: String,
        /// The role it needs.
        required: crate::auth::Role,
        /// The caller's role.
        role: crate::auth::Role,
    },
    /// A stored count or sum would pass its maximum (`domain::limits`).
    #[error("{0}")]
    LimitExceeded(crate::domain::limits::LimitExceeded),
    /// A database failure that is not the caller's fault and not transient.
    #[error("database error: {0}")]
    Database(diesel::result::Error),
    /// A transient failure: the database cannot be reached, the pool has no free connection,
    /// or a conflict persisted after retries. Sent as `SERVICE_UNAVAILABLE`; the client may
    /// retry (with its idempotency key for recordings).
    #[error("database unavailable ({kind}): {detail}")]
    Unavailable {
        /// Which transient failure.
        kind: Transient,
        /// What the database or pool said; logged, never sent.
        detail: String,
    },
    /// Any other failure that is not the caller's fault.
    #[error("internal error: {0}")]
    Internal(String),
}

fn describe_references(references: &[Reference]) -> String {
    references
        .iter()
        .map(|r| format!("{} {}", r.count, r.kind))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe_shortfalls(missing: &[Shortfall]) -> String {
    missing
        .iter()
        .map(|s| {
            let what = s
                .ingredient
                .as_deref()
                .or(s.component.as_deref())
                .unwrap_or("?");
            format!("{what}: need {} {}, have {}", s.needed, s.unit, s.available)
        })
        .collect::<Vec<_>>()
        .join("; ")
}

/// Shorthand for results of the application layers.
pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    /// A `BAD_USER_INPUT` error with the given message.
    pub fn bad_input(message: impl Into<String>) -> Self {
        AppError::BadInput(message.into())
    }

    /// A `NOT_FOUND` error for an entity kind and the id the client gave.
    pub fn not_found(entity: crate::domain::entity::Entity, id: impl ToString) -> Self {
        AppError::NotFound {
            entity,
            id: id.to_string(),
        }
    }
}

impl From<crate::domain::units::UnknownUnit> for AppError {
    fn from(e: crate::domain::units::UnknownUnit) -> Self {
        AppError::BadInput(e.to_string())
    }
}

impl From<crate::domain::units::ConversionError> for AppError {
    fn from(e: crate::domain::units::ConversionError) -> Self {
        AppError::BadInput(e.to_string())
    }
}

impl From<crate::domain::units::InvalidDensity> for AppError {
    fn from(e: crate::domain::units::InvalidDensity) -> Self {
        AppError::BadInput(e.to_string())
    }
}

impl From<crate::domain::fixed::OutOfRange> for AppError {
    fn from(e: crate::domain::fixed::OutOfRange) -> Self {
        AppError::BadInput(e.to_string())
    }
}

impl From<crate::domain::limits::LimitExceeded> for AppError {
    fn from(e: crate::domain::limits::LimitExceeded) -> Self {
        AppError::LimitExceeded(e)
    }
}

impl From<crate::domain::text::TextError> for AppError {
    fn from(e: crate::domain::text::TextError) -> Self {
        AppError::BadInput(e.to_string())
    }
}
