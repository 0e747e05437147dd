//! Response fields in the order the query asked for them (GraphQL spec §7.2.2).
//!
//! async-graphql resolves an object's fields concurrently and writes each one as it
//! completes, so the order of keys in a response changed from request to request. Putting
//! them back in selection order makes responses spec-conforming and deterministic:
//! identical data gives byte-identical bodies (which clients' caches, tests and the
//! benchmark's body check rely on).

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationDefinition, Selection, SelectionSet,
};
use async_graphql::Positioned;
use async_graphql::{Name, Value};
use std::collections::HashMap;

/// The selection sets that apply at one place of the response (a field selected in several
/// fragments has several).
type Selections<'a> = Vec<&'a SelectionSet>;

/// Reorders `data`, the result of the operation `operation_name` of `document`, so every
/// object lists its fields in the order they were selected.
pub fn reorder(data: &mut Value, document: &ExecutableDocument, operation_name: Option<&str>) {
    if let Some(operation) = operation(document, operation_name) {
        let mut shape = Shape::new(&vec![&operation.node.selection_set.node], document);
        apply(data, &mut shape, document);
    }
}

/// The operation of `document` that a request naming `operation_name` runs, if any.
pub fn operation<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<&'d Positioned<OperationDefinition>> {
    match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), _) => Some(operation),
        (DocumentOperations::Multiple(operations), Some(name)) => operations.get(name),
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()
        }
        (DocumentOperations::Multiple(_), None) => None,
    }
}

/// The response keys of an object at one place of the response, in selection order, each
/// with the selection sets that apply beneath it.
type KeyOrder<'a> = Vec<(&'a Name, Selections<'a>)>;

fn key_order<'a>(selections: &Selections<'a>, document: &'a ExecutableDocument) -> KeyOrder<'a> {
    let mut keys = Vec::new();
    for set in selections {
        collect(set, document, &mut keys);
    }
    keys
}

/// The key order at one place of the response and, made when a value is first met there,
/// the shape beneath each key: every element of a list shares one shape, so the selections
/// are flattened once per place, not once per object.
struct Shape<'a> {
    keys: KeyOrder<'a>,
    below: Vec<Option<Shape<'a>>>,
    /// Positions by key, for objects with many keys, where a scan per field would make the
    /// pass quadratic in the object's width (a document may alias hundreds of fields).
    index: Option<HashMap<&'a Name, usize>>,
}

/// Keys up to which a scan finds a position faster than a hash lookup.
const SCAN_KEYS: usize = 8;

impl<'a> Shape<'a> {
    fn new(selections: &Selections<'a>, document: &'a ExecutableDocument) -> Shape<'a> {
        let keys = key_order(selections, document);
        let below = keys.iter().map(|_| None).collect();
        let index = (keys.len() > SCAN_KEYS).then(|| {
            keys.iter()
                .enumerate()
                .map(|(i, (key, _))| (*key, i))
                .collect()
        });
        Shape { keys, below, index }
    }

    /// Where `key` stands in selection order (after every selected key when it is not
    /// selected, which does not happen in practice).
    fn position(&self, key: &Name) -> usize {
        let found = match &self.index {
            Some(index) => index.get(key).copied(),
            None => self.keys.iter().position(|(selected, _)| *selected == key),
        };
        found.unwrap_or(self.keys.len())
    }
}

fn apply<'a>(value: &mut Value, shape: &mut Shape<'a>, document: &'a ExecutableDocument) {
    match value {
        Value::List(items) => {
            for item in items {
                apply(item, shape, document);
            }
        }
        Value::Object(fields) => {
            let mut last = 0;
            let in_order = fields.keys().all(|key| {
                let position = shape.position(key);
                let ok = position >= last;
                last = position;
                ok
            });
            if !in_order {
                // A stable sort that keeps each key's stored hash: nothing is rehashed.
                fields.sort_by_cached_key(|key, _| shape.position(key));
            }
            for (key, field) in fields.iter_mut() {
                if !matches!(field, Value::List(_) | Value::Object(_)) {
                    continue;
                }
                let i = shape.position(key);
                if i == shape.keys.len() {
                    continue;
                }
                let below =
                    shape.below[i].get_or_insert_with(|| Shape::new(&shape.keys[i].1, document));
                apply(field, below, document);
            }
        }
        _ => {}
    }
}

/// Appends the response keys of a selection set in order, flattening fragments; a key seen
/// again gathers the further selection set it brings.
fn collect<'a>(set: &'a SelectionSet, document: &'a ExecutableDocument, keys: &mut KeyOrder<'a>) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                let sub = &field.node.selection_set.node;
                match keys.iter_mut().find(|(seen, _)| *seen == key) {
                    Some((_, subs)) => subs.push(sub),
                    None => keys.push((key, vec![sub])),
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    collect(&fragment.node.selection_set.node, document, keys);
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(&fragment.node.selection_set.node, document, keys);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| (Name::new(k), v.clone()))
                .collect(),
        )
    }

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn wide_objects_are_ordered_by_the_index() {
        let selected: Vec<String> = (0..40).map(|i| format!("f{i}")).collect();
        let document = parse_query(format!("{{ {} }}", selected.join(" "))).unwrap();
        let reversed: Vec<(&str, Value)> = selected
            .iter()
            .rev()
            .map(|key| (key.as_str(), Value::from(1)))
            .collect();
        let mut data = object(&reversed);
        reorder(&mut data, &document, None);
        assert_eq!(keys(&data), selected);
    }

    #[test]
    fn fields_follow_the_query_through_lists_aliases_and_fragments() {
        let document = parse_query(
            "query Q { events { nodes { b: name ...F ... on Event { z } a } } }
             fragment F on Event { progress { y x } c }",
        )
        .unwrap();
        let node = object(&[
            ("a", Value::from(1)),
            ("z", Value::from(2)),
            (
                "progress",
                object(&[("x", Value::from(1)), ("y", Value::from(2))]),
            ),
            ("c", Value::from(3)),
            ("b", Value::from("n")),
        ]);
        let mut data = object(&[(
            "events",
            object(&[("nodes", Value::List(vec![node.clone(), node]))]),
        )]);
        reorder(&mut data, &document, Some("Q"));
        let Value::Object(root) = &data else { panic!() };
        let Value::Object(events) = &root["events"] else {
            panic!()
        };
        let Value::List(nodes) = &events["nodes"] else {
            panic!()
        };
        for node in nodes {
            assert_eq!(keys(node), ["b", "progress", "c", "z", "a"]);
            let Value::Object(fields) = node else {
                panic!()
            };
            assert_eq!(keys(&fields["progress"]), ["y", "x"]);
        }
    }
}
