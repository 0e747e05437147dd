//! The sums behind progress (SPEC §1.6): what the runs attributed to events have produced
//! and assembled, and how many of their assignments are in each fulfillment status.
//!
//! Each function answers many events in one query (the run sums come from the totals kept
//! by [`run_totals`](super::run_totals), not from aggregating runs), so a DataLoader keyed
//! by event serves a whole page of events, and every target under them, with one
//! statement per level. Only runs attributed to an event count: standalone runs (no event)
//! and other events' runs never do.

use crate::db::schema::{
    event_assembly_totals as assembled, event_production_totals as produced,
    event_recipient_packages as erp, events,
};
use crate::db::Db;
use crate::db_run;
use crate::domain::kinds::FulfillmentStatus;
use crate::domain::progress::{EventProgress, StatusCounts, TargetProgress};
use crate::error::{AppError, AppResult};
use crate::store::keyed_sql::KeyedQuery;
use diesel::dsl::count_star;
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::str::FromStr;

pub use crate::db::models::Event;

/// What the runs of one recipe (or finished good) attributed to one event add up to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunTotals {
    /// How many runs.
    pub runs: i64,
    /// Batches produced (production) or quantity assembled (assembly).
    pub amount: i64,
    /// Items yielded (production); equal to `amount` for assembly.
    pub yielded: i64,
}

/// Per event, per recipe: the sums of the production runs attributed to the event, read
/// from the maintained totals (one statement for all the events).
pub async fn produced_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, HashMap<i64, RunTotals>>> {
    let rows: Vec<(i64, i64, i64, i64, i64)> = db_run!(db, |conn| produced::table
        .filter(produced::event_id.eq_any(event_ids))
        .select((
            produced::event_id,
            produced::recipe_id,
            produced::num_batches,
            produced::actual_yield,
            produced::run_count,
        ))
        .load(conn)
        .await
        .map_err(AppError::from))?;
    let mut totals: HashMap<i64, HashMap<i64, RunTotals>> = HashMap::new();
    for (event_id, recipe_id, amount, yielded, runs) in rows {
        totals.entry(event_id).or_default().insert(
            recipe_id,
            RunTotals {
                runs,
                amount,
                yielded,
            },
        );
    }
    Ok(totals)
}

/// Per event, per finished good: the sums of the assembly runs attributed to the event,
/// read from the maintained totals (one statement for all the events).
pub async fn assembled_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, HashMap<i64, RunTotals>>> {
    let rows: Vec<(i64, i64, i64, i64)> = db_run!(db, |conn| assembled::table
        .filter(assembled::event_id.eq_any(event_ids))
        .select((
            assembled::event_id,
            assembled::finished_good_id,
            assembled::quantity,
            assembled::run_count,
        ))
        .load(conn)
        .await
        .map_err(AppError::from))?;
    let mut totals: HashMap<i64, HashMap<i64, RunTotals>> = HashMap::new();
    for (event_id, good_id, quantity, runs) in rows {
        totals.entry(event_id).or_default().insert(
            good_id,
            RunTotals {
                runs,
                amount: quantity,
                yielded: quantity,
            },
        );
    }
    Ok(totals)
}

/// Per event: how many assignments are in each fulfillment status (counting assignments,
/// not quantities; one `GROUP BY event_id, fulfillment_status` query for all the events).
pub async fn package_status_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, StatusCounts>> {
    let rows: Vec<(i64, String, i64)> = db_run!(db, |conn| erp::table
        .filter(erp::event_id.eq_any(event_ids))
        .group_by((erp::event_id, erp::fulfillment_status))
        .select((erp::event_id, erp::fulfillment_status, count_star()))
        .load(conn)
        .await
        .map_err(AppError::from))?;
    let mut counts: HashMap<i64, StatusCounts> = HashMap::new();
    for (event_id, status, count) in rows {
        let entry = counts.entry(event_id).or_default();
        match FulfillmentStatus::from_str(&status).map_err(AppError::Internal)? {
            FulfillmentStatus::Pending => entry.pending += count,
            FulfillmentStatus::Ready => entry.ready += count,
            FulfillmentStatus::Delivered => entry.delivered += count,
        }
    }
    Ok(counts)
}

/// One target of an event, `(event id, target, done)`: its goal and what the runs
/// attributed to the event have done towards it.
type TargetDone = (BigInt, BigInt, BigInt);

/// Per event: its overall progress (SPEC §1.6), in three statements for all the events —
/// production targets joined with their run totals, assembly targets joined with theirs,
/// and the assignments by status. Every asked-for event gets an entry.
pub async fn event_progress_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, EventProgress>> {
    if event_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let targets_done = |targets: &str, goal: &str, totals: &str, subject: &str, done: &str| {
        let sql = format!(
            "SELECT t.event_id, CAST(t.{goal} AS BIGINT), CAST(COALESCE(r.{done}, 0) AS BIGINT) \
             FROM {{keys}} JOIN {targets} t ON t.event_id = k.column1 \
             LEFT JOIN {totals} r ON r.event_id = t.event_id AND r.{subject} = t.{subject}"
        );
        KeyedQuery::<TargetDone>::new(&sql, event_ids.iter().map(|&id| [id]))
    };
    let production = targets_done(
        "event_production_targets",
        "target_batches",
        "event_production_totals",
        "recipe_id",
        "num_batches",
    );
    let assembly = targets_done(
        "event_assembly_targets",
        "target_quantity",
        "event_assembly_totals",
        "finished_good_id",
        "quantity",
    );
    type Rows = Vec<(i64, i64, i64)>;
    let (production, assembly): (Rows, Rows) = db_run!(db, |conn| {
        let production = production.load(conn).await?;
        let assembly = assembly.load(conn).await?;
        Ok::<_, AppError>((production, assembly))
    })?;
    let packages = package_status_by_event_ids(db, event_ids).await?;
    let progress_of = |rows: Vec<(i64, i64, i64)>| -> HashMap<i64, Vec<TargetProgress>> {
        let mut by_event: HashMap<i64, Vec<TargetProgress>> = HashMap::new();
        for (event_id, target, done) in rows {
            by_event
                .entry(event_id)
                .or_default()
                .push(TargetProgress { target, done });
        }
        by_event
    };
    let mut production = progress_of(production);
    let mut assembly = progress_of(assembly);
    Ok(event_ids
        .iter()
        .map(|&event_id| {
            let progress = EventProgress::new(
                production.remove(&event_id).unwrap_or_default(),
                assembly.remove(&event_id).unwrap_or_default(),
                packages.get(&event_id).copied().unwrap_or_default(),
            );
            (event_id, progress)
        })
        .collect())
}

/// Every event, nearest date first (then by id), for the production dashboard.
pub async fn events_by_date(db: &Db) -> AppResult<Vec<Event>> {
    db_run!(db, |conn| events::table
        .order((events::event_date.asc(), events::id.asc()))
        .select(Event::as_select())
        .load(conn)
        .await
        .map_err(AppError::from))
}

/// The overall progress of one event, or `None` when the event does not exist (any more).
pub async fn progress_of_event(db: &Db, event_id: i64) -> AppResult<Option<EventProgress>> {
    let exists: bool = db_run!(db, |conn| diesel::select(diesel::dsl::exists(
        events::table.find(event_id)
    ))
    .get_result(conn)
    .await
    .map_err(AppError::from))?;
    if !exists {
        return Ok(None);
    }
    Ok(event_progress_by_event_ids(db, &[event_id])
        .await?
        .remove(&event_id))
}
