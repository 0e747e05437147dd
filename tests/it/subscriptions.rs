//! Subscriptions over WebSocket, in both subprotocols, within one server and across two
//! server instances sharing the database.

use crate::db_test;
use crate::harness::TestApp;
use crate::pantry::purchase;
use crate::production::{cookie_kitchen, RECORD_PRODUCTION};
use bakeplan::graphql::Limits;
use bakeplan::http::{self, AppState, ServerOptions};
use futures::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(addr: SocketAddr, protocol: &str) -> Socket {
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

async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .expect("send");
}

/// The next JSON message that is not a keep-alive, within 10 seconds.
async fn receive(socket: &mut Socket) -> Value {
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

async fn subscribe(addr: SocketAddr, protocol: &str, query: &str, variables: Value) -> Socket {
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
    app.ok(
        RECORD_PRODUCTION,
        json!({"input": {"recipeId": k["recipe"], "finishedUnitId": k["cookie"], "numBatches": batches,
            "actualYield": batches * 24, "eventId": event}}),
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

db_test!(subscribers_hear_runs_recorded_by_another_instance, |app| {
    let k = stocked_kitchen(&app).await;
    // A second server instance on the same database, polling often.
    let limits = Limits {
        poll_interval: Duration::from_millis(100),
        ..Limits::default()
    };
    let other = AppState::new(app.db.clone(), limits, 10);
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

    let mut socket = subscribe(other_addr, "graphql-transport-ws", RECORDED, json!({})).await;
    bake(&app, &k, Some(&k["event"]), 3).await;
    let message = receive(&mut socket).await;
    assert_eq!(
        message["payload"]["data"]["productionRecorded"]["numBatches"],
        3
    );
    handle.stop(false).await;
});
