//! Trusted documents (`--trusted-documents FILE`): the operations a public app was built
//! with, so a stolen viewer or baker token cannot run anything else. Managers may run any
//! document.
//!
//! Two manifest formats are read, as the client tool chains write them:
//! - Apollo's persisted-query manifest:
//!   `{"format": "apollo-persisted-query-manifest", "version": 1, "operations": [{"id": …,
//!   "body": …, "name": …, "type": …}]}`;
//! - Relay's persisted queries: `{"HASH": "TEXT", …}`.
//!
//! A request names a listed document by its text (layout, commas and comments aside) or by
//! its id in the automatic-persisted-query extension
//! (`extensions.persistedQuery.sha256Hash`).

use crate::graphql::lexer::canonical;
use serde::Deserialize;
use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::Arc;

/// The documents of one manifest.
#[derive(Debug, Default)]
pub struct TrustedDocuments {
    /// Documents by their manifest id (lower-case when the id is hex).
    by_id: HashMap<String, Arc<str>>,
    /// The canonical form (see [`canonical`]) of every listed document.
    canonical: HashSet<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ApolloManifest {
    format: String,
    version: u64,
    operations: Vec<ApolloOperation>,
}

#[derive(Deserialize)]
struct ApolloOperation {
    id: String,
    body: String,
    // `name` and `type` are written by Apollo's generator; they are informational here.
}

impl TrustedDocuments {
    /// Reads a manifest file; the message says what is wrong with it.
    pub fn load(path: &Path) -> Result<TrustedDocuments, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read trusted documents {}: {e}", path.display()))?;
        TrustedDocuments::parse(&text)
            .map_err(|e| format!("trusted documents {}: {e}", path.display()))
    }

    /// Reads a manifest in Apollo's or Relay's format.
    pub fn parse(text: &str) -> Result<TrustedDocuments, String> {
        let value: serde_json::Value = serde_json::from_str(text)
            .map_err(|e| format!("not valid JSON (line {}, column {})", e.line(), e.column()))?;
        let object = value.as_object().ok_or(
            "a manifest is a JSON object: Apollo's {\"format\": \"apollo-persisted-query-manifest\", …} or Relay's {\"HASH\": \"TEXT\"}",
        )?;
        let mut documents = TrustedDocuments::default();
        if object.contains_key("format") {
            let manifest: ApolloManifest = serde_json::from_value(value)
                .map_err(|e| format!("not an Apollo persisted-query manifest: {e}"))?;
            if manifest.format != "apollo-persisted-query-manifest" {
                return Err(format!(
                    "unknown manifest format \"{}\"; expected \"apollo-persisted-query-manifest\"",
                    manifest.format
                ));
            }
            if manifest.version != 1 {
                return Err(format!(
                    "Apollo manifest version {} is not supported; expected 1",
                    manifest.version
                ));
            }
            for (i, operation) in manifest.operations.into_iter().enumerate() {
                documents
                    .add(operation.id, operation.body)
                    .map_err(|e| format!("operations[{i}]: {e}"))?;
            }
        } else {
            for (id, body) in object {
                let body = body.as_str().ok_or_else(|| {
                    format!("\"{id}\": a Relay manifest maps ids to document text")
                })?;
                documents
                    .add(id.clone(), body.to_string())
                    .map_err(|e| format!("\"{id}\": {e}"))?;
            }
        }
        if documents.by_id.is_empty() {
            return Err("the manifest lists no documents".to_string());
        }
        Ok(documents)
    }

    fn add(&mut self, id: String, body: String) -> Result<(), String> {
        let id = normalize_id(&id);
        if id.is_empty() {
            return Err("an id must not be empty".to_string());
        }
        let form = canonical(&body);
        if form.is_empty() {
            return Err("a document must not be empty".to_string());
        }
        if let Some(existing) = self.by_id.get(&id) {
            if canonical(existing) != form {
                return Err(format!("id {id} is listed twice with different documents"));
            }
        }
        self.canonical.insert(form);
        self.by_id.insert(id, Arc::from(body));
        Ok(())
    }

    /// The document listed under `id`.
    pub fn document(&self, id: &str) -> Option<Arc<str>> {
        self.by_id.get(&normalize_id(id)).cloned()
    }

    /// Whether `query` is one of the listed documents, white space, commas and comments
    /// aside.
    pub fn allows(&self, query: &str) -> bool {
        self.canonical.contains(&canonical(query))
    }

    /// How many documents are listed.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether no document is listed (never true of a loaded manifest).
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }
}

/// Hex ids compare without regard to case (hashes are written either way).
fn normalize_id(id: &str) -> String {
    let id = id.trim();
    if id.bytes().all(|b| b.is_ascii_hexdigit()) {
        id.to_ascii_lowercase()
    } else {
        id.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::persisted::sha256_hex;

    const EVENTS: &str = "query Events { events(first: 5) { nodes { name } } }";

    #[test]
    fn apollo_manifests_are_read_by_id_and_text() {
        let id = sha256_hex(EVENTS);
        let manifest = serde_json::json!({
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [{"id": id, "body": EVENTS, "name": "Events", "type": "query"}],
        });
        let trusted = TrustedDocuments::parse(&manifest.to_string()).unwrap();
        assert_eq!(trusted.len(), 1);
        assert_eq!(
            trusted.document(&id.to_uppercase()).as_deref(),
            Some(EVENTS)
        );
        assert!(
            trusted.allows("query Events {\n  events(first: 5) {\n    nodes { name }\n  }\n}\n")
        );
        assert!(!trusted.allows("query Events { events(first: 50) { nodes { name } } }"));
        assert!(!trusted.allows("{ __schema { types { name } } }"));
    }

    #[test]
    fn relay_maps_are_read() {
        let manifest = serde_json::json!({ "3a1b": EVENTS, "ffee": "{ viewer { role } }" });
        let trusted = TrustedDocuments::parse(&manifest.to_string()).unwrap();
        assert_eq!(trusted.len(), 2);
        assert_eq!(trusted.document("3A1B").as_deref(), Some(EVENTS));
        assert!(trusted.allows("{viewer{role}}"));
    }

    #[test]
    fn broken_manifests_say_what_is_wrong() {
        let cases = [
            ("[1]", "a manifest is a JSON object"),
            ("{", "not valid JSON"),
            ("{}", "lists no documents"),
            ("{\"a\": 1}", "maps ids to document text"),
            ("{\"a\": \"  \"}", "must not be empty"),
            (
                "{\"format\": \"apollo-persisted-query-manifest\", \"version\": 2, \"operations\": []}",
                "version 2 is not supported",
            ),
            (
                "{\"format\": \"other\", \"version\": 1, \"operations\": []}",
                "unknown manifest format",
            ),
            (
                "{\"format\": \"apollo-persisted-query-manifest\", \"version\": 1, \"operations\": [{\"id\": \"a\"}]}",
                "not an Apollo persisted-query manifest",
            ),
        ];
        for (text, expected) in cases {
            let error = TrustedDocuments::parse(text).unwrap_err();
            assert!(error.contains(expected), "{text}: {error}");
        }
    }
}
