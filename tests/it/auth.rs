//! Access control (SPEC §4.1) over real HTTP and WebSocket, with `--auth required`: who may
//! run which mutation (read from the served schema, so a new mutation is covered the day it
//! appears), how each refusal looks, and that revocation and expiry take effect at once.

use crate::harness::{HttpReply, TestApp};
use crate::subscriptions::{connect, receive, send, Socket};
use bakeplan::auth::Role;
use bakeplan::store::tokens::{self, NewToken};
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::Duration;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

/// Like `db_test!`, on a server with `--auth required`.
macro_rules! auth_test {
    ($name:ident, |$app:ident| $body:block) => {
        crate::db_test!(
            $name,
            spawn = $crate::harness::TestApp::spawn_with_auth,
            |$app| $body
        );
    };
}

const GRAPHQL_RESPONSE: &str = "application/graphql-response+json";

/// Makes a token directly in the database and returns its text.
pub async fn token(app: &TestApp, name: &str, role: Role) -> String {
    tokens::create(
        &app.db,
        NewToken {
            name: name.into(),
            role,
            expires_in_days: None,
        },
    )
    .await
    .expect("token created")
    .secret
}

/// Posts a document with an optional `Authorization` value and `Accept`.
async fn post(
    app: &TestApp,
    authorization: Option<&str>,
    accept: Option<&str>,
    query: &str,
    variables: Value,
) -> HttpReply {
    let body = json!({"query": query, "variables": variables}).to_string();
    let mut headers = vec![("content-type", "application/json")];
    if let Some(value) = authorization {
        headers.push(("authorization", value));
    }
    if let Some(accept) = accept {
        headers.push(("accept", accept));
    }
    app.http_full("POST", "/graphql", &headers, Some(&body))
        .await
}

/// Posts as the holder of `token` and returns the JSON response.
pub async fn as_token(app: &TestApp, token: &str, query: &str, variables: Value) -> Value {
    post(
        app,
        Some(&format!("Bearer {token}")),
        None,
        query,
        variables,
    )
    .await
    .json()
}

/// The first error's code, or `None` when there is no error.
fn code(response: &Value) -> Option<String> {
    response["errors"][0]["extensions"]["code"]
        .as_str()
        .map(str::to_string)
}

/// The mutation fields of the served schema, each with whether it returns an object
/// (so needs a selection).
async fn mutations(app: &TestApp, manager: &str) -> Vec<(String, bool)> {
    let response = as_token(
        app,
        manager,
        "{ __schema { mutationType { fields { name type { kind ofType { kind ofType { kind } } } } } } }",
        json!({}),
    )
    .await;
    let fields = response["data"]["__schema"]["mutationType"]["fields"]
        .as_array()
        .unwrap_or_else(|| panic!("introspection failed: {response}"))
        .clone();
    fields
        .into_iter()
        .map(|field| {
            let mut ty = &field["type"];
            while ty["kind"] == "NON_NULL" || ty["kind"] == "LIST" {
                ty = &ty["ofType"];
            }
            let object = matches!(ty["kind"].as_str(), Some("OBJECT" | "INTERFACE" | "UNION"));
            (field["name"].as_str().unwrap().to_string(), object)
        })
        .collect()
}

const BAKER_MUTATIONS: [&str; 5] = [
    "adjustInventoryLot",
    "recordAssembly",
    "recordProduction",
    "recordPurchase",
    "updateFulfillmentStatus",
];

auth_test!(
    every_mutation_needs_its_role_and_a_refusal_writes_nothing,
    |app| {
        let viewer = token(&app, "viewer", Role::Viewer).await;
        let baker = token(&app, "baker", Role::Baker).await;
        let manager = token(&app, "manager", Role::Manager).await;
        let fields = mutations(&app, &manager).await;
        assert!(fields.len() >= 40, "{fields:?}");
        // Each token used once, so the refusals below do not even touch last_used_at.
        for t in [&viewer, &baker] {
            assert_eq!(
                as_token(&app, t, "{ viewer { role } }", json!({})).await["errors"],
                Value::Null
            );
        }
        let before = app.snapshot().await;
        for (field, object) in &fields {
            let document = if *object {
                format!("mutation {{ {field} {{ __typename }} }}")
            } else {
                format!("mutation {{ {field} }}")
            };
            let needs = if BAKER_MUTATIONS.contains(&field.as_str()) {
                "baker"
            } else {
                "manager"
            };

            let reply = post(
                &app,
                Some(&format!("Bearer {viewer}")),
                Some(GRAPHQL_RESPONSE),
                &document,
                json!({}),
            )
            .await;
            assert_eq!(reply.status, 403, "viewer {field}: {}", reply.body);
            let response = reply.json();
            assert_eq!(
                code(&response).as_deref(),
                Some("FORBIDDEN"),
                "viewer {field}: {response}"
            );
            assert_eq!(
                response["errors"][0]["extensions"]["requiredRole"], needs,
                "{field}"
            );
            let message = response["errors"][0]["message"].as_str().unwrap();
            assert!(
                message.contains(field.as_str()) && message.contains(needs),
                "{message}"
            );
            assert!(response.get("data").is_none(), "{response}");

            let response = as_token(&app, &baker, &document, json!({})).await;
            if needs == "baker" {
                assert!(
                    !matches!(
                        code(&response).as_deref(),
                        Some("FORBIDDEN" | "UNAUTHENTICATED")
                    ),
                    "baker {field}: {response}"
                );
            } else {
                assert_eq!(
                    code(&response).as_deref(),
                    Some("FORBIDDEN"),
                    "baker {field}: {response}"
                );
                assert_eq!(
                    response["errors"][0]["extensions"]["requiredRole"],
                    "manager"
                );
            }
        }
        app.assert_unchanged(&before, "refused mutations").await;

        for (field, object) in &fields {
            let document = if *object {
                format!("mutation {{ {field} {{ __typename }} }}")
            } else {
                format!("mutation {{ {field} }}")
            };
            let response = as_token(&app, &manager, &document, json!({})).await;
            assert!(
                !matches!(
                    code(&response).as_deref(),
                    Some("FORBIDDEN" | "UNAUTHENTICATED")
                ),
                "manager {field}: {response}"
            );
        }

        // Queries: everyone reads; exports and the token list are for managers.
        for t in [&viewer, &baker, &manager] {
            let response =
                as_token(&app, t, "{ events(first: 1) { totalCount } }", json!({})).await;
            assert_eq!(response["data"]["events"]["totalCount"], 0, "{response}");
        }
        for query in ["{ exportData }", "{ apiTokens { name } }"] {
            for t in [&viewer, &baker] {
                let response = as_token(&app, t, query, json!({})).await;
                assert_eq!(
                    code(&response).as_deref(),
                    Some("FORBIDDEN"),
                    "{query}: {response}"
                );
                assert_eq!(
                    response["errors"][0]["extensions"]["requiredRole"],
                    "manager"
                );
            }
            let response = as_token(&app, &manager, query, json!({})).await;
            assert_eq!(response["errors"], Value::Null, "{query}: {response}");
        }
        // A forbidden field hidden in a fragment on the root, sent as application/json: 200.
        let reply = post(
        &app,
        Some(&format!("Bearer {baker}")),
        Some("application/json"),
        "mutation { ...F } fragment F on MutationRoot { createEvent(input: {name: \"x\", eventDate: \"2026-12-24\"}) { id } }",
        json!({}),
    )
    .await;
        assert_eq!(reply.status, 200);
        assert_eq!(code(&reply.json()).as_deref(), Some("FORBIDDEN"));
        app.assert_unchanged(&before, "a fragment on the root")
            .await;
    }
);

/// Asserts a 401 with the challenge and an `UNAUTHENTICATED` body without data.
fn assert_unauthenticated(reply: &HttpReply, challenge: &str, needle: &str) {
    assert_eq!(reply.status, 401, "{}", reply.body);
    assert_eq!(
        reply.header("www-authenticate"),
        Some(challenge),
        "{:?}",
        reply.headers
    );
    let response = reply.json();
    assert_eq!(
        code(&response).as_deref(),
        Some("UNAUTHENTICATED"),
        "{response}"
    );
    assert!(response.get("data").is_none(), "{response}");
    let message = response["errors"][0]["message"]
        .as_str()
        .unwrap()
        .to_lowercase();
    assert!(
        message.contains(needle),
        "{message} should mention {needle}"
    );
}

auth_test!(unauthenticated_requests_get_401_with_a_challenge, |app| {
    let query = "{ viewer { name } }";
    let invalid = "Bearer error=\"invalid_token\"";
    for accept in [None, Some(GRAPHQL_RESPONSE)] {
        let reply = post(&app, None, accept, query, json!({})).await;
        assert_unauthenticated(&reply, "Bearer", "bearer");
        let reply = post(&app, Some("Basic dXNlcjpwYXNz"), accept, query, json!({})).await;
        assert_unauthenticated(&reply, "Bearer error=\"invalid_request\"", "bearer");
        let reply = post(
            &app,
            Some("Bearer bp_nothing_like_a_real_one"),
            accept,
            query,
            json!({}),
        )
        .await;
        assert_unauthenticated(&reply, invalid, "not valid");
    }
    // GET too, and the import path (large bodies are read only for managers).
    let reply = app
        .http_full("GET", "/graphql?query=%7Bviewer%7Bname%7D%7D", &[], None)
        .await;
    assert_unauthenticated(&reply, "Bearer", "bearer");

    let expiring = token(&app, "expiring", Role::Baker).await;
    let revoked = token(&app, "revoked", Role::Manager).await;
    for t in [&expiring, &revoked] {
        let response = as_token(&app, t, query, json!({})).await;
        assert_eq!(response["errors"], Value::Null, "{response}");
    }
    app.execute_sql(
        "UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00' WHERE name = 'expiring'",
    )
    .await
    .unwrap();
    tokens::revoke(&app.db, "revoked").await.unwrap();
    let reply = post(
        &app,
        Some(&format!("Bearer {expiring}")),
        None,
        query,
        json!({}),
    )
    .await;
    assert_unauthenticated(&reply, invalid, "expired");
    let reply = post(
        &app,
        Some(&format!("Bearer {revoked}")),
        None,
        query,
        json!({}),
    )
    .await;
    assert_unauthenticated(&reply, invalid, "revoked");
    let reply = app
        .http_full(
            "GET",
            "/graphql?query=%7Bviewer%7Bname%7D%7D",
            &[("authorization", &format!("Bearer {revoked}"))],
            None,
        )
        .await;
    assert_unauthenticated(&reply, invalid, "revoked");

    // A viewer's body over --max-body-bytes is refused even if it is a lone importData.
    let viewer = token(&app, "viewer", Role::Viewer).await;
    let big = json!({
        "query": "mutation($d: JSON!) { importData(document: $d) { created } }",
        "variables": {"d": {"padding": "x".repeat(1_100_000)}}
    })
    .to_string();
    let reply = app
        .http_full(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("authorization", &format!("Bearer {viewer}")),
            ],
            Some(&big),
        )
        .await;
    assert_eq!(reply.status, 413, "{}", reply.body);
});

auth_test!(
    revocation_and_expiry_take_effect_on_the_next_request,
    |app| {
        let manager = token(&app, "boss", Role::Manager).await;
        let created = as_token(
        &app,
        &manager,
        "mutation($input: CreateApiTokenInput!) { createApiToken(input: $input) { token apiToken { name role expiresAt lastUsedAt revokedAt expired } } }",
        json!({"input": {"name": "  kitchen phone ", "role": "BAKER", "expiresInDays": 30}}),
    )
    .await;
        let payload = &created["data"]["createApiToken"];
        let phone = payload["token"]
            .as_str()
            .unwrap_or_else(|| panic!("{created}"))
            .to_string();
        assert!(phone.starts_with("bp_") && phone.len() >= 46, "{phone}");
        assert_eq!(payload["apiToken"]["name"], "kitchen phone");
        assert_eq!(payload["apiToken"]["role"], "BAKER");
        assert_eq!(payload["apiToken"]["lastUsedAt"], Value::Null);
        assert_eq!(payload["apiToken"]["expired"], false);
        assert!(payload["apiToken"]["expiresAt"].is_string());

        let me = as_token(&app, &phone, "{ viewer { name role } }", json!({})).await;
        assert_eq!(
            me["data"]["viewer"],
            json!({"name": "kitchen phone", "role": "BAKER"})
        );

        // The same name again is a conflict; a baker cannot make tokens.
        let again = as_token(
            &app,
            &manager,
            "mutation { createApiToken(input: {name: \"kitchen phone\", role: VIEWER}) { token } }",
            json!({}),
        )
        .await;
        assert_eq!(code(&again).as_deref(), Some("CONFLICT"), "{again}");
        let refused = as_token(
            &app,
            &phone,
            "mutation { createApiToken(input: {name: \"mine\", role: MANAGER}) { token } }",
            json!({}),
        )
        .await;
        assert_eq!(code(&refused).as_deref(), Some("FORBIDDEN"), "{refused}");

        let listed = as_token(
            &app,
            &manager,
            "{ apiTokens { name role lastUsedAt } }",
            json!({}),
        )
        .await;
        let names: Vec<&str> = listed["data"]["apiTokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap())
            .collect();
        assert_eq!(names, ["boss", "kitchen phone"]);
        assert!(
            listed["data"]["apiTokens"][1]["lastUsedAt"].is_string(),
            "{listed}"
        );

        let revoked = as_token(
            &app,
            &manager,
            "mutation { revokeApiToken(name: \"kitchen phone\") { name revokedAt } }",
            json!({}),
        )
        .await;
        assert!(
            revoked["data"]["revokeApiToken"]["revokedAt"].is_string(),
            "{revoked}"
        );
        let reply = post(
            &app,
            Some(&format!("Bearer {phone}")),
            None,
            "{ viewer { name } }",
            json!({}),
        )
        .await;
        assert_eq!(reply.status, 401);
        let unknown = as_token(
            &app,
            &manager,
            "mutation { revokeApiToken(name: \"kitchen phone\") { name } }",
            json!({}),
        )
        .await;
        assert_eq!(code(&unknown).as_deref(), Some("NOT_FOUND"), "{unknown}");
        let listed = as_token(&app, &manager, "{ apiTokens { name } }", json!({})).await;
        assert_eq!(listed["data"]["apiTokens"], json!([{"name": "boss"}]));
        // The name is free again.
        let reused = as_token(
            &app,
            &manager,
            "mutation { createApiToken(input: {name: \"kitchen phone\", role: VIEWER}) { token } }",
            json!({}),
        )
        .await;
        assert_eq!(reused["errors"], Value::Null, "{reused}");

        // Expiry: once it has passed, the very next request is refused.
        app.execute_sql(
            "UPDATE api_tokens SET expires_at = '2020-01-01 00:00:00' WHERE name = 'boss'",
        )
        .await
        .unwrap();
        let reply = post(
            &app,
            Some(&format!("Bearer {manager}")),
            None,
            "{ viewer { name } }",
            json!({}),
        )
        .await;
        assert_eq!(reply.status, 401, "{}", reply.body);
        assert!(reply.body.contains("expired"), "{}", reply.body);
    }
);

auth_test!(the_token_text_is_stored_only_as_its_hash, |app| {
    let secret = token(&app, "stored", Role::Viewer).await;
    let response = as_token(&app, &secret, "{ viewer { name } }", json!({})).await;
    assert_eq!(response["data"]["viewer"]["name"], "stored");
    let dump = app.snapshot().await;
    let tokens_table = &dump
        .iter()
        .find(|(table, _)| table == "api_tokens")
        .expect("api_tokens is dumped")
        .1;
    assert!(tokens_table.contains("stored"), "{tokens_table}");
    assert!(tokens_table.contains(&bakeplan::auth::secret::hash(&secret)));
    for (table, rows) in &dump {
        assert!(!rows.contains(&secret), "the token's text is in {table}");
        assert!(
            !rows.contains(&secret["bp_".len()..]),
            "the token's random part is in {table}"
        );
    }
    // Nor can GraphQL show it: ApiToken has no field that could hold it.
    let manager = token(&app, "manager", Role::Manager).await;
    let fields = as_token(
        &app,
        &manager,
        "{ __type(name: \"ApiToken\") { fields { name } } }",
        json!({}),
    )
    .await;
    let text = fields.to_string().to_lowercase();
    assert!(
        !text.contains("secret") && !text.contains("hash") && !text.contains("\"token\""),
        "{text}"
    );
});

crate::db_test!(auth_off_makes_everyone_a_nameless_manager, |app| {
    let me = app.ok("{ viewer { name role } }", json!({})).await;
    assert_eq!(me["viewer"], json!({"name": null, "role": "MANAGER"}));
    // A header is ignored, whatever it holds.
    let reply = post(
        &app,
        Some("Bearer bp_whatever"),
        None,
        "{ viewer { role } }",
        json!({}),
    )
    .await;
    assert_eq!(reply.status, 200);
    assert_eq!(reply.json()["data"]["viewer"]["role"], "MANAGER");
});

/// Opens a graphql-transport-ws connection, optionally with an upgrade `Authorization`.
async fn connect_with_header(app: &TestApp, authorization: &str) -> Socket {
    let mut request = format!("ws://{}/graphql", app.addr)
        .into_client_request()
        .expect("request");
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    request
        .headers_mut()
        .insert("Authorization", authorization.parse().unwrap());
    tokio_tungstenite::connect_async(request)
        .await
        .expect("websocket connects")
        .0
}

/// The close code the server ends the socket with, within `seconds`.
async fn close_code(socket: &mut Socket, seconds: u64) -> u16 {
    loop {
        match tokio::time::timeout(Duration::from_secs(seconds), socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => {
                return frame.map_or(1005, |f| u16::from(f.code));
            }
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    }
}

const PROGRESS: &str =
    "subscription($id: ID!) { eventProgress(eventId: $id) { productionTargetsCount } }";

async fn event(app: &TestApp, manager: &str) -> String {
    let created = as_token(
        app,
        manager,
        "mutation { createEvent(input: {name: \"Christmas\", eventDate: \"2026-12-24\"}) { id } }",
        json!({}),
    )
    .await;
    created["data"]["createEvent"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("{created}"))
        .to_string()
}

auth_test!(
    websocket_connections_need_a_token_and_end_when_it_is_revoked,
    |app| {
        let manager = token(&app, "manager", Role::Manager).await;
        let viewer = token(&app, "viewer", Role::Viewer).await;
        let id = event(&app, &manager).await;

        // No token, an unknown one, a malformed one: closed with 4401 (both protocols).
        for payload in [
            json!({}),
            json!({"Authorization": "Bearer bp_unknown"}),
            json!({"Authorization": "Basic x"}),
        ] {
            let mut socket = connect(app.addr, "graphql-transport-ws").await;
            send(
                &mut socket,
                json!({"type": "connection_init", "payload": payload}),
            )
            .await;
            assert_eq!(close_code(&mut socket, 10).await, 4401, "{payload}");
        }
        let mut legacy = connect(app.addr, "graphql-ws").await;
        send(
            &mut legacy,
            json!({"type": "connection_init", "payload": {}}),
        )
        .await;
        assert_eq!(receive(&mut legacy).await["type"], "connection_error");
        assert_eq!(close_code(&mut legacy, 10).await, 4401);

        // The token in the upgrade request's header, and in the payload (any key case).
        let mut by_header = connect_with_header(&app, &format!("Bearer {viewer}")).await;
        send(&mut by_header, json!({"type": "connection_init"})).await;
        assert_eq!(receive(&mut by_header).await["type"], "connection_ack");
        let mut socket = connect(app.addr, "graphql-transport-ws").await;
        send(
        &mut socket,
        json!({"type": "connection_init", "payload": {"authorization": format!("Bearer {viewer}")}}),
    )
    .await;
        assert_eq!(receive(&mut socket).await["type"], "connection_ack");

        // A viewer may subscribe, but not mutate over the socket; nothing is written.
        send(
        &mut socket,
        json!({"id": "1", "type": "subscribe", "payload": {"query": PROGRESS, "variables": {"id": id}}}),
    )
    .await;
        let first = receive(&mut socket).await;
        assert_eq!(first["type"], "next", "{first}");
        assert_eq!(
            first["payload"]["data"]["eventProgress"]["productionTargetsCount"],
            0
        );
        let before = app.snapshot().await;
        send(
        &mut socket,
        json!({"id": "2", "type": "subscribe", "payload": {"query": "mutation($id: ID!) { deleteEvent(id: $id) { deletedId } }", "variables": {"id": id}}}),
    )
    .await;
        let refused = loop {
            let message = receive(&mut socket).await;
            if message["id"] == "2" {
                break message;
            }
        };
        let text = refused.to_string();
        assert!(
            text.contains("FORBIDDEN") && text.contains("manager"),
            "{text}"
        );
        app.assert_unchanged(&before, "a mutation refused over WebSocket")
            .await;

        // Revoked: the open subscriptions end with 4401 within a poll interval or two.
        tokens::revoke(&app.db, "viewer").await.unwrap();
        assert_eq!(close_code(&mut socket, 10).await, 4401);
        assert_eq!(close_code(&mut by_header, 10).await, 4401);
        // And a new connection with it is refused.
        let mut again = connect(app.addr, "graphql-transport-ws").await;
        send(
        &mut again,
        json!({"type": "connection_init", "payload": {"Authorization": format!("Bearer {viewer}")}}),
    )
    .await;
        assert_eq!(close_code(&mut again, 10).await, 4401);
    }
);
