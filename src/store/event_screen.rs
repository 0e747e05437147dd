//! One event's screen in one statement: the event, its production targets in brief with
//! their run totals, and, when asked for, its assignments counted by fulfillment status.
//!
//! The same rows come from three statements otherwise (the event, its targets, its
//! packages; see [`targets::production_target_briefs_by_event_ids`] and
//! [`progress::package_status_by_event_ids`]). Pipelined on one connection those still
//! cost PostgreSQL three bind-execute-sync rounds, each its own implicit transaction: side
//! by side, PostgreSQL spent 0.27 ms of CPU on one event's screen in three statements and
//! 0.14 ms in this one (`docs/benchmarks.md`, "One event in one statement").
//!
//! [`targets::production_target_briefs_by_event_ids`]: super::targets::production_target_briefs_by_event_ids
//! [`progress::package_status_by_event_ids`]: super::progress::package_status_by_event_ids

use super::progress::RunTotals;
use super::targets::{sums_after_runs, ProductionTargetBrief, TargetsWithTotals};
use crate::db::models::Event;
use crate::db::schema::events;
use crate::db::Reads;
use crate::domain::progress::StatusCounts;
use crate::error::{AppError, AppResult};
use diesel::backend::Backend;
use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::serialize::ToSql;
use diesel::sql_types::{BigInt, Integer, Nullable, Text};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;

/// An event as its screen reads it.
pub struct EventScreen {
    /// The event.
    pub event: Event,
    /// Its production targets (target order) with their run totals, by its id.
    pub production: TargetsWithTotals<ProductionTargetBrief>,
    /// Its assignments by status, by its id, when they were counted.
    pub packages: HashMap<i64, StatusCounts>,
}

/// The SQL type of one row: the event, its three status counts, then one target in brief
/// and its totals (all null for an event without targets; zeros for a target without
/// runs).
type ScreenRow = (
    <events::table as diesel::query_builder::AsQuery>::SqlType,
    (BigInt, BigInt, BigInt),
    Nullable<(BigInt, BigInt, BigInt, Integer, Text)>,
    Nullable<(BigInt, BigInt, BigInt)>,
);

/// A row as decoded.
type Screen = (
    Event,
    (i64, i64, i64),
    Option<ProductionTargetBrief>,
    Option<(i64, i64, i64)>,
);

/// The statement over one event (its id bound twice when the assignments are counted).
/// Bound as a plain `BIGINT`, not in an array as the batched reads are: PostgreSQL keeps
/// planning a statement over an array parameter anew at each run (its generic plan,
/// blind to the array's length, looks dearer than the custom ones), which cost more than
/// the two statements this one saves.
struct ScreenQuery {
    id: i64,
    count_packages: bool,
}

/// The event's row, with its counts (`p`, or zeros) beside it.
const EVENT: &str = "SELECT e.id, e.uuid, e.created_at, e.updated_at, e.name, e.event_date, \
    e.year, e.notes, ";

/// The counts, up to the event's id.
const COUNTS: &str = "p.pending, p.ready, p.delivered FROM events e CROSS JOIN (SELECT \
      count(*) FILTER (WHERE a.fulfillment_status = 'PENDING') AS pending, \
      count(*) FILTER (WHERE a.fulfillment_status = 'READY') AS ready, \
      count(*) FILTER (WHERE a.fulfillment_status = 'DELIVERED') AS delivered \
    FROM event_recipient_packages a WHERE a.event_id = ";

/// No counts.
const ZEROS: &str = "CAST(0 AS BIGINT) AS pending, CAST(0 AS BIGINT) AS ready, \
    CAST(0 AS BIGINT) AS delivered FROM events e";

/// The targets (with their copies of their totals) and their recipes' names joined to the
/// event's row.
const TARGETS: &str = ") e LEFT JOIN event_production_targets t ON t.event_id = e.id \
    LEFT JOIN recipes r ON r.id = t.recipe_id \
    ORDER BY t.id";

impl ScreenQuery {
    /// The statement; `fence` keeps the event's row, with its counts, a subquery of its
    /// own that the database computes once: otherwise PostgreSQL joins the counting last
    /// and runs it again for every target (a third of the statement's time).
    fn walk<'b, DB: Backend>(&'b self, mut out: AstPass<'_, 'b, DB>, fence: &str) -> QueryResult<()>
    where
        i64: ToSql<BigInt, DB>,
    {
        out.push_sql(
            "SELECT e.id, e.uuid, e.created_at, e.updated_at, e.name, e.event_date, \
            e.year, e.notes, e.pending, e.ready, e.delivered, t.id, t.event_id, t.recipe_id, \
            t.target_batches, r.name, t.run_count, t.num_batches, t.actual_yield FROM (",
        );
        out.push_sql(EVENT);
        if self.count_packages {
            out.push_sql(COUNTS);
            out.push_bind_param::<BigInt, i64>(&self.id)?;
            out.push_sql(") p");
        } else {
            out.push_sql(ZEROS);
        }
        out.push_sql(" WHERE e.id = ");
        out.push_bind_param::<BigInt, i64>(&self.id)?;
        out.push_sql(fence);
        out.push_sql(TARGETS);
        Ok(())
    }
}

impl QueryId for ScreenQuery {
    type QueryId = ();
    // Two texts, with and without the counts: cached by their text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl Query for ScreenQuery {
    type SqlType = ScreenRow;
}

impl QueryFragment<Pg> for ScreenQuery {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        self.walk(out, " OFFSET 0")
    }
}

impl QueryFragment<Sqlite> for ScreenQuery {
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        // SQLite has no OFFSET without a LIMIT; -1 is none.
        self.walk(out, " LIMIT -1 OFFSET 0")
    }
}

/// The event `id` with its production targets in brief and their totals, and its
/// assignments by status when `count_packages`; `None` when there is no such event.
pub async fn event_screen(
    reads: impl Into<Reads<'_>>,
    id: i64,
    count_packages: bool,
) -> AppResult<Option<EventScreen>> {
    let reads: Reads<'_> = reads.into();
    let query = ScreenQuery { id, count_packages };
    let rows: Vec<Screen> =
        crate::db_read!(reads, |conn| query.load(conn).await.map_err(AppError::from))?;
    let mut rows = rows.into_iter();
    let Some((event, (pending, ready, delivered), first, first_totals)) = rows.next() else {
        return Ok(None);
    };
    let after_runs = |sums| {
        sums_after_runs(sums).map(|(runs, amount, yielded)| RunTotals {
            runs,
            amount,
            yielded,
        })
    };
    let targets: Vec<_> = first
        .map(|target| (target, first_totals.and_then(after_runs)))
        .into_iter()
        .chain(rows.filter_map(|(_, _, target, sums)| Some((target?, sums.and_then(after_runs)))))
        .collect();
    let mut production = HashMap::new();
    if !targets.is_empty() {
        production.insert(event.id, targets);
    }
    let mut packages = HashMap::new();
    if count_packages {
        packages.insert(
            event.id,
            StatusCounts {
                pending,
                ready,
                delivered,
            },
        );
    }
    Ok(Some(EventScreen {
        event,
        production,
        packages,
    }))
}
