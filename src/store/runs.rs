//! Reading production and assembly runs: lists with filters (newest first) and the batch
//! lookups behind the DataLoaders.

use super::keyed_sql::KeyedQuery;
use super::{Keyed, Keyset, Page, Position};
use crate::db::schema::{assembly_runs, production_runs};
use crate::db::{Backend, Db, Reads};
use crate::db_run;
use crate::error::AppResult;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;

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
    keyset: &Keyset<ProductionRun>,
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
        Ok(crate::keyset_page!(conn, keyset, build, ProductionRun,
            sort: production_runs::produced_at, key: |k| *k, id: production_runs::id, desc))
    })
}

impl Keyed for ProductionRun {
    type Key = NaiveDateTime;
    const LIST: &'static str = "production_runs:newest";
    fn position(&self) -> Position<NaiveDateTime> {
        Position {
            key: self.produced_at,
            id: self.id,
        }
    }
}

/// One page of assembly runs, newest first.
pub async fn assembly_runs(
    db: &Db,
    filter: &RunFilter,
    keyset: &Keyset<AssemblyRun>,
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
        Ok(crate::keyset_page!(conn, keyset, build, AssemblyRun,
            sort: assembly_runs::assembled_at, key: |k| *k, id: assembly_runs::id, desc))
    })
}

impl Keyed for AssemblyRun {
    type Key = NaiveDateTime;
    const LIST: &'static str = "assembly_runs:newest";
    fn position(&self) -> Position<NaiveDateTime> {
        Position {
            key: self.assembled_at,
            id: self.id,
        }
    }
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

/// The SQL type of a whole row of a run table, in model order.
type RunRow<T> = <T as diesel::query_builder::AsQuery>::SqlType;

/// The columns of `production_runs`, in model order.
const PRODUCTION_RUN_COLUMNS: &str = "id, uuid, created_at, updated_at, recipe_id, \
    finished_unit_id, event_id, num_batches, expected_yield, actual_yield, produced_at, notes, \
    total_ingredient_cost, per_unit_cost, recorded_by";

/// The columns of `assembly_runs`, in model order.
const ASSEMBLY_RUN_COLUMNS: &str = "id, uuid, created_at, updated_at, finished_good_id, \
    event_id, quantity, assembled_at, notes, total_component_cost, per_unit_cost, recorded_by";

/// Which runs a windowed query reads: the table, the column naming the run's subject
/// (recipe or finished good) and the column it is ordered by (newest first).
struct RunTable {
    table: &'static str,
    columns: &'static str,
    subject: &'static str,
    time: &'static str,
}

/// SQL for the first `limit` runs (newest first) of many (event, subject) pairs, in one
/// [`KeyedQuery`] over the pairs (the first page of each pair's connection; later pages,
/// which start at a cursor, are read per pair by [`production_runs`] / [`assembly_runs`]).
/// Each pair's page is the start of the `(event_id, subject, time DESC, id DESC)` index, so
/// only the rows returned are read, however many runs a pair has: PostgreSQL takes them
/// with a `LATERAL` subquery per pair; SQLite, which has no `LATERAL`, with a correlated
/// `id IN (… LIMIT …)` per pair (rowid lookups). The rows come in no particular order:
/// [`pages_by_pair`] puts each page in order, which costs less than the database sorting
/// every row of every page together.
fn run_window_sql(backend: Backend, runs: &RunTable, limit: i64) -> String {
    let RunTable {
        table,
        columns,
        subject,
        time,
    } = runs;
    let page = |select: &str| {
        format!(
            "SELECT {select} FROM {table} p \
             WHERE p.event_id = k.column1 AND p.{subject} = k.column2 \
             ORDER BY p.{time} DESC, p.id DESC LIMIT {limit}"
        )
    };
    match backend {
        Backend::Postgres => format!(
            "SELECT w.* FROM {{keys}} CROSS JOIN LATERAL ({}) w",
            page(columns)
        ),
        Backend::Sqlite => format!(
            "SELECT {} FROM {{keys}} JOIN {table} r ON r.id IN ({})",
            columns
                .split(", ")
                .map(|column| format!("r.{}", column.trim()))
                .collect::<Vec<_>>()
                .join(", "),
            page("p.id")
        ),
    }
}

/// The windowed query of [`run_window_sql`] over `pairs`.
fn run_windows<ST>(
    backend: Backend,
    runs: &RunTable,
    pairs: &[(i64, i64)],
    limit: i64,
) -> KeyedQuery<ST> {
    KeyedQuery::new(
        &run_window_sql(backend, runs, limit),
        pairs.iter().map(|&(event, subject)| [event, subject]),
    )
}

/// Groups the rows of a windowed query by their (event, subject) pair, each page newest
/// first (by `time`, then id), as the list is ordered.
fn pages_by_pair<R>(
    rows: Vec<R>,
    pair: impl Fn(&R) -> Option<(i64, i64)>,
    time: impl Fn(&R) -> (NaiveDateTime, i64),
) -> HashMap<(i64, i64), Vec<R>> {
    let mut pages: HashMap<(i64, i64), Vec<R>> = HashMap::new();
    for row in rows {
        if let Some(key) = pair(&row) {
            pages.entry(key).or_default().push(row);
        }
    }
    pages
        .into_iter()
        .map(|(key, mut page)| {
            page.sort_unstable_by_key(|row| std::cmp::Reverse(time(row)));
            (key, page)
        })
        .collect()
}

/// The first `limit` runs (newest first) of the production runs of many
/// (event, recipe) pairs, in ONE statement (see `run_window_sql`).
pub async fn production_run_windows(
    reads: impl Into<Reads<'_>>,
    pairs: &[(i64, i64)],
    limit: i64,
) -> AppResult<HashMap<(i64, i64), Vec<ProductionRun>>> {
    production_windows!(
        reads,
        PRODUCTION_RUN_COLUMNS,
        pairs,
        limit,
        RunRow<production_runs::table>
    )
}

/// The leading fields of a production run: what a progress screen lists of a target's
/// newest runs, read without the rest of the row (its texts and other times).
#[derive(Debug, Clone, PartialEq, Eq, Queryable)]
pub struct ProductionRunBrief {
    /// The run's id.
    pub id: i64,
    /// The recipe baked.
    pub recipe_id: i64,
    /// The event the run is attributed to.
    pub event_id: Option<i64>,
    /// Batches baked.
    pub num_batches: i32,
    /// Items the batches should have yielded.
    pub expected_yield: i32,
    /// Items they yielded.
    pub actual_yield: i32,
    /// When it was baked.
    pub produced_at: NaiveDateTime,
}

impl From<&ProductionRun> for ProductionRunBrief {
    fn from(run: &ProductionRun) -> Self {
        ProductionRunBrief {
            id: run.id,
            recipe_id: run.recipe_id,
            event_id: run.event_id,
            num_batches: run.num_batches,
            expected_yield: run.expected_yield,
            actual_yield: run.actual_yield,
            produced_at: run.produced_at,
        }
    }
}

/// The columns of [`ProductionRunBrief`], in its order.
const PRODUCTION_RUN_BRIEF_COLUMNS: &str =
    "id, recipe_id, event_id, num_batches, expected_yield, actual_yield, produced_at";

/// The SQL type of a [`ProductionRunBrief`] row.
type ProductionRunBriefRow = (
    diesel::sql_types::BigInt,
    diesel::sql_types::BigInt,
    diesel::sql_types::Nullable<diesel::sql_types::BigInt>,
    diesel::sql_types::Integer,
    diesel::sql_types::Integer,
    diesel::sql_types::Integer,
    diesel::sql_types::Timestamp,
);

impl Keyed for ProductionRunBrief {
    type Key = NaiveDateTime;
    // The same list as [`ProductionRun`]'s: a cursor on either is a cursor on the other.
    const LIST: &'static str = ProductionRun::LIST;
    fn position(&self) -> Position<NaiveDateTime> {
        Position {
            key: self.produced_at,
            id: self.id,
        }
    }
}

/// [`production_run_windows`] reading only the [`ProductionRunBrief`] of each run.
pub async fn production_run_brief_windows(
    reads: impl Into<Reads<'_>>,
    pairs: &[(i64, i64)],
    limit: i64,
) -> AppResult<HashMap<(i64, i64), Vec<ProductionRunBrief>>> {
    production_windows!(
        reads,
        PRODUCTION_RUN_BRIEF_COLUMNS,
        pairs,
        limit,
        ProductionRunBriefRow
    )
}

/// The run windows of production runs read from `$columns` (rows of SQL type `$sql`), by
/// (event, recipe). A macro, not a generic function: the bounds such a function would
/// need to load through a shared connection name its lifetime, which the async
/// DataLoaders calling it cannot satisfy.
macro_rules! production_windows {
    ($reads:expr, $columns:expr, $pairs:expr, $limit:expr, $sql:ty) => {{
        let (reads, pairs, limit): (Reads<'_>, &[(i64, i64)], i64) =
            ($reads.into(), $pairs, $limit);
        if pairs.is_empty() || limit <= 0 {
            return Ok(HashMap::new());
        }
        let runs = RunTable {
            table: "production_runs",
            columns: $columns,
            subject: "recipe_id",
            time: "produced_at",
        };
        let query: KeyedQuery<$sql> = run_windows(reads.backend(), &runs, pairs, limit);
        let rows = crate::db_read!(reads, |conn| query
            .load(conn)
            .await
            .map_err(crate::error::AppError::from))?;
        Ok(pages_by_run_pair(rows))
    }};
}
use production_windows;

/// Production runs read by a windowed query, as pages by (event, recipe), newest first.
fn pages_by_run_pair<R: Keyed<Key = NaiveDateTime> + RunOf>(
    rows: Vec<R>,
) -> HashMap<(i64, i64), Vec<R>> {
    pages_by_pair(rows, R::pair, |row| {
        let position = row.position();
        (position.key, position.id)
    })
}

/// A run read by a windowed query: the (event, subject) pair whose page it is on.
trait RunOf {
    /// Its event and subject, `None` for a standalone run.
    fn pair(&self) -> Option<(i64, i64)>;
}

impl RunOf for ProductionRun {
    fn pair(&self) -> Option<(i64, i64)> {
        self.event_id.map(|event| (event, self.recipe_id))
    }
}

impl RunOf for ProductionRunBrief {
    fn pair(&self) -> Option<(i64, i64)> {
        self.event_id.map(|event| (event, self.recipe_id))
    }
}

/// The first `limit` runs (newest first) of the assembly runs of many
/// (event, finished good) pairs, in ONE statement (see `run_window_sql`).
pub async fn assembly_run_windows(
    db: &Db,
    pairs: &[(i64, i64)],
    limit: i64,
) -> AppResult<HashMap<(i64, i64), Vec<AssemblyRun>>> {
    if pairs.is_empty() || limit <= 0 {
        return Ok(HashMap::new());
    }
    let runs = RunTable {
        table: "assembly_runs",
        columns: ASSEMBLY_RUN_COLUMNS,
        subject: "finished_good_id",
        time: "assembled_at",
    };
    let query: KeyedQuery<RunRow<assembly_runs::table>> =
        run_windows(db.backend(), &runs, pairs, limit);
    let rows: Vec<AssemblyRun> = db_run!(db, |conn| query
        .load(conn)
        .await
        .map_err(crate::error::AppError::from))?;
    Ok(pages_by_pair(
        rows,
        |row| row.event_id.map(|event| (event, row.finished_good_id)),
        |row| (row.assembled_at, row.id),
    ))
}
