//! `Query.exportData` and `Mutation.importData` (SPEC §1.8): the whole database as one
//! versioned JSON document, and its import in one transaction. Both become manager-only
//! once API tokens exist.

use super::context::{db, detached};
use crate::transfer;
use async_graphql::{Context, Enum, Json, Object, Result, SimpleObject};

/// The largest document `importData` accepts, in bytes of JSON (`--max-import-bytes`).
#[derive(Debug, Clone, Copy)]
pub struct MaxImportBytes(pub usize);

/// What happens to what is already in the database.
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq)]
#[graphql(remote = "crate::transfer::ImportMode")]
pub enum ImportMode {
    /// Keep existing rows; skip document entries whose natural key already exists.
    Merge,
    /// Delete everything first, in the same transaction.
    Replace,
}

/// Entries of one kind created and skipped by an import.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportKindCount {
    /// The document's array, e.g. `productionRuns`.
    pub kind: String,
    /// Entries written.
    pub created: i32,
    /// Entries skipped because their natural key already existed (MERGE).
    pub skipped: i32,
}

/// The outcome of an import.
#[derive(SimpleObject, Debug, Clone)]
pub struct ImportResult {
    /// The mode used.
    pub mode: ImportMode,
    /// Entries written, of every kind.
    pub created: i32,
    /// Entries skipped, of every kind.
    pub skipped: i32,
    /// Per kind, in document order.
    pub kinds: Vec<ImportKindCount>,
}

fn count(n: u64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// The export query.
#[derive(Default)]
pub struct TransferQuery;

#[Object]
impl TransferQuery {
    /// Everything in the database as one versioned document (`docs/export-format.md`):
    /// entities refer to each other by natural keys, decimals are exact strings, and the
    /// same data always gives the same document.
    async fn export_data(&self, ctx: &Context<'_>) -> Result<Json<serde_json::Value>> {
        let db = db(ctx).clone();
        let document = detached(async move { transfer::export(&db).await }).await?;
        let value = serde_json::to_value(document)
            .map_err(|e| crate::error::AppError::Internal(format!("export: {e}")))?;
        Ok(Json(value))
    }
}

/// The import mutation.
#[derive(Default)]
pub struct TransferMutation;

#[Object]
impl TransferMutation {
    /// Imports an export document in one transaction: any error imports nothing and names
    /// the offending entry by its path. MERGE skips entries whose natural key exists;
    /// REPLACE empties the database first. An explicit `null` mode is MERGE.
    async fn import_data(
        &self,
        ctx: &Context<'_>,
        document: Json<serde_json::Value>,
        #[graphql(default_with = "Some(ImportMode::Merge)")] mode: Option<ImportMode>,
    ) -> Result<ImportResult> {
        let limit = ctx
            .data_opt::<MaxImportBytes>()
            .map_or(usize::MAX, |limit| limit.0);
        let size = serde_json::to_vec(&document.0).map_or(usize::MAX, |bytes| bytes.len());
        if size > limit {
            return Err(crate::error::AppError::bad_input(format!(
                "the document is {size} bytes of JSON; importData accepts at most {limit} (--max-import-bytes); import it with `bakeplan import FILE` instead"
            ))
            .into());
        }
        let mode = mode.unwrap_or(ImportMode::Merge);
        let document = transfer::from_value(document.0)?;
        let db = db(ctx).clone();
        let counts =
            detached(async move { transfer::import(&db, &document, mode.into()).await }).await?;
        Ok(ImportResult {
            mode,
            created: count(counts.created()),
            skipped: count(counts.skipped()),
            kinds: counts
                .kinds
                .iter()
                .map(|(kind, created, skipped)| ImportKindCount {
                    kind: kind.to_string(),
                    created: count(*created),
                    skipped: count(*skipped),
                })
                .collect(),
        })
    }
}
