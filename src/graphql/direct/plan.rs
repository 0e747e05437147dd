//! Reading an operation into a [`Plan`], or `None` when it is not plainly valid and made
//! only of fields this executor knows.
//!
//! The checks stand in for validation, so they are strict: a document passes only when
//! each rule async-graphql would apply is visibly met. Exactly one operation, a query, no
//! directives, no fragment definitions; inline fragments only on the type itself (or on
//! `Event` under `node`); no response key twice in one selection (merging is not worth
//! the risk); every argument known, of the right type, and given once; every variable
//! defined once, used, and of its argument's exact type; leaves without selections and
//! objects with one; no deeper than the schema's depth limit.

use super::selection::*;
use crate::graphql::connection::PageArgs;
use crate::graphql::ids;
use crate::store::events::EventFilter;
use crate::store::runs::ProductionRun;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, Field as AstField, OperationType, Selection,
    SelectionSet, VariableDefinition,
};
use async_graphql::{Name, Positioned, Value, Variables};

/// A planned query: its root fields in query order.
pub struct Plan {
    /// What `data` holds.
    pub fields: Fields<RootField>,
}

/// Plans the operation `operation_name` of `document` with `variables`, or gives `None`
/// to leave it to async-graphql.
pub fn plan(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
    max_depth: usize,
) -> Option<Plan> {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => operation,
        (DocumentOperations::Multiple(operations), Some(name)) if operations.len() == 1 => {
            operations.get(name)?
        }
        (DocumentOperations::Multiple(operations), None) if operations.len() == 1 => {
            operations.values().next()?
        }
        _ => return None,
    };
    let operation = &operation.node;
    if operation.ty != OperationType::Query
        || !operation.directives.is_empty()
        || !document.fragments.is_empty()
    {
        return None;
    }
    let definitions = &operation.variable_definitions;
    for (i, definition) in definitions.iter().enumerate() {
        let name = &definition.node.name.node;
        let twice = definitions[..i].iter().any(|d| d.node.name.node == *name);
        if twice || !definition.node.directives.is_empty() {
            return None;
        }
    }
    let mut planner = Planner {
        definitions,
        variables,
        used: vec![false; definitions.len()],
        max_depth,
    };
    let fields = planner.fields(
        &operation.selection_set.node,
        1,
        &["QueryRoot"],
        |p, f, d| p.root_field(f, d),
    )?;
    planner
        .used
        .iter()
        .all(|used| *used)
        .then_some(Plan { fields })
}

/// The state of planning one operation.
struct Planner<'a> {
    definitions: &'a [Positioned<VariableDefinition>],
    variables: &'a Variables,
    /// Which definitions an argument used.
    used: Vec<bool>,
    max_depth: usize,
}

/// An argument's GraphQL type, as far as this executor reads arguments.
#[derive(Clone, Copy, PartialEq)]
enum ArgType {
    Int,
    String,
    Boolean,
    Id,
}

impl ArgType {
    fn name(self) -> &'static str {
        match self {
            ArgType::Int => "Int",
            ArgType::String => "String",
            ArgType::Boolean => "Boolean",
            ArgType::Id => "ID",
        }
    }
}

/// An argument's value after coercion: `Null` when absent or null.
enum Arg {
    Null,
    Int(i32),
    String(String),
    Boolean(bool),
}

impl<'a> Planner<'a> {
    /// The fields of one selection set, with inline fragments on one of `types` (or
    /// without a type condition) flattened in.
    fn fields<K>(
        &mut self,
        set: &'a SelectionSet,
        depth: usize,
        types: &[&str],
        mut field: impl FnMut(&mut Self, &'a AstField, usize) -> Option<K>,
    ) -> Option<Fields<K>> {
        let mut out = Vec::new();
        let mut keys: Vec<&'a Name> = Vec::new();
        self.collect(set, depth, types, &mut field, &mut out, &mut keys)?;
        Some(out)
    }

    fn collect<K>(
        &mut self,
        set: &'a SelectionSet,
        depth: usize,
        types: &[&str],
        field: &mut impl FnMut(&mut Self, &'a AstField, usize) -> Option<K>,
        out: &mut Fields<K>,
        keys: &mut Vec<&'a Name>,
    ) -> Option<()> {
        if depth > self.max_depth {
            return None;
        }
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    let f = &f.node;
                    let key = &f.response_key().node;
                    if !f.directives.is_empty() || keys.contains(&key) {
                        return None;
                    }
                    keys.push(key);
                    let kind = field(self, f, depth)?;
                    out.push(Field {
                        key: format!("{}:", serde_json::to_string(key.as_str()).ok()?),
                        kind,
                    });
                }
                Selection::InlineFragment(fragment) => {
                    let fragment = &fragment.node;
                    let on = fragment
                        .type_condition
                        .as_ref()
                        .map(|c| c.node.on.node.as_str());
                    if !fragment.directives.is_empty() || on.is_some_and(|on| !types.contains(&on))
                    {
                        return None;
                    }
                    self.collect(&fragment.selection_set.node, depth, types, field, out, keys)?;
                }
                Selection::FragmentSpread(_) => return None,
            }
        }
        Some(())
    }

    /// The value of argument `name` of `f`, of type `ty` (`required`: non-null).
    fn arg(&mut self, f: &AstField, name: &str, ty: ArgType, required: bool) -> Option<Arg> {
        let Some(value) = f.get_argument(name) else {
            return (!required).then_some(Arg::Null);
        };
        let (definitions, variables, used) = (self.definitions, self.variables, &mut self.used);
        let value = value
            .node
            .clone()
            .into_const_with(|variable| {
                let index = definitions
                    .iter()
                    .position(|d| d.node.name.node == variable)
                    .ok_or(())?;
                let definition = &definitions[index].node;
                let declared = &definition.var_type.node;
                let BaseType::Named(declared_name) = &declared.base else {
                    return Err(());
                };
                // A nullable variable may fill a non-null argument only with a default.
                if declared_name.as_str() != ty.name()
                    || (required && declared.nullable && definition.default_value.is_none())
                {
                    return Err(());
                }
                used[index] = true;
                let given = variables
                    .get(&variable)
                    .or(definition.default_value.as_ref().map(|d| &d.node));
                match given {
                    Some(Value::Null) if !declared.nullable => Err(()),
                    Some(value) => Ok(value.clone()),
                    None if declared.nullable => Ok(Value::Null),
                    None => Err(()),
                }
            })
            .ok()?;
        let arg = match (value, ty) {
            (Value::Null, _) if !required => Arg::Null,
            (Value::Number(n), ArgType::Int) => Arg::Int(i32::try_from(n.as_i64()?).ok()?),
            (Value::String(s), ArgType::String | ArgType::Id) => Arg::String(s),
            (Value::Boolean(b), ArgType::Boolean) => Arg::Boolean(b),
            _ => return None,
        };
        Some(arg)
    }

    /// Reads the arguments of `f`, all of which must be among `known`.
    fn args(&mut self, f: &AstField, known: &[(&str, ArgType)]) -> Option<Vec<Arg>> {
        for (i, (name, _)) in f.arguments.iter().enumerate() {
            let twice = f.arguments[..i].iter().any(|(n, _)| n.node == name.node);
            if twice || !known.iter().any(|(k, _)| *k == name.node.as_str()) {
                return None;
            }
        }
        known
            .iter()
            .map(|(name, ty)| self.arg(f, name, *ty, false))
            .collect()
    }

    fn root_field(&mut self, f: &'a AstField, depth: usize) -> Option<RootField> {
        match f.name.node.as_str() {
            "__typename" => leaf(f, RootField::Typename),
            "events" => {
                use ArgType::*;
                let args = self.args(
                    f,
                    &[
                        ("after", String),
                        ("before", String),
                        ("first", Int),
                        ("last", Int),
                        ("year", Int),
                        ("upcoming", Boolean),
                    ],
                )?;
                let [after, before, first, last, year, upcoming] =
                    <[Arg; 6]>::try_from(args).ok()?;
                let page = PageArgs::new(string(after)?, string(before)?, int(first)?, int(last)?)
                    .validate()
                    .ok()?;
                let filter = EventFilter {
                    year: int(year)?,
                    upcoming: boolean(upcoming)?,
                    today: None,
                };
                let fields = self.object(f, depth, "EventConnection", |p, f, d| {
                    p.connection_field(f, d, "EventEdge", Self::event_field)
                })?;
                Some(RootField::Events {
                    page,
                    filter,
                    fields,
                })
            }
            "node" => {
                if f.arguments.len() != 1 {
                    return None;
                }
                let Arg::String(id) = self.arg(f, "id", ArgType::Id, true)? else {
                    return None;
                };
                let (type_name, id) = ids::decode_any(&id).ok()?;
                if type_name != "Event" || f.selection_set.node.items.is_empty() {
                    return None;
                }
                // Outside a fragment on `Event`, only the fields of the `Node` interface.
                node_fields_only(&f.selection_set.node)?;
                let fields = self.fields(
                    &f.selection_set.node,
                    depth + 1,
                    &["Event"],
                    Self::event_field,
                )?;
                Some(RootField::Node { id, fields })
            }
            _ => None,
        }
    }

    /// The fields of object field `f` of type `type_name`, which takes no arguments.
    fn object<K>(
        &mut self,
        f: &'a AstField,
        depth: usize,
        type_name: &str,
        field: impl FnMut(&mut Self, &'a AstField, usize) -> Option<K>,
    ) -> Option<Fields<K>> {
        if f.selection_set.node.items.is_empty() {
            return None;
        }
        self.fields(&f.selection_set.node, depth + 1, &[type_name], field)
    }

    /// A field of a connection type (arguments are checked by the caller).
    fn connection_field<N>(
        &mut self,
        f: &'a AstField,
        depth: usize,
        edge_type: &str,
        node: fn(&mut Self, &'a AstField, usize) -> Option<N>,
    ) -> Option<ConnectionField<N>> {
        if !f.arguments.is_empty() {
            return None;
        }
        Some(match f.name.node.as_str() {
            "__typename" => leaf(f, ConnectionField::Typename)?,
            "totalCount" => leaf(f, ConnectionField::TotalCount)?,
            "nodes" => ConnectionField::Nodes(self.object(f, depth, node_type(edge_type), node)?),
            "edges" => ConnectionField::Edges(self.object(f, depth, edge_type, |p, f, d| {
                if !f.arguments.is_empty() {
                    return None;
                }
                match f.name.node.as_str() {
                    "__typename" => leaf(f, EdgeField::Typename),
                    "cursor" => leaf(f, EdgeField::Cursor),
                    "node" => Some(EdgeField::Node(p.object(
                        f,
                        d,
                        node_type(edge_type),
                        node,
                    )?)),
                    _ => None,
                }
            })?),
            "pageInfo" => {
                ConnectionField::PageInfo(self.object(f, depth, "PageInfo", |_, f, _| {
                    leaf(
                        f,
                        match f.name.node.as_str() {
                            "__typename" => PageInfoField::Typename,
                            "hasPreviousPage" => PageInfoField::HasPreviousPage,
                            "hasNextPage" => PageInfoField::HasNextPage,
                            "startCursor" => PageInfoField::StartCursor,
                            "endCursor" => PageInfoField::EndCursor,
                            _ => return None,
                        },
                    )
                })?)
            }
            _ => return None,
        })
    }

    fn event_field(&mut self, f: &'a AstField, depth: usize) -> Option<EventField> {
        use EventField::*;
        Some(match f.name.node.as_str() {
            "progress" => {
                Progress(self.object(f, depth, "EventProgress", |_, f, _| event_progress_field(f))?)
            }
            "productionTargets" => ProductionTargets(self.object(
                f,
                depth,
                "EventProductionTarget",
                Self::production_target_field,
            )?),
            "assemblyTargets" => AssemblyTargets(self.object(
                f,
                depth,
                "EventAssemblyTarget",
                Self::assembly_target_field,
            )?),
            name => leaf(
                f,
                match name {
                    "__typename" => Typename,
                    "id" => Id,
                    "name" => Name,
                    "eventDate" => EventDate,
                    "year" => Year,
                    "notes" => Notes,
                    "createdAt" => CreatedAt,
                    "updatedAt" => UpdatedAt,
                    _ => return None,
                },
            )?,
        })
    }

    fn production_target_field(
        &mut self,
        f: &'a AstField,
        depth: usize,
    ) -> Option<ProductionTargetField> {
        use ProductionTargetField::*;
        Some(match f.name.node.as_str() {
            "recipe" => Recipe(self.object(f, depth, "Recipe", |_, f, _| recipe_field(f))?),
            "progress" => Progress(self.object(f, depth, "ProductionProgress", |_, f, _| {
                target_progress_field(f, "targetBatches", "producedBatches", "remainingBatches")
            })?),
            "productionRuns" => {
                // The first page only: other pages are read per target, not batched.
                let args = self.args(f, &[("first", ArgType::Int)])?;
                let [first] = <[Arg; 1]>::try_from(args).ok()?;
                let page = PageArgs::new(None, None, int(first)?, None)
                    .validate::<ProductionRun>()
                    .ok()?;
                if f.selection_set.node.items.is_empty() {
                    return None;
                }
                let fields = self.fields(
                    &f.selection_set.node,
                    depth + 1,
                    &["ProductionRunConnection"],
                    |p, f, d| p.connection_field(f, d, "ProductionRunEdge", Self::run_field),
                )?;
                ProductionRuns { page, fields }
            }
            name => leaf(
                f,
                match name {
                    "__typename" => Typename,
                    "id" => Id,
                    "targetBatches" => TargetBatches,
                    "notes" => Notes,
                    "createdAt" => CreatedAt,
                    "updatedAt" => UpdatedAt,
                    _ => return None,
                },
            )?,
        })
    }

    fn assembly_target_field(
        &mut self,
        f: &'a AstField,
        depth: usize,
    ) -> Option<AssemblyTargetField> {
        use AssemblyTargetField::*;
        Some(match f.name.node.as_str() {
            "finishedGood" => FinishedGood(
                self.object(f, depth, "FinishedGood", |_, f, _| finished_good_field(f))?,
            ),
            "progress" => Progress(self.object(f, depth, "AssemblyProgress", |_, f, _| {
                target_progress_field(
                    f,
                    "targetQuantity",
                    "assembledQuantity",
                    "remainingQuantity",
                )
            })?),
            name => leaf(
                f,
                match name {
                    "__typename" => Typename,
                    "id" => Id,
                    "targetQuantity" => TargetQuantity,
                    "notes" => Notes,
                    "createdAt" => CreatedAt,
                    "updatedAt" => UpdatedAt,
                    _ => return None,
                },
            )?,
        })
    }

    fn run_field(&mut self, f: &'a AstField, _depth: usize) -> Option<ProductionRunField> {
        use ProductionRunField::*;
        leaf(
            f,
            match f.name.node.as_str() {
                "__typename" => Typename,
                "id" => Id,
                "numBatches" => NumBatches,
                "expectedYield" => ExpectedYield,
                "actualYield" => ActualYield,
                "producedAt" => ProducedAt,
                "notes" => Notes,
                "totalIngredientCost" => TotalIngredientCost,
                "perUnitCost" => PerUnitCost,
                "recordedBy" => RecordedBy,
                "createdAt" => CreatedAt,
                _ => return None,
            },
        )
    }
}

/// `kind` when `f` is a leaf as GraphQL writes one: no arguments, no selection.
fn leaf<K>(f: &AstField, kind: K) -> Option<K> {
    (f.arguments.is_empty() && f.selection_set.node.items.is_empty()).then_some(kind)
}

/// The node type of a connection's edge type (`EventEdge` → `Event`).
fn node_type(edge_type: &str) -> &str {
    edge_type.strip_suffix("Edge").unwrap_or(edge_type)
}

/// Checks that the fields `node { … }` selects outside fragments on `Event` are fields of
/// the `Node` interface.
fn node_fields_only(set: &SelectionSet) -> Option<()> {
    set.items
        .iter()
        .all(|item| match &item.node {
            Selection::Field(f) => matches!(f.node.name.node.as_str(), "id" | "__typename"),
            Selection::InlineFragment(fragment) => match &fragment.node.type_condition {
                None => node_fields_only(&fragment.node.selection_set.node).is_some(),
                Some(_) => true,
            },
            Selection::FragmentSpread(_) => false,
        })
        .then_some(())
}

fn event_progress_field(f: &AstField) -> Option<EventProgressField> {
    use EventProgressField::*;
    leaf(
        f,
        match f.name.node.as_str() {
            "__typename" => Typename,
            "productionTargetsCount" => ProductionTargetsCount,
            "productionCompleteCount" => ProductionCompleteCount,
            "productionComplete" => ProductionComplete,
            "assemblyTargetsCount" => AssemblyTargetsCount,
            "assemblyCompleteCount" => AssemblyCompleteCount,
            "assemblyComplete" => AssemblyComplete,
            "packagesPending" => PackagesPending,
            "packagesReady" => PackagesReady,
            "packagesDelivered" => PackagesDelivered,
            "packagesTotal" => PackagesTotal,
            "isComplete" => IsComplete,
            _ => return None,
        },
    )
}

/// A field of a target's progress, whose target, done and remaining fields are named
/// `target`, `done` and `remaining` on this type; `producedYield` exists on production
/// progress only.
fn target_progress_field(
    f: &AstField,
    target: &str,
    done: &str,
    remaining: &str,
) -> Option<TargetProgressField> {
    use TargetProgressField::*;
    let name = f.name.node.as_str();
    let kind = match name {
        "__typename" => Typename,
        "progressPercent" => ProgressPercent,
        "isComplete" => IsComplete,
        "producedYield" if done == "producedBatches" => Yielded,
        _ if name == target => Target,
        _ if name == done => Done,
        _ if name == remaining => Remaining,
        _ => return None,
    };
    leaf(f, kind)
}

fn recipe_field(f: &AstField) -> Option<RecipeField> {
    use RecipeField::*;
    leaf(
        f,
        match f.name.node.as_str() {
            "__typename" => Typename,
            "id" => Id,
            "uuid" => Uuid,
            "name" => Name,
            "category" => Category,
            "yieldQuantity" => YieldQuantity,
            "yieldUnit" => YieldUnit,
            "yieldDescription" => YieldDescription,
            "estimatedMinutes" => EstimatedMinutes,
            "source" => Source,
            "notes" => Notes,
            "createdAt" => CreatedAt,
            "updatedAt" => UpdatedAt,
            _ => return None,
        },
    )
}

fn finished_good_field(f: &AstField) -> Option<FinishedGoodField> {
    use FinishedGoodField::*;
    leaf(
        f,
        match f.name.node.as_str() {
            "__typename" => Typename,
            "id" => Id,
            "slug" => Slug,
            "name" => Name,
            "assemblyType" => AssemblyType,
            "description" => Description,
            "packagingInstructions" => PackagingInstructions,
            "inventoryCount" => InventoryCount,
            "averageUnitCost" => AverageUnitCost,
            "notes" => Notes,
            "createdAt" => CreatedAt,
            "updatedAt" => UpdatedAt,
            _ => return None,
        },
    )
}

fn string(arg: Arg) -> Option<Option<String>> {
    match arg {
        Arg::Null => Some(None),
        Arg::String(s) => Some(Some(s)),
        _ => None,
    }
}

fn int(arg: Arg) -> Option<Option<i32>> {
    match arg {
        Arg::Null => Some(None),
        Arg::Int(n) => Some(Some(n)),
        _ => None,
    }
}

fn boolean(arg: Arg) -> Option<Option<bool>> {
    match arg {
        Arg::Null => Some(None),
        Arg::Boolean(b) => Some(Some(b)),
        _ => None,
    }
}
