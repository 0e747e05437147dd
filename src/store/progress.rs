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
use crate::db::{Db, Reads};
use crate::db_run;
use crate::domain::kinds::FulfillmentStatus;
use crate::domain::progress::{EventProgress, StatusCounts, TargetProgress};
use crate::error::{AppError, AppResult};
use crate::store::targets::{
    self, AssemblyTargetBrief, EventAssemblyTarget, EventProductionTarget, ProductionTargetBrief,
    TargetsWithTotals,
};
use diesel::dsl::count_star;
use diesel::prelude::*;
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
    reads: impl Into<Reads<'_>>,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, StatusCounts>> {
    let rows: Vec<(i64, String, i64)> = crate::db_read!(reads, |conn| crate::with_ids_filter!(
        event_ids,
        erp::event_id,
        |by_event| erp::table
            .filter(by_event)
            .group_by((erp::event_id, erp::fulfillment_status))
            .select((erp::event_id, erp::fulfillment_status, count_star()))
            .load(conn)
            .await
            .map_err(AppError::from)
    ))?;
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

/// Per event: its overall progress (SPEC §1.6), in three statements for all the events —
/// production targets with their run totals, assembly targets with theirs, and the
/// assignments by status. Every asked-for event gets an entry.
pub async fn event_progress_by_event_ids(
    db: &Db,
    event_ids: &[i64],
) -> AppResult<HashMap<i64, EventProgress>> {
    if event_ids.is_empty() {
        return Ok(HashMap::new());
    }
    let (production, assembly, packages) = futures::try_join!(
        targets::production_targets_with_totals_by_event_ids(db, event_ids),
        targets::assembly_targets_with_totals_by_event_ids(db, event_ids),
        package_status_by_event_ids(db, event_ids),
    )?;
    Ok(progress_of_events(
        event_ids,
        &production,
        &assembly,
        &packages,
    ))
}

/// A target read for progress: how much of its subject its event needs (batches of a
/// recipe, or finished goods).
pub trait Goal {
    /// The amount the event needs.
    fn goal(&self) -> i32;
}

impl Goal for EventProductionTarget {
    fn goal(&self) -> i32 {
        self.target_batches
    }
}

impl Goal for ProductionTargetBrief {
    fn goal(&self) -> i32 {
        self.target_batches
    }
}

impl Goal for EventAssemblyTarget {
    fn goal(&self) -> i32 {
        self.target_quantity
    }
}

impl Goal for AssemblyTargetBrief {
    fn goal(&self) -> i32 {
        self.target_quantity
    }
}

/// Each event's progress (SPEC §1.6) from its targets read with their totals and its
/// assignments by status; every event gets an entry.
pub fn progress_of_events<P: Goal, A: Goal>(
    event_ids: &[i64],
    production: &TargetsWithTotals<P>,
    assembly: &TargetsWithTotals<A>,
    packages: &HashMap<i64, StatusCounts>,
) -> HashMap<i64, EventProgress> {
    fn done<T: Goal>(targets: Option<&Vec<(T, Option<RunTotals>)>>) -> Vec<TargetProgress> {
        targets
            .into_iter()
            .flatten()
            .map(|(target, totals)| TargetProgress {
                target: i64::from(target.goal()),
                done: totals.map_or(0, |totals| totals.amount),
            })
            .collect()
    }
    event_ids
        .iter()
        .map(|&event_id| {
            let progress = EventProgress::new(
                done(production.get(&event_id)),
                done(assembly.get(&event_id)),
                packages.get(&event_id).copied().unwrap_or_default(),
            );
            (event_id, progress)
        })
        .collect()
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
