//! Reading requests: a POST body's JSON as one operation or a batch, and GET's query string.

use crate::http::persisted::{PersistedError, PersistedQueries};
use async_graphql::Request;
use serde::Deserialize;

/// One operation of a request: what to run, or why its persisted-query part cannot be used
/// (a GraphQL error, answered like any refusal before execution).
pub(super) type Item = Result<Request, PersistedError>;

/// A POST body: one operation or a batch.
pub(super) enum Body {
    /// A JSON object: one operation.
    Single(Box<Item>),
    /// A JSON array: a batch of operations.
    Batch(Vec<Item>),
}

/// Reads a JSON body as one request or a list of them, with a message a client can act on;
/// a request may name its document by an automatic persisted query's hash instead of
/// sending it.
pub(super) fn parse_body(body: &[u8], persisted: &PersistedQueries) -> Result<Body, String> {
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
pub(super) struct GetParams {
    /// The document.
    pub(super) query: Option<String>,
    /// The operation to run, when the document has several.
    #[serde(rename = "operationName")]
    pub(super) operation_name: Option<String>,
    /// The variables, as JSON text.
    pub(super) variables: Option<String>,
    /// The extensions (a persisted query's hash), as JSON text.
    pub(super) extensions: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

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
