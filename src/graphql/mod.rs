//! The GraphQL schema: one module per area, merged into the query and mutation roots.
//! Resolvers stay thin: they decode ids, call the store, and load relations through the
//! per-request [`loaders`].

pub mod admission;
pub mod changes;
pub mod connection;
pub mod context;
pub mod direct;
pub mod enums;
pub mod error;
pub mod events;
pub mod feed;
pub mod field_order;
pub mod goods;
pub mod ids;
pub mod lexer;
pub mod loaders;
pub mod node;
pub mod nulls;
pub mod pantry;
pub mod planning;
pub mod production;
pub mod progress;
pub mod recipes;
pub mod request_wake;
pub mod scalars;
pub mod subscriptions;
pub mod targets;
pub mod tokens;
pub mod transfer;

use crate::db::Db;
use async_graphql::{MergedObject, Schema, SimpleObject, ID};

/// Result of every `delete…` mutation.
#[derive(SimpleObject)]
pub struct DeletePayload {
    /// The global id of the deleted entity.
    pub deleted_id: ID,
}

/// The query root.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    node::NodeQuery,
    pantry::PantryQuery,
    recipes::RecipesQuery,
    goods::GoodsQuery,
    events::EventsQuery,
    production::RunsQuery,
    progress::ProgressQuery,
    transfer::TransferQuery,
    tokens::TokensQuery,
);

/// The mutation root.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    pantry::PantryMutation,
    recipes::RecipesMutation,
    goods::GoodsMutation,
    events::EventsMutation,
    production::ProductionMutation,
    targets::TargetsMutation,
    planning::PlanningMutation,
    transfer::TransferMutation,
    tokens::TokensMutation,
);

/// The complete schema type.
pub type BakeplanSchema = Schema<QueryRoot, MutationRoot, subscriptions::SubscriptionRoot>;

/// Limits applied to every request.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum selection depth.
    pub max_depth: usize,
    /// Maximum estimated cost of an operation, computed by [`admission`] from the document
    /// before validation (async-graphql's own complexity limit is not set): a field costs 1
    /// plus its selection, and a list 1 plus one item's cost times its expected length. For
    /// a connection's `edges` and `nodes` that length is the page asked for (`first`/`last`,
    /// else the default page); its other fields (`pageInfo`, `totalCount`) are not multiplied.
    pub max_complexity: u64,
    /// Largest document, in bytes.
    pub max_document_bytes: usize,
    /// Most lexical tokens in one document.
    pub max_document_tokens: usize,
    /// Most selections written in one document.
    pub max_document_selections: usize,
    /// How often subscriptions re-read the database to hear other server instances.
    pub poll_interval: std::time::Duration,
    /// Largest document `importData` accepts, in bytes of JSON.
    pub max_import_bytes: usize,
}

/// Default of [`Limits::max_import_bytes`] (`--max-import-bytes`): 64 MiB.
pub const DEFAULT_MAX_IMPORT_BYTES: usize = 64 * 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_depth: 15,
            max_complexity: admission::DocumentLimits::default().max_complexity,
            max_document_bytes: admission::DocumentLimits::default().max_bytes,
            max_document_tokens: admission::DocumentLimits::default().max_tokens,
            max_document_selections: admission::DocumentLimits::default().max_selections,
            poll_interval: std::time::Duration::from_secs(1),
            max_import_bytes: DEFAULT_MAX_IMPORT_BYTES,
        }
    }
}

impl Limits {
    /// The limits checked before a document is validated.
    pub fn document(&self) -> admission::DocumentLimits {
        admission::DocumentLimits {
            max_bytes: self.max_document_bytes,
            max_tokens: self.max_document_tokens,
            max_selections: self.max_document_selections,
            max_complexity: self.max_complexity,
        }
    }
}

/// Builds the schema; `db` is available to every resolver. No extension is registered:
/// with any, async-graphql runs the extension chain for every field of every response, so
/// codes, field order, metrics and logs are done around execution by `http::gateway`.
pub fn build_schema(db: Option<Db>, limits: Limits) -> BakeplanSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        subscriptions::SubscriptionRoot,
    )
    .limit_depth(limits.max_depth)
    .data(transfer::MaxImportBytes(limits.max_import_bytes));
    if let Some(db) = db {
        builder = builder
            .data(db)
            .data(feed::ChangeFeed::new(limits.poll_interval));
    }
    builder.finish()
}

/// The SDL of the schema, with types and fields sorted, as committed in `schema.graphql`.
/// It includes `@specifiedBy` on the scalars that have it, as introspection does, so the
/// file equals what clients introspect (checked by `clients/test/schema.test.js`).
pub fn sdl() -> String {
    build_schema(None, Limits::default()).sdl_with_options(
        async_graphql::SDLExportOptions::new()
            .sorted_fields()
            .sorted_enum_items()
            .include_specified_by(),
    )
}
