//! Who sends an HTTP request: its `Authorization: Bearer …` token, checked with one read of
//! the database on an execution runtime (never on an actix worker, see [`super::gateway`])
//! and on every request, so a revoked or expired token is refused from the next request on,
//! by every instance. With `--auth off` every caller is a nameless manager.

use super::AppState;
use crate::auth::{bearer_token, AuthFailure, AuthMode, Caller};
use crate::error::AppError;
use crate::graphql::error::server_error;
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

/// The `Authorization` value of a request: `None` without one; a value that is not text
/// reads as empty (and so as malformed).
pub fn authorization(headers: &HeaderMap) -> Option<&str> {
    headers
        .get(header::AUTHORIZATION)
        .map(|value| value.to_str().unwrap_or(""))
}

/// The caller of a request whose `Authorization` value is `authorization`, or why it is
/// refused (`Unauthenticated`, or `Unavailable` when the database cannot answer).
pub async fn caller(state: &AppState, authorization: Option<&str>) -> Result<Caller, AppError> {
    if state.auth == AuthMode::Off {
        return Ok(Caller::unauthenticated_manager());
    }
    let token = bearer_token(authorization)
        .map_err(AppError::Unauthenticated)?
        .ok_or(AppError::Unauthenticated(AuthFailure::Missing))?
        .to_string();
    authenticate_token(state, token).await
}

/// Checks a token's text on an execution runtime.
pub async fn authenticate_token(state: &AppState, token: String) -> Result<Caller, AppError> {
    let db = state.db.clone();
    state
        .gateway
        .run(async move { crate::store::tokens::authenticate(&db, &token).await })
        .await
        .unwrap_or_else(|| Err(AppError::Internal("the token check panicked".into())))
}

/// The response refusing a request that could not be authenticated: `401` with
/// `WWW-Authenticate` (RFC 6750) for a missing or refused token, `503` when the database
/// could not be asked; the body is a GraphQL response with the error's code, in
/// `media_type`.
pub fn refusal(media_type: &str, error: AppError) -> HttpResponse {
    let challenge = match &error {
        AppError::Unauthenticated(failure) => Some(failure.challenge()),
        _ => None,
    };
    let status = match &error {
        AppError::Unauthenticated(_) => StatusCode::UNAUTHORIZED,
        AppError::Unavailable { .. } => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = serde_json::json!({ "errors": [server_error(error)] }).to_string();
    let mut response = HttpResponse::build(status);
    response.content_type(media_type);
    if let Some(challenge) = challenge {
        response.insert_header((header::WWW_AUTHENTICATE, challenge));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    response.body(body)
}
