//! Lists of production and assembly runs: their filters, pages and the `RunsQuery`.

use super::runs::{AssemblyRun, ProductionRun};
use crate::graphql::connection::{Conn, PageArgs};
use crate::graphql::context::db;
use crate::graphql::ids;
use crate::store::runs::{self as run_store, RunFilter};
use async_graphql::{Context, InputObject, Object, Result, ID};
use chrono::{DateTime, Utc};

/// Which production runs to list.
#[derive(InputObject, Default)]
pub struct ProductionRunFilter {
    /// Only runs attributed to this event.
    pub event_id: Option<ID>,
    /// Only runs of this recipe.
    pub recipe_id: Option<ID>,
    /// Only runs of this finished unit.
    pub finished_unit_id: Option<ID>,
    /// `true`: only standalone runs (no event); `false`: only runs with an event.
    pub standalone: Option<bool>,
    /// Only runs produced at or after this time.
    pub produced_after: Option<DateTime<Utc>>,
    /// Only runs produced before this time.
    pub produced_before: Option<DateTime<Utc>>,
}

/// Which assembly runs to list.
#[derive(InputObject, Default)]
pub struct AssemblyRunFilter {
    /// Only runs attributed to this event.
    pub event_id: Option<ID>,
    /// Only runs of this finished good.
    pub finished_good_id: Option<ID>,
    /// `true`: only standalone runs (no event); `false`: only runs with an event.
    pub standalone: Option<bool>,
    /// Only runs assembled at or after this time.
    pub assembled_after: Option<DateTime<Utc>>,
    /// Only runs assembled before this time.
    pub assembled_before: Option<DateTime<Utc>>,
}

impl ProductionRunFilter {
    fn decode(&self) -> Result<RunFilter> {
        Ok(RunFilter {
            event_id: ids::decode_opt(self.event_id.as_ref(), "Event")?,
            subject_id: ids::decode_opt(self.recipe_id.as_ref(), "Recipe")?,
            finished_unit_id: ids::decode_opt(self.finished_unit_id.as_ref(), "FinishedUnit")?,
            standalone: self.standalone,
            after: self.produced_after.map(|t| t.naive_utc()),
            before: self.produced_before.map(|t| t.naive_utc()),
        })
    }
}

impl AssemblyRunFilter {
    fn decode(&self) -> Result<RunFilter> {
        Ok(RunFilter {
            event_id: ids::decode_opt(self.event_id.as_ref(), "Event")?,
            subject_id: ids::decode_opt(self.finished_good_id.as_ref(), "FinishedGood")?,
            finished_unit_id: None,
            standalone: self.standalone,
            after: self.assembled_after.map(|t| t.naive_utc()),
            before: self.assembled_before.map(|t| t.naive_utc()),
        })
    }
}

/// A page of production runs, newest first (used by every `productionRuns` field).
pub async fn production_run_page(
    ctx: &Context<'_>,
    filter: RunFilter,
    page: PageArgs,
) -> Result<Conn<ProductionRun>> {
    let page = page.validate()?;
    let rows = run_store::production_runs(db(ctx), &filter, page.keyset()).await?;
    Ok(page.connection(rows, ProductionRun))
}

/// A page of assembly runs, newest first (used by every `assemblyRuns` field).
pub async fn assembly_run_page(
    ctx: &Context<'_>,
    filter: RunFilter,
    page: PageArgs,
) -> Result<Conn<AssemblyRun>> {
    let page = page.validate()?;
    let rows = run_store::assembly_runs(db(ctx), &filter, page.keyset()).await?;
    Ok(page.connection(rows, AssemblyRun))
}

/// Run queries.
#[derive(Default)]
pub struct RunsQuery;

#[Object]
impl RunsQuery {
    /// Production runs, newest first.
    async fn production_runs(
        &self,
        ctx: &Context<'_>,
        filter: Option<ProductionRunFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<ProductionRun>> {
        let filter = filter.unwrap_or_default().decode()?;
        production_run_page(ctx, filter, PageArgs::new(after, before, first, last)).await
    }

    /// Assembly runs, newest first.
    async fn assembly_runs(
        &self,
        ctx: &Context<'_>,
        filter: Option<AssemblyRunFilter>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<AssemblyRun>> {
        let filter = filter.unwrap_or_default().decode()?;
        assembly_run_page(ctx, filter, PageArgs::new(after, before, first, last)).await
    }
}
