//! Automatic persisted queries (Apollo's APQ protocol), over POST and GET.
//!
//! A client sends `extensions.persistedQuery = {"version": 1, "sha256Hash": HEX}` with or
//! without the document. Without it, a known hash stands for the document it was first sent
//! with, and an unknown one is `PERSISTED_QUERY_NOT_FOUND`, after which the client sends the
//! document once with its hash. With it, the hash must be the document's SHA-256, and the
//! pair is remembered. That lets mobile clients send a 64-character hash instead of the whole
//! document, and lets queries go over GET with short, cacheable URLs.
//!
//! This runs at the HTTP layer, before the document limits, rather than as an async-graphql
//! extension: any registered extension sends every resolved field through the extension
//! chain. Documents live in a bounded in-memory map (`--persisted-queries-bytes`); when full,
//! the least recently used ones are forgotten, and their clients simply send them again.

use crate::auth::trusted::TrustedDocuments;
use crate::graphql::error::ErrorCode;
use crate::graphql::lexer::canonical;
use sha2::{Digest, Sha256};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// The only protocol version there is.
const VERSION: u64 = 1;

/// Why a request's persisted-query part cannot be used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PersistedError {
    /// The hash is not known; the client should send the document with it.
    NotFound,
    /// A malformed extension, a hash that is not the document's, or no document at all.
    BadRequest(String),
}

impl PersistedError {
    /// The GraphQL error code and message sent for it.
    pub fn code_and_message(&self) -> (ErrorCode, &str) {
        match self {
            // Apollo's clients look for this exact message (older ones) or the code.
            PersistedError::NotFound => {
                (ErrorCode::PersistedQueryNotFound, "PersistedQueryNotFound")
            }
            PersistedError::BadRequest(message) => (ErrorCode::BadUserInput, message),
        }
    }
}

/// Remembered documents by the hex SHA-256 of their text, with the tick of their last use.
#[derive(Default)]
struct Store {
    documents: HashMap<String, (Arc<str>, u64)>,
    bytes: usize,
    tick: u64,
}

impl Store {
    /// The document remembered for `hash`, marked as just used.
    fn touch(&mut self, hash: &str) -> Option<Arc<str>> {
        self.tick += 1;
        let tick = self.tick;
        let (document, used) = self.documents.get_mut(hash)?;
        *used = tick;
        Some(document.clone())
    }
}

/// The persisted-query documents of one server instance.
pub struct PersistedQueries {
    store: Mutex<Store>,
    max_bytes: usize,
    /// With `--trusted-documents`, the manifest's documents are known by their ids too.
    trusted: Option<Arc<TrustedDocuments>>,
}

impl PersistedQueries {
    /// An empty store holding at most `max_bytes` of document text (0 turns APQ off: every
    /// hash-only request is then `PERSISTED_QUERY_NOT_FOUND` and nothing is stored).
    pub fn new(max_bytes: usize) -> PersistedQueries {
        PersistedQueries {
            store: Mutex::new(Store::default()),
            max_bytes,
            trusted: None,
        }
    }

    /// The memory given to remembered documents.
    pub fn max_bytes(&self) -> usize {
        self.max_bytes
    }

    /// Also knows the documents of a trusted-documents manifest by their ids, even when
    /// APQ is off (they are not stored in the bounded memory).
    pub fn with_trusted(mut self, trusted: Arc<TrustedDocuments>) -> PersistedQueries {
        self.trusted = Some(trusted);
        self
    }

    /// The document a request runs: its `query`, checked against and remembered under the
    /// hash of its `persistedQuery` extension if it has one, or the document remembered for
    /// that hash. `None` when the request has neither a query nor the extension.
    pub fn resolve(
        &self,
        query: Option<String>,
        extension: Option<&serde_json::Value>,
    ) -> Result<Option<String>, PersistedError> {
        let Some(extension) = extension else {
            return Ok(query);
        };
        if let Some(listed) = self.trusted_document(extension) {
            // A manifest id need not be a SHA-256 (Relay writes MD5 by default): the
            // manifest vouches for the pair instead.
            return match query {
                Some(query) if canonical(&query) != canonical(&listed) => {
                    Err(PersistedError::BadRequest(
                        "the query is not the trusted document listed under extensions.persistedQuery.sha256Hash".to_string(),
                    ))
                }
                _ => Ok(Some(listed.to_string())),
            };
        }
        let hash = parse_extension(extension)?;
        match query {
            Some(query) => {
                if sha256_hex(&query) != hash {
                    return Err(PersistedError::BadRequest(
                        "provided sha does not match query: extensions.persistedQuery.sha256Hash must be the SHA-256 of the query text, in hex".to_string(),
                    ));
                }
                self.remember(hash, &query);
                Ok(Some(query))
            }
            None => self
                .lookup(&hash)
                .map(|document| Some(document.to_string()))
                .ok_or(PersistedError::NotFound),
        }
    }

    /// The manifest document named by the extension's hash, if there is a manifest and it
    /// lists that id.
    fn trusted_document(&self, extension: &serde_json::Value) -> Option<Arc<str>> {
        let id = extension.get("sha256Hash")?.as_str()?;
        self.trusted.as_ref()?.document(id)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store
            .lock()
            .expect("the persisted-query store is not poisoned")
    }

    fn lookup(&self, hash: &str) -> Option<Arc<str>> {
        self.lock().touch(hash)
    }

    fn remember(&self, hash: String, query: &str) {
        if query.len() > self.max_bytes {
            return;
        }
        let mut store = self.lock();
        if store.touch(&hash).is_some() {
            return;
        }
        let tick = store.tick;
        while store.bytes + query.len() > self.max_bytes {
            // Eviction scans the map: rare, and the map holds at most a few thousand entries.
            let Some(oldest) = store
                .documents
                .iter()
                .min_by_key(|(_, (_, used))| *used)
                .map(|(hash, _)| hash.clone())
            else {
                break;
            };
            if let Some((document, _)) = store.documents.remove(&oldest) {
                store.bytes -= document.len();
            }
        }
        store.bytes += query.len();
        store.documents.insert(hash, (Arc::from(query), tick));
    }
}

/// Reads `{"version": 1, "sha256Hash": HEX}`, giving the hash in lower case.
fn parse_extension(extension: &serde_json::Value) -> Result<String, PersistedError> {
    let bad = |message: &str| PersistedError::BadRequest(message.to_string());
    let object = extension.as_object().ok_or_else(|| {
        bad("extensions.persistedQuery must be an object {\"version\": 1, \"sha256Hash\": \"…\"}")
    })?;
    if object.get("version").and_then(serde_json::Value::as_u64) != Some(VERSION) {
        return Err(bad(
            "extensions.persistedQuery.version must be 1, the only persisted-query protocol version",
        ));
    }
    let hash = object
        .get("sha256Hash")
        .and_then(serde_json::Value::as_str)
        .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or_else(|| {
            bad("extensions.persistedQuery.sha256Hash must be 64 hexadecimal characters (a SHA-256)")
        })?;
    Ok(hash.to_ascii_lowercase())
}

/// The SHA-256 of `text` as 64 lower-case hex digits.
pub fn sha256_hex(text: &str) -> String {
    let digest = Sha256::digest(text.as_bytes());
    let mut hex = String::with_capacity(64);
    for byte in digest {
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte >> 4)]));
        hex.push(char::from(b"0123456789abcdef"[usize::from(byte & 15)]));
    }
    hex
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn extension(hash: &str) -> serde_json::Value {
        json!({"version": 1, "sha256Hash": hash})
    }

    #[test]
    fn the_hash_is_the_documents_sha256_in_hex() {
        assert_eq!(
            sha256_hex("{ __typename }"),
            "7f56e67dd21ab3f30d1ff8b7bed08893f0a0db86449836189b361dd1e56ddb4b"
        );
    }

    #[test]
    fn a_hash_is_unknown_until_sent_with_its_document() {
        let store = PersistedQueries::new(1_000);
        let query = "{ events { totalCount } }";
        let hash = sha256_hex(query);
        assert_eq!(
            store.resolve(None, Some(&extension(&hash))),
            Err(PersistedError::NotFound)
        );
        assert_eq!(
            store.resolve(Some(query.into()), Some(&extension(&hash))),
            Ok(Some(query.to_string()))
        );
        assert_eq!(
            store.resolve(None, Some(&extension(&hash.to_ascii_uppercase()))),
            Ok(Some(query.to_string()))
        );
    }

    #[test]
    fn a_hash_that_is_not_the_documents_is_refused_and_not_stored() {
        let store = PersistedQueries::new(1_000);
        let wrong = sha256_hex("{ other }");
        let refused = store.resolve(
            Some("{ events { totalCount } }".into()),
            Some(&extension(&wrong)),
        );
        assert!(
            matches!(refused, Err(PersistedError::BadRequest(m)) if m.contains("does not match"))
        );
        assert_eq!(
            store.resolve(None, Some(&extension(&wrong))),
            Err(PersistedError::NotFound)
        );
    }

    #[test]
    fn malformed_extensions_say_what_to_send() {
        let store = PersistedQueries::new(1_000);
        for (extension, needle) in [
            (json!("x"), "must be an object"),
            (
                json!({"version": 2, "sha256Hash": "a".repeat(64)}),
                "version must be 1",
            ),
            (json!({"version": 1, "sha256Hash": "xyz"}), "64 hexadecimal"),
            (json!({"version": 1}), "64 hexadecimal"),
        ] {
            match store.resolve(None, Some(&extension)) {
                Err(PersistedError::BadRequest(message)) => {
                    assert!(message.contains(needle), "{message}")
                }
                other => panic!("{extension}: {other:?}"),
            }
        }
        assert_eq!(store.resolve(None, None), Ok(None));
    }

    #[test]
    fn the_store_forgets_the_least_recently_used_documents_when_full() {
        let store = PersistedQueries::new(60);
        let queries = [
            "{ a01234567890123456789 }",
            "{ b01234567890123456789 }",
            "{ c01234567890123456789 }",
        ];
        let send = |q: &str| store.resolve(Some(q.into()), Some(&extension(&sha256_hex(q))));
        let ask = |q: &str| store.resolve(None, Some(&extension(&sha256_hex(q))));
        send(queries[0]).unwrap();
        send(queries[1]).unwrap();
        ask(queries[0]).unwrap(); // a is now more recent than b
        send(queries[2]).unwrap(); // 75 bytes > 60: b goes
        assert!(ask(queries[0]).is_ok());
        assert_eq!(ask(queries[1]), Err(PersistedError::NotFound));
        assert!(ask(queries[2]).is_ok());
        // Larger than the whole store: run, but never stored.
        let big = format!("{{ {} }}", "x".repeat(100));
        assert!(send(&big).is_ok());
        assert_eq!(ask(&big), Err(PersistedError::NotFound));
    }

    #[test]
    fn trusted_documents_are_known_by_their_manifest_ids_even_with_apq_off() {
        let query = "{ viewer { role } }";
        let trusted = TrustedDocuments::parse(&json!({ "0cc175b9c0f1b6a8": query }).to_string())
            .map(Arc::new)
            .unwrap();
        let store = PersistedQueries::new(0).with_trusted(trusted);
        assert_eq!(
            store.resolve(None, Some(&extension("0CC175B9C0F1B6A8"))),
            Ok(Some(query.to_string()))
        );
        assert_eq!(
            store.resolve(
                Some("{viewer{role}}".into()),
                Some(&extension("0cc175b9c0f1b6a8"))
            ),
            Ok(Some(query.to_string()))
        );
        assert!(matches!(
            store.resolve(
                Some("{ events { totalCount } }".into()),
                Some(&extension("0cc175b9c0f1b6a8"))
            ),
            Err(PersistedError::BadRequest(_))
        ));
        let unlisted = sha256_hex("{ events { totalCount } }");
        assert_eq!(
            store.resolve(None, Some(&extension(&unlisted))),
            Err(PersistedError::NotFound)
        );
    }
}
