//! Reading production and assembly runs: lists with filters (newest first) and the batch
//! lookups behind the DataLoaders.

use super::{Page, Window};
use crate::db::schema::{assembly_runs, production_runs};
use crate::db::Db;
use crate::db_run;
use crate::error::AppResult;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub use crate::db::models::{
    AssemblyConsumption, AssemblyRun, ProductionConsumption, ProductionRun,
};

/// Which runs a list shows. Every field narrows the list; none given means all runs.
#[derive(Debug, Clone, Default)]
pub struct RunFilter {
    /// Only runs attributed to this event.
    pub event_id: Option<i64>,
    /// Only runs of this recipe (production) or finished good (assembly).
    pub subject_id: Option<i64>,
    /// Only runs of this finished unit (production).
    pub finished_unit_id: Option<i64>,
    /// `true`: only runs without an event; `false`: only runs with one.
    pub standalone: Option<bool>,
    /// Only runs at or after this time.
    pub after: Option<NaiveDateTime>,
    /// Only runs before this time.
    pub before: Option<NaiveDateTime>,
}

/// One page of production runs, newest first.
pub async fn production_runs(
    db: &Db,
    filter: &RunFilter,
    pick: impl FnOnce(i64) -> Window,
) -> AppResult<Page<ProductionRun>> {
    db_run!(db, |conn| {
        let build = || {
            let mut query = production_runs::table.into_boxed();
            if let Some(id) = filter.event_id {
                query = query.filter(production_runs::event_id.eq(id));
            }
            if let Some(id) = filter.subject_id {
                query = query.filter(production_runs::recipe_id.eq(id));
            }
            if let Some(id) = filter.finished_unit_id {
                query = query.filter(production_runs::finished_unit_id.eq(id));
            }
            match filter.standalone {
                Some(true) => query = query.filter(production_runs::event_id.is_null()),
                Some(false) => query = query.filter(production_runs::event_id.is_not_null()),
                None => {}
            }
            if let Some(t) = filter.after {
                query = query.filter(production_runs::produced_at.ge(t));
            }
            if let Some(t) = filter.before {
                query = query.filter(production_runs::produced_at.lt(t));
            }
            query
        };
        let total: i64 = build().count().get_result(conn).await?;
        let window = pick(total);
        let rows = build()
            .order((
                production_runs::produced_at.desc(),
                production_runs::id.desc(),
            ))
            .offset(window.offset)
            .limit(window.limit)
            .select(ProductionRun::as_select())
            .load(conn)
            .await?;
        Ok(Page { rows, total })
    })
}

/// One page of assembly runs, newest first.
pub async fn assembly_runs(
    db: &Db,
    filter: &RunFilter,
    pick: impl FnOnce(i64) -> Window,
) -> AppResult<Page<AssemblyRun>> {
    db_run!(db, |conn| {
        let build = || {
            let mut query = assembly_runs::table.into_boxed();
            if let Some(id) = filter.event_id {
                query = query.filter(assembly_runs::event_id.eq(id));
            }
            if let Some(id) = filter.subject_id {
                query = query.filter(assembly_runs::finished_good_id.eq(id));
            }
            match filter.standalone {
                Some(true) => query = query.filter(assembly_runs::event_id.is_null()),
                Some(false) => query = query.filter(assembly_runs::event_id.is_not_null()),
                None => {}
            }
            if let Some(t) = filter.after {
                query = query.filter(assembly_runs::assembled_at.ge(t));
            }
            if let Some(t) = filter.before {
                query = query.filter(assembly_runs::assembled_at.lt(t));
            }
            query
        };
        let total: i64 = build().count().get_result(conn).await?;
        let window = pick(total);
        let rows = build()
            .order((assembly_runs::assembled_at.desc(), assembly_runs::id.desc()))
            .offset(window.offset)
            .limit(window.limit)
            .select(AssemblyRun::as_select())
            .load(conn)
            .await?;
        Ok(Page { rows, total })
    })
}

crate::rows_by_ids!(
    /// Production runs by primary key (one query).
    production_runs_by_ids,
    production_runs,
    ProductionRun
);

crate::rows_by_ids!(
    /// Assembly runs by primary key (one query).
    assembly_runs_by_ids,
    assembly_runs,
    AssemblyRun
);

crate::rows_by_parent_ids!(
    /// Consumption records of many production runs, in the order they were drawn.
    production_consumptions_by_run_ids,
    production_consumptions,
    ProductionConsumption,
    production_run_id,
    (production_consumptions::id)
);

crate::rows_by_parent_ids!(
    /// Consumption records of many assembly runs, in the order they were drawn.
    assembly_consumptions_by_run_ids,
    assembly_consumptions,
    AssemblyConsumption,
    assembly_run_id,
    (assembly_consumptions::id)
);

/// Production runs with an id above `after_id` (optionally of one event), oldest first:
/// what a `productionRecorded` subscriber has not seen yet.
pub async fn production_runs_after(
    db: &Db,
    after_id: i64,
    event_id: Option<i64>,
) -> AppResult<Vec<ProductionRun>> {
    db_run!(db, |conn| {
        let mut query = production_runs::table
            .filter(production_runs::id.gt(after_id))
            .into_boxed();
        if let Some(event_id) = event_id {
            query = query.filter(production_runs::event_id.eq(event_id));
        }
        Ok(query
            .order(production_runs::id.asc())
            .limit(1000)
            .select(ProductionRun::as_select())
            .load(conn)
            .await?)
    })
}

/// The highest production run id so far (0 when there are none).
pub async fn max_production_run_id(db: &Db) -> AppResult<i64> {
    db_run!(db, |conn| {
        Ok(production_runs::table
            .select(diesel::dsl::max(production_runs::id))
            .first::<Option<i64>>(conn)
            .await?
            .unwrap_or(0))
    })
}
