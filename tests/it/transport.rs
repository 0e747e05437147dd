//! The transport in front of hostile input and cross-site pages (issue: safe in front of
//! real clients): media types, origins and CORS, body and document limits, GET rules, and
//! WebSocket refusals. Every refused request must leave the database as it was.

use crate::db_test;
use crate::harness::TestApp;
use crate::subscriptions::{connect, receive, send};
use futures::StreamExt;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

const CREATE: &str = r#"{"query": "mutation { createIngredient(input: {name: \"Sugar\", category: \"Baking\", unit: \"g\"}) { id } }"}"#;

/// An allowed browser origin in the tests that configure one.
const APP_ORIGIN: &str = "http://localhost:3000";

async fn with_allowed_origin(backend: bakeplan::db::Backend) -> TestApp {
    TestApp::spawn_custom(backend, 1, 8, |state| {
        state.with_origins(
            bakeplan::http::origin::OriginPolicy::new(&[APP_ORIGIN.to_string()]).unwrap(),
        )
    })
    .await
}

fn code(body: &Value) -> &str {
    body["errors"][0]["extensions"]["code"]
        .as_str()
        .unwrap_or("<none>")
}

db_test!(only_json_bodies_are_read, |app| {
    let before = app.snapshot().await;
    for content_type in [
        Some("text/plain"),
        Some("text/plain;charset=UTF-8"),
        Some("multipart/form-data; boundary=xyz"),
        Some("application/x-www-form-urlencoded"),
        Some("application/graphql"),
        None,
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|c| vec![("content-type", c)])
            .unwrap_or_default();
        let reply = app
            .http_full("POST", "/graphql", &headers, Some(CREATE))
            .await;
        assert_eq!(reply.status, 415, "{content_type:?}: {}", reply.body);
        assert_eq!(code(&reply.json()), "BAD_USER_INPUT", "{content_type:?}");
        assert!(reply.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("application/json"));
    }
    let multipart = "--xyz\r\nContent-Disposition: form-data; name=\"operations\"\r\n\r\n\
        {\"query\": \"mutation { createIngredient(input: {name: \\\"Salt\\\", category: \\\"B\\\", unit: \\\"g\\\"}) { id } }\"}\r\n--xyz--\r\n";
    let reply = app
        .http_full(
            "POST",
            "/graphql",
            &[("content-type", "multipart/form-data; boundary=xyz")],
            Some(multipart),
        )
        .await;
    assert_eq!(reply.status, 415);
    app.assert_unchanged(&before, "non-JSON POST bodies").await;
    for content_type in [
        "application/json",
        "application/json; charset=utf-8",
        "application/graphql-response+json",
    ] {
        let reply = app
            .http_full(
                "POST",
                "/graphql",
                &[("content-type", content_type)],
                Some(r#"{"query": "{ __typename }"}"#),
            )
            .await;
        assert_eq!(reply.status, 200, "{content_type}");
    }
});

db_test!(pages_on_unlisted_origins_cannot_write, |app| {
    let before = app.snapshot().await;
    for (content_type, origin) in [
        ("application/json", "https://evil.example"),
        ("text/plain", "https://evil.example"),
        ("application/json", "null"),
        ("application/json", "http://localhost:3000"),
    ] {
        let reply = app
            .http_full(
                "POST",
                "/graphql",
                &[("content-type", content_type), ("origin", origin)],
                Some(CREATE),
            )
            .await;
        assert_eq!(reply.status, 403, "{origin} {content_type}: {}", reply.body);
        assert_eq!(code(&reply.json()), "FORBIDDEN");
        assert!(reply.header("access-control-allow-origin").is_none());
    }
    let preflight = app
        .http_full(
            "OPTIONS",
            "/graphql",
            &[
                ("origin", "https://evil.example"),
                ("access-control-request-method", "POST"),
                ("access-control-request-headers", "content-type"),
            ],
            None,
        )
        .await;
    assert_eq!(preflight.status, 403);
    assert!(preflight.header("access-control-allow-origin").is_none());
    // A GET with a query is read-only, but a foreign page gets nothing either.
    let reply = app
        .http_full(
            "GET",
            "/graphql?query=%7B__typename%7D",
            &[("origin", "https://evil.example")],
            None,
        )
        .await;
    assert_eq!(reply.status, 403);
    app.assert_unchanged(&before, "cross-site writes").await;

    // The server's own pages (GraphiQL) are same-origin and work.
    let own = format!("http://{}", app.addr);
    let reply = app
        .http_full(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("origin", &own)],
            Some(CREATE),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(reply.json()["data"]["createIngredient"]["id"].is_string());
});

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browsers_on_listed_origins_use_the_api() {
    for backend in [
        bakeplan::db::Backend::Sqlite,
        bakeplan::db::Backend::Postgres,
    ] {
        let app = with_allowed_origin(backend).await;
        let preflight = app
            .http_full(
                "OPTIONS",
                "/graphql",
                &[
                    ("origin", APP_ORIGIN),
                    ("access-control-request-method", "POST"),
                    (
                        "access-control-request-headers",
                        "content-type, authorization",
                    ),
                ],
                None,
            )
            .await;
        assert_eq!(preflight.status, 204, "{preflight:?}");
        assert_eq!(
            preflight.header("access-control-allow-origin"),
            Some(APP_ORIGIN)
        );
        assert!(preflight
            .header("access-control-allow-methods")
            .unwrap()
            .contains("POST"));
        assert_eq!(
            preflight.header("access-control-allow-headers"),
            Some("content-type, authorization")
        );
        let reply = app
            .http_full(
                "POST",
                "/graphql",
                &[("content-type", "application/json"), ("origin", APP_ORIGIN)],
                Some(CREATE),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.body);
        assert_eq!(
            reply.header("access-control-allow-origin"),
            Some(APP_ORIGIN)
        );
        assert!(reply.header("vary").unwrap().contains("Origin"));
        assert!(reply.json()["data"]["createIngredient"]["id"].is_string());

        // Another port of the same host is another origin.
        let reply = app
            .http_full(
                "POST",
                "/graphql",
                &[
                    ("content-type", "application/json"),
                    ("origin", "http://localhost:3001"),
                ],
                Some(r#"{"query": "{ __typename }"}"#),
            )
            .await;
        assert_eq!(reply.status, 403);

        // WebSocket upgrades: the listed origin is accepted, others refused before upgrade.
        let mut socket = connect_with_origin(&app, "graphql-transport-ws", Some(APP_ORIGIN))
            .await
            .expect("an allowed origin opens a WebSocket");
        send(&mut socket, json!({"type": "connection_init"})).await;
        assert_eq!(receive(&mut socket).await["type"], "connection_ack");
        let refused =
            connect_with_origin(&app, "graphql-transport-ws", Some("https://evil.example")).await;
        match refused {
            Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                assert_eq!(response.status(), 403)
            }
            other => panic!(
                "expected a 403 upgrade refusal, got {:?}",
                other.map(|_| ())
            ),
        }
        app.finish().await;
    }
}

db_test!(
    websocket_upgrades_from_unlisted_origins_are_refused,
    |app| {
        let before = app.snapshot().await;
        for protocol in ["graphql-transport-ws", "graphql-ws"] {
            match connect_with_origin(&app, protocol, Some("https://evil.example")).await {
                Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
                    assert_eq!(response.status(), 403)
                }
                other => panic!(
                    "expected a 403 upgrade refusal, got {:?}",
                    other.map(|_| ())
                ),
            }
        }
        // Non-browser clients send no Origin and are served.
        let mut socket = connect_with_origin(&app, "graphql-transport-ws", None)
            .await
            .expect("no Origin: a non-browser client");
        send(&mut socket, json!({"type": "connection_init"})).await;
        assert_eq!(receive(&mut socket).await["type"], "connection_ack");
        app.assert_unchanged(&before, "refused upgrades").await;
    }
);

async fn connect_with_origin(
    app: &TestApp,
    protocol: &str,
    origin: Option<&str>,
) -> Result<crate::subscriptions::Socket, tokio_tungstenite::tungstenite::Error> {
    let mut request = format!("ws://{}/graphql", app.addr)
        .into_client_request()
        .expect("request");
    request
        .headers_mut()
        .insert("Sec-WebSocket-Protocol", protocol.parse().unwrap());
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
    }
    tokio_tungstenite::connect_async(request)
        .await
        .map(|(socket, _)| socket)
}

/// Sends a POST whose body is `length` bytes of a JSON string, declaring the length or
/// sending it chunked, and returns the status and body; the server may answer before
/// the body is all sent.
async fn post_large(app: &TestApp, length: usize, chunked: bool) -> (u16, String) {
    let mut stream = tokio::net::TcpStream::connect(app.addr).await.unwrap();
    let framing = if chunked {
        "Transfer-Encoding: chunked".to_string()
    } else {
        format!("Content-Length: {length}")
    };
    let head = format!(
        "POST /graphql HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\n{framing}\r\nConnection: close\r\n\r\n",
        app.addr
    );
    stream.write_all(head.as_bytes()).await.unwrap();
    let mut body = r#"{"query": "{ __typename }", "extensions": {"pad": ""#
        .as_bytes()
        .to_vec();
    body.resize(length - 3, b'x');
    body.extend_from_slice(b"\"}}");
    for piece in body.chunks(64 * 1024) {
        let sent = if chunked {
            let mut framed = format!("{:x}\r\n", piece.len()).into_bytes();
            framed.extend_from_slice(piece);
            framed.extend_from_slice(b"\r\n");
            stream.write_all(&framed).await
        } else {
            stream.write_all(piece).await
        };
        if sent.is_err() {
            break;
        }
    }
    if chunked {
        let _ = stream.write_all(b"0\r\n\r\n").await;
    }
    let mut raw = Vec::new();
    let _ = tokio::time::timeout(Duration::from_secs(10), stream.read_to_end(&mut raw)).await;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text.split_once("\r\n\r\n").map(|(_, b)| b).unwrap_or("");
    (status, body.to_string())
}

db_test!(the_body_limit_holds_with_and_without_a_length, |app| {
    let limit = bakeplan::http::ServerOptions::default().max_body_bytes;
    let (status, body) = post_large(&app, 32 * 1024 * 1024, false).await;
    assert_eq!(status, 413, "{body}");
    assert!(body.contains("--max-body-bytes"), "{body}");
    assert!(body.contains("BAD_USER_INPUT"), "{body}");
    let (status, body) = post_large(&app, limit + 1, true).await;
    assert_eq!(status, 413, "{body}");
    let (status, body) = post_large(&app, limit - 1, false).await;
    assert_eq!(status, 200, "{body}");
});

db_test!(hostile_documents_are_refused_before_validation, |app| {
    crate::fixtures::event(&app, "Christmas", "2026-12-24").await;
    let before = app.snapshot().await;
    let statements = app.statements();

    // 60,000 aliases in 1.1 MB: over the body limit already; 90 KB of them: over the
    // token limit, refused without parsing; 1,500 plain fields: over the selection limit,
    // refused without validating.
    let aliases: String = (0..5_000).map(|i| format!("a{i}: __typename ")).collect();
    let started = Instant::now();
    let error = app.error(&format!("{{ {aliases} }}"), json!({})).await;
    let elapsed = started.elapsed();
    error.expect("QUERY_TOO_COMPLEX", "--max-document-tokens");
    eprintln!("5,000 aliases refused in {elapsed:?} (debug build, round trip included)");
    let plain = format!("{{ {} }}", "__typename ".repeat(1_500));
    app.error(&plain, json!({}))
        .await
        .expect("QUERY_TOO_COMPLEX", "--max-document-selections");
    let huge = format!("{{ __typename }} # {}", "x".repeat(200_000));
    app.error(&huge, json!({}))
        .await
        .expect("QUERY_TOO_COMPLEX", "--max-document-bytes");

    // Connections cost their page size: 2,000 aliases would have run thousands of
    // statements; 40 stay under the selection limit and are refused by cost.
    let pages: String = (0..40)
        .map(|i| format!("e{i}: events(first: 100) {{ nodes {{ progress {{ isComplete }} costSummary {{ plannedCost }} productionRuns(first: 100) {{ nodes {{ numBatches }} }} }} }} "))
        .collect();
    app.error(&format!("{{ {pages} }}"), json!({}))
        .await
        .expect("QUERY_TOO_COMPLEX", "--max-complexity");
    let error = app
        .error(
            "query($n: Int) { events(first: $n) { nodes { productionRuns(first: $n) { nodes { numBatches } } } } }",
            json!({"n": 100_000}),
        )
        .await;
    assert_eq!(error.code, "QUERY_TOO_COMPLEX", "{error:?}");

    // Introspection is counted like any field.
    let schemas: String = (0..80)
        .map(|i| format!("s{i}: __schema {{ types {{ name kind description fields {{ name description args {{ name description }} }} }} }} "))
        .collect();
    app.error(&format!("{{ {schemas} }}"), json!({}))
        .await
        .expect("QUERY_TOO_COMPLEX", "--max-complexity");
    // The playground's own introspection query is fine.
    let introspection = include_str!("introspection.graphql");
    let data = app.ok(introspection, json!({})).await;
    assert!(data["__schema"]["types"].as_array().unwrap().len() > 50);

    // Unknown directives are a validation error, wherever they stand.
    for query in [
        "{ __typename @foo }",
        "query @foo { __typename }",
        "{ events @deprecated { totalCount } }",
    ] {
        let error = app.error(query, json!({})).await;
        assert_eq!(error.code, "BAD_USER_INPUT", "{query}: {error:?}");
    }
    assert_eq!(
        app.statements(),
        statements,
        "refused documents must not reach the database"
    );
    app.assert_unchanged(&before, "hostile documents").await;
    // Ordinary pages still work.
    let data = app
        .ok(
            "{ events(first: 100) { nodes { name productionRuns(first: 5) { totalCount } } } }",
            json!({}),
        )
        .await;
    assert_eq!(data["events"]["nodes"][0]["name"], "Christmas");
});

db_test!(get_and_media_types_follow_graphql_over_http, |app| {
    let before = app.snapshot().await;
    let mutation = "/graphql?query=mutation%7BcreateIngredient(input%3A%7Bname%3A%22x%22%2Ccategory%3A%22y%22%2Cunit%3A%22g%22%7D)%7Bid%7D%7D";
    let reply = app.http_full("GET", mutation, &[], None).await;
    assert_eq!(reply.status, 405);
    assert_eq!(reply.header("allow"), Some("POST"));
    assert_eq!(code(&reply.json()), "BAD_USER_INPUT");
    let reply = app
        .http_full(
            "GET",
            "/graphql?query=%7B__typename%7D&variables=%7Bnot-json",
            &[],
            None,
        )
        .await;
    assert_eq!(reply.status, 400, "{}", reply.body);
    assert_eq!(code(&reply.json()), "BAD_USER_INPUT");
    let reply = app
        .http_full(
            "GET",
            "/graphql?query=%7B__typename%7D",
            &[("accept", "text/html")],
            None,
        )
        .await;
    assert_eq!(reply.status, 406);
    assert_eq!(code(&reply.json()), "BAD_USER_INPUT");
    let reply = app
        .http_full(
            "GET",
            "/graphql?query=%7B__typename%7D",
            &[("accept", "application/json")],
            None,
        )
        .await;
    assert_eq!(reply.status, 200);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/json"));
    // Under application/graphql-response+json, a request that never ran is a 400 without data.
    let reply = app
        .http_full(
            "POST",
            "/graphql",
            &[
                ("content-type", "application/json"),
                ("accept", "application/graphql-response+json"),
            ],
            Some(r#"{"query": "{ nope }"}"#),
        )
        .await;
    assert_eq!(reply.status, 400);
    assert!(reply
        .header("content-type")
        .unwrap()
        .starts_with("application/graphql-response+json"));
    assert!(reply.json().get("data").is_none(), "{}", reply.body);
    assert_eq!(code(&reply.json()), "BAD_USER_INPUT");
    // Malformed bodies say what to fix, without Rust's or serde's vocabulary.
    for body in [
        "{",
        "[1]",
        r#"{"query": 5}"#,
        r#"{"query": "{ a }", "variables": [1]}"#,
    ] {
        let reply = app
            .http_full(
                "POST",
                "/graphql",
                &[("content-type", "application/json")],
                Some(body),
            )
            .await;
        assert_eq!(reply.status, 400, "{body}");
        let message = reply.json()["errors"][0]["message"]
            .as_str()
            .unwrap()
            .to_string();
        assert!(
            !message.contains("enum") && !message.contains("BatchRequest"),
            "{message}"
        );
        assert_eq!(code(&reply.json()), "BAD_USER_INPUT");
    }
    app.assert_unchanged(&before, "refused GET and POST requests")
        .await;
});

db_test!(websocket_errors_carry_codes_and_short_close_frames, |app| {
    // A subscription that fails validation: an error with a code, in both protocols.
    for (protocol, start) in [
        ("graphql-transport-ws", "subscribe"),
        ("graphql-ws", "start"),
    ] {
        let mut socket = connect(app.addr, protocol).await;
        send(&mut socket, json!({"type": "connection_init"})).await;
        assert_eq!(receive(&mut socket).await["type"], "connection_ack");
        send(
            &mut socket,
            json!({"id": "1", "type": start, "payload": {"query": "subscription { nope }"}}),
        )
        .await;
        let message = receive(&mut socket).await;
        let errors = if message["payload"].is_array() {
            message["payload"].clone()
        } else {
            message["payload"]["errors"].clone()
        };
        assert_eq!(
            errors[0]["extensions"]["code"], "BAD_USER_INPUT",
            "{protocol}: {message}"
        );
        send(
            &mut socket,
            json!({"id": "2", "type": start, "payload": {"query": "subscription { eventProgress(eventId: \"x\") { isComplete } } ".to_string() + &"#".repeat(200_000)}}),
        )
        .await;
        let message = loop {
            let message = receive(&mut socket).await;
            if message["id"] == "2" {
                break message;
            }
        };
        let text = message.to_string();
        assert!(text.contains("QUERY_TOO_COMPLEX"), "{protocol}: {text}");
    }
    // A message over the body limit closes the socket with 1009 (message too big).
    let mut socket = connect(app.addr, "graphql-transport-ws").await;
    let huge = "x".repeat(bakeplan::http::ServerOptions::default().max_body_bytes + 1);
    let _ = futures::SinkExt::send(&mut socket, Message::Text(huge.into())).await;
    let frame = loop {
        match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
            Ok(Some(Ok(Message::Close(frame)))) => break frame,
            Ok(Some(Ok(_))) => continue,
            other => panic!("expected a close frame, got {other:?}"),
        }
    };
    assert_eq!(u16::from(frame.expect("a close code").code), 1009);

    // Garbage closes the connection with a short, fixed reason.
    for (protocol, expected) in [("graphql-transport-ws", 4400u16), ("graphql-ws", 1002)] {
        let mut socket = connect(app.addr, protocol).await;
        send(&mut socket, json!({"type": "connection_init"})).await;
        assert_eq!(receive(&mut socket).await["type"], "connection_ack");
        send(
            &mut socket,
            json!({"type": "no such message", "id": 5, "payload": [1, 2]}),
        )
        .await;
        let frame = loop {
            match tokio::time::timeout(Duration::from_secs(10), socket.next()).await {
                Ok(Some(Ok(Message::Close(frame)))) => break frame,
                Ok(Some(Ok(_))) => continue,
                other => panic!("{protocol}: expected a close frame, got {other:?}"),
            }
        };
        let frame = frame.expect("a close frame with a code");
        assert_eq!(u16::from(frame.code), expected, "{protocol}");
        let reason = frame.reason.to_string();
        assert!(reason.len() <= 123, "{reason}");
        assert!(
            !reason.contains("variant") && !reason.contains("enum") && !reason.contains("expected"),
            "{protocol}: {reason}"
        );
    }
});
