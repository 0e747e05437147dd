//! Running one operation: admission, the response cache (with GET's `If-None-Match`), and
//! execution on the gateway.

use super::request::Item;
use crate::auth::Caller;
use crate::graphql::error::http_status_for;
use crate::http::gateway::{Admitted, Answer};
use crate::http::persisted::PersistedError;
use crate::http::response_cache::none_match_hits;
use crate::http::AppState;
use crate::store::data_version;
use actix_web::web::Bytes;
use async_graphql::parser::types::OperationType;
use async_graphql::{Response, ServerError};

/// What became of one operation.
pub(super) enum Outcome {
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
pub(super) fn refused_by(state: &AppState, error: PersistedError) -> Outcome {
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
pub(super) struct Conditional {
    /// The `If-None-Match` header, if sent.
    pub(super) if_none_match: Option<String>,
}

/// Admits and runs one operation. `conditional` is `Some` for GET, which runs queries only
/// and answers `If-None-Match`.
pub(super) async fn run(
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
            // Never executed: `Gateway::execute` counts and logs the others.
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
    match state.gateway.execute_http(admitted).await {
        Answer::Response(response) => executed(response),
        Answer::Body(body) => Outcome::Answered { body, etag: None },
    }
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
    let body = match state.gateway.execute_http(admitted).await {
        Answer::Body(body) => body,
        Answer::Response(response) if !response.errors.is_empty() => {
            return Ok(executed(response));
        }
        Answer::Response(response) => {
            Bytes::from(serde_json::to_vec(&response).unwrap_or_default())
        }
    };
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
