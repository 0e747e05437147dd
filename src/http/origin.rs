//! Which browser origins may use the API (SPEC §4.2, `--cors-origins`).
//!
//! Browsers send `Origin` on every cross-site request, including the "simple" ones that
//! skip the CORS preflight (`text/plain` or form POSTs) and WebSocket upgrades. A request
//! whose `Origin` is neither this server's own origin nor listed is refused before it is
//! read, so no page elsewhere can make the server write or open a subscription. Requests
//! without `Origin` come from non-browser clients (apps, scripts) or same-origin
//! navigations and are let through.

use super::problem::error_response;
use super::AppState;
use crate::graphql::error::ErrorCode;
use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpResponse};

/// The methods a cross-origin caller may use on `/graphql`.
const ALLOWED_METHODS: &str = "GET, POST, OPTIONS";
/// How long browsers may cache a preflight answer, in seconds.
const PREFLIGHT_MAX_AGE: &str = "600";

/// The origins allowed besides the server's own.
#[derive(Debug, Clone, Default)]
pub struct OriginPolicy {
    allowed: Vec<String>,
}

/// How a request's `Origin` relates to the policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OriginCheck {
    /// No `Origin` header: not a cross-site browser request.
    Absent,
    /// The server's own origin (the page it serves, e.g. GraphiQL).
    SameOrigin,
    /// A listed origin; responses carry `Access-Control-Allow-Origin` for it.
    Allowed(String),
    /// Any other origin.
    Refused(String),
}

impl OriginPolicy {
    /// Parses `--cors-origins` entries (`scheme://host[:port]`, no path).
    pub fn new(origins: &[String]) -> Result<OriginPolicy, String> {
        let mut allowed = Vec::new();
        for origin in origins.iter().map(|o| o.trim()).filter(|o| !o.is_empty()) {
            let normalized = normalize(origin).ok_or_else(|| {
                format!(
                    "--cors-origins: \"{origin}\" is not an origin; write it as scheme://host[:port], \
                     e.g. http://localhost:3000"
                )
            })?;
            allowed.push(normalized);
        }
        Ok(OriginPolicy { allowed })
    }

    /// The listed origins, normalized.
    pub fn allowed(&self) -> &[String] {
        &self.allowed
    }

    /// Classifies the `Origin` of a request, given its `Host` header.
    pub fn check(&self, origin: Option<&str>, host: Option<&str>) -> OriginCheck {
        let Some(origin) = origin else {
            return OriginCheck::Absent;
        };
        let Some(normalized) = normalize(origin) else {
            return OriginCheck::Refused(origin.to_string());
        };
        if let Some(host) = host {
            let authority = normalized.split_once("://").map(|(_, a)| a).unwrap_or("");
            let scheme = normalized.split_once("://").map(|(s, _)| s).unwrap_or("");
            if strip_default_port(scheme, &host.to_ascii_lowercase()) == authority {
                return OriginCheck::SameOrigin;
            }
        }
        if self.allowed.contains(&normalized) {
            OriginCheck::Allowed(origin.to_string())
        } else {
            OriginCheck::Refused(origin.to_string())
        }
    }
}

/// `scheme://host[:port]` in lower case, without a default port; `None` for anything else
/// (`null`, paths, other schemes).
fn normalize(origin: &str) -> Option<String> {
    let origin = origin.trim().trim_end_matches('/').to_ascii_lowercase();
    let (scheme, authority) = origin.split_once("://")?;
    if !matches!(scheme, "http" | "https") || authority.is_empty() || authority.contains('/') {
        return None;
    }
    if authority.contains(['@', '?', '#', ' ']) {
        return None;
    }
    Some(format!(
        "{scheme}://{}",
        strip_default_port(scheme, authority)
    ))
}

fn strip_default_port<'a>(scheme: &str, authority: &'a str) -> &'a str {
    let default = if scheme == "https" { ":443" } else { ":80" };
    authority.strip_suffix(default).unwrap_or(authority)
}

/// Middleware on `/graphql`: answers preflights, refuses requests from unlisted origins
/// with `403` before their body is read, and marks allowed cross-origin responses.
pub async fn guard(
    request: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let policy = request
        .app_data::<web::Data<AppState>>()
        .map(|state| state.origins.clone())
        .unwrap_or_default();
    let header_text = |name| {
        request
            .headers()
            .get(name)
            .and_then(|v: &HeaderValue| v.to_str().ok())
            .map(str::to_string)
    };
    let check = policy.check(
        header_text(header::ORIGIN).as_deref(),
        header_text(header::HOST).as_deref(),
    );
    if let OriginCheck::Refused(origin) = &check {
        let response = error_response(
            StatusCode::FORBIDDEN,
            ErrorCode::Forbidden,
            format!(
                "requests from the origin {origin} are not allowed; start the server with \
                 --cors-origins {origin} to allow it"
            ),
        );
        return Ok(request.into_response(response));
    }
    if request.method() == Method::OPTIONS {
        let mut response = HttpResponse::NoContent();
        response.insert_header((header::ALLOW, ALLOWED_METHODS));
        if let OriginCheck::Allowed(origin) = &check {
            response
                .insert_header((header::ACCESS_CONTROL_ALLOW_ORIGIN, origin.as_str()))
                .insert_header((header::ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS))
                .insert_header((header::ACCESS_CONTROL_MAX_AGE, PREFLIGHT_MAX_AGE))
                .insert_header((
                    header::VARY,
                    "Origin, Access-Control-Request-Method, Access-Control-Request-Headers",
                ));
            if let Some(headers) = header_text(header::ACCESS_CONTROL_REQUEST_HEADERS) {
                response.insert_header((header::ACCESS_CONTROL_ALLOW_HEADERS, headers));
            }
        }
        return Ok(request.into_response(response.finish()));
    }
    let mut response = next.call(request).await?.map_into_boxed_body();
    if let OriginCheck::Allowed(origin) = check {
        let headers = response.headers_mut();
        if let Ok(value) = HeaderValue::from_str(&origin) {
            headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, value);
        }
        headers.insert(header::VARY, HeaderValue::from_static("Origin"));
    }
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(list: &[&str]) -> OriginPolicy {
        OriginPolicy::new(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    #[test]
    fn same_origin_and_listed_origins_pass() {
        let p = policy(&["http://localhost:3000", "HTTPS://App.Example.com:443/"]);
        assert_eq!(p.check(None, Some("x")), OriginCheck::Absent);
        assert_eq!(
            p.check(Some("http://127.0.0.1:8080"), Some("127.0.0.1:8080")),
            OriginCheck::SameOrigin
        );
        assert_eq!(
            p.check(Some("http://localhost:3000"), Some("127.0.0.1:8080")),
            OriginCheck::Allowed("http://localhost:3000".into())
        );
        assert_eq!(
            p.check(Some("https://app.example.com"), Some("api.example.com")),
            OriginCheck::Allowed("https://app.example.com".into())
        );
    }

    #[test]
    fn everything_else_is_refused() {
        let p = policy(&["http://localhost:3000"]);
        for origin in [
            "http://localhost:3001",
            "https://localhost:3000",
            "null",
            "http://localhost:3000.evil.com",
            "file://",
        ] {
            assert!(
                matches!(
                    p.check(Some(origin), Some("127.0.0.1:8080")),
                    OriginCheck::Refused(_)
                ),
                "{origin}"
            );
        }
        assert!(matches!(
            policy(&[]).check(Some("http://localhost:3000"), Some("127.0.0.1:8080")),
            OriginCheck::Refused(_)
        ));
    }

    #[test]
    fn malformed_configuration_is_an_error() {
        assert!(OriginPolicy::new(&["localhost:3000".into()]).is_err());
        assert!(OriginPolicy::new(&["http://x/path".into()]).is_err());
        assert!(OriginPolicy::new(&["".into()])
            .unwrap()
            .allowed()
            .is_empty());
    }
}
