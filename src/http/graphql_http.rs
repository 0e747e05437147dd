//! GraphQL over HTTP (SPEC §4.2): `POST /graphql` with a JSON body (single or batched
//! operations) and `GET /graphql` for queries.
//!
//! Everything a request can be refused for is checked before it costs anything: the
//! media types (a browser on another site can send `text/plain` or form bodies without a
//! preflight, so only JSON is read), the body size (counted while it streams in), the
//! batch size, and the document limits. Every refusal is a GraphQL JSON response with
//! `extensions.code`.

use super::auth;
use super::gateway::Admitted;
use super::persisted::{PersistedError, PersistedQueries};
use super::problem::{error_body, error_response};
use super::response_cache::none_match_hits;
use super::AppState;
use crate::auth::roles::required_role;
use crate::auth::Caller;
use crate::graphql::error::{has_code, http_status_for, ErrorCode};
use crate::store::data_version;
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpRequest, HttpResponse};
use async_graphql::parser::types::OperationType;
use async_graphql::{Request, Response, ServerError};
use futures::StreamExt;
use serde::Deserialize;

/// The GraphQL-over-HTTP response media type.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// The legacy JSON media type, still what most clients ask for.
const JSON: &str = "application/json";

/// The media type of a response, chosen from the request's `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum MediaType {
    /// `application/graphql-response+json`: requests refused before execution are `400`.
    GraphqlResponse,
    /// `application/json`: every well-formed GraphQL response is `200`.
    Json,
}

impl MediaType {
    fn as_str(self) -> &'static str {
        match self {
            MediaType::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
            MediaType::Json => JSON,
        }
    }
}

/// Picks the response media type from `Accept`: the first acceptable one in the client's
/// order; `application/json` when there is no `Accept`; `None` when nothing listed is
/// acceptable.
fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, MediaType)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let candidate = match media.as_str() {
            GRAPHQL_RESPONSE_JSON => MediaType::GraphqlResponse,
            JSON | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, candidate));
        }
    }
    best.map(|(_, media)| media)
}

fn not_acceptable() -> HttpResponse {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadUserInput,
        "this server answers with application/graphql-response+json or application/json; \
         list one of them in Accept",
    )
}

/// Whether a POST body's `Content-Type` is one the server reads.
fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset_ok = parts.all(|p| {
        let p = p.trim().to_ascii_lowercase();
        !p.starts_with("charset=") || matches!(p.as_str(), "charset=utf-8" | "charset=\"utf-8\"")
    });
    matches!(media.as_str(), JSON | GRAPHQL_RESPONSE_JSON) && charset_ok
}

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

/// One operation of a request: what to run, or why its persisted-query part cannot be used
/// (a GraphQL error, answered like any refusal before execution).
type Item = Result<Request, PersistedError>;

/// A POST body: one operation or a batch.
enum Body {
    Single(Box<Item>),
    Batch(Vec<Item>),
}

/// Reads a JSON body as one request or a list of them, with a message a client can act on;
/// a request may name its document by an automatic persisted query's hash instead of
/// sending it.
fn parse_body(body: &[u8], persisted: &PersistedQueries) -> Result<Body, String> {
    let value: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
        format!(
            "the body is not valid JSON (line {}, column {})",
            e.line(),
            e.column()
        )
    })?;
    let one = |mut value: serde_json::Value| -> Result<Item, String> {
        let Some(object) = value.as_object_mut() else {
            return Err("each GraphQL request must be a JSON object".to_string());
        };
        let query = match object.remove("query") {
            Some(serde_json::Value::String(query)) => Some(query),
            None | Some(serde_json::Value::Null) => None,
            Some(_) => return Err("\"query\" must be a string".to_string()),
        };
        let extension = object
            .get("extensions")
            .and_then(|extensions| extensions.get("persistedQuery"));
        let query = match persisted.resolve(query, extension) {
            Ok(Some(query)) => query,
            Ok(None) => return Err("a GraphQL request needs a \"query\" string".to_string()),
            Err(error) => return Ok(Err(error)),
        };
        object.insert("query".to_string(), serde_json::Value::String(query));
        serde_json::from_value::<Request>(value)
            .map(Ok)
            .map_err(|e| {
                format!(
                    "the GraphQL request is malformed: {}",
                    describe_field_error(&e.to_string())
                )
            })
    };
    match value {
        serde_json::Value::Array(items) => Ok(Body::Batch(
            items.into_iter().map(one).collect::<Result<_, _>>()?,
        )),
        other => Ok(Body::Single(Box::new(one(other)?))),
    }
}

/// serde's messages name Rust types; keep only the part about the client's JSON.
fn describe_field_error(message: &str) -> &'static str {
    if message.contains("variables") || message.contains("map") {
        "\"variables\" must be a JSON object"
    } else if message.contains("operationName") || message.contains("string") {
        "\"operationName\" must be a string or null"
    } else if message.contains("extensions") {
        "\"extensions\" must be a JSON object"
    } else {
        "expected {\"query\": string, \"operationName\"?: string, \"variables\"?: object}"
    }
}

/// The query string of `GET /graphql`.
#[derive(Deserialize)]
struct GetParams {
    query: Option<String>,
    #[serde(rename = "operationName")]
    operation_name: Option<String>,
    variables: Option<String>,
    extensions: Option<String>,
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

/// What became of one operation.
enum Outcome {
    /// It ran (possibly with errors).
    Executed(Response),
    /// It ran without errors, or its answer was in the response cache: the body as sent,
    /// and for a GET its `ETag`.
    Answered {
        /// The response's JSON text.
        body: Bytes,
        /// The validator of the answer (GET only).
        etag: Option<String>,
    },
    /// A GET whose `If-None-Match` names the current answer's `ETag`: `304`, not run.
    NotModified {
        /// The validator the client already holds.
        etag: String,
    },
    /// It was refused before execution: parse, validation or limit errors.
    Refused(Vec<ServerError>),
    /// A mutation or subscription sent with GET.
    NotAQuery,
}

/// The outcome of a request whose persisted-query part could not be used.
fn refused_by(state: &AppState, error: PersistedError) -> Outcome {
    let (code, message) = error.code_and_message();
    let mut error = ServerError::new(message, None);
    error
        .extensions
        .get_or_insert_with(Default::default)
        .set("code", code.as_str());
    state.metrics.observe_request("unknown", "error", 0.0);
    Outcome::Refused(vec![error])
}

/// What a GET brings for conditional requests; POSTs have none (and may run mutations).
struct Conditional {
    /// The `If-None-Match` header, if sent.
    if_none_match: Option<String>,
}

/// Admits and runs one operation. `conditional` is `Some` for GET, which runs queries only
/// and answers `If-None-Match`.
async fn run(
    state: &AppState,
    item: Item,
    caller: &Caller,
    conditional: Option<Conditional>,
) -> Outcome {
    let read_only = conditional.is_some();
    let request = match item {
        Ok(request) => request,
        Err(error) => return refused_by(state, error),
    };
    let admitted = match state.gateway.admit(request, caller.clone()) {
        Ok(admitted) => admitted,
        Err(error) => {
            // Never reached the schema, whose extension counts and logs the others.
            state.metrics.observe_request("unknown", "error", 0.0);
            tracing::info!(outcome = "refused", reason = %error.message, "graphql request");
            return Outcome::Refused(vec![error]);
        }
    };
    if read_only && matches!(admitted.operation, Some(op) if op != OperationType::Query) {
        return Outcome::NotAQuery;
    }
    let admitted = match run_cached(state, admitted, conditional).await {
        Ok(outcome) => return outcome,
        Err(uncached) => uncached,
    };
    let response = state.gateway.execute(admitted).await;
    executed(response)
}

/// Runs a cacheable query through the response cache; gives the operation back when it is
/// not cacheable, or when the data version cannot be read (executing it then reports the
/// database's state).
async fn run_cached(
    state: &AppState,
    mut admitted: Admitted,
    conditional: Option<Conditional>,
) -> Result<Outcome, Admitted> {
    let cache = &state.response_cache;
    if !cache.enabled() {
        return Err(admitted);
    }
    let started = std::time::Instant::now();
    let Some(key) = admitted.cache_key(chrono::Utc::now().date_naive()) else {
        return Err(admitted);
    };
    let db = state.db.clone();
    let version = match state
        .gateway
        .run(async move { data_version::current(&db).await })
        .await
    {
        Some(Ok(version)) => version,
        _ => return Err(admitted),
    };
    let etag = conditional.as_ref().map(|_| key.etag(version));
    let hit = |cache: &str| {
        let elapsed = started.elapsed().as_secs_f64();
        state.metrics.observe_request("query", "ok", elapsed);
        tracing::info!(
            operation_type = "query",
            operation_name = key.operation_name.as_deref().unwrap_or(""),
            outcome = "ok",
            cache,
            duration_ms = elapsed * 1000.0,
            "graphql request"
        );
    };
    if let (Some(etag), Some(sent)) = (&etag, conditional.and_then(|c| c.if_none_match)) {
        if none_match_hits(&sent, etag) {
            hit("not-modified");
            return Ok(Outcome::NotModified { etag: etag.clone() });
        }
    }
    if let Some(body) = cache.get(&key, version) {
        hit("hit");
        return Ok(Outcome::Answered { body, etag });
    }
    let response = state.gateway.execute(admitted).await;
    if !response.errors.is_empty() {
        return Ok(executed(response));
    }
    let body = Bytes::from(serde_json::to_vec(&response).unwrap_or_default());
    cache.put(key, version, body.clone());
    Ok(Outcome::Answered { body, etag })
}

/// The outcome of an executed operation.
fn executed(response: Response) -> Outcome {
    // Errors with no data at all and no path come from parsing, validation or variable
    // coercion: the operation never started.
    let refused = response.data == async_graphql::Value::Null
        && !response.errors.is_empty()
        && response.errors.iter().all(|e| e.path.is_empty())
        && http_status_for(&response.errors).is_none();
    if refused {
        Outcome::Refused(response.errors)
    } else {
        Outcome::Executed(response)
    }
}

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

fn respond_single(media: MediaType, outcome: Outcome) -> HttpResponse {
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

fn respond_batch(media: MediaType, outcomes: Vec<Outcome>) -> HttpResponse {
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

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn accept_is_negotiated() {
        assert_eq!(negotiate(&headers(&[])), Some(MediaType::Json));
        assert_eq!(
            negotiate(&headers(&[("accept", "application/json")])),
            Some(MediaType::Json)
        );
        assert_eq!(
            negotiate(&headers(&[(
                "accept",
                "application/graphql-response+json, application/json;q=0.9"
            )])),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&headers(&[("accept", "*/*")])),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(&headers(&[("accept", "text/html")])), None);
    }

    #[test]
    fn only_json_bodies_are_read() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/graphql-response+json",
        ] {
            assert!(is_json_body(&headers(&[("content-type", ok)])), "{ok}");
        }
        for refused in [
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "application/json; charset=latin1",
            "application/graphql",
        ] {
            assert!(
                !is_json_body(&headers(&[("content-type", refused)])),
                "{refused}"
            );
        }
        assert!(!is_json_body(&headers(&[])));
    }

    #[test]
    fn malformed_bodies_get_messages_without_rust_internals() {
        for body in [
            &b"{"[..],
            b"42",
            b"{\"query\": 1}",
            b"{\"query\": \"{a}\", \"variables\": [1]}",
            b"[{\"nope\": 1}]",
        ] {
            let message = parse_body(body, &PersistedQueries::new(0)).err().unwrap();
            assert!(!message.contains("enum"), "{message}");
            assert!(!message.contains("BatchRequest"), "{message}");
        }
        assert!(matches!(
            parse_body(b"[{\"query\": \"{a}\"}]", &PersistedQueries::new(0)),
            Ok(Body::Batch(_))
        ));
    }
}
