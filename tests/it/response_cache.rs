//! The exact response cache and conditional GET (issue #10), over real HTTP on both
//! backends: a repeated read is answered without running it, byte for byte as the first
//! time; a write committed through another server process on the same database makes the
//! next read fresh at once; GET answers carry an `ETag` that `If-None-Match` turns into a
//! `304` without running the query; `--response-cache off` runs every read.

use crate::fixtures::{event, finished_unit, recipe};
use crate::harness::{raw_http_full, HttpReply, ServerProcess, TestApp};
use bakeplan::db::Backend;
use serde_json::{json, Value};

/// One event's progress screen, as a phone polls it.
const PROGRESS: &str = "query($event: ID!) { node(id: $event) { ... on Event { name
    progress { productionComplete }
    productionTargets { targetBatches recipe { name } progress { producedBatches progressPercent isComplete }
      productionRuns(first: 5) { totalCount nodes { numBatches actualYield } } } } } }";

const SET_TARGET: &str = "mutation($input: SetProductionTargetInput!) {
    setProductionTarget(input: $input) { targetBatches } }";

const RECORD: &str = "mutation($input: RecordProductionInput!) {
    recordProduction(input: $input) { productionRun { numBatches } } }";

/// An event with a production target of 10 batches of a cookie recipe.
struct Kitchen {
    event: Value,
    recipe: Value,
    cookie: Value,
}

async fn kitchen(app: &TestApp) -> Kitchen {
    let event = event(app, "Christmas", "2026-12-24").await["id"].clone();
    let recipe = recipe(app, "Sugar Cookies").await["id"].clone();
    let cookie = finished_unit(app, &recipe, "Sugar Cookie", 24).await["id"].clone();
    app.ok(
        SET_TARGET,
        json!({"input": {"eventId": event, "recipeId": recipe, "targetBatches": 10}}),
    )
    .await;
    Kitchen {
        event,
        recipe,
        cookie,
    }
}

impl Kitchen {
    fn bake(&self, batches: i64) -> Value {
        json!({"query": RECORD, "variables": {"input": {"recipeId": self.recipe,
            "finishedUnitId": self.cookie, "eventId": self.event, "numBatches": batches,
            "actualYield": batches * 24}}})
    }

    fn progress(&self) -> String {
        json!({"query": PROGRESS, "variables": {"event": self.event}}).to_string()
    }

    fn progress_path(&self) -> String {
        format!(
            "/graphql?query={}&variables={}",
            escape(PROGRESS),
            escape(&json!({"event": self.event}).to_string())
        )
    }
}

/// Percent-encodes a query-string value.
fn escape(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// POSTs a JSON body and returns the raw reply.
async fn post(addr: std::net::SocketAddr, body: &str) -> HttpReply {
    raw_http_full(
        addr,
        "POST",
        "/graphql",
        &[("content-type", "application/json")],
        Some(body),
    )
    .await
}

/// The produced batches the progress answer shows.
fn produced(reply: &HttpReply) -> Value {
    let response = reply.json();
    assert!(response.get("errors").is_none(), "{response}");
    response["data"]["node"]["productionTargets"][0]["progress"]["producedBatches"].clone()
}

/// The value of a counter in `/metrics`.
async fn counter(app: &TestApp, name: &str) -> u64 {
    let (_, body) = app.http("GET", "/metrics", &[], None).await;
    body.lines()
        .find(|line| line.starts_with(name))
        .and_then(|line| line.rsplit(' ').next())
        .and_then(|value| value.parse().ok())
        .unwrap_or_else(|| panic!("{name} missing from /metrics"))
}

crate::db_test!(
    a_repeated_read_is_answered_from_memory_byte_for_byte,
    |app| {
        let k = kitchen(&app).await;
        let first = post(app.addr, &k.progress()).await;
        assert_eq!(produced(&first), 0);
        let statements = app.statements();
        let hits = counter(&app, "bakeplan_response_cache_hits_total").await;
        let again = post(app.addr, &k.progress()).await;
        assert_eq!(
            again.body, first.body,
            "a cached body is the body first sent"
        );
        assert_eq!(
            app.statements(),
            statements,
            "a cached answer runs no statement of its own"
        );
        assert_eq!(
            counter(&app, "bakeplan_response_cache_hits_total").await,
            hits + 1
        );

        // The same read through a server process without the cache: the very same bytes.
        let uncached =
            ServerProcess::start(app.db.url(), "127.0.0.1:0", &["--response-cache", "off"]);
        assert_eq!(post(uncached.addr, &k.progress()).await.body, first.body);
        uncached.stop();

        // Another caller, other variables or another operation name are other answers.
        let named = json!({"query": format!("query Screen{}", &PROGRESS["query".len()..]),
                       "operationName": "Screen", "variables": {"event": k.event}})
        .to_string();
        let hits = counter(&app, "bakeplan_response_cache_hits_total").await;
        assert_eq!(produced(&post(app.addr, &named).await), 0);
        assert_eq!(
            counter(&app, "bakeplan_response_cache_hits_total").await,
            hits
        );
    }
);

crate::db_test!(
    a_write_through_another_process_is_seen_on_the_next_read,
    |app| {
        let k = kitchen(&app).await;
        let other = ServerProcess::start(app.db.url(), "127.0.0.1:0", &[]);
        assert_eq!(produced(&post(app.addr, &k.progress()).await), 0);
        assert_eq!(produced(&post(app.addr, &k.progress()).await), 0);
        // Each write goes through the other process; the very next read here must show it,
        // though this instance holds the previous answer in memory.
        for total in 1..=5 {
            let reply = post(other.addr, &k.bake(1).to_string()).await;
            assert_eq!(reply.json()["errors"], Value::Null, "{}", reply.body);
            assert_eq!(
                produced(&post(app.addr, &k.progress()).await),
                json!(total),
                "after {total} runs recorded elsewhere"
            );
            // And the fresh answer is cached in turn.
            let statements = app.statements();
            assert_eq!(produced(&post(app.addr, &k.progress()).await), json!(total));
            assert_eq!(app.statements(), statements);
        }
        other.stop();
    }
);

crate::db_test!(
    get_answers_carry_an_etag_that_if_none_match_turns_into_304,
    |app| {
        let k = kitchen(&app).await;
        let path = k.progress_path();
        let first = app.http_full("GET", &path, &[], None).await;
        assert_eq!(first.status, 200, "{}", first.body);
        let etag = first.header("etag").expect("an ETag").to_string();
        assert_eq!(first.header("cache-control"), Some("private, no-cache"));

        // Revalidation: 304, no body, nothing run.
        let statements = app.statements();
        let reply = app
            .http_full("GET", &path, &[("if-none-match", &etag)], None)
            .await;
        assert_eq!(reply.status, 304);
        assert_eq!(reply.body, "");
        assert_eq!(reply.header("etag"), Some(etag.as_str()));
        assert_eq!(app.statements(), statements, "a 304 runs nothing");
        let weak = format!("W/{etag}");
        let reply = app
            .http_full(
                "GET",
                &path,
                &[("if-none-match", &format!("\"other\", {weak}"))],
                None,
            )
            .await;
        assert_eq!(reply.status, 304);

        // After a write the old validator no longer matches: the new answer and a new ETag.
        let reply = post(app.addr, &k.bake(2).to_string()).await;
        assert_eq!(reply.json()["errors"], Value::Null, "{}", reply.body);
        let reply = app
            .http_full("GET", &path, &[("if-none-match", &etag)], None)
            .await;
        assert_eq!(reply.status, 200);
        assert_eq!(produced(&reply), 2);
        let newer = reply.header("etag").expect("an ETag");
        assert_ne!(newer, etag);

        // Validators belong to one read: another document does not match it.
        let reply = app
            .http_full(
                "GET",
                "/graphql?query=%7B%20events%20%7B%20totalCount%20%7D%20%7D",
                &[("if-none-match", newer)],
                None,
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);

        // A persisted query's hash over GET (Apollo's `useGETForQueries`) is revalidated alike.
        let hash = bakeplan::http::persisted::sha256_hex(PROGRESS);
        let extensions = json!({"persistedQuery": {"version": 1, "sha256Hash": hash}}).to_string();
        let register = json!({"query": PROGRESS, "variables": {"event": k.event},
                          "extensions": {"persistedQuery": {"version": 1, "sha256Hash": hash}}});
        assert_eq!(produced(&post(app.addr, &register.to_string()).await), 2);
        let by_hash = format!(
            "/graphql?extensions={}&variables={}",
            escape(&extensions),
            escape(&json!({"event": k.event}).to_string())
        );
        let reply = app.http_full("GET", &by_hash, &[], None).await;
        assert_eq!(produced(&reply), 2);
        let apq_etag = reply.header("etag").expect("an ETag").to_string();
        let reply = app
            .http_full("GET", &by_hash, &[("if-none-match", &apq_etag)], None)
            .await;
        assert_eq!(reply.status, 304);

        // POSTs and answers with errors carry none.
        let reply = post(app.addr, &k.progress()).await;
        assert_eq!(reply.header("etag"), None);
        let reply = app
            .http_full(
                "GET",
                "/graphql?query=%7B%20node(id%3A%20%22nope%22)%20%7B%20id%20%7D%20%7D",
                &[],
                None,
            )
            .await;
        assert!(reply.json()["errors"].is_array(), "{}", reply.body);
        assert_eq!(reply.header("etag"), None);
    }
);

/// A server on a fresh database with the cache off.
async fn spawn_uncached(backend: Backend) -> TestApp {
    TestApp::spawn_custom(backend, 1, 8, |state| state.with_response_cache(false, 0)).await
}

crate::db_test!(
    with_the_cache_off_every_read_runs,
    spawn = spawn_uncached,
    |app| {
        let k = kitchen(&app).await;
        let first = post(app.addr, &k.progress()).await;
        let statements = app.statements();
        let again = post(app.addr, &k.progress()).await;
        assert_eq!(again.body, first.body);
        assert!(app.statements() > statements, "the read ran again");
        let reply = app.http_full("GET", &k.progress_path(), &[], None).await;
        assert_eq!(reply.status, 200);
        assert_eq!(reply.header("etag"), None);
        assert_eq!(
            counter(&app, "bakeplan_db_data_version_reads_total").await,
            0
        );
    }
);
