//! Which request bodies may exceed `--max-body-bytes`: a single GraphQL request whose
//! document is one mutation selecting only `importData` may be as large as
//! `--max-import-bytes`, since its variables carry a whole export. Every other request keeps
//! the ordinary body limit.

use async_graphql::parser::types::{DocumentOperations, OperationType, Selection};
use serde::Deserialize;

/// Only the `query` of a request body; the variables are skipped without being kept.
#[derive(Deserialize)]
struct QueryOnly {
    query: String,
}

/// True when `body` is one GraphQL request (not a batch) whose document is a single
/// mutation selecting `importData` and nothing else.
pub fn only_import_data(body: &[u8]) -> bool {
    let Ok(request) = serde_json::from_slice::<QueryOnly>(body) else {
        return false;
    };
    // The document itself stays small: only the variables may be large, and parsing a huge
    // document is what the document limits exist to avoid.
    if request.query.len() > crate::graphql::admission::DocumentLimits::default().max_bytes {
        return false;
    }
    let Ok(document) = async_graphql::parser::parse_query(&request.query) else {
        return false;
    };
    if !document.fragments.is_empty() {
        return false;
    }
    let operation = match &document.operations {
        DocumentOperations::Single(operation) => operation,
        DocumentOperations::Multiple(operations) if operations.len() == 1 => {
            match operations.values().next() {
                Some(operation) => operation,
                None => return false,
            }
        }
        DocumentOperations::Multiple(_) => return false,
    };
    let operation = &operation.node;
    operation.ty == OperationType::Mutation
        && operation.selection_set.node.items.len() == 1
        && operation.selection_set.node.items.iter().all(|item| {
            matches!(&item.node, Selection::Field(field) if field.node.name.node == "importData")
        })
}

#[cfg(test)]
mod tests {
    use super::only_import_data;
    use serde_json::json;

    fn body(query: &str) -> Vec<u8> {
        json!({"query": query, "variables": {"document": {"format": "bakeplan"}}})
            .to_string()
            .into_bytes()
    }

    #[test]
    fn lets_only_a_lone_import_through() {
        assert!(only_import_data(&body(
            "mutation($document: JSON!) { importData(document: $document) { created } }"
        )));
        assert!(only_import_data(&body(
            "mutation Load($document: JSON!) { importData(document: $document) { created } }"
        )));
        for other in [
            "{ exportData }",
            "mutation($d: JSON!) { importData(document: $d) { created } deleteEvent(id: \"x\") { deletedId } }",
            "mutation { ...F } fragment F on MutationRoot { importData(document: {}) { created } }",
            "mutation A($d: JSON!) { importData(document: $d) { created } } mutation B { x }",
            "not graphql",
        ] {
            assert!(!only_import_data(&body(other)), "{other}");
        }
        assert!(!only_import_data(
            b"[{\"query\": \"mutation { importData(document: {}) { created } }\"}]"
        ));
        assert!(!only_import_data(b"{\"query\": 1}"));
    }
}
