//! What GraphQL clients rely on beyond plain execution: failed fields present as `null`
//! (GraphQL spec §6.4.4, for Apollo's `errorPolicy: 'all'` and Relay) and automatic
//! persisted queries over POST and GET (Apollo's APQ protocol).

use crate::db_test;
use crate::harness::TestApp;
use bakeplan::http::persisted::sha256_hex;
use serde_json::{json, Value};

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

/// Asserts the response text names `keys` in this order (serde_json's `Value` sorts them).
fn assert_order(text: &str, keys: &[&str]) {
    let positions: Vec<usize> = keys
        .iter()
        .map(|key| {
            text.find(&format!("\"{key}\":"))
                .unwrap_or_else(|| panic!("{key} missing from {text}"))
        })
        .collect();
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "{keys:?} in {text}"
    );
}

/// Percent-encodes a query-string value.
fn encode(text: &str) -> String {
    let mut out = String::new();
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

async fn post_text(app: &TestApp, accept: &str, body: &Value) -> (u16, String) {
    let reply = app
        .http_full(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("accept", accept)],
            Some(&body.to_string()),
        )
        .await;
    (reply.status, reply.body)
}

async fn post(app: &TestApp, accept: &str, body: &Value) -> (u16, Value) {
    let (status, text) = post_text(app, accept, body).await;
    (status, serde_json::from_str(&text).expect("a JSON body"))
}

db_test!(failed_fields_are_present_as_null_in_query_order, |app| {
    // A nullable field whose resolver fails, between two that succeed, under aliases.
    let (status, text) = post_text(
        &app,
        "application/json",
        &json!({"query": "{ first: events(first: 1) { totalCount } bad: node(id: \"not-an-id\") { id } last: __typename }"}),
    )
    .await;
    assert_eq!(status, 200);
    assert_order(&text, &["first", "bad", "last"]);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["data"]["bad"], Value::Null);
    assert_eq!(body["data"]["first"]["totalCount"], 0);
    assert_eq!(body["errors"][0]["path"], json!(["bad"]));
    assert_eq!(code(&body), "BAD_USER_INPUT");

    // The only field failing: `data` holds its null instead of being null itself.
    let body = app
        .graphql("{ only: node(id: \"not-an-id\") { id } }", json!({}))
        .await;
    assert_eq!(body["data"], json!({"only": null}), "{body}");

    // Through a named fragment and an inline one.
    let (_, text) = post_text(
        &app,
        "application/json",
        &json!({"query": "query { ...Roots } fragment Roots on QueryRoot { ... on QueryRoot { n: node(id: \"x\") { id } } count: events { totalCount } }"}),
    )
    .await;
    assert_order(&text, &["n", "count"]);
    let body: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(body["data"]["n"], Value::Null, "{body}");

    // A non-null field (`nodes: [Node]!`) failing nulls its parent: here `data` itself.
    let body = app
        .graphql(
            "{ events { totalCount } nodes(ids: [\"not-an-id\"]) { id } }",
            json!({}),
        )
        .await;
    assert_eq!(body["data"], Value::Null, "{body}");
    assert_eq!(body["errors"][0]["path"], json!(["nodes"]));
});

db_test!(persisted_queries_work_by_hash_over_post_and_get, |app| {
    let query = "query Count { events { totalCount } }";
    let hash = sha256_hex(query);
    let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}});

    // Unknown hash: the client is told to send the document.
    for (accept, status) in [
        ("application/json", 200),
        ("application/graphql-response+json", 400),
    ] {
        let (got, body) = post(&app, accept, &json!({"extensions": extensions})).await;
        assert_eq!(got, status, "{accept}: {body}");
        assert_eq!(code(&body), "PERSISTED_QUERY_NOT_FOUND");
        assert_eq!(body["errors"][0]["message"], "PersistedQueryNotFound");
        assert!(body.get("data").is_none(), "{body}");
    }
    let get_by_hash = format!(
        "/graphql?operationName=Count&extensions={}",
        encode(&extensions.to_string())
    );
    let reply = app.http_full("GET", &get_by_hash, &[], None).await;
    assert_eq!(code(&reply.json()), "PERSISTED_QUERY_NOT_FOUND");

    // The document with its hash runs and is remembered…
    let (status, body) = post(
        &app,
        "application/json",
        &json!({"query": query, "extensions": extensions}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body, json!({"data": {"events": {"totalCount": 0}}}));

    // …so the hash alone works over POST and over GET (a short URL).
    let (status, by_hash) =
        post(&app, "application/json", &json!({"extensions": extensions})).await;
    assert_eq!(status, 200);
    assert_eq!(by_hash, body);
    let reply = app.http_full("GET", &get_by_hash, &[], None).await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert_eq!(reply.json(), body);
    assert!(get_by_hash.len() < 200);
});

db_test!(
    persisted_queries_refuse_wrong_hashes_and_mutations_over_get,
    |app| {
        let before = app.snapshot().await;
        let mutation =
        "mutation { createIngredient(input: {name: \"Sugar\", category: \"Baking\", unit: \"g\"}) { id } }";
        let wrong =
            json!({"persistedQuery": {"version": 1, "sha256Hash": sha256_hex("{ other }")}});
        let (status, body) = post(
            &app,
            "application/json",
            &json!({"query": mutation, "extensions": wrong}),
        )
        .await;
        assert_eq!(status, 200);
        assert_eq!(code(&body), "BAD_USER_INPUT");
        assert!(
            body["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("does not match"),
            "{body}"
        );
        for extensions in [
            json!({"persistedQuery": {"version": 2, "sha256Hash": sha256_hex(mutation)}}),
            json!({"persistedQuery": "abc"}),
        ] {
            let (_, body) =
                post(&app, "application/json", &json!({"extensions": extensions})).await;
            assert_eq!(code(&body), "BAD_USER_INPUT", "{body}");
        }
        app.assert_unchanged(&before, "refused persisted queries")
            .await;

        // A mutation persisted over POST still cannot run over GET by its hash.
        let extensions =
            json!({"persistedQuery": {"version": 1, "sha256Hash": sha256_hex(mutation)}});
        let (_, body) = post(
            &app,
            "application/json",
            &json!({"query": mutation, "extensions": extensions}),
        )
        .await;
        assert!(body["data"]["createIngredient"]["id"].is_string(), "{body}");
        let after_one = app.snapshot().await;
        let reply = app
            .http_full(
                "GET",
                &format!("/graphql?extensions={}", encode(&extensions.to_string())),
                &[],
                None,
            )
            .await;
        assert_eq!(reply.status, 405, "{}", reply.body);
        assert_eq!(reply.header("allow"), Some("POST"));
        app.assert_unchanged(&after_one, "a persisted mutation sent with GET")
            .await;
    }
);
