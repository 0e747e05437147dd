//! What a GraphQL document must satisfy before async-graphql validates and runs it.
//!
//! Validation itself costs time that grows faster than the document (overlapping-field
//! checks compare sibling fields pairwise), so a hostile document is refused here first,
//! in a few linear passes over the parsed document: its size in bytes, the number of
//! selections it spells out, unknown directives, and its estimated cost.
//!
//! Cost model (SPEC §4.3): a field costs 1 plus its selection; a connection field costs
//! 1 plus its page size (`first`/`last`, default
//! [`DEFAULT_PAGE`](crate::graphql::connection::DEFAULT_PAGE)) times the selection of
//! its `edges`/`nodes`; any other list costs 1 plus its expected length times the cost of
//! one item: the number of ids given to `nodes(ids:)`, the schema's real sizes for
//! introspection lists (all its types; the average number of fields per type, arguments
//! per field…), and [`LIST_FACTOR`] for lists bounded by nature (an event's targets).
//! Fragments are costed once each (memoized), so nested spreads cannot blow the walk up.
//!
//! The schema's shape is read in `shape`, the cost walk is in `cost`.

mod cost;
mod shape;

pub use shape::{SchemaShape, LIST_FACTOR};

use super::error::ErrorCode;
use super::lexer::count_tokens;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, OperationType, Selection, SelectionSet,
};
use async_graphql::{Name, Pos, Positioned, Request, ServerError};
use cost::Coster;

/// The directives an executable document may use (the schema defines no others).
const EXECUTABLE_DIRECTIVES: [&str; 2] = ["skip", "include"];

/// The bounds applied to every document (flags `--max-document-bytes`,
/// `--max-document-tokens`, `--max-document-selections`, `--max-complexity`).
#[derive(Debug, Clone, Copy)]
pub struct DocumentLimits {
    /// Largest document, in bytes of its source text.
    pub max_bytes: usize,
    /// Most lexical tokens (names, punctuators, values), counted before parsing: the parser
    /// takes a few microseconds per token, so this bounds what a refusal can cost.
    pub max_tokens: usize,
    /// Most selections (fields, fragment spreads, inline fragments) written in the document.
    pub max_selections: usize,
    /// Highest estimated cost of the operation run (see the module docs).
    pub max_complexity: u64,
}

impl Default for DocumentLimits {
    fn default() -> Self {
        DocumentLimits {
            max_bytes: 100_000,
            max_tokens: 2_000,
            max_selections: 1_000,
            max_complexity: 100_000,
        }
    }
}

/// Why a document was refused before validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Over one of the limits; the message names it and its flag.
    TooComplex(String),
    /// Not a valid document (syntax, unknown directive).
    Invalid {
        /// What is wrong.
        message: String,
        /// Where, when known.
        pos: Option<Pos>,
    },
}

impl Refusal {
    /// The GraphQL error sent for this refusal.
    pub fn into_server_error(self) -> ServerError {
        let (message, pos, code) = match self {
            Refusal::TooComplex(message) => (message, None, ErrorCode::QueryTooComplex),
            Refusal::Invalid { message, pos } => (message, pos, ErrorCode::BadUserInput),
        };
        let mut error = ServerError::new(message, pos);
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
        error
    }
}

/// Checks a request against `limits` and parses it once (async-graphql reuses the parsed
/// document). Returns the type of the operation that will run, when the document names one
/// unambiguously (otherwise validation reports it).
pub fn admit(
    request: &mut Request,
    limits: &DocumentLimits,
    shape: &SchemaShape,
) -> Result<Option<OperationType>, Refusal> {
    let bytes = request.query.len();
    if bytes > limits.max_bytes {
        return Err(Refusal::TooComplex(format!(
            "the document is {bytes} bytes; the limit is {} (--max-document-bytes)",
            limits.max_bytes
        )));
    }
    let tokens = count_tokens(&request.query, limits.max_tokens);
    if tokens > limits.max_tokens {
        return Err(Refusal::TooComplex(format!(
            "the document has more than {} tokens (--max-document-tokens)",
            limits.max_tokens
        )));
    }
    let operation_name = request.operation_name.clone();
    let variables = request.variables.clone();
    let document = request.parsed_query().map_err(|error| Refusal::Invalid {
        message: error.message,
        pos: error.locations.first().copied(),
    })?;
    let mut census = Census::default();
    for (_, operation) in document.operations.iter() {
        census.directives(&operation.node.directives);
        for variable in &operation.node.variable_definitions {
            census.directives(&variable.node.directives);
        }
        census.selection_set(&operation.node.selection_set.node);
    }
    for fragment in document.fragments.values() {
        census.directives(&fragment.node.directives);
        census.selection_set(&fragment.node.selection_set.node);
    }
    if let Some((name, pos)) = census.unknown_directive {
        return Err(Refusal::Invalid {
            message: format!(
                "Unknown directive \"@{name}\"; this server knows only @skip and @include"
            ),
            pos: Some(pos),
        });
    }
    if census.selections > limits.max_selections {
        return Err(Refusal::TooComplex(format!(
            "the document has {} selections; the limit is {} (--max-document-selections)",
            census.selections, limits.max_selections
        )));
    }
    let Some(operation) = pick_operation(document, operation_name.as_deref()) else {
        return Ok(None);
    };
    let ty = operation.node.ty;
    let root = match ty {
        OperationType::Query => &shape.roots[0],
        OperationType::Mutation => &shape.roots[1],
        OperationType::Subscription => &shape.roots[2],
    };
    let mut coster = Coster::new(shape, document, &variables);
    let cost = coster.selection_set(&operation.node.selection_set.node, root);
    if cost > limits.max_complexity {
        return Err(Refusal::TooComplex(format!(
            "the operation's estimated cost is {cost}; the limit is {} (--max-complexity). \
             Ask for smaller pages (first/last) or fewer fields",
            limits.max_complexity
        )));
    }
    Ok(Some(ty))
}

fn pick_operation<'a>(
    document: &'a ExecutableDocument,
    name: Option<&str>,
) -> Option<&'a Positioned<async_graphql::parser::types::OperationDefinition>> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => ops.values().next(),
        _ => None,
    }
}

/// Counts selections and finds unknown directives, without expanding fragments.
#[derive(Default)]
struct Census {
    selections: usize,
    unknown_directive: Option<(Name, Pos)>,
}

impl Census {
    fn directives(&mut self, directives: &[Positioned<async_graphql::parser::types::Directive>]) {
        for directive in directives {
            let name = &directive.node.name.node;
            if !EXECUTABLE_DIRECTIVES.contains(&name.as_str()) && self.unknown_directive.is_none() {
                self.unknown_directive = Some((name.clone(), directive.pos));
            }
        }
    }

    fn selection_set(&mut self, set: &SelectionSet) {
        for item in &set.items {
            self.selections += 1;
            self.directives(item.node.directives());
            match &item.node {
                Selection::Field(field) => self.selection_set(&field.node.selection_set.node),
                Selection::InlineFragment(inline) => {
                    self.selection_set(&inline.node.selection_set.node)
                }
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::Variables;

    fn shape() -> SchemaShape {
        SchemaShape::from_sdl(&crate::graphql::sdl())
    }

    fn cost(query: &str, variables: serde_json::Value) -> Result<Option<OperationType>, Refusal> {
        let mut request = Request::new(query).variables(Variables::from_json(variables));
        admit(&mut request, &DocumentLimits::default(), &shape())
    }

    fn estimated(query: &str) -> u64 {
        let limits = DocumentLimits {
            max_complexity: 0,
            ..DocumentLimits::default()
        };
        let mut request = Request::new(query);
        match admit(&mut request, &limits, &shape()) {
            Err(Refusal::TooComplex(message)) => message
                .split("cost is ")
                .nth(1)
                .and_then(|s| s.split(';').next())
                .and_then(|s| s.parse().ok())
                .unwrap_or_else(|| panic!("{message}")),
            other => panic!("expected a cost refusal, got {other:?}"),
        }
    }

    #[test]
    fn connections_multiply_by_their_page() {
        let small = estimated("{ events(first: 10) { nodes { name } } }");
        let large = estimated("{ events(first: 100) { nodes { name } } }");
        assert_eq!(small, 1 + 1 + 10);
        assert_eq!(large, 1 + 1 + 100);
        let default = estimated("{ events { edges { cursor node { name } } totalCount } }");
        assert_eq!(default, 1 + (1 + 20 * 3) + 1);
    }

    #[test]
    fn page_sizes_from_variables_count() {
        let error = cost(
            "query($n: Int) { a: events(first: $n) { nodes { name progress { isComplete } } } }",
            serde_json::json!({"n": 100_000}),
        )
        .unwrap_err();
        assert!(matches!(error, Refusal::TooComplex(_)), "{error:?}");
    }

    #[test]
    fn aliases_and_fragments_add_up() {
        let one = estimated("{ events(first: 100) { nodes { name } } }");
        let fragment = estimated(
            "{ a: events(first: 100) { ...E } b: events(first: 100) { ...E } } \
             fragment E on EventConnection { nodes { name } }",
        );
        assert_eq!(fragment, 2 * one);
    }

    #[test]
    fn introspection_lists_count_the_real_schema() {
        let types = estimated("{ __schema { types { name } } }");
        assert!(types > 100, "{types}");
        let many: String = (0..80)
            .map(|i| {
                format!("a{i}: __schema {{ types {{ name kind description fields {{ name description args {{ name description }} }} }} }} ")
            })
            .collect();
        let error = cost(&format!("{{ {many} }}"), serde_json::json!({})).unwrap_err();
        assert!(
            matches!(&error, Refusal::TooComplex(m) if m.contains("--max-complexity")),
            "{error:?}"
        );
    }

    #[test]
    fn graphiql_introspection_is_allowed() {
        let query = include_str!("../../../tests/it/introspection.graphql");
        let cost = estimated(query);
        assert!(
            cost < DocumentLimits::default().max_complexity / 2,
            "the playground's introspection costs {cost}"
        );
    }

    #[test]
    fn unknown_directives_are_refused_everywhere() {
        for query in [
            "{ __typename @foo }",
            "query @foo { __typename }",
            "{ ...F } fragment F on QueryRoot @foo { __typename }",
            "query($a: Int @foo) { __typename }",
        ] {
            match cost(query, serde_json::json!({})) {
                Err(Refusal::Invalid { message, .. }) => assert!(message.contains("@foo")),
                other => panic!("{query}: {other:?}"),
            }
        }
        assert!(cost("{ __typename @skip(if: false) }", serde_json::json!({})).is_ok());
    }

    #[test]
    fn size_and_selection_counts_are_bounded() {
        let big = format!("{{ {} }}", "__typename ".repeat(20_000));
        assert!(matches!(
            cost(&big, serde_json::json!({})),
            Err(Refusal::TooComplex(m)) if m.contains("--max-document-bytes")
        ));
        let many = format!("{{ {} }}", "a: __typename ".repeat(2_500));
        assert!(matches!(
            cost(&many, serde_json::json!({})),
            Err(Refusal::TooComplex(m)) if m.contains("--max-document-tokens")
        ));
        let nested = format!("{{ {} }}", "__typename ".repeat(1_500));
        assert!(matches!(
            cost(&nested, serde_json::json!({})),
            Err(Refusal::TooComplex(m)) if m.contains("--max-document-selections")
        ));
    }

    #[test]
    fn nested_fragment_spreads_are_costed_once_each() {
        let mut query = String::from("{ ...F0 }\n");
        for i in 0..30 {
            query.push_str(&format!(
                "fragment F{i} on QueryRoot {{ ...F{n} ...F{n} }}\n",
                n = i + 1
            ));
        }
        query.push_str("fragment F30 on QueryRoot { __typename }\n");
        let error = cost(&query, serde_json::json!({})).unwrap_err();
        assert!(matches!(error, Refusal::TooComplex(_)), "{error:?}");
    }
}
