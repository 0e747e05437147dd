//! What a GraphQL document must satisfy before async-graphql validates and runs it.
//!
//! Validation itself costs time that grows faster than the document (overlapping-field
//! checks compare sibling fields pairwise), so a hostile document is refused here first,
//! in a few linear passes over the parsed document: its size in bytes, the number of
//! selections it spells out, unknown directives, and its estimated cost.
//!
//! Cost model (SPEC §4.3): a field costs 1 plus its selection; a connection field costs
//! 1 plus its page size (`first`/`last`, default [`DEFAULT_PAGE`]) times the selection of
//! its `edges`/`nodes`; any other list costs 1 plus its expected length times the cost of
//! one item: the number of ids given to `nodes(ids:)`, the schema's real sizes for
//! introspection lists (all its types; the average number of fields per type, arguments
//! per field…), and [`LIST_FACTOR`] for lists bounded by nature (an event's targets).
//! Fragments are costed once each (memoized), so nested spreads cannot blow the walk up.

use super::connection::DEFAULT_PAGE;
use super::error::ErrorCode;
use super::lexer::count_tokens;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field, OperationType, Selection,
    SelectionSet, TypeKind, TypeSystemDefinition,
};
use async_graphql::{Name, Pos, Positioned, Request, ServerError, Value, Variables};
use std::collections::HashMap;

/// Expected length of a list field that is not a connection (an event's targets, a
/// recipe's lines, a package's items): such lists are short by nature, but not free.
/// Deep screens nest many of them (event → assignments → items → components → recipe →
/// lines → lots), so the factor compounds; 2 keeps such screens well inside the default
/// limit while page sizes, which a caller chooses, are counted in full.
pub const LIST_FACTOR: u64 = 2;

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

/// The return type of one field, as far as cost is concerned.
#[derive(Debug, Clone)]
struct FieldShape {
    /// The named type the field returns (lists unwrapped).
    target: String,
    /// Whether the field returns a list.
    list: bool,
    /// Whether it is a Relay connection (its type name ends with `Connection`).
    connection: bool,
}

/// The fields of every output type of the schema, read once from its SDL, plus the
/// introspection types and the average length of each introspection list.
#[derive(Debug, Clone)]
pub struct SchemaShape {
    types: HashMap<String, HashMap<String, FieldShape>>,
    roots: [String; 3],
    /// Average length of each introspection list, in thousandths, by (type, field).
    introspection: HashMap<(&'static str, &'static str), u64>,
}

/// Totals read from the SDL, for the introspection list averages.
#[derive(Default)]
struct Totals {
    types: u64,
    fields: u64,
    arguments: u64,
    enum_values: u64,
    input_fields: u64,
    interfaces: u64,
    possible_types: u64,
}

impl SchemaShape {
    /// Reads the shape from the schema's SDL.
    pub fn from_sdl(sdl: &str) -> SchemaShape {
        let mut types: HashMap<String, HashMap<String, FieldShape>> = HashMap::new();
        let mut roots = [
            "QueryRoot".to_string(),
            "MutationRoot".to_string(),
            "SubscriptionRoot".to_string(),
        ];
        let mut totals = Totals::default();
        let document =
            async_graphql::parser::parse_schema(sdl).expect("the schema's own SDL parses");
        for definition in document.definitions {
            match definition {
                TypeSystemDefinition::Schema(schema) => {
                    let schema = schema.node;
                    if let Some(q) = schema.query {
                        roots[0] = q.node.to_string();
                    }
                    if let Some(m) = schema.mutation {
                        roots[1] = m.node.to_string();
                    }
                    if let Some(s) = schema.subscription {
                        roots[2] = s.node.to_string();
                    }
                }
                TypeSystemDefinition::Type(definition) => {
                    totals.types += 1;
                    let definition = definition.node;
                    let fields = match definition.kind {
                        TypeKind::Object(object) => {
                            totals.interfaces += object.implements.len() as u64;
                            totals.possible_types += object.implements.len() as u64;
                            object.fields
                        }
                        TypeKind::Interface(interface) => interface.fields,
                        TypeKind::Enum(e) => {
                            totals.enum_values += e.values.len() as u64;
                            continue;
                        }
                        TypeKind::InputObject(input) => {
                            totals.input_fields += input.fields.len() as u64;
                            continue;
                        }
                        TypeKind::Union(u) => {
                            totals.possible_types += u.members.len() as u64;
                            continue;
                        }
                        TypeKind::Scalar => continue,
                    };
                    totals.fields += fields.len() as u64;
                    let shapes = fields
                        .into_iter()
                        .map(|field| {
                            let field = field.node;
                            totals.arguments += field.arguments.len() as u64;
                            let (target, list) = named_type(&field.ty.node.base);
                            let shape = FieldShape {
                                connection: target.ends_with("Connection"),
                                target,
                                list,
                            };
                            (field.name.node.to_string(), shape)
                        })
                        .collect();
                    types.insert(definition.name.node.to_string(), shapes);
                }
                TypeSystemDefinition::Directive(_) => {}
            }
        }
        // Built-in scalars (5) and the introspection types (8, with about 40 fields) are
        // served too, but not written in the SDL.
        totals.types += 13;
        totals.fields += 40;
        let per = |items: u64, of: u64| (items * 1000).div_ceil(of.max(1));
        let introspection = HashMap::from([
            (("__Schema", "types"), totals.types * 1000),
            (("__Schema", "directives"), 5_000),
            (("__Type", "fields"), per(totals.fields, totals.types)),
            (
                ("__Type", "interfaces"),
                per(totals.interfaces, totals.types),
            ),
            (
                ("__Type", "possibleTypes"),
                per(totals.possible_types, totals.types),
            ),
            (
                ("__Type", "enumValues"),
                per(totals.enum_values, totals.types),
            ),
            (
                ("__Type", "inputFields"),
                per(totals.input_fields, totals.types),
            ),
            (("__Field", "args"), per(totals.arguments, totals.fields)),
            (("__Directive", "args"), 1_000),
            (("__Directive", "locations"), 3_000),
        ]);
        let mut shape = SchemaShape {
            types,
            roots,
            introspection,
        };
        shape.add_introspection();
        shape
    }

    fn add_introspection(&mut self) {
        let object = |target: &str| FieldShape {
            target: target.to_string(),
            list: false,
            connection: false,
        };
        let list = |target: &str| FieldShape {
            target: target.to_string(),
            list: true,
            connection: false,
        };
        let scalar = || object("String");
        let mut add = |name: &str, fields: Vec<(&str, FieldShape)>| {
            self.types.insert(
                name.to_string(),
                fields
                    .into_iter()
                    .map(|(n, s)| (n.to_string(), s))
                    .collect(),
            );
        };
        add(
            "__Schema",
            vec![
                ("description", scalar()),
                ("types", list("__Type")),
                ("queryType", object("__Type")),
                ("mutationType", object("__Type")),
                ("subscriptionType", object("__Type")),
                ("directives", list("__Directive")),
            ],
        );
        add(
            "__Type",
            vec![
                ("kind", scalar()),
                ("name", scalar()),
                ("description", scalar()),
                ("specifiedByURL", scalar()),
                ("isOneOf", scalar()),
                ("fields", list("__Field")),
                ("interfaces", list("__Type")),
                ("possibleTypes", list("__Type")),
                ("enumValues", list("__EnumValue")),
                ("inputFields", list("__InputValue")),
                ("ofType", object("__Type")),
            ],
        );
        add(
            "__Field",
            vec![
                ("name", scalar()),
                ("description", scalar()),
                ("args", list("__InputValue")),
                ("type", object("__Type")),
                ("isDeprecated", scalar()),
                ("deprecationReason", scalar()),
            ],
        );
        add(
            "__InputValue",
            vec![
                ("name", scalar()),
                ("description", scalar()),
                ("type", object("__Type")),
                ("defaultValue", scalar()),
                ("isDeprecated", scalar()),
                ("deprecationReason", scalar()),
            ],
        );
        add(
            "__EnumValue",
            vec![
                ("name", scalar()),
                ("description", scalar()),
                ("isDeprecated", scalar()),
                ("deprecationReason", scalar()),
            ],
        );
        add(
            "__Directive",
            vec![
                ("name", scalar()),
                ("description", scalar()),
                ("locations", list("String")),
                ("args", list("__InputValue")),
                ("isRepeatable", scalar()),
            ],
        );
        let query = self.roots[0].clone();
        let root = self.types.entry(query).or_default();
        root.insert("__schema".into(), object("__Schema"));
        root.insert("__type".into(), object("__Type"));
    }

    fn field(&self, parent: &str, name: &str) -> Option<&FieldShape> {
        self.types.get(parent)?.get(name)
    }

    /// Expected length of a plain list field (not inside a connection), in thousandths.
    fn list_length(&self, parent: &str, field: &Field, vars: &Variables) -> u64 {
        if parent.starts_with("__") {
            return self
                .introspection
                .get(&(parent, field.name.node.as_str()))
                .copied()
                .unwrap_or(LIST_FACTOR * 1000);
        }
        if let Some(Value::List(items)) = argument(field, "ids", vars) {
            return items.len() as u64 * 1000;
        }
        LIST_FACTOR * 1000
    }
}

fn named_type(base: &BaseType) -> (String, bool) {
    match base {
        BaseType::Named(name) => (name.to_string(), false),
        BaseType::List(inner) => (named_type(&inner.base).0, true),
    }
}

/// An argument's value, with variables replaced by the values the request gives them.
fn argument(field: &Field, name: &str, vars: &Variables) -> Option<Value> {
    let value = field.get_argument(name)?;
    value
        .node
        .clone()
        .into_const_with(|variable| vars.get(&variable).cloned().ok_or(()))
        .ok()
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
    let mut coster = Coster {
        shape,
        document,
        variables: &variables,
        fragments: HashMap::new(),
        visiting: Vec::new(),
        pages: Vec::new(),
    };
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

/// Computes the cost of an operation (see the module docs).
struct Coster<'a> {
    shape: &'a SchemaShape,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    fragments: HashMap<(&'a str, Option<u64>), u64>,
    visiting: Vec<&'a str>,
    /// Page sizes of the connections being walked, innermost last.
    pages: Vec<u64>,
}

impl<'a> Coster<'a> {
    fn selection_set(&mut self, set: &'a SelectionSet, parent: &str) -> u64 {
        set.items.iter().fold(0u64, |total, item| {
            total.saturating_add(self.selection(&item.node, parent))
        })
    }

    fn selection(&mut self, selection: &'a Selection, parent: &str) -> u64 {
        {
            match selection {
                Selection::Field(field) => self.field(&field.node, parent),
                Selection::InlineFragment(inline) => {
                    let on = inline
                        .node
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.to_string())
                        .unwrap_or_else(|| parent.to_string());
                    self.selection_set(&inline.node.selection_set.node, &on)
                }
                Selection::FragmentSpread(spread) => {
                    self.fragment(spread.node.fragment_name.node.as_str())
                }
            }
        }
    }

    fn fragment(&mut self, name: &'a str) -> u64 {
        let page = self.pages.last().copied();
        if let Some(cost) = self.fragments.get(&(name, page)) {
            return *cost;
        }
        // A cycle: validation refuses it; count nothing here.
        if self.visiting.contains(&name) {
            return 0;
        }
        let Some((key, fragment)) = self.document.fragments.get_key_value(name) else {
            return 0;
        };
        self.visiting.push(key.as_str());
        let on = fragment.node.type_condition.node.on.node.to_string();
        let cost = self.selection_set(&fragment.node.selection_set.node, &on);
        self.visiting.pop();
        self.fragments.insert((key.as_str(), page), cost);
        cost
    }

    fn field(&mut self, field: &'a Field, parent: &str) -> u64 {
        let children = &field.selection_set.node;
        let Some(shape) = self.shape.field(parent, field.name.node.as_str()).cloned() else {
            // `__typename`, or an unknown field that validation will refuse.
            return 1u64.saturating_add(self.selection_set(children, ""));
        };
        if shape.connection {
            self.pages.push(self.page_size(field));
            let cost = 1u64.saturating_add(self.selection_set(children, &shape.target));
            self.pages.pop();
            return cost;
        }
        if shape.list {
            let in_connection = parent.ends_with("Connection")
                && matches!(field.name.node.as_str(), "edges" | "nodes");
            let length = match self.pages.last() {
                Some(page) if in_connection => page.saturating_mul(1000),
                _ => self.shape.list_length(parent, field, self.variables),
            };
            let item = self.item(children, &shape.target);
            return 1u64.saturating_add(length.saturating_mul(item).div_ceil(1000));
        }
        1u64.saturating_add(self.selection_set(children, &shape.target))
    }

    /// The cost of one item of a list: its selection, or 1 for a scalar.
    fn item(&mut self, children: &'a SelectionSet, target: &str) -> u64 {
        if children.items.is_empty() {
            1
        } else {
            self.selection_set(children, target)
        }
    }

    /// The page a connection field asks for: `first` or `last` (the larger when both are
    /// given), else the default page.
    fn page_size(&self, field: &Field) -> u64 {
        let mut page: Option<u64> = None;
        for name in ["first", "last"] {
            if let Some(Value::Number(n)) = argument(field, name, self.variables) {
                let n = n.as_u64().unwrap_or(0);
                page = Some(page.map_or(n, |p| p.max(n)));
            }
        }
        page.unwrap_or(DEFAULT_PAGE as u64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let query = include_str!("../../tests/it/introspection.graphql");
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
