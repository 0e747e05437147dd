//! The one table of what each root field needs (SPEC §4.1). Every mutation is listed, so a
//! new one cannot slip through with a default: a unit test compares this table with the
//! schema's mutation fields, and at run time a mutation missing from it needs a manager.
//! Queries and subscriptions need a viewer unless listed here.

use super::{Caller, Role};
use crate::error::AppError;
use async_graphql::parser::types::{ExecutableDocument, OperationType, Selection, SelectionSet};

/// Every mutation field and the role it needs.
pub const MUTATIONS: &[(&str, Role)] = &[
    // What a baker records while baking, buying and delivering.
    ("recordPurchase", Role::Baker),
    ("adjustInventoryLot", Role::Baker),
    ("recordProduction", Role::Baker),
    ("recordAssembly", Role::Baker),
    ("updateFulfillmentStatus", Role::Baker),
    // Pantry catalog.
    ("createIngredient", Role::Manager),
    ("updateIngredient", Role::Manager),
    ("deleteIngredient", Role::Manager),
    ("createProduct", Role::Manager),
    ("updateProduct", Role::Manager),
    ("deleteProduct", Role::Manager),
    // Recipes and what they yield.
    ("createRecipe", Role::Manager),
    ("updateRecipe", Role::Manager),
    ("deleteRecipe", Role::Manager),
    ("createFinishedUnit", Role::Manager),
    ("updateFinishedUnit", Role::Manager),
    ("deleteFinishedUnit", Role::Manager),
    ("createFinishedGood", Role::Manager),
    ("updateFinishedGood", Role::Manager),
    ("deleteFinishedGood", Role::Manager),
    ("createPackage", Role::Manager),
    ("updatePackage", Role::Manager),
    ("deletePackage", Role::Manager),
    ("addPackageItem", Role::Manager),
    ("removePackageItem", Role::Manager),
    ("createRecipient", Role::Manager),
    ("updateRecipient", Role::Manager),
    ("deleteRecipient", Role::Manager),
    // Events, assignments and targets.
    ("createEvent", Role::Manager),
    ("updateEvent", Role::Manager),
    ("deleteEvent", Role::Manager),
    ("assignPackage", Role::Manager),
    ("updateAssignment", Role::Manager),
    ("removeAssignment", Role::Manager),
    ("setProductionTarget", Role::Manager),
    ("deleteProductionTarget", Role::Manager),
    ("setAssemblyTarget", Role::Manager),
    ("deleteAssemblyTarget", Role::Manager),
    ("applySuggestedTargets", Role::Manager),
    // The whole database, and who may use it.
    ("importData", Role::Manager),
    ("createApiToken", Role::Manager),
    ("revokeApiToken", Role::Manager),
];

/// Query fields that need more than a viewer.
pub const QUERIES: &[(&str, Role)] = &[("exportData", Role::Manager), ("apiTokens", Role::Manager)];

/// Subscription fields that need more than a viewer (none).
pub const SUBSCRIPTIONS: &[(&str, Role)] = &[];

/// The role a root field of an operation of type `operation` needs. `__typename` needs a
/// viewer anywhere; a mutation field missing from [`MUTATIONS`] needs a manager.
pub fn required_role(operation: OperationType, field: &str) -> Role {
    if field == "__typename" {
        return Role::Viewer;
    }
    let (table, otherwise) = match operation {
        OperationType::Query => (QUERIES, Role::Viewer),
        OperationType::Mutation => (MUTATIONS, Role::Manager),
        OperationType::Subscription => (SUBSCRIPTIONS, Role::Viewer),
    };
    table
        .iter()
        .find(|(name, _)| *name == field)
        .map_or(otherwise, |(_, role)| *role)
}

/// The root fields the operation `operation_name` of `document` selects, through fragment
/// spreads and inline fragments on the root type, each once, in document order; `None`
/// when the document does not pick one operation (validation then refuses it).
pub fn root_fields<'d>(
    document: &'d ExecutableDocument,
    operation_name: Option<&str>,
) -> Option<(OperationType, Vec<&'d str>)> {
    let operation = crate::graphql::field_order::operation(document, operation_name)?;
    let mut fields = Vec::new();
    let mut spread = Vec::new();
    collect(
        &operation.node.selection_set.node,
        document,
        &mut spread,
        &mut fields,
    );
    Some((operation.node.ty, fields))
}

fn collect<'d>(
    set: &'d SelectionSet,
    document: &'d ExecutableDocument,
    spread: &mut Vec<&'d str>,
    fields: &mut Vec<&'d str>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let name = field.node.name.node.as_str();
                if !fields.contains(&name) {
                    fields.push(name);
                }
            }
            Selection::InlineFragment(fragment) => {
                collect(&fragment.node.selection_set.node, document, spread, fields)
            }
            Selection::FragmentSpread(fragment_spread) => {
                let name = fragment_spread.node.fragment_name.node.as_str();
                // Each fragment once: a cycle (refused later by validation) cannot loop here.
                if spread.contains(&name) {
                    continue;
                }
                spread.push(name);
                if let Some(fragment) = document.fragments.get(name) {
                    collect(&fragment.node.selection_set.node, document, spread, fields);
                }
            }
        }
    }
}

/// Refuses an operation any of whose root fields needs a stronger role than the caller's:
/// `FORBIDDEN` naming the field that needs the strongest role, with that role in
/// `extensions.requiredRole`. Run before execution, so a refused operation writes nothing.
pub fn authorize(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    caller: &Caller,
) -> Result<(), AppError> {
    let Some((ty, fields)) = root_fields(document, operation_name) else {
        return Ok(());
    };
    let strongest = fields
        .into_iter()
        .map(|field| (field, required_role(ty, field)))
        .filter(|(_, required)| *required > caller.role)
        .max_by_key(|(_, required)| *required);
    match strongest {
        None => Ok(()),
        Some((field, required)) => Err(AppError::Forbidden {
            field: field.to_string(),
            required,
            role: caller.role,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
    use std::collections::BTreeSet;

    /// The fields of one object type of the served schema.
    fn fields_of(type_name: &str) -> BTreeSet<String> {
        let sdl = crate::graphql::sdl();
        let document = async_graphql::parser::parse_schema(&sdl).expect("the SDL parses");
        for definition in document.definitions {
            if let TypeSystemDefinition::Type(ty) = definition {
                if ty.node.name.node == type_name {
                    if let TypeKind::Object(object) = &ty.node.kind {
                        return object
                            .fields
                            .iter()
                            .map(|f| f.node.name.node.to_string())
                            .collect();
                    }
                }
            }
        }
        panic!("no type {type_name} in the schema")
    }

    #[test]
    fn every_mutation_of_the_schema_is_in_the_table_and_nothing_else() {
        let schema = fields_of("MutationRoot");
        let table: BTreeSet<String> = MUTATIONS.iter().map(|(n, _)| n.to_string()).collect();
        assert_eq!(
            MUTATIONS.len(),
            table.len(),
            "a mutation is listed twice in MUTATIONS"
        );
        let missing: Vec<_> = schema.difference(&table).collect();
        assert!(
            missing.is_empty(),
            "mutations without a role in src/auth/roles.rs: {missing:?}"
        );
        let stale: Vec<_> = table.difference(&schema).collect();
        assert!(
            stale.is_empty(),
            "MUTATIONS lists fields the schema lacks: {stale:?}"
        );
    }

    #[test]
    fn listed_queries_and_subscriptions_exist() {
        let queries = fields_of("QueryRoot");
        for (name, _) in QUERIES {
            assert!(queries.contains(*name), "no query field {name}");
        }
        let subscriptions = fields_of("SubscriptionRoot");
        for (name, _) in SUBSCRIPTIONS {
            assert!(
                subscriptions.contains(*name),
                "no subscription field {name}"
            );
        }
    }

    fn refusal(query: &str, role: Role) -> Option<(String, Role)> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        let caller = Caller {
            name: Some("t".into()),
            role,
        };
        match authorize(&document, None, &caller) {
            Ok(()) => None,
            Err(AppError::Forbidden {
                field, required, ..
            }) => Some((field, required)),
            Err(other) => panic!("unexpected {other:?}"),
        }
    }

    #[test]
    fn authorize_looks_through_fragments_on_the_root() {
        assert_eq!(refusal("{ events { totalCount } }", Role::Viewer), None);
        assert_eq!(
            refusal("{ exportData }", Role::Baker),
            Some(("exportData".into(), Role::Manager))
        );
        assert_eq!(
            refusal(
                "mutation { ...F } fragment F on MutationRoot { ... on MutationRoot { createEvent(input: {}) { id } } }",
                Role::Baker
            ),
            Some(("createEvent".into(), Role::Manager))
        );
        assert_eq!(
            refusal(
                "mutation { recordPurchase(input: {}) { id } deleteEvent(id: 1) { deletedId } }",
                Role::Viewer
            ),
            Some(("deleteEvent".into(), Role::Manager))
        );
        assert_eq!(
            refusal(
                "mutation { recordPurchase(input: {}) { id } }",
                Role::Viewer
            ),
            Some(("recordPurchase".into(), Role::Baker))
        );
        assert_eq!(
            refusal("mutation { recordPurchase(input: {}) { id } }", Role::Baker),
            None
        );
        // A fragment cycle is left to validation, without looping here.
        assert_eq!(
            refusal(
                "mutation { ...A } fragment A on MutationRoot { ...A }",
                Role::Viewer
            ),
            None
        );
        assert_eq!(
            refusal(
                "subscription { eventProgress(eventId: 1) { percent } }",
                Role::Viewer
            ),
            None
        );
        assert_eq!(
            refusal("mutation { createEvent(input: {}) { id } }", Role::Manager),
            None
        );
    }

    #[test]
    fn bakers_record_and_managers_do_the_rest() {
        let baker: BTreeSet<&str> = MUTATIONS
            .iter()
            .filter(|(_, role)| *role == Role::Baker)
            .map(|(name, _)| *name)
            .collect();
        assert_eq!(
            baker,
            BTreeSet::from([
                "adjustInventoryLot",
                "recordAssembly",
                "recordProduction",
                "recordPurchase",
                "updateFulfillmentStatus"
            ])
        );
        assert!(MUTATIONS.iter().all(|(_, role)| *role != Role::Viewer));
        assert_eq!(
            required_role(OperationType::Mutation, "somethingNew"),
            Role::Manager
        );
        assert_eq!(
            required_role(OperationType::Mutation, "__typename"),
            Role::Viewer
        );
        assert_eq!(required_role(OperationType::Query, "events"), Role::Viewer);
        assert_eq!(
            required_role(OperationType::Query, "exportData"),
            Role::Manager
        );
        assert_eq!(
            required_role(OperationType::Subscription, "eventProgress"),
            Role::Viewer
        );
    }
}
