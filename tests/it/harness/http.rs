//! Plain HTTP requests to a test server, through reqwest, so that a reply is exactly what
//! the server sent: no redirect is followed (`GET /` must show its 302), no compression
//! is asked for, no proxy from the environment is used, and every request has a
//! connection of its own, as a fresh client would. The one header reqwest adds is
//! `accept: */*` when a test gives no `Accept`, which the server takes as no `Accept`
//! (`application/json`).
//!
//! Tests that need bytes reqwest will not put on the wire (a lying `Content-Length`, a
//! body cut off half-way) write them to a `tokio::net::TcpStream` themselves.

use super::TestApp;
use serde_json::Value;
use std::net::SocketAddr;

/// Sends one HTTP/1.1 request and returns the status and body.
pub async fn raw_http(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> (u16, String) {
    let response = raw_http_full(addr, method, path, headers, body).await;
    (response.status, response.body)
}

/// An HTTP response as the tests see it.
#[derive(Debug)]
pub struct HttpReply {
    /// The status code.
    pub status: u16,
    /// The response headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body, de-chunked (lossily decoded where it is not UTF-8).
    pub body: String,
}

impl HttpReply {
    /// The value of a response header (the first, if it came more than once).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n == &name.to_ascii_lowercase())
            .map(|(_, v)| v.as_str())
    }

    /// The body as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|_| panic!("status {}, not JSON: {}", self.status, self.body))
    }
}

impl TestApp {
    /// Sends one HTTP request to this app and returns the status and body.
    pub async fn http(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> (u16, String) {
        raw_http(self.addr, method, path, headers, body).await
    }

    /// Sends one HTTP request to this app and returns status, headers and body.
    pub async fn http_full(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> HttpReply {
        raw_http_full(self.addr, method, path, headers, body).await
    }
}

/// [`raw_http`] with the response headers.
pub async fn raw_http_full(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> HttpReply {
    // A client per request: a pooled connection would outlive the test's runtime, and a
    // test of one request per connection (the server's limits, its cancellation) would
    // silently reuse one.
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .pool_max_idle_per_host(0)
        .build()
        .expect("an HTTP client");
    let verb = reqwest::Method::from_bytes(method.as_bytes()).expect("an HTTP method");
    let mut request = client.request(verb, format!("http://{addr}{path}"));
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    if let Some(body) = body {
        request = request.body(body.to_string());
    }
    let response = request
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(name, value)| {
            let value = String::from_utf8_lossy(value.as_bytes()).into_owned();
            (name.as_str().to_string(), value)
        })
        .collect();
    let body = response
        .bytes()
        .await
        .unwrap_or_else(|e| panic!("{method} {path}: reading the body: {e}"));
    HttpReply {
        status,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}
