//! What a planned operation selects: one enum of known fields per GraphQL type, each field
//! with the JSON text of its response key.

use crate::graphql::connection::ValidPage;
use crate::store::events::{Event, EventFilter};
use crate::store::runs::ProductionRun;

/// One selected field: its response key (alias or name) as JSON text followed by `:`, and
/// what to write there.
pub struct Field<K> {
    /// `"key":`, ready to copy into the answer.
    pub key: String,
    /// What the field is.
    pub kind: K,
}

/// The fields selected on one object, in query order.
pub type Fields<K> = Vec<Field<K>>;

/// A field of `QueryRoot`.
pub enum RootField {
    /// `__typename`.
    Typename,
    /// `events(…)`.
    Events {
        /// The page its pagination arguments ask for.
        page: ValidPage<Event>,
        /// `year` and `upcoming`.
        filter: EventFilter,
        /// What is selected on the `EventConnection`.
        fields: Fields<ConnectionField<EventField>>,
    },
    /// `node(id:)` for an event's id.
    Node {
        /// The event's primary key.
        id: i64,
        /// What is selected on it.
        fields: Fields<EventField>,
    },
}

/// A field of a connection whose nodes are selected with `N`.
pub enum ConnectionField<N> {
    /// `__typename`.
    Typename,
    /// `totalCount`.
    TotalCount,
    /// `nodes`.
    Nodes(Fields<N>),
    /// `edges`.
    Edges(Fields<EdgeField<N>>),
    /// `pageInfo`.
    PageInfo(Fields<PageInfoField>),
}

/// A field of an edge.
pub enum EdgeField<N> {
    /// `__typename`.
    Typename,
    /// `cursor`.
    Cursor,
    /// `node`.
    Node(Fields<N>),
}

/// A field of `PageInfo`.
#[derive(Clone, Copy)]
pub enum PageInfoField {
    /// `__typename`.
    Typename,
    /// `hasPreviousPage`.
    HasPreviousPage,
    /// `hasNextPage`.
    HasNextPage,
    /// `startCursor`.
    StartCursor,
    /// `endCursor`.
    EndCursor,
}

/// A field of `Event`.
pub enum EventField {
    /// `__typename`.
    Typename,
    /// `id`.
    Id,
    /// `name`.
    Name,
    /// `eventDate`.
    EventDate,
    /// `year`.
    Year,
    /// `notes`.
    Notes,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
    /// `progress`.
    Progress(Fields<EventProgressField>),
    /// `productionTargets`.
    ProductionTargets(Fields<ProductionTargetField>),
    /// `assemblyTargets`.
    AssemblyTargets(Fields<AssemblyTargetField>),
}

/// A field of `EventProgress`.
#[derive(Clone, Copy)]
pub enum EventProgressField {
    /// `__typename`.
    Typename,
    /// `productionTargetsCount`.
    ProductionTargetsCount,
    /// `productionCompleteCount`.
    ProductionCompleteCount,
    /// `productionComplete`.
    ProductionComplete,
    /// `assemblyTargetsCount`.
    AssemblyTargetsCount,
    /// `assemblyCompleteCount`.
    AssemblyCompleteCount,
    /// `assemblyComplete`.
    AssemblyComplete,
    /// `packagesPending`.
    PackagesPending,
    /// `packagesReady`.
    PackagesReady,
    /// `packagesDelivered`.
    PackagesDelivered,
    /// `packagesTotal`.
    PackagesTotal,
    /// `isComplete`.
    IsComplete,
}

/// A field of `EventProductionTarget`.
pub enum ProductionTargetField {
    /// `__typename`.
    Typename,
    /// `id`.
    Id,
    /// `targetBatches`.
    TargetBatches,
    /// `notes`.
    Notes,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
    /// `recipe`.
    Recipe(Fields<RecipeField>),
    /// `progress`.
    Progress(Fields<TargetProgressField>),
    /// `productionRuns(first:)`, the first page only.
    ProductionRuns {
        /// The page its `first` asks for.
        page: ValidPage<ProductionRun>,
        /// What is selected on the `ProductionRunConnection`.
        fields: Fields<ConnectionField<ProductionRunField>>,
    },
}

/// A field of `EventAssemblyTarget`.
pub enum AssemblyTargetField {
    /// `__typename`.
    Typename,
    /// `id`.
    Id,
    /// `targetQuantity`.
    TargetQuantity,
    /// `notes`.
    Notes,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
    /// `finishedGood`.
    FinishedGood(Fields<FinishedGoodField>),
    /// `progress`.
    Progress(Fields<TargetProgressField>),
}

/// A field of `ProductionProgress` or `AssemblyProgress`, which say the same things about
/// their kind of target under different names.
#[derive(Clone, Copy)]
pub enum TargetProgressField {
    /// `__typename`.
    Typename,
    /// `targetBatches` / `targetQuantity`.
    Target,
    /// `producedBatches` / `assembledQuantity`.
    Done,
    /// `producedYield` (production only).
    Yielded,
    /// `remainingBatches` / `remainingQuantity`.
    Remaining,
    /// `progressPercent`.
    ProgressPercent,
    /// `isComplete`.
    IsComplete,
}

/// A field of `Recipe`.
#[derive(Clone, Copy)]
pub enum RecipeField {
    /// `__typename`.
    Typename,
    /// `id`.
    Id,
    /// `uuid`.
    Uuid,
    /// `name`.
    Name,
    /// `category`.
    Category,
    /// `yieldQuantity`.
    YieldQuantity,
    /// `yieldUnit`.
    YieldUnit,
    /// `yieldDescription`.
    YieldDescription,
    /// `estimatedMinutes`.
    EstimatedMinutes,
    /// `source`.
    Source,
    /// `notes`.
    Notes,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
}

/// A field of `FinishedGood`.
#[derive(Clone, Copy)]
pub enum FinishedGoodField {
    /// `__typename`.
    Typename,
    /// `id`.
    Id,
    /// `slug`.
    Slug,
    /// `name`.
    Name,
    /// `assemblyType`.
    AssemblyType,
    /// `description`.
    Description,
    /// `packagingInstructions`.
    PackagingInstructions,
    /// `inventoryCount`.
    InventoryCount,
    /// `averageUnitCost`.
    AverageUnitCost,
    /// `notes`.
    Notes,
    /// `createdAt`.
    CreatedAt,
    /// `updatedAt`.
    UpdatedAt,
}

/// A field of `ProductionRun`.
#[derive(Clone, Copy)]
pub enum ProductionRunField {
    /// `__typename`.
    Typename,
    /// `id`.
    Id,
    /// `numBatches`.
    NumBatches,
    /// `expectedYield`.
    ExpectedYield,
    /// `actualYield`.
    ActualYield,
    /// `producedAt`.
    ProducedAt,
    /// `notes`.
    Notes,
    /// `totalIngredientCost`.
    TotalIngredientCost,
    /// `perUnitCost`.
    PerUnitCost,
    /// `recordedBy`.
    RecordedBy,
    /// `createdAt`.
    CreatedAt,
}
