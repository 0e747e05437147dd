//! `bakeplan token create|list|revoke` and `bakeplan serve --auth auto`, run as the built
//! binary against a temp SQLite file and a fresh PostgreSQL database: tokens made on the
//! command line work on a real server, revoking one on the command line refuses its next
//! request there, and neither the database nor the server's log ever holds a token's text.

use crate::harness::{bakeplan, raw_http_full, text, TestApp};
use bakeplan::db::Backend;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A `bakeplan serve` child process and every line it logged so far.
struct Server {
    /// `None` once stopped.
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
    addr: SocketAddr,
    auth: String,
}

impl Server {
    /// Starts `serve --bind BIND` with JSON logs and waits for its "serving" line.
    fn start(url: &str, bind: &str) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_bakeplan"))
            .args([
                "--database-url",
                url,
                "--log-format",
                "json",
                "serve",
                "--bind",
                bind,
            ])
            .args(["--workers", "1"])
            .env_remove("DATABASE_URL")
            .env_remove("BAKEPLAN_AUTH")
            .env("RUST_LOG", "info,bakeplan=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start bakeplan serve");
        let stderr = child.stderr.take();
        let mut server = Server {
            child: Some(child),
            log: Arc::default(),
            addr: SocketAddr::from(([127, 0, 0, 1], 0)),
            auth: String::new(),
        };
        let lines = server.log.clone();
        std::thread::spawn(move || {
            let Some(stderr) = stderr else { return };
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                lines.lock().unwrap().push(line);
            }
        });
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let serving = server.log.lock().unwrap().iter().find_map(|line| {
                let value: Value = serde_json::from_str(line).ok()?;
                let message = value["fields"]["message"].as_str()?;
                let rest = message.strip_prefix("serving GraphQL on http://")?;
                let port: u16 = rest.split('/').next()?.rsplit(':').next()?.parse().ok()?;
                Some((port, value["fields"]["auth"].as_str()?.to_string()))
            });
            if let Some((port, auth)) = serving {
                server.addr.set_port(port);
                server.auth = auth;
                return server;
            }
            // Dropping `server` stops the child.
            assert!(
                Instant::now() < deadline,
                "the server did not start: {:?}",
                server.log.lock().unwrap()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    async fn post(&self, token: Option<&str>, query: &str) -> (u16, Value) {
        let body = json!({ "query": query }).to_string();
        let bearer = token.map(|t| format!("Bearer {t}"));
        let mut headers = vec![("content-type", "application/json")];
        if let Some(bearer) = &bearer {
            headers.push(("authorization", bearer.as_str()));
        }
        let reply = raw_http_full(self.addr, "POST", "/graphql", &headers, Some(&body)).await;
        (reply.status, reply.json())
    }

    /// Stops the server (this test's own child) and returns its log.
    fn stop(mut self) -> Vec<String> {
        self.kill();
        std::thread::sleep(Duration::from_millis(100));
        let log = self.log.lock().unwrap().clone();
        log
    }

    fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// A test that fails half-way does not leave its server running.
impl Drop for Server {
    fn drop(&mut self) {
        self.kill();
    }
}

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
    let server = Server::start(url, "0.0.0.0:0");
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
    let server = Server::start(url, "127.0.0.1:0");
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
