//! Finished goods (assembled items) and packages (what one recipient receives).

use super::enums::{stored, AssemblyType};
use super::ids;
use super::scalars::{utc, Decimal};
use crate::store::{finished_goods as good_store, packages as package_store};
use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

/// An assembled item: a gift box, a variety pack.
pub struct FinishedGood(pub good_store::FinishedGood);

#[Object]
impl FinishedGood {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("FinishedGood", self.0.id)
    }
    /// Unique URL-safe name.
    async fn slug(&self) -> &str {
        &self.0.slug
    }
    /// Display name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What kind of assembly it is.
    async fn assembly_type(&self) -> AssemblyType {
        stored::<crate::domain::kinds::AssemblyType>(&self.0.assembly_type).into()
    }
    /// Free text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// How to pack it.
    async fn packaging_instructions(&self) -> Option<&str> {
        self.0.packaging_instructions.as_deref()
    }
    /// Items in stock.
    async fn inventory_count(&self) -> i32 {
        self.0.inventory_count
    }
    /// Moving weighted average cost of one item over its assembly runs.
    async fn average_unit_cost(&self) -> Decimal {
        Decimal::unit_price(self.0.average_unit_cost)
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// What one recipient receives: finished goods and how many of each.
pub struct Package(pub package_store::Package);

#[Object]
impl Package {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Package", self.0.id)
    }
    /// Unique name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Free text description.
    async fn description(&self) -> Option<&str> {
        self.0.description.as_deref()
    }
    /// A template to copy from rather than a package given as is.
    async fn is_template(&self) -> bool {
        self.0.is_template
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}
