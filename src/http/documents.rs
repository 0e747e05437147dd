//! Parsed documents kept by their exact text, so that a client sending the same document
//! again (a progress screen polling, or any app with its fixed set of queries) is not
//! parsed again: async-graphql's parser took about 40 % of the instructions of one event's
//! screen. Parsing is a function of the text alone, so a kept document is the one parsing
//! would give, and every check after it (limits, roles, validation) still runs on it.

use async_graphql::parser::types::ExecutableDocument;
use async_graphql::Request;
use std::collections::HashMap;
use std::sync::{Mutex, PoisonError};

/// Documents kept at most; one of them is dropped to make room for another.
const MAX_DOCUMENTS: usize = 256;

/// The longest document text kept, in bytes: longer ones are parsed every time, which
/// bounds the memory kept to a few megabytes.
const MAX_TEXT_BYTES: usize = 8 * 1024;

/// A bounded map from document text to the document it parses into.
#[derive(Default)]
pub struct ParsedDocuments {
    kept: Mutex<HashMap<String, ExecutableDocument>>,
}

impl ParsedDocuments {
    /// Gives `request` its parsed document when its text was kept; `true` then.
    pub fn prime(&self, request: &mut Request) -> bool {
        let kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(document) = kept.get(&request.query).cloned() else {
            return false;
        };
        drop(kept);
        request.set_parsed_query(document);
        true
    }

    /// Keeps the document `request`'s text parses into, unless the text is too long or
    /// does not parse.
    pub fn keep(&self, request: &mut Request) {
        if request.query.len() > MAX_TEXT_BYTES {
            return;
        }
        let Ok(document) = request.parsed_query() else {
            return;
        };
        let document = document.clone();
        let mut kept = self.kept.lock().unwrap_or_else(PoisonError::into_inner);
        if kept.len() >= MAX_DOCUMENTS && !kept.contains_key(&request.query) {
            if let Some(other) = kept.keys().next().cloned() {
                kept.remove(&other);
            }
        }
        kept.insert(request.query.clone(), document);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    impl ParsedDocuments {
        fn len(&self) -> usize {
            self.kept
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .len()
        }
    }

    #[test]
    fn a_kept_document_is_the_one_parsing_gives() {
        let documents = ParsedDocuments::default();
        let text = "query A($id: ID!) { node(id: $id) { id } }";
        let mut first = Request::new(text);
        assert!(!documents.prime(&mut first));
        documents.keep(&mut first);
        let mut again = Request::new(text);
        assert!(documents.prime(&mut again));
        let parsed = async_graphql::parser::parse_query(text).unwrap();
        assert_eq!(
            format!("{:?}", again.parsed_query().unwrap()),
            format!("{parsed:?}")
        );
        assert!(!documents.prime(&mut Request::new("{ __typename }")));
    }

    #[test]
    fn what_is_kept_is_bounded() {
        let documents = ParsedDocuments::default();
        for i in 0..MAX_DOCUMENTS + 10 {
            documents.keep(&mut Request::new(format!("{{ a{i}: __typename }}")));
        }
        assert_eq!(documents.len(), MAX_DOCUMENTS);
        let long = format!("{{ __typename {} }}", " ".repeat(MAX_TEXT_BYTES));
        let mut request = Request::new(long.clone());
        documents.keep(&mut request);
        assert!(!documents.prime(&mut Request::new(long)));
        documents.keep(&mut Request::new("{ not closed"));
        assert_eq!(documents.len(), MAX_DOCUMENTS);
    }
}
