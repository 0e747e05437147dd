//! GraphQL over HTTP (SPEC §4.2): `POST /graphql` with a JSON body (single or batched
//! operations) and `GET /graphql` for queries.
//!
//! Everything a request can be refused for is checked before it costs anything: the
//! media types (a browser on another site can send `text/plain` or form bodies without a
//! preflight, so only JSON is read), the body size (counted while it streams in), the
//! batch size, and the document limits. Every refusal is a GraphQL JSON response with
//! `extensions.code`.

mod execution;
mod media;
mod request;
mod response;

use super::auth;
use super::problem::error_response;
use super::AppState;
use crate::auth::roles::required_role;
use crate::graphql::error::ErrorCode;
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::OperationType;
use async_graphql::Request;
use execution::{refused_by, run, Conditional};
use futures::StreamExt;
use media::{is_json_body, negotiate, not_acceptable};
use request::{parse_body, Body, GetParams};
use response::{respond_batch, respond_single};

/// `POST /graphql`.
pub async fn post(
    state: web::Data<AppState>,
    request: HttpRequest,
    mut payload: web::Payload,
) -> HttpResponse {
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let caller = match auth::caller(&state, auth::authorization(request.headers())).await {
        Ok(caller) => caller,
        Err(error) => return auth::refusal(media.as_str(), error),
    };
    if !is_json_body(request.headers()) {
        return error_response(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ErrorCode::BadUserInput,
            "send GraphQL requests as JSON: Content-Type: application/json",
        );
    }
    let limit = state.max_body_bytes;
    // A lone importData mutation may be larger, up to --max-import-bytes (see import_body),
    // when the caller may import at all.
    let may_import = caller.role >= required_role(OperationType::Mutation, "importData");
    let ceiling = if may_import {
        limit.max(state.max_import_bytes)
    } else {
        limit
    };
    let too_large = || {
        error_response(
            StatusCode::PAYLOAD_TOO_LARGE,
            ErrorCode::BadUserInput,
            format!("the request body is larger than {limit} bytes (--max-body-bytes)"),
        )
    };
    let declared = request
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|length| length > ceiling as u64) {
        return too_large();
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(limit as u64) as usize);
    while let Some(chunk) = payload.next().await {
        let Ok(chunk) = chunk else {
            return error_response(
                StatusCode::BAD_REQUEST,
                ErrorCode::BadUserInput,
                "the request body could not be read completely",
            );
        };
        if body.len() + chunk.len() > ceiling {
            return too_large();
        }
        body.extend_from_slice(&chunk);
    }
    if body.len() > limit && !super::import_body::only_import_data(&body) {
        return too_large();
    }
    let batch = match parse_body(&body, &state.persisted) {
        Ok(batch) => batch,
        Err(message) => {
            return error_response(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, message)
        }
    };
    match batch {
        Body::Single(request) => {
            let outcome = run(&state, *request, &caller, None).await;
            respond_single(media, outcome)
        }
        Body::Batch(requests) => {
            if requests.len() > state.max_batch {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadUserInput,
                    format!(
                        "a batch may hold at most {} operations; this one has {}",
                        state.max_batch,
                        requests.len()
                    ),
                );
            }
            if requests.is_empty() {
                return error_response(
                    StatusCode::BAD_REQUEST,
                    ErrorCode::BadUserInput,
                    "the batch is empty; send at least one operation",
                );
            }
            let outcomes = futures::future::join_all(
                requests.into_iter().map(|r| run(&state, r, &caller, None)),
            )
            .await;
            respond_batch(media, outcomes)
        }
    }
}

/// `GET /graphql`: queries only.
pub async fn get(state: web::Data<AppState>, request: HttpRequest) -> HttpResponse {
    let Some(media) = negotiate(request.headers()) else {
        return not_acceptable();
    };
    let caller = match auth::caller(&state, auth::authorization(request.headers())).await {
        Ok(caller) => caller,
        Err(error) => return auth::refusal(media.as_str(), error),
    };
    let bad =
        |message: &str| error_response(StatusCode::BAD_REQUEST, ErrorCode::BadUserInput, message);
    let Ok(params) = web::Query::<GetParams>::from_query(request.query_string()) else {
        return bad("the query string is malformed");
    };
    let params = params.into_inner();
    let extensions = match params.extensions.filter(|v| !v.is_empty()) {
        None => None,
        Some(text) => match serde_json::from_str::<serde_json::Value>(&text) {
            Ok(value @ serde_json::Value::Object(_)) => Some(value),
            _ => return bad("the \"extensions\" parameter must be a JSON object"),
        },
    };
    let size = params.query.as_ref().map_or(0, String::len)
        + params.variables.as_ref().map_or(0, String::len);
    if size > state.max_body_bytes {
        return error_response(
            StatusCode::URI_TOO_LONG,
            ErrorCode::BadUserInput,
            format!(
                "the request is larger than {} bytes (--max-body-bytes)",
                state.max_body_bytes
            ),
        );
    }
    let extension = extensions.as_ref().and_then(|e| e.get("persistedQuery"));
    let query = match state.persisted.resolve(params.query, extension) {
        Ok(Some(query)) => query,
        Ok(None) => return bad("a GET request needs a \"query\" parameter"),
        Err(error) => return respond_single(media, refused_by(&state, error)),
    };
    let mut graphql = Request::new(query);
    graphql.operation_name = params.operation_name;
    if let Some(variables) = params.variables.filter(|v| !v.is_empty()) {
        match serde_json::from_str::<serde_json::Value>(&variables) {
            Ok(value @ serde_json::Value::Object(_)) => {
                graphql.variables = async_graphql::Variables::from_json(value)
            }
            _ => return bad("the \"variables\" parameter must be a JSON object"),
        }
    }
    if let Some(extensions) = extensions {
        match serde_json::from_value(extensions) {
            Ok(extensions) => graphql.extensions = extensions,
            Err(_) => return bad("the \"extensions\" parameter must be a JSON object"),
        }
    }
    let conditional = Conditional {
        if_none_match: request
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string),
    };
    let outcome = run(&state, Ok(graphql), &caller, Some(conditional)).await;
    respond_single(media, outcome)
}
