//! Field errors become `null` where the GraphQL specification puts them (§6.4.4, "Handling
//! Execution Errors"): at the failed field when its type is nullable, else at the nearest
//! nullable ancestor, else `data` itself.
//!
//! async-graphql 7.2 does not do this: when a field's resolver fails it records the error
//! and leaves the field's key out of its object, and an object whose every field failed
//! becomes `null` whatever its type. A client reading partial data (Apollo's
//! `errorPolicy: 'all'`, Relay) then finds a key missing where the schema promised a value
//! or `null`. async-graphql 8.0.0-rc.5 changes the mechanism (an error fails the whole
//! object) but still does not stop at the failed field, so the rule is applied here, once,
//! from each error's `path`, the schema's types and the operation's selections (for
//! aliases and fragments). It only runs when a response has errors.

use super::field_order::operation;
use async_graphql::parser::types::{
    BaseType, ExecutableDocument, OperationType, Selection, SelectionSet, Type, TypeKind,
    TypeSystemDefinition,
};
use async_graphql::{Name, PathSegment, ServerError, Value};
use std::collections::HashMap;

/// The declared type of every field of every object and interface type, read from the
/// schema's SDL, and the root types.
#[derive(Debug, Clone)]
pub struct FieldTypes {
    fields: HashMap<String, HashMap<String, Type>>,
    roots: [String; 3],
}

impl FieldTypes {
    /// Reads the field types from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> FieldTypes {
        let document =
            async_graphql::parser::parse_schema(sdl).expect("the schema's own SDL parses");
        let mut fields = HashMap::new();
        let mut roots = [
            "QueryRoot".to_string(),
            "MutationRoot".to_string(),
            "SubscriptionRoot".to_string(),
        ];
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    for (slot, name) in [schema.query, schema.mutation, schema.subscription]
                        .into_iter()
                        .enumerate()
                    {
                        if let Some(name) = name {
                            roots[slot] = name.node.to_string();
                        }
                    }
                }
                TypeSystemDefinition::Type(definition) => {
                    let definition = definition.node;
                    let declared = match definition.kind {
                        TypeKind::Object(object) => object.fields,
                        TypeKind::Interface(interface) => interface.fields,
                        _ => continue,
                    };
                    let types = declared
                        .into_iter()
                        .map(|field| (field.node.name.node.to_string(), field.node.ty.node))
                        .collect();
                    fields.insert(definition.name.node.to_string(), types);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        FieldTypes { fields, roots }
    }

    fn root(&self, kind: OperationType) -> &str {
        match kind {
            OperationType::Query => &self.roots[0],
            OperationType::Mutation => &self.roots[1],
            OperationType::Subscription => &self.roots[2],
        }
    }

    fn field(&self, owner: &str, name: &str) -> Option<&Type> {
        self.fields.get(owner)?.get(name)
    }
}

/// Puts the `null`s of `errors` into `data`, the result of the operation `operation_name`
/// of `document`. Errors without a path (raised before execution) and paths the schema
/// cannot explain are left alone.
pub fn propagate(
    data: &mut Value,
    errors: &[ServerError],
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    types: &FieldTypes,
) {
    if errors.is_empty() {
        return;
    }
    let Some(operation) = operation(document, operation_name) else {
        return;
    };
    let root = types.root(operation.node.ty);
    let selection = &operation.node.selection_set.node;
    let mut targets: Vec<&[PathSegment]> = errors
        .iter()
        .filter(|error| !error.path.is_empty())
        .filter_map(|error| {
            let nullable = nullability(&error.path, root, selection, document, types)?;
            Some(nulled_prefix(data, &error.path, &nullable))
        })
        .collect();
    // Outermost first: a `null` already placed above a path covers it.
    targets.sort_by_key(|target| target.len());
    let mut placed: Vec<&[PathSegment]> = Vec::new();
    for target in targets {
        if placed.iter().any(|above| target.starts_with(above)) {
            continue;
        }
        place_null(data, target);
        placed.push(target);
    }
}

/// Whether the value at each prefix of `path` may be null: entry `i` is for the first `i`
/// segments (entry 0, `data`, always may). `None` when the path does not follow the
/// selections and the schema.
fn nullability(
    path: &[PathSegment],
    root: &str,
    selection: &SelectionSet,
    document: &ExecutableDocument,
    types: &FieldTypes,
) -> Option<Vec<bool>> {
    let mut nullable = Vec::with_capacity(path.len() + 1);
    nullable.push(true);
    let mut owner = root.to_string();
    let mut sets: Vec<&SelectionSet> = vec![selection];
    let mut current: Option<&Type> = None;
    for segment in path {
        let ty = match segment {
            PathSegment::Field(key) => {
                let found = find_key(&sets, key, document)?;
                let declared_on = found.type_condition.unwrap_or(owner.as_str());
                let ty = types
                    .field(declared_on, found.name)
                    .or_else(|| types.field(&owner, found.name))?;
                owner = named(ty).to_string();
                sets = found.selections;
                ty
            }
            PathSegment::Index(_) => match &current?.base {
                BaseType::List(item) => item.as_ref(),
                BaseType::Named(_) => return None,
            },
        };
        nullable.push(ty.nullable);
        current = Some(ty);
    }
    Some(nullable)
}

/// The prefix of `path` whose value becomes `null`: the deepest nullable one, but never
/// below a value async-graphql already left out (its contents are gone).
fn nulled_prefix<'p>(
    data: &Value,
    path: &'p [PathSegment],
    nullable: &[bool],
) -> &'p [PathSegment] {
    // How deep a null may go: to the first value that is missing (the failed field, or one
    // async-graphql dropped), and no deeper.
    let mut reach = path.len();
    let mut value = data;
    for (depth, segment) in path.iter().enumerate() {
        let next = match (value, segment) {
            (Value::Object(fields), PathSegment::Field(key)) => fields.get(key.as_str()),
            // An object whose every field failed was written as `null`; it is recreated,
            // so its fields can still get their nulls.
            (Value::Null, PathSegment::Field(_)) => None,
            (Value::List(items), PathSegment::Index(i)) => match items.get(*i) {
                Some(item) => Some(item),
                None => {
                    reach = depth;
                    break;
                }
            },
            _ => {
                reach = depth;
                break;
            }
        };
        match next {
            Some(next) => value = next,
            None => {
                reach = depth + 1;
                break;
            }
        }
    }
    let deepest = (0..=reach).rev().find(|&i| nullable[i]).unwrap_or(0);
    &path[..deepest]
}

/// Sets the value at `prefix` to `null`, recreating the objects async-graphql wrote as
/// `null` on the way.
fn place_null(data: &mut Value, prefix: &[PathSegment]) {
    let Some((last, parents)) = prefix.split_last() else {
        *data = Value::Null;
        return;
    };
    let mut value = data;
    for segment in parents {
        let next = match (value, segment) {
            (Value::Object(fields), PathSegment::Field(key)) => {
                match fields.get_mut(key.as_str()) {
                    Some(next) => next,
                    None => return,
                }
            }
            (Value::List(items), PathSegment::Index(i)) => match items.get_mut(*i) {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
        value = next;
    }
    match last {
        PathSegment::Field(key) => {
            if matches!(value, Value::Null) {
                *value = Value::Object(Default::default());
            }
            if let Value::Object(fields) = value {
                fields.insert(Name::new(key), Value::Null);
            }
        }
        PathSegment::Index(i) => {
            if let Some(item) = match value {
                Value::List(items) => items.get_mut(*i),
                _ => None,
            } {
                *item = Value::Null;
            }
        }
    }
}

/// A response key found in the selections: the field it names, the type condition of the
/// fragment it was selected in (if any), and its sub-selections.
struct Found<'a> {
    name: &'a str,
    type_condition: Option<&'a str>,
    selections: Vec<&'a SelectionSet>,
}

fn find_key<'a>(
    sets: &[&'a SelectionSet],
    key: &str,
    document: &'a ExecutableDocument,
) -> Option<Found<'a>> {
    let mut found: Option<Found<'a>> = None;
    for set in sets {
        search(set, key, None, document, &mut found);
    }
    found
}

fn search<'a>(
    set: &'a SelectionSet,
    key: &str,
    condition: Option<&'a str>,
    document: &'a ExecutableDocument,
    found: &mut Option<Found<'a>>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                if field.node.response_key().node.as_str() != key {
                    continue;
                }
                let sub = &field.node.selection_set.node;
                match found {
                    Some(found) => found.selections.push(sub),
                    None => {
                        *found = Some(Found {
                            name: field.node.name.node.as_str(),
                            type_condition: condition,
                            selections: vec![sub],
                        })
                    }
                }
            }
            Selection::FragmentSpread(spread) => {
                if let Some(fragment) = document.fragments.get(&spread.node.fragment_name.node) {
                    let condition = fragment.node.type_condition.node.on.node.as_str();
                    search(
                        &fragment.node.selection_set.node,
                        key,
                        Some(condition),
                        document,
                        found,
                    );
                }
            }
            Selection::InlineFragment(fragment) => {
                let condition = fragment
                    .node
                    .type_condition
                    .as_ref()
                    .map(|c| c.node.on.node.as_str())
                    .or(condition);
                search(
                    &fragment.node.selection_set.node,
                    key,
                    condition,
                    document,
                    found,
                );
            }
        }
    }
}

/// The named type under any list wrappers.
fn named(ty: &Type) -> &str {
    match &ty.base {
        BaseType::Named(name) => name.as_str(),
        BaseType::List(item) => named(item),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::parse_query;
    use async_graphql::Pos;

    const SDL: &str = "
        interface Node { id: ID! }
        type Event implements Node { id: ID! name: String! note: String progress: Progress }
        type Progress { percent: Int! done: Boolean }
        type Recipe implements Node { id: ID! yield: Int }
        type QueryRoot { node(id: ID!): Node events: [Event!] event: Event! count: Int }
        schema { query: QueryRoot }
    ";

    fn error(path: &[PathSegment]) -> ServerError {
        let mut error = ServerError::new("failed", Some(Pos::default()));
        error.path = path.to_vec();
        error
    }

    fn field(name: &str) -> PathSegment {
        PathSegment::Field(name.to_string())
    }

    fn run(query: &str, data: serde_json::Value, paths: &[Vec<PathSegment>]) -> serde_json::Value {
        let document = parse_query(query).unwrap();
        let types = FieldTypes::from_sdl(SDL);
        let mut data = Value::from_json(data).unwrap();
        let errors: Vec<ServerError> = paths.iter().map(|p| error(p)).collect();
        propagate(&mut data, &errors, &document, None, &types);
        data.into_json().unwrap()
    }

    #[test]
    fn a_failed_nullable_field_is_present_as_null_under_its_alias() {
        let data = run(
            "{ a: node(id: \"x\") { id } count }",
            serde_json::json!({ "count": 3 }),
            &[vec![field("a")]],
        );
        assert_eq!(data, serde_json::json!({ "count": 3, "a": null }));
    }

    #[test]
    fn when_every_field_failed_data_still_holds_their_nulls() {
        let data = run(
            "{ a: node(id: \"x\") { id } }",
            serde_json::Value::Null,
            &[vec![field("a")]],
        );
        assert_eq!(data, serde_json::json!({ "a": null }));
    }

    #[test]
    fn a_failed_non_null_field_nulls_its_nearest_nullable_ancestor() {
        // `percent: Int!` fails: `progress` (nullable) becomes null, `note` stays.
        let data = run(
            "{ events { note progress { percent done } } }",
            serde_json::json!({ "events": [
                { "note": "n", "progress": { "done": true } },
                { "note": "m", "progress": { "percent": 5, "done": false } }
            ] }),
            &[vec![
                field("events"),
                PathSegment::Index(0),
                field("progress"),
                field("percent"),
            ]],
        );
        assert_eq!(
            data,
            serde_json::json!({ "events": [
                { "note": "n", "progress": null },
                { "note": "m", "progress": { "percent": 5, "done": false } }
            ] })
        );
    }

    #[test]
    fn non_null_items_null_the_nullable_list_and_non_null_roots_null_data() {
        // `name: String!` in `[Event!]`: the list is the nearest nullable place.
        let data = run(
            "{ events { name } count }",
            serde_json::json!({ "events": [{ "name": "a" }, {}], "count": 1 }),
            &[vec![field("events"), PathSegment::Index(1), field("name")]],
        );
        assert_eq!(data, serde_json::json!({ "events": null, "count": 1 }));
        // `event: Event!` at the root: nothing nullable above, so `data` is null.
        let data = run(
            "{ event { name } count }",
            serde_json::json!({ "event": {}, "count": 1 }),
            &[vec![field("event"), field("name")]],
        );
        assert_eq!(data, serde_json::Value::Null);
    }

    #[test]
    fn fragments_on_interfaces_find_the_field_type_through_their_condition() {
        let query = "query { n: node(id: \"x\") { ...E ... on Recipe { y: yield } } }
                     fragment E on Event { p: progress { percent } }";
        // `Event.progress` is nullable: it gets the null, `n` keeps its other fields.
        let data = run(
            query,
            serde_json::json!({ "n": {} }),
            &[vec![field("n"), field("p")]],
        );
        assert_eq!(data, serde_json::json!({ "n": { "p": null } }));
        // `Progress.percent` is not: the null goes to `p`.
        let data = run(
            query,
            serde_json::json!({ "n": { "p": {} } }),
            &[vec![field("n"), field("p"), field("percent")]],
        );
        assert_eq!(data, serde_json::json!({ "n": { "p": null } }));
        // `Recipe.yield` through an inline fragment and an alias.
        let data = run(
            query,
            serde_json::json!({ "n": {} }),
            &[vec![field("n"), field("y")]],
        );
        assert_eq!(data, serde_json::json!({ "n": { "y": null } }));
    }

    #[test]
    fn an_outer_null_covers_errors_beneath_it_and_pathless_errors_are_ignored() {
        let data = run(
            "{ events { name progress { percent } } }",
            serde_json::json!({ "events": [{ "progress": {} }] }),
            &[
                vec![
                    field("events"),
                    PathSegment::Index(0),
                    field("progress"),
                    field("percent"),
                ],
                vec![field("events"), PathSegment::Index(0), field("name")],
                vec![],
            ],
        );
        assert_eq!(data, serde_json::json!({ "events": null }));
    }
}
