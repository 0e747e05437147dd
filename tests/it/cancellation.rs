//! Clients that cancel: subscriptions completed or sockets dropped while the server is
//! re-reading progress for them. This once aborted the process on SQLite (a dropped query
//! waited for its blocking task with `block_in_place` on an actix worker) and leaked every
//! pooled connection. Bounded: 30 rounds per protocol and way of cancelling.

use crate::db_test;
use crate::fixtures;
use crate::harness::TestApp;
use crate::subscriptions::{connect, receive, send, Socket};
use serde_json::{json, Value};
use std::time::Duration;

const SET_TARGET: &str = "mutation($input: SetProductionTargetInput!) {
  setProductionTarget(input: $input) { id targetBatches } }";

const PROGRESS: &str = "subscription($id: ID!) { eventProgress(eventId: $id) {
  productionTargetsCount productionCompleteCount isComplete } }";

/// Subscriptions opened per round on one connection.
const STREAMS: usize = 30;
/// Rounds per protocol and way of cancelling.
const ROUNDS: usize = 30;

/// How a client gives up on its subscriptions.
#[derive(Debug, Clone, Copy)]
enum Cancel {
    /// `complete` / `stop` for each subscription, the socket stays open.
    Complete,
    /// The socket is dropped without a word.
    Close,
}

async fn open_streams(app: &TestApp, protocol: &str, event: &Value, round: usize) -> Socket {
    let mut socket = connect(app.addr, protocol).await;
    send(&mut socket, json!({"type": "connection_init"})).await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    let start = if protocol == "graphql-ws" {
        "start"
    } else {
        "subscribe"
    };
    for i in 0..STREAMS {
        send(
            &mut socket,
            json!({"id": format!("{round}-{i}"), "type": start,
                   "payload": {"query": PROGRESS, "variables": {"id": event["id"]}}}),
        )
        .await;
    }
    socket
}

async fn cancel_mid_read(app: &TestApp, protocol: &str, how: Cancel) {
    let event = fixtures::event(app, "Christmas", "2026-12-24").await;
    let recipe = fixtures::recipe(app, &format!("Shortbread {protocol} {how:?}")).await;
    let stop = if protocol == "graphql-ws" {
        "stop"
    } else {
        "complete"
    };
    for round in 0..ROUNDS {
        let mut socket = open_streams(app, protocol, &event, round).await;
        // Every stream re-reads the event's progress after this change…
        app.ok(
            SET_TARGET,
            json!({"input": {"eventId": event["id"], "recipeId": recipe["id"], "targetBatches": round + 1}}),
        )
        .await;
        // …and is cancelled a few milliseconds into that read.
        tokio::time::sleep(Duration::from_millis((round % 5) as u64)).await;
        match how {
            Cancel::Complete => {
                for i in 0..STREAMS {
                    send(
                        &mut socket,
                        json!({"id": format!("{round}-{i}"), "type": stop}),
                    )
                    .await;
                }
                drop(socket);
            }
            Cancel::Close => drop(socket),
        }
    }
    // The server still answers, promptly, and gave every connection back.
    let healthz = tokio::time::timeout(
        Duration::from_secs(5),
        app.http("GET", "/healthz", &[], None),
    )
    .await
    .expect("healthz answers");
    assert_eq!(healthz.0, 200);
    let data = tokio::time::timeout(
        Duration::from_secs(5),
        app.ok("{ events { totalCount } }", json!({})),
    )
    .await
    .expect("a query answers within 5 s after the cancellations");
    assert_eq!(data["events"]["totalCount"], 1);
    app.assert_pool_idle().await;
    // And a fresh subscription still works.
    let mut socket = open_streams(app, protocol, &event, 999).await;
    let first = receive(&mut socket).await;
    assert_eq!(
        first["payload"]["data"]["eventProgress"]["productionTargetsCount"], 1,
        "{first}"
    );
}

db_test!(
    completing_subscriptions_mid_read_graphql_transport_ws,
    |app| {
        cancel_mid_read(&app, "graphql-transport-ws", Cancel::Complete).await;
    }
);

db_test!(completing_subscriptions_mid_read_graphql_ws, |app| {
    cancel_mid_read(&app, "graphql-ws", Cancel::Complete).await;
});

db_test!(dropping_sockets_mid_read_graphql_transport_ws, |app| {
    cancel_mid_read(&app, "graphql-transport-ws", Cancel::Close).await;
});

db_test!(dropping_sockets_mid_read_graphql_ws, |app| {
    cancel_mid_read(&app, "graphql-ws", Cancel::Close).await;
});
