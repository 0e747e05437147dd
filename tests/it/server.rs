//! The HTTP surface: health, readiness, metrics, GraphiQL, GET rules, batches, limits,
//! error codes, and the committed schema.

use crate::db_test;
use serde_json::json;

db_test!(health_readiness_and_playground, |app| {
    let (status, body) = app.http("GET", "/healthz", &[], None).await;
    assert_eq!((status, body.trim()), (200, "ok"));
    let (status, body) = app.http("GET", "/readyz", &[], None).await;
    assert_eq!((status, body.trim()), (200, "ready"));
    let (status, body) = app.http("GET", "/graphiql", &[], None).await;
    assert_eq!(status, 200);
    assert!(body.contains("graphiql"), "GraphiQL page expected");
    let (status, _) = app.http("GET", "/", &[], None).await;
    assert_eq!(status, 302);
});

db_test!(get_runs_queries_but_never_mutations, |app| {
    let (status, body) = app
        .http("GET", "/graphql?query=%7B__typename%7D", &[], None)
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&body).unwrap()["data"]["__typename"],
        "QueryRoot"
    );
    let mutation = "/graphql?query=mutation%7BcreateIngredient(input%3A%7Bname%3A%22x%22%2Cunit%3A%22g%22%7D)%7Bid%7D%7D";
    let (_, body) = app.http("GET", mutation, &[], None).await;
    let response: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        response["errors"][0]["extensions"]["code"],
        "BAD_USER_INPUT"
    );
    let data = app.ok("{ ingredients { totalCount } }", json!({})).await;
    assert_eq!(
        data["ingredients"]["totalCount"], 0,
        "the GET mutation must not have run"
    );
});

db_test!(batches_run_each_operation_and_are_capped, |app| {
    let batch =
        json!([{"query": "{ a: __typename }"}, {"query": "{ ingredients { totalCount } }"}])
            .to_string();
    let (status, body) = app
        .http(
            "POST",
            "/graphql",
            &[("content-type", "application/json")],
            Some(&batch),
        )
        .await;
    assert_eq!(status, 200);
    let responses: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(responses[0]["data"]["a"], "QueryRoot");
    assert_eq!(responses[1]["data"]["ingredients"]["totalCount"], 0);
    let too_many: Vec<_> = (0..11)
        .map(|_| json!({"query": "{ __typename }"}))
        .collect();
    let (status, body) = app
        .http(
            "POST",
            "/graphql",
            &[("content-type", "application/json")],
            Some(&json!(too_many).to_string()),
        )
        .await;
    assert_eq!(status, 400);
    assert!(body.contains("at most 10"), "{body}");
});

db_test!(limits_and_malformed_requests_have_codes, |app| {
    let error = app
        .error("{ ingredients(first: 101) { totalCount } }", json!({}))
        .await;
    error.expect("BAD_USER_INPUT", "at most 100");
    let error = app.error("{ nope }", json!({})).await;
    assert_eq!(error.code, "BAD_USER_INPUT");
    let deep = format!(
        "{{ {}__typename{} }}",
        "ingredients { nodes { products { ingredient { ".repeat(4),
        " } } } }".repeat(4)
    );
    let error = app.error(&deep, json!({})).await;
    assert_eq!(error.code, "QUERY_TOO_COMPLEX", "{error:?}");
    let error = app
        .error("{ node(id: \"garbage\") { id } }", json!({}))
        .await;
    error.expect("BAD_USER_INPUT", "not a valid id");
});

db_test!(metrics_count_requests_and_statements, |app| {
    app.ok("{ ingredients { totalCount } }", json!({})).await;
    let _ = app
        .graphql("{ ingredients(first: 500) { totalCount } }", json!({}))
        .await;
    let (status, body) = app.http("GET", "/metrics", &[], None).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("bakeplan_graphql_requests_total{operation_type=\"query\",outcome=\"ok\"} 1"),
        "{body}"
    );
    assert!(
        body.contains(
            "bakeplan_graphql_requests_total{operation_type=\"query\",outcome=\"error\"} 1"
        ),
        "{body}"
    );
    assert!(
        body.contains("bakeplan_graphql_request_duration_seconds_bucket"),
        "{body}"
    );
    assert!(
        body.contains("bakeplan_db_pool_connections{state=\"max\"} 8"),
        "{body}"
    );
    let statements: u64 = body
        .lines()
        .find(|l| l.starts_with("bakeplan_db_statements_total"))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|n| n.parse().ok())
        .expect("statement counter");
    assert!(statements >= 2, "the list query ran SQL: {statements}");
    assert!(
        body.contains(&format!("backend=\"{}\"", app.backend.name())),
        "{body}"
    );
    let before = app.statements();
    app.ok("{ ingredients { totalCount nodes { id } } }", json!({}))
        .await;
    assert_eq!(
        app.statements() - before,
        2,
        "a list is one count and one page query"
    );
});

#[test]
fn committed_schema_matches_the_served_one() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/schema.graphql"))
        .expect("schema.graphql at the repo root");
    assert!(
        committed == bakeplan::graphql::sdl(),
        "schema.graphql is out of date: run `cargo run -- schema --output schema.graphql`"
    );
}

db_test!(response_fields_come_in_query_order, |app| {
    crate::fixtures::event(&app, "Christmas", "2026-12-24").await;
    // Fields that wait on loaders first, plain fields last: async-graphql finishes the
    // plain ones first, yet the body must list every field where the query put it.
    let query =
        "{ events { nodes { progress { packagesPending isComplete } productionTargets { id } \
                 assignments { id } name ... on Event { eventDate } id } totalCount } }";
    let body = json!({ "query": query }).to_string();
    for _ in 0..3 {
        let (status, text) = app
            .http(
                "POST",
                "/graphql",
                &[("Content-Type", "application/json")],
                Some(&body),
            )
            .await;
        assert_eq!(status, 200);
        let at = |key: &str| {
            text.find(&format!("\"{key}\""))
                .unwrap_or_else(|| panic!("{key} missing in {text}"))
        };
        let order = [
            "progress",
            "packagesPending",
            "isComplete",
            "productionTargets",
            "assignments",
            "name",
            "eventDate",
            "totalCount",
        ];
        for pair in order.windows(2) {
            assert!(at(pair[0]) < at(pair[1]), "{pair:?} out of order in {text}");
        }
    }
});

db_test!(snapshots_see_every_write, |app| {
    let before = app.snapshot().await;
    assert!(before.len() > 10, "{before:?}");
    app.assert_unchanged(&before, "nothing happened").await;
    app.ok(
        "mutation { createIngredient(input: {name: \"Flour\", category: \"Baking\", unit: \"g\"}) { id } }",
        json!({}),
    )
    .await;
    let after = app.snapshot().await;
    assert_ne!(
        before, after,
        "a created ingredient must show in the snapshot"
    );
});
