//! GraphQL enums, mirroring the domain vocabularies of `domain::kinds`.

use crate::domain::kinds;
use async_graphql::Enum;

/// How a finished unit relates to a batch of its recipe.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "kinds::YieldMode")]
pub enum YieldMode {
    /// A batch yields `itemsPerBatch` pieces.
    DiscreteCount,
    /// A piece is `batchPercentage` percent of a batch (a cake is 100%).
    BatchPortion,
}

/// What kind of assembled item a finished good is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "kinds::AssemblyType")]
pub enum AssemblyType {
    /// A gift box.
    GiftBox,
    /// A variety pack.
    VarietyPack,
    /// A holiday set.
    HolidaySet,
    /// A bulk pack.
    BulkPack,
    /// A custom order.
    CustomOrder,
}

/// What a finished good component is.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "kinds::ComponentKind")]
pub enum ComponentKind {
    /// A finished unit × a whole quantity.
    FinishedUnit,
    /// Another finished good × a whole quantity.
    FinishedGood,
    /// A packaging ingredient × a decimal quantity in its unit.
    Packaging,
}

/// Where an assignment is in the fulfillment workflow: PENDING → READY → DELIVERED.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "kinds::FulfillmentStatus")]
pub enum FulfillmentStatus {
    /// Not ready yet.
    Pending,
    /// Packed and ready.
    Ready,
    /// Delivered (final).
    Delivered,
}

/// Parses a stored enum text; stored values are always valid (a CHECK constraint holds them).
pub fn stored<T: std::str::FromStr<Err = String>>(text: &str) -> T {
    text.parse()
        .unwrap_or_else(|e: String| panic!("invalid stored value: {e}"))
}
