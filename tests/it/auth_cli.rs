//! `bakeplan token create|list|revoke` and `bakeplan serve --auth auto`, run as the built
//! binary against a temp SQLite file and a fresh PostgreSQL database: tokens made on the
//! command line work on a real server, revoking one on the command line refuses its next
//! request there, and neither the database nor the server's log ever holds a token's text.

use crate::harness::{bakeplan, text, ServerProcess, TestApp};
use bakeplan::db::Backend;
use serde_json::json;

async fn tokens_from_the_command_line(url: &str, dump: impl AsyncFnOnce() -> String) {
    let out = bakeplan(
        url,
        &["token", "create", "--name", "phone", "--role", "baker"],
    );
    assert!(out.status.success(), "create: {}", text(&out.stderr));
    let phone = text(&out.stdout);
    assert_eq!(
        phone.lines().count(),
        1,
        "only the token on stdout: {phone}"
    );
    let phone = phone.trim().to_string();
    assert!(phone.starts_with("bp_") && phone.len() == 46, "{phone}");
    assert!(
        text(&out.stderr).contains("only this once"),
        "{}",
        text(&out.stderr)
    );

    let duplicate = bakeplan(
        url,
        &["token", "create", "--name", " phone ", "--role", "viewer"],
    );
    assert!(!duplicate.status.success());
    assert!(
        text(&duplicate.stderr).contains("already exists"),
        "{}",
        text(&duplicate.stderr)
    );
    let blank = bakeplan(
        url,
        &["token", "create", "--name", "  ", "--role", "viewer"],
    );
    assert!(!blank.status.success());
    assert!(
        text(&blank.stderr).contains("empty"),
        "{}",
        text(&blank.stderr)
    );

    let out = bakeplan(
        url,
        &[
            "token",
            "create",
            "--name",
            "boss",
            "--role",
            "manager",
            "--expires-in",
            "7",
        ],
    );
    assert!(out.status.success(), "create: {}", text(&out.stderr));
    let boss = text(&out.stdout).trim().to_string();

    let listed = bakeplan(url, &["token", "list"]);
    assert!(listed.status.success(), "list: {}", text(&listed.stderr));
    let list = text(&listed.stdout);
    assert!(list.contains("phone") && list.contains("baker"), "{list}");
    assert!(list.contains("boss") && list.contains("manager"), "{list}");
    for secret in [&phone, &boss] {
        assert!(!list.contains(secret.as_str()), "{list}");
        assert!(
            !list.contains(&bakeplan::auth::secret::hash(secret)),
            "{list}"
        );
    }

    // 0.0.0.0 with --auth auto: tokens required.
    let server = ServerProcess::start(url, "0.0.0.0:0", &[]);
    assert_eq!(server.auth, "required");
    let (status, body) = server.post(None, "{ viewer { name } }").await;
    assert_eq!(status, 401, "{body}");
    let (status, body) = server.post(Some(&phone), "{ viewer { name role } }").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["viewer"],
        json!({"name": "phone", "role": "BAKER"})
    );
    let (_, body) = server.post(Some(&boss), "{ apiTokens { name } }").await;
    assert_eq!(
        body["data"]["apiTokens"],
        json!([{"name": "boss"}, {"name": "phone"}])
    );

    // Revoked by another process: the running server refuses the very next request.
    let out = bakeplan(url, &["token", "revoke", "phone"]);
    assert!(out.status.success(), "revoke: {}", text(&out.stderr));
    let (status, body) = server.post(Some(&phone), "{ viewer { name } }").await;
    assert_eq!(status, 401, "{body}");
    let again = bakeplan(url, &["token", "revoke", "phone"]);
    assert!(!again.status.success());
    assert!(
        text(&again.stderr).contains("no token named"),
        "{}",
        text(&again.stderr)
    );
    let log = server.stop();
    assert!(log.iter().any(|l| l.contains("graphql request")), "{log:?}");
    for line in &log {
        for secret in [&phone, &boss] {
            assert!(
                !line.contains(secret.as_str()),
                "a token in the log: {line}"
            );
            assert!(
                !line.contains(&secret["bp_".len()..]),
                "a token in the log: {line}"
            );
        }
        assert!(
            !line.to_lowercase().contains("authorization"),
            "a header in the log: {line}"
        );
    }

    // The stored rows hold the hash, never the text.
    let rows = dump().await;
    assert!(
        rows.contains(&bakeplan::auth::secret::hash(&phone)),
        "{rows}"
    );
    assert!(!rows.contains(&phone) && !rows.contains(&boss), "{rows}");

    // 127.0.0.1 with --auth auto: no tokens; everyone is a nameless manager.
    let server = ServerProcess::start(url, "127.0.0.1:0", &[]);
    assert_eq!(server.auth, "off");
    let (status, body) = server.post(None, "{ viewer { name role } }").await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(
        body["data"]["viewer"],
        json!({"name": null, "role": "MANAGER"})
    );
    server.stop();
}

async fn api_tokens_rows(app: &TestApp) -> String {
    app.snapshot()
        .await
        .into_iter()
        .find(|(table, _)| table == "api_tokens")
        .map(|(_, rows)| rows)
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_commands_and_auto_auth_on_sqlite() {
    let app = TestApp::spawn(Backend::Sqlite).await;
    let url = app.db.url().to_string();
    tokens_from_the_command_line(&url, async || api_tokens_rows(&app).await).await;
    app.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn token_commands_and_auto_auth_on_postgres() {
    let app = TestApp::spawn(Backend::Postgres).await;
    let url = app.db.url().to_string();
    tokens_from_the_command_line(&url, async || api_tokens_rows(&app).await).await;
    app.finish().await;
}
