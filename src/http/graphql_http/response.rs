//! Writing responses: status, media type, caching headers and body of each outcome.

use super::execution::Outcome;
use super::media::MediaType;
use crate::graphql::error::{has_code, http_status_for, ErrorCode};
use crate::http::problem::error_body;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::HttpResponse;
use async_graphql::Response;

/// The HTTP status of an executed response: `503` when the database was unavailable (the
/// client should retry), else `200`.
fn executed_status(response: &Response) -> StatusCode {
    http_status_for(&response.errors)
        .and_then(|code| StatusCode::from_u16(code).ok())
        .unwrap_or(StatusCode::OK)
}

/// The status and JSON text of one outcome, and whether it was refused before execution.
/// Responses are serialized directly: a `serde_json::Value` would sort their keys, and
/// fields must come in query order.
fn body_of(outcome: &Outcome) -> (StatusCode, Bytes, bool) {
    let (status, body, refused) = match outcome {
        Outcome::Executed(response) => (
            executed_status(response),
            serde_json::to_string(response).unwrap_or_default(),
            false,
        ),
        Outcome::Answered { body, .. } => return (StatusCode::OK, body.clone(), false),
        Outcome::NotModified { .. } => return (StatusCode::NOT_MODIFIED, Bytes::new(), false),
        // A role too weak is 403, like the transport's other refusals of who is asking.
        Outcome::Refused(errors) if has_code(errors, ErrorCode::Forbidden) => (
            StatusCode::FORBIDDEN,
            serde_json::to_string(&serde_json::json!({ "errors": errors })).unwrap_or_default(),
            true,
        ),
        Outcome::Refused(errors) => (
            StatusCode::BAD_REQUEST,
            serde_json::to_string(&serde_json::json!({ "errors": errors })).unwrap_or_default(),
            true,
        ),
        Outcome::NotAQuery => (
            StatusCode::METHOD_NOT_ALLOWED,
            error_body(
                ErrorCode::BadUserInput,
                "only queries can be sent with GET; send mutations with POST",
            ),
            true,
        ),
    };
    (status, Bytes::from(body), refused)
}

/// The HTTP response of one operation.
pub(super) fn respond_single(media: MediaType, outcome: Outcome) -> HttpResponse {
    let (status, body, refused) = body_of(&outcome);
    let status = match (&outcome, media) {
        (Outcome::NotAQuery, _) => status,
        // Legacy JSON clients expect 200 for any GraphQL response.
        (_, MediaType::Json) if refused => StatusCode::OK,
        _ => status,
    };
    let mut response = HttpResponse::build(status);
    response.content_type(media.as_str());
    if matches!(outcome, Outcome::NotAQuery) {
        response.insert_header((header::ALLOW, "POST"));
    }
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    if let Outcome::Answered {
        etag: Some(etag), ..
    }
    | Outcome::NotModified { etag } = &outcome
    {
        // Answers differ per caller; a client must ask again before reusing one.
        response
            .insert_header((header::ETAG, etag.as_str()))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"));
    }
    if status == StatusCode::NOT_MODIFIED {
        return response.finish();
    }
    response.body(body)
}

/// The HTTP response of a batch: one JSON array of the operations' bodies, `503` when
/// any of them found the database unavailable.
pub(super) fn respond_batch(media: MediaType, outcomes: Vec<Outcome>) -> HttpResponse {
    let mut unavailable = false;
    let mut bodies = Vec::with_capacity(2);
    bodies.push(b'[');
    for (i, outcome) in outcomes.iter().enumerate() {
        let (status, body, _) = body_of(outcome);
        unavailable |= status == StatusCode::SERVICE_UNAVAILABLE;
        if i > 0 {
            bodies.push(b',');
        }
        bodies.extend_from_slice(&body);
    }
    bodies.push(b']');
    let mut response = HttpResponse::build(if unavailable {
        StatusCode::SERVICE_UNAVAILABLE
    } else {
        StatusCode::OK
    });
    if unavailable {
        response.insert_header((header::RETRY_AFTER, "1"));
    }
    response.content_type(media.as_str()).body(bodies)
}
