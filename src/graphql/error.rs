//! The one place where application errors become GraphQL errors with a stable
//! `extensions.code` (SPEC §3.1). Internal details are logged here and never sent.

use crate::error::AppError;
use async_graphql::{Error, ErrorExtensions, Value};

/// The stable error codes clients can rely on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorCode {
    /// Invalid input; the message says what to fix.
    BadUserInput,
    /// A referenced row does not exist.
    NotFound,
    /// A uniqueness rule.
    Conflict,
    /// Not enough stock.
    InsufficientInventory,
    /// A workflow step that is not allowed.
    InvalidTransition,
    /// Other rows reference the row to delete.
    DeleteRestricted,
    /// No credentials.
    Unauthenticated,
    /// Not allowed.
    Forbidden,
    /// Over the depth, complexity or page limits.
    QueryTooComplex,
    /// An automatic persisted query's hash is not known (yet): send the document with it.
    PersistedQueryNotFound,
    /// A transient failure (the database cannot be reached, the pool is exhausted, a
    /// conflict persisted after retries): HTTP 503, retry with the same idempotency key.
    ServiceUnavailable,
    /// The server's fault; details are in the log.
    InternalServerError,
}

impl ErrorCode {
    /// The code as sent in `extensions.code`.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::BadUserInput => "BAD_USER_INPUT",
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::InsufficientInventory => "INSUFFICIENT_INVENTORY",
            ErrorCode::InvalidTransition => "INVALID_TRANSITION",
            ErrorCode::DeleteRestricted => "DELETE_RESTRICTED",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::QueryTooComplex => "QUERY_TOO_COMPLEX",
            ErrorCode::PersistedQueryNotFound => "PERSISTED_QUERY_NOT_FOUND",
            ErrorCode::ServiceUnavailable => "SERVICE_UNAVAILABLE",
            ErrorCode::InternalServerError => "INTERNAL_SERVER_ERROR",
        }
    }
}

/// The message sent for every internal error.
pub const INTERNAL_MESSAGE: &str = "internal server error (the details are in the server log)";

/// The message sent for every transient failure; the detail is logged.
pub const UNAVAILABLE_MESSAGE: &str = "the database is unavailable right now; retry the request \
     (with the same idempotencyKey for recordings)";

/// The code an application error is sent with.
pub fn code_of(error: &AppError) -> ErrorCode {
    match error {
        AppError::BadInput(_) | AppError::LimitExceeded(_) => ErrorCode::BadUserInput,
        AppError::NotFound { .. } => ErrorCode::NotFound,
        AppError::Conflict(_) | AppError::Duplicate { .. } => ErrorCode::Conflict,
        AppError::DeleteRestricted { .. } => ErrorCode::DeleteRestricted,
        AppError::InsufficientInventory { .. } => ErrorCode::InsufficientInventory,
        AppError::InvalidTransition { .. } => ErrorCode::InvalidTransition,
        AppError::Unauthenticated(_) => ErrorCode::Unauthenticated,
        AppError::Forbidden { .. } => ErrorCode::Forbidden,
        AppError::Unavailable { .. } => ErrorCode::ServiceUnavailable,
        AppError::Database(_) | AppError::Internal(_) => ErrorCode::InternalServerError,
    }
}

impl From<AppError> for Error {
    fn from(error: AppError) -> Self {
        let code = code_of(&error);
        let message = match &error {
            AppError::Database(_) | AppError::Internal(_) => {
                tracing::error!(error = %error, "internal error while resolving a request");
                INTERNAL_MESSAGE.to_string()
            }
            AppError::Unavailable { kind, detail } => {
                tracing::warn!(%kind, %detail, "transient database failure");
                UNAVAILABLE_MESSAGE.to_string()
            }
            AppError::NotFound { entity, id } => match id.parse::<i64>() {
                Ok(pk) => format!(
                    "{entity} {} was not found",
                    super::ids::encode(super::ids::type_name(*entity), pk).as_str()
                ),
                Err(_) => error.to_string(),
            },
            _ => error.to_string(),
        };
        Error::new(message).extend_with(|_, ext| {
            ext.set("code", code.as_str());
            match &error {
                AppError::DeleteRestricted { references, .. } => {
                    ext.set("references", to_value(references));
                }
                AppError::InsufficientInventory { missing } => {
                    ext.set("missing", to_value(missing))
                }
                AppError::InvalidTransition {
                    current, allowed, ..
                } => {
                    ext.set("current", current.as_str());
                    ext.set("allowed", to_value(allowed));
                }
                AppError::Forbidden { required, .. } => {
                    ext.set("requiredRole", required.as_str());
                }
                _ => {}
            }
        })
    }
}

fn to_value<T: serde::Serialize>(value: &T) -> Value {
    Value::from_json(serde_json::to_value(value).unwrap_or_default()).unwrap_or(Value::Null)
}

/// Marks a GraphQL error produced outside the application layers (limits, parsing)
/// with a code.
pub fn with_code(message: impl Into<String>, code: ErrorCode) -> Error {
    Error::new(message).extend_with(|_, ext| ext.set("code", code.as_str()))
}

/// Whether an error already carries `extensions.code`.
pub fn is_coded(error: &async_graphql::ServerError) -> bool {
    error
        .extensions
        .as_ref()
        .is_some_and(|e| e.get("code").is_some())
}

/// Sets an error's `extensions.code`.
pub fn set_code(error: &mut async_graphql::ServerError, code: ErrorCode) {
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
}

/// Gives every error still without a code `INTERNAL_SERVER_ERROR`, and logs it. Errors a
/// client can cause are coded where they arise (application errors by [`From<AppError>`],
/// the transports' and the gateway's refusals, async-graphql's request and coercion errors
/// by `http::gateway`), so what reaches this is a surprise: its message is logged and
/// replaced, like any internal error's.
pub fn default_codes(errors: &mut [async_graphql::ServerError]) {
    for error in errors.iter_mut().filter(|e| !is_coded(e)) {
        tracing::error!(message = %error.message, path = ?error.path, "an error without a code");
        error.message = INTERNAL_MESSAGE.to_string();
        set_code(error, ErrorCode::InternalServerError);
    }
}

/// An application error refused before execution (no location, no path), with its code and
/// extensions as [`From<AppError>`] gives them.
pub fn server_error(error: AppError) -> async_graphql::ServerError {
    let error = Error::from(error);
    let mut server = async_graphql::ServerError::new(error.message, None);
    server.extensions = error.extensions;
    server
}

/// Whether any of `errors` carries `code`.
pub fn has_code(errors: &[async_graphql::ServerError], code: ErrorCode) -> bool {
    errors.iter().any(|e| {
        matches!(
            e.extensions.as_ref().and_then(|ext| ext.get("code")),
            Some(Value::String(c)) if c == code.as_str()
        )
    })
}

/// The HTTP status a GraphQL response should be sent with: `Some(503)` when any error is
/// `SERVICE_UNAVAILABLE` (so clients and proxies know to retry), `None` to keep the
/// transport's default.
pub fn http_status_for(errors: &[async_graphql::ServerError]) -> Option<u16> {
    let unavailable = ErrorCode::ServiceUnavailable.as_str();
    errors
        .iter()
        .any(|e| {
            matches!(
                e.extensions.as_ref().and_then(|ext| ext.get("code")),
                Some(Value::String(code)) if code == unavailable
            )
        })
        .then_some(503)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Shortfall;

    fn code(error: AppError) -> String {
        let gql: Error = error.into();
        match gql.extensions.as_ref().and_then(|e| e.get("code")) {
            Some(Value::String(s)) => s.clone(),
            other => panic!("no code: {other:?}"),
        }
    }

    #[test]
    fn every_variant_has_its_code() {
        assert_eq!(code(AppError::bad_input("x")), "BAD_USER_INPUT");
        assert_eq!(
            code(AppError::not_found(
                crate::domain::entity::Entity::Recipe,
                1
            )),
            "NOT_FOUND"
        );
        assert_eq!(code(AppError::Conflict("x".into())), "CONFLICT");
        assert_eq!(
            code(AppError::Unauthenticated(crate::auth::AuthFailure::Revoked)),
            "UNAUTHENTICATED"
        );
        let forbidden: Error = AppError::Forbidden {
            field: "createEvent".into(),
            required: crate::auth::Role::Manager,
            role: crate::auth::Role::Baker,
        }
        .into();
        assert_eq!(
            forbidden.message,
            "`createEvent` needs the manager role; this request has baker"
        );
        assert_eq!(
            forbidden
                .extensions
                .as_ref()
                .and_then(|e| e.get("requiredRole")),
            Some(&Value::String("manager".into()))
        );
        assert_eq!(
            code(AppError::Forbidden {
                field: "x".into(),
                required: crate::auth::Role::Manager,
                role: crate::auth::Role::Viewer
            }),
            "FORBIDDEN"
        );
        assert_eq!(
            code(AppError::DeleteRestricted {
                entity: "recipe",
                name: "x".into(),
                references: vec![]
            }),
            "DELETE_RESTRICTED"
        );
        assert_eq!(
            code(AppError::InsufficientInventory { missing: vec![] }),
            "INSUFFICIENT_INVENTORY"
        );
        assert_eq!(
            code(AppError::InvalidTransition {
                current: "PENDING".into(),
                requested: "DELIVERED".into(),
                allowed: vec!["READY".into()]
            }),
            "INVALID_TRANSITION"
        );
        assert_eq!(
            code(AppError::Duplicate {
                constraint: "recipes_name_key".into()
            }),
            "CONFLICT"
        );
        assert_eq!(
            code(AppError::LimitExceeded(
                crate::domain::limits::LimitExceeded::count("inventoryCount")
            )),
            "BAD_USER_INPUT"
        );
        assert_eq!(
            code(AppError::Internal("secret".into())),
            "INTERNAL_SERVER_ERROR"
        );
        assert_eq!(
            code(AppError::Database(diesel::result::Error::NotFound)),
            "INTERNAL_SERVER_ERROR"
        );
        assert_eq!(
            code(AppError::Unavailable {
                kind: crate::error::Transient::Connection,
                detail: "x".into()
            }),
            "SERVICE_UNAVAILABLE"
        );
    }

    #[test]
    fn unavailable_sends_a_retry_hint_not_the_detail() {
        let gql: Error = AppError::Unavailable {
            kind: crate::error::Transient::Connection,
            detail: "error connecting to server 10.0.0.5".into(),
        }
        .into();
        assert_eq!(gql.message, UNAVAILABLE_MESSAGE);
        assert!(gql.message.contains("idempotencyKey"));
    }

    #[test]
    fn http_status_is_503_only_for_unavailable() {
        let server_error = |error: AppError| {
            let gql: Error = error.into();
            gql.into_server_error(async_graphql::Pos::default())
        };
        let unavailable = server_error(AppError::Unavailable {
            kind: crate::error::Transient::PoolTimeout,
            detail: String::new(),
        });
        let not_found = server_error(AppError::not_found(
            crate::domain::entity::Entity::Recipe,
            1,
        ));
        assert_eq!(http_status_for(&[]), None);
        assert_eq!(http_status_for(std::slice::from_ref(&not_found)), None);
        assert_eq!(http_status_for(&[not_found, unavailable]), Some(503));
    }

    #[test]
    fn uncoded_errors_default_to_internal() {
        let coded = server_error(AppError::bad_input("first must not be negative"));
        let surprise = async_graphql::ServerError::new("Data `Db` does not exist.", None);
        let mut errors = vec![coded, surprise];
        default_codes(&mut errors);
        assert_eq!(errors[0].message, "first must not be negative");
        assert!(has_code(&errors[..1], ErrorCode::BadUserInput));
        assert_eq!(errors[1].message, INTERNAL_MESSAGE);
        assert!(has_code(&errors[1..], ErrorCode::InternalServerError));
    }

    #[test]
    fn internal_details_are_not_sent() {
        let gql: Error = AppError::Internal("password=hunter2".into()).into();
        assert_eq!(gql.message, INTERNAL_MESSAGE);
    }

    #[test]
    fn not_found_names_the_global_id() {
        let gql: Error = AppError::not_found(crate::domain::entity::Entity::Recipe, 7).into();
        assert_eq!(
            gql.message,
            format!(
                "Recipe {} was not found",
                super::super::ids::encode("Recipe", 7).as_str()
            )
        );
    }

    #[test]
    fn structured_extensions_are_sent() {
        let gql: Error = AppError::InsufficientInventory {
            missing: vec![Shortfall {
                ingredient: Some("Butter".into()),
                component: None,
                needed: "500".into(),
                available: "250".into(),
                unit: "g".into(),
            }],
        }
        .into();
        let missing = gql
            .extensions
            .as_ref()
            .unwrap()
            .get("missing")
            .unwrap()
            .clone()
            .into_json()
            .unwrap();
        assert_eq!(
            missing,
            serde_json::json!([{"ingredient": "Butter", "needed": "500", "available": "250", "unit": "g"}])
        );
        let gql: Error = AppError::InvalidTransition {
            current: "DELIVERED".into(),
            requested: "READY".into(),
            allowed: vec![],
        }
        .into();
        assert!(gql.message.contains("none (final)"));
        let ext = gql.extensions.unwrap();
        assert_eq!(ext.get("current"), Some(&Value::String("DELIVERED".into())));
    }
}
