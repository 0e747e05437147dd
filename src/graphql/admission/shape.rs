//! The shape of the schema as far as cost is concerned: the fields of every output type,
//! read once from the SDL, plus the introspection types and the average length of each
//! introspection list.

use super::cost::argument;
use async_graphql::parser::types::{BaseType, Field, TypeKind, TypeSystemDefinition};
use async_graphql::{Value, Variables};
use std::collections::HashMap;

/// Expected length of a list field that is not a connection (an event's targets, a
/// recipe's lines, a package's items): such lists are short by nature, but not free.
/// Deep screens nest many of them (event → assignments → items → components → recipe →
/// lines → lots), so the factor compounds; 2 keeps such screens well inside the default
/// limit while page sizes, which a caller chooses, are counted in full.
pub const LIST_FACTOR: u64 = 2;

/// The return type of one field, as far as cost is concerned.
#[derive(Debug, Clone)]
pub(super) struct FieldShape {
    /// The named type the field returns (lists unwrapped).
    pub(super) target: String,
    /// Whether the field returns a list.
    pub(super) list: bool,
    /// Whether it is a Relay connection (its type name ends with `Connection`).
    pub(super) connection: bool,
}

/// The fields of every output type of the schema, read once from its SDL, plus the
/// introspection types and the average length of each introspection list.
#[derive(Debug, Clone)]
pub struct SchemaShape {
    types: HashMap<String, HashMap<String, FieldShape>>,
    /// The query, mutation and subscription root types, in that order.
    pub(super) roots: [String; 3],
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

    /// The shape of `parent.name`, when the schema has such a field.
    pub(super) fn field(&self, parent: &str, name: &str) -> Option<&FieldShape> {
        self.types.get(parent)?.get(name)
    }

    /// Expected length of a plain list field (not inside a connection), in thousandths.
    pub(super) fn list_length(&self, parent: &str, field: &Field, vars: &Variables) -> u64 {
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
