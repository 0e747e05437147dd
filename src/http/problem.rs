//! Transport-level errors (bad content type, body too large, refused origin…) as GraphQL
//! JSON responses, so every error a client sees carries `extensions.code` (SPEC §4.2).

use crate::graphql::error::ErrorCode;
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

/// A response whose body is `{"errors":[{"message", "extensions":{"code"}}]}`.
pub fn error_response(
    status: StatusCode,
    code: ErrorCode,
    message: impl Into<String>,
) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("application/json")
        .body(error_body(code, &message.into()))
}

/// The JSON text of a GraphQL response holding one error and no `data`.
pub fn error_body(code: ErrorCode, message: &str) -> String {
    serde_json::json!({
        "errors": [{"message": message, "extensions": {"code": code.as_str()}}]
    })
    .to_string()
}
