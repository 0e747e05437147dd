//! Subscriptions over WebSocket, in both subprotocols, within one server and across two
//! server instances sharing the database.

use crate::db_test;
use crate::fixtures::purchase;
use crate::fixtures::{self, cookie_kitchen};
use crate::harness::TestApp;
use bakeplan::graphql::Limits;
use bakeplan::http::{self, AppState, ServerOptions};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

pub type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

pub async fn connect(addr: SocketAddr, protocol: &str) -> Socket {
    let mut request = format!("ws://{addr}/graphql")
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", protocol.parse().expect("header"));
    let (socket, _) = tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects");
    socket
}

pub async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next JSON message that is not a keep-alive, within 10 seconds.
pub async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(10), socket.next())
            .await
            .expect("a message within 10 s")
            .expect("socket open")
            .expect("valid frame");
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).expect("JSON message");
            if value["type"] != "ka" && value["type"] != "ping" && value["type"] != "pong" {
                return value;
            }
        }
    }
}

pub async fn subscribe(addr: SocketAddr, protocol: &str, query: &str, variables: Value) -> Socket {
    let mut socket = connect(addr, protocol).await;
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {}}),
    )
    .await;
    assert_eq!(receive(&mut socket).await["type"], "connection_ack");
    let kind = if protocol == "graphql-ws" {
        "start"
    } else {
        "subscribe"
    };
    send(
        &mut socket,
        json!({"id": "1", "type": kind, "payload": {"query": query, "variables": variables}}),
    )
    .await;
    // Give the server a moment to register the subscription before anything is recorded.
    tokio::time::sleep(Duration::from_millis(200)).await;
    socket
}

async fn stocked_kitchen(app: &TestApp) -> Value {
    let k = cookie_kitchen(app).await;
    for (ingredient, quantity, unit) in [
        ("flour", "20", "lb"),
        ("butter", "20", "cup"),
        ("eggs", "10", "dozen"),
    ] {
        purchase(app, json!({"ingredientId": k[ingredient], "quantity": quantity, "unit": unit, "totalCost": "10"})).await;
    }
    k
}

async fn bake(app: &TestApp, k: &Value, event: Option<&Value>, batches: i32) {
    fixtures::record_production(
        app,
        json!({"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": batches,
            "actualYield": batches * 24, "eventId": event}),
    )
    .await;
}

const RECORDED: &str = "subscription($event: ID) { productionRecorded(eventId: $event) { numBatches recipe { name } event { name } } }";

db_test!(
    production_recorded_reaches_subscribers_in_both_protocols,
    |app| {
        let k = stocked_kitchen(&app).await;
        let mut modern = subscribe(app.addr, "graphql-transport-ws", RECORDED, json!({})).await;
        let mut legacy = subscribe(
            app.addr,
            "graphql-ws",
            RECORDED,
            json!({"event": k["event"]}),
        )
        .await;
        bake(&app, &k, None, 1).await;
        bake(&app, &k, Some(&k["event"]), 2).await;

        let first = receive(&mut modern).await;
        assert_eq!(first["type"], "next");
        assert_eq!(
            first["payload"]["data"]["productionRecorded"],
            json!({"numBatches": 1, "recipe": {"name": "Sugar Cookies"}, "event": null})
        );
        let second = receive(&mut modern).await;
        assert_eq!(
            second["payload"]["data"]["productionRecorded"]["numBatches"],
            2
        );
        // The legacy subscriber asked for the event's runs only: the standalone run is not sent.
        let only = receive(&mut legacy).await;
        assert_eq!(only["type"], "data");
        assert_eq!(
            only["payload"]["data"]["productionRecorded"],
            json!({"numBatches": 2, "recipe": {"name": "Sugar Cookies"}, "event": {"name": "Christmas 2026"}})
        );
    }
);

/// A second server instance on the same database, polling every 100 ms.
async fn second_instance(app: &TestApp) -> (SocketAddr, actix_web::dev::ServerHandle) {
    let limits = Limits {
        poll_interval: Duration::from_millis(100),
        ..Limits::default()
    };
    let other = AppState::new(app.db.clone(), limits, 10).with_auth(bakeplan::auth::AuthMode::Off);
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let other_addr = listener.local_addr().expect("addr");
    let server = http::start(
        other,
        listener,
        &ServerOptions {
            workers: Some(1),
            shutdown_timeout_secs: 1,
            ..ServerOptions::default()
        },
    )
    .expect("second server");
    let handle = server.handle();
    tokio::spawn(server);
    (other_addr, handle)
}

db_test!(subscribers_hear_runs_recorded_by_another_instance, |app| {
    let k = stocked_kitchen(&app).await;
    let (other_addr, handle) = second_instance(&app).await;
    let mut socket = subscribe(other_addr, "graphql-transport-ws", RECORDED, json!({})).await;
    bake(&app, &k, Some(&k["event"]), 3).await;
    let message = receive(&mut socket).await;
    assert_eq!(
        message["payload"]["data"]["productionRecorded"]["numBatches"],
        3
    );
    handle.stop(false).await;
});

const PROGRESS: &str = "subscription($event: ID!) { eventProgress(eventId: $event) {
  productionTargetsCount productionCompleteCount assemblyTargetsCount packagesPending isComplete } }";

/// The `eventProgress` payload of a `next` (or legacy `data`) message.
fn progress_of(message: &Value) -> Value {
    assert!(
        message["type"] == "next" || message["type"] == "data",
        "unexpected message {message}"
    );
    message["payload"]["data"]["eventProgress"].clone()
}

fn progress(targets: i32, complete: i32, assembly: i32, pending: i32, done: bool) -> Value {
    json!({"productionTargetsCount": targets, "productionCompleteCount": complete,
        "assemblyTargetsCount": assembly, "packagesPending": pending, "isComplete": done})
}

/// The next message must be this `eventProgress`.
async fn expect_progress(socket: &mut Socket, expected: Value) {
    assert_eq!(progress_of(&receive(socket).await), expected);
}

/// Sets the kitchen event's production target for its recipe.
async fn set_target(app: &TestApp, k: &Value, batches: i32) {
    app.ok(
        SET_TARGET,
        json!({"input": {"eventId": k["event"], "recipeId": k["recipe"], "targetBatches": batches}}),
    )
    .await;
}

const SET_TARGET: &str =
    "mutation($input: SetProductionTargetInput!) { setProductionTarget(input: $input) { id } }";
const DELETE_TARGET: &str =
    "mutation($e: ID!, $r: ID!) { deleteProductionTarget(eventId: $e, recipeId: $r) }";

db_test!(
    event_progress_is_pushed_on_every_change_in_both_protocols,
    |app| {
        let k = stocked_kitchen(&app).await;
        let vars = json!({"event": k["event"]});
        let mut modern = subscribe(app.addr, "graphql-transport-ws", PROGRESS, vars.clone()).await;
        let mut legacy = subscribe(app.addr, "graphql-ws", PROGRESS, vars).await;
        // First: the progress as it is now.
        expect_progress(&mut modern, progress(0, 0, 0, 0, true)).await;
        expect_progress(&mut legacy, progress(0, 0, 0, 0, true)).await;

        // Each change is awaited on both sockets before the next one is made: the feed
        // sends the progress as it is when it reads it, so changes made while a subscriber
        // is still reading the previous one reach it as one message.
        set_target(&app, &k, 3).await;
        expect_progress(&mut modern, progress(1, 0, 0, 0, false)).await;
        expect_progress(&mut legacy, progress(1, 0, 0, 0, false)).await;
        // A standalone run and another event's run change nothing; the event's own run does
        // (so the next message either subscriber gets is the completed target).
        let other = crate::fixtures::event(&app, "Other", "2026-12-31").await["id"].clone();
        bake(&app, &k, None, 1).await;
        bake(&app, &k, Some(&other), 1).await;
        bake(&app, &k, Some(&k["event"]), 3).await;
        expect_progress(&mut modern, progress(1, 1, 0, 0, true)).await;
        expect_progress(&mut legacy, progress(1, 1, 0, 0, true)).await;

        app.ok(
            "mutation($input: SetAssemblyTargetInput!) { setAssemblyTarget(input: $input) { id } }",
            json!({"input": {"eventId": k["event"], "finishedGoodId": k["box"], "targetQuantity": 2}}),
        )
        .await;
        expect_progress(&mut modern, progress(1, 1, 1, 0, false)).await;
        expect_progress(&mut legacy, progress(1, 1, 1, 0, false)).await;
        app.ok(DELETE_TARGET, json!({"e": k["event"], "r": k["recipe"]}))
            .await;
        expect_progress(&mut modern, progress(0, 0, 1, 0, false)).await;
        expect_progress(&mut legacy, progress(0, 0, 1, 0, false)).await;
    }
);

db_test!(
    event_progress_reaches_another_instance_and_ends_with_the_event,
    |app| {
        let k = stocked_kitchen(&app).await;
        let (other_addr, handle) = second_instance(&app).await;
        let mut socket = subscribe(
            other_addr,
            "graphql-transport-ws",
            PROGRESS,
            json!({"event": k["event"]}),
        )
        .await;
        expect_progress(&mut socket, progress(0, 0, 0, 0, true)).await;
        // Committed through the first instance: the second hears it by polling.
        set_target(&app, &k, 2).await;
        expect_progress(&mut socket, progress(1, 0, 0, 0, false)).await;
        bake(&app, &k, Some(&k["event"]), 1).await;
        bake(&app, &k, Some(&k["event"]), 1).await;
        // Half way (1 of 2 batches) changes none of the counts asked for, so the next message
        // is the completed target.
        expect_progress(&mut socket, progress(1, 1, 0, 0, true)).await;

        // Deleting an event completes its subscriptions, on every instance.
        let gone = crate::fixtures::event(&app, "Gone", "2026-12-31").await["id"].clone();
        let mut local = subscribe(
            app.addr,
            "graphql-transport-ws",
            PROGRESS,
            json!({"event": gone}),
        )
        .await;
        let mut remote = subscribe(
            other_addr,
            "graphql-transport-ws",
            PROGRESS,
            json!({"event": gone}),
        )
        .await;
        expect_progress(&mut local, progress(0, 0, 0, 0, true)).await;
        expect_progress(&mut remote, progress(0, 0, 0, 0, true)).await;
        app.ok(
            "mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }",
            json!({"id": gone}),
        )
        .await;
        assert_eq!(receive(&mut local).await["type"], "complete");
        assert_eq!(receive(&mut remote).await["type"], "complete");
        handle.stop(false).await;
    }
);

db_test!(event_progress_of_an_unknown_event_is_an_error, |app| {
    let missing = bakeplan::graphql::ids::encode("Event", 999).to_string();
    let mut socket = subscribe(
        app.addr,
        "graphql-transport-ws",
        PROGRESS,
        json!({"event": missing}),
    )
    .await;
    // The error arrives as a result with errors, and the subscription completes.
    let message = receive(&mut socket).await;
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(message["payload"]["data"], Value::Null);
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"],
        "NOT_FOUND"
    );
    assert_eq!(receive(&mut socket).await["type"], "complete");
});
