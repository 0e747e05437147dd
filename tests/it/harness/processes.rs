//! The built `bakeplan` binary: run once as a command, or kept running as a server whose
//! log the test reads.

use super::http::raw_http_full;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader};
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Runs the built `bakeplan` binary on a database with `args`, with no configuration from
/// the environment (`DATABASE_URL`, `BAKEPLAN_AUTH`) and only warnings logged.
pub fn bakeplan(url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_bakeplan"))
        .arg("--database-url")
        .arg(url)
        .args(args)
        .env_remove("DATABASE_URL")
        .env_remove("BAKEPLAN_AUTH")
        .env("RUST_LOG", "warn")
        .output()
        .expect("run bakeplan")
}

/// A command's output as text.
pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A `bakeplan serve` child process and every line it logged so far.
pub struct ServerProcess {
    /// `None` once stopped.
    child: Option<Child>,
    log: Arc<Mutex<Vec<String>>>,
    /// Where it listens.
    pub addr: SocketAddr,
    /// The authentication mode it logged at start (`required` or `off`).
    pub auth: String,
}

impl ServerProcess {
    /// Starts `serve --bind BIND` followed by `args`, with JSON logs, and waits for its
    /// "serving" line.
    pub fn start(url: &str, bind: &str, args: &[&str]) -> ServerProcess {
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
            .args(args)
            .env_remove("DATABASE_URL")
            .env_remove("BAKEPLAN_AUTH")
            .env("RUST_LOG", "info,bakeplan=debug")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start bakeplan serve");
        let stderr = child.stderr.take();
        let mut server = ServerProcess {
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

    /// POSTs `query`, with `token` as a Bearer token if given.
    pub async fn post(&self, token: Option<&str>, query: &str) -> (u16, Value) {
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
    pub fn stop(mut self) -> Vec<String> {
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
impl Drop for ServerProcess {
    fn drop(&mut self) {
        self.kill();
    }
}
