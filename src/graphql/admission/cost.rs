//! The estimated cost of an operation (SPEC §4.3): a field costs 1 plus its selection; a
//! connection field costs 1 plus its page size (`first`/`last`, default [`DEFAULT_PAGE`])
//! times the selection of its `edges`/`nodes`; any other list costs 1 plus its expected
//! length times the cost of one item (see [`SchemaShape`]'s list lengths). Fragments are
//! costed once each (memoized), so nested spreads cannot blow the walk up.

use super::shape::SchemaShape;
use crate::graphql::connection::DEFAULT_PAGE;
use async_graphql::parser::types::{ExecutableDocument, Field, Selection, SelectionSet};
use async_graphql::{Value, Variables};
use std::collections::HashMap;

/// An argument's value, with variables replaced by the values the request gives them.
pub(super) fn argument(field: &Field, name: &str, vars: &Variables) -> Option<Value> {
    let value = field.get_argument(name)?;
    value
        .node
        .clone()
        .into_const_with(|variable| vars.get(&variable).cloned().ok_or(()))
        .ok()
}

/// Computes the cost of an operation (see the module docs).
pub(super) struct Coster<'a> {
    shape: &'a SchemaShape,
    document: &'a ExecutableDocument,
    variables: &'a Variables,
    fragments: HashMap<(&'a str, Option<u64>), u64>,
    visiting: Vec<&'a str>,
    /// Page sizes of the connections being walked, innermost last.
    pages: Vec<u64>,
}

impl<'a> Coster<'a> {
    /// A coster for the operations of `document`, with the request's `variables`.
    pub(super) fn new(
        shape: &'a SchemaShape,
        document: &'a ExecutableDocument,
        variables: &'a Variables,
    ) -> Coster<'a> {
        Coster {
            shape,
            document,
            variables,
            fragments: HashMap::new(),
            visiting: Vec::new(),
            pages: Vec::new(),
        }
    }
}

impl<'a> Coster<'a> {
    /// The cost of `set`, selected on the type named `parent`.
    pub(super) fn selection_set(&mut self, set: &'a SelectionSet, parent: &str) -> u64 {
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
