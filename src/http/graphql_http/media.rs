//! Media types: which response type the client accepts, and which request bodies are read.

use crate::graphql::error::ErrorCode;
use crate::http::problem::error_response;
use actix_web::http::header::{self, HeaderMap};
use actix_web::http::StatusCode;
use actix_web::HttpResponse;

/// The GraphQL-over-HTTP response media type.
const GRAPHQL_RESPONSE_JSON: &str = "application/graphql-response+json";
/// The legacy JSON media type, still what most clients ask for.
const JSON: &str = "application/json";

/// The media type of a response, chosen from the request's `Accept`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum MediaType {
    /// `application/graphql-response+json`: requests refused before execution are `400`.
    GraphqlResponse,
    /// `application/json`: every well-formed GraphQL response is `200`.
    Json,
}

impl MediaType {
    /// The media type as sent in `Content-Type`.
    pub(super) fn as_str(self) -> &'static str {
        match self {
            MediaType::GraphqlResponse => GRAPHQL_RESPONSE_JSON,
            MediaType::Json => JSON,
        }
    }
}

/// Picks the response media type from `Accept`: the first acceptable one in the client's
/// order; `application/json` when there is no `Accept`; `None` when nothing listed is
/// acceptable.
pub(super) fn negotiate(headers: &HeaderMap) -> Option<MediaType> {
    let Some(accept) = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()) else {
        return Some(MediaType::Json);
    };
    let mut best: Option<(f32, MediaType)> = None;
    for item in accept.split(',') {
        let mut parts = item.split(';');
        let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
        let quality = parts
            .filter_map(|p| p.trim().strip_prefix("q="))
            .find_map(|q| q.trim().parse::<f32>().ok())
            .unwrap_or(1.0);
        let candidate = match media.as_str() {
            GRAPHQL_RESPONSE_JSON => MediaType::GraphqlResponse,
            JSON | "application/*" | "*/*" => MediaType::Json,
            _ => continue,
        };
        if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
            best = Some((quality, candidate));
        }
    }
    best.map(|(_, media)| media)
}

/// The `406` answer when `Accept` lists nothing the server sends.
pub(super) fn not_acceptable() -> HttpResponse {
    error_response(
        StatusCode::NOT_ACCEPTABLE,
        ErrorCode::BadUserInput,
        "this server answers with application/graphql-response+json or application/json; \
         list one of them in Accept",
    )
}

/// Whether a POST body's `Content-Type` is one the server reads.
pub(super) fn is_json_body(headers: &HeaderMap) -> bool {
    let Some(value) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let mut parts = value.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset_ok = parts.all(|p| {
        let p = p.trim().to_ascii_lowercase();
        !p.starts_with("charset=") || matches!(p.as_str(), "charset=utf-8" | "charset=\"utf-8\"")
    });
    matches!(media.as_str(), JSON | GRAPHQL_RESPONSE_JSON) && charset_ok
}

#[cfg(test)]
mod tests {
    use super::*;
    use actix_web::http::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.insert(
                header::HeaderName::from_static(name),
                HeaderValue::from_static(value),
            );
        }
        map
    }

    #[test]
    fn accept_is_negotiated() {
        assert_eq!(negotiate(&headers(&[])), Some(MediaType::Json));
        assert_eq!(
            negotiate(&headers(&[("accept", "application/json")])),
            Some(MediaType::Json)
        );
        assert_eq!(
            negotiate(&headers(&[(
                "accept",
                "application/graphql-response+json, application/json;q=0.9"
            )])),
            Some(MediaType::GraphqlResponse)
        );
        assert_eq!(
            negotiate(&headers(&[("accept", "*/*")])),
            Some(MediaType::Json)
        );
        assert_eq!(negotiate(&headers(&[("accept", "text/html")])), None);
    }

    #[test]
    fn only_json_bodies_are_read() {
        for ok in [
            "application/json",
            "application/json; charset=utf-8",
            "Application/JSON",
            "application/graphql-response+json",
        ] {
            assert!(is_json_body(&headers(&[("content-type", ok)])), "{ok}");
        }
        for refused in [
            "text/plain",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "application/json; charset=latin1",
            "application/graphql",
        ] {
            assert!(
                !is_json_body(&headers(&[("content-type", refused)])),
                "{refused}"
            );
        }
        assert!(!is_json_body(&headers(&[])));
    }
}
