//! The GraphQL calls of a [`TestApp`]: POSTed as JSON to `/graphql` the way a client
//! sends them, with helpers for the expected outcome (`ok`, `error`) and for acting as a
//! baker token's holder (`ok_as`).

use super::app::start_server;
use super::http::{raw_http, raw_http_full};
use super::TestApp;
use bakeplan::auth::AuthMode;
use bakeplan::graphql::Limits;
use bakeplan::http::AppState;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;

impl TestApp {
    /// Posts a GraphQL document with variables and returns the whole JSON response.
    pub async fn graphql(&self, query: &str, variables: Value) -> Value {
        self.graphql_with_status(query, variables).await.1
    }

    /// Like [`TestApp::graphql`], with the HTTP status.
    pub async fn graphql_with_status(&self, query: &str, variables: Value) -> (u16, Value) {
        let body = json!({"query": query, "variables": variables}).to_string();
        let (status, text) = self
            .http(
                "POST",
                "/graphql",
                &[("content-type", "application/json")],
                Some(&body),
            )
            .await;
        let value = serde_json::from_str(&text)
            .unwrap_or_else(|_| panic!("status {status}, not JSON: {text}"));
        (status, value)
    }

    /// Posts a document that must succeed and returns its `data`.
    pub async fn ok(&self, query: &str, variables: Value) -> Value {
        let response = self.graphql(query, variables).await;
        assert!(
            response.get("errors").is_none(),
            "unexpected errors: {response:#}\nquery: {query}"
        );
        response["data"].clone()
    }

    /// Runs a document as the holder of a baker token named `name` and returns its `data`
    /// (which must have no errors), as a phone would: a token is made for the name (any
    /// earlier one of that name revoked first), and the document is POSTed with
    /// `Authorization: Bearer …` to a second instance on this test's database with
    /// `--auth required`, which is stopped afterwards.
    pub async fn ok_as(&self, name: &str, query: &str, variables: Value) -> Value {
        use bakeplan::store::tokens::{self, NewToken};
        let new_token = || NewToken {
            name: name.to_string(),
            role: bakeplan::auth::Role::Baker,
            expires_in_days: None,
        };
        let token = match tokens::create(&self.db, new_token()).await {
            Ok(created) => created.secret,
            Err(_) => {
                tokens::revoke(&self.db, name).await.expect("revoke");
                tokens::create(&self.db, new_token())
                    .await
                    .expect("token")
                    .secret
            }
        };
        let state =
            AppState::new(self.db.clone(), Limits::default(), 10).with_auth(AuthMode::Required);
        let (addr, handle) = start_server(state, 1);
        let authorization = format!("Bearer {token}");
        let body = json!({"query": query, "variables": variables}).to_string();
        let reply = raw_http_full(
            addr,
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", &authorization),
            ],
            Some(&body),
        )
        .await;
        handle.stop(false).await;
        let response = reply.json();
        assert!(
            response.get("errors").is_none(),
            "unexpected errors as {name}: {response:#}\nquery: {query}"
        );
        response["data"].clone()
    }

    /// Posts a document that must fail and returns its first error.
    pub async fn error(&self, query: &str, variables: Value) -> GqlError {
        let response = self.graphql(query, variables).await;
        let error = response["errors"]
            .get(0)
            .unwrap_or_else(|| panic!("expected an error, got {response:#}"))
            .clone();
        GqlError {
            code: error["extensions"]["code"]
                .as_str()
                .unwrap_or("<none>")
                .to_string(),
            message: error["message"].as_str().unwrap_or_default().to_string(),
            extensions: error["extensions"].clone(),
        }
    }

    /// Sends one mutation per input (as `$input`) at the same moment, each from its own
    /// task and connection, and returns every response in input order.
    pub async fn all_at_once(&self, query: &'static str, inputs: Vec<Value>) -> Vec<Value> {
        let addr = self.addr;
        let start = Arc::new(tokio::sync::Barrier::new(inputs.len()));
        let tasks: Vec<_> = inputs
            .into_iter()
            .map(|input| {
                let start = start.clone();
                tokio::spawn(async move {
                    start.wait().await;
                    post_to(addr, query, json!({ "input": input })).await
                })
            })
            .collect();
        let mut responses = Vec::new();
        for task in tasks {
            responses.push(task.await.expect("request task"));
        }
        responses
    }
}

/// Posts a GraphQL document to a server by address and returns the whole JSON response
/// (for spawned tasks, which cannot borrow the app, and for benchmarks).
pub async fn post_to(addr: SocketAddr, query: &str, variables: Value) -> Value {
    let body = json!({"query": query, "variables": variables}).to_string();
    let (status, text) = raw_http(
        addr,
        "POST",
        "/graphql",
        &[("content-type", "application/json")],
        Some(&body),
    )
    .await;
    serde_json::from_str(&text).unwrap_or_else(|_| panic!("status {status}, not JSON: {text}"))
}

/// The code of a response's first error, if any.
pub fn error_code(response: &Value) -> Option<&str> {
    response["errors"][0]["extensions"]["code"].as_str()
}

/// One GraphQL error, as a client sees it.
#[derive(Debug, Clone)]
pub struct GqlError {
    /// `extensions.code`.
    pub code: String,
    /// The message.
    pub message: String,
    /// All extensions.
    pub extensions: Value,
}

impl GqlError {
    /// Asserts the code and that the message mentions `needle` (case-insensitive).
    pub fn expect(&self, code: &str, needle: &str) {
        assert_eq!(self.code, code, "wrong code for error: {self:?}");
        assert!(
            self.message.to_lowercase().contains(&needle.to_lowercase()),
            "message {:?} does not mention {needle:?}",
            self.message
        );
    }
}
