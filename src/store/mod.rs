//! Queries and transactions, one module per aggregate. Store functions take and return
//! plain Rust values and [`AppError`](crate::error::AppError); they never see GraphQL.
//!
//! Conventions every module follows:
//! - `…_by_ids(db, ids) -> HashMap<i64, Row>` and `…_by_<parent>_ids(db, ids) -> HashMap<i64, Vec<Row>>`
//!   are one `eq_any` query each, so DataLoaders can batch per request;
//! - `list(db, filter, keyset)` returns one keyset page of a connection and its total count
//!   (see [`keyset`]);
//! - writes run in one `db_write!` transaction and re-check their rules inside it; that
//!   transaction also raises the [`data_version`].

pub mod assignments;
pub mod availability;
pub mod data_version;
pub mod event_screen;
pub mod events;
pub mod finished_goods;
pub mod finished_units;
pub mod idempotency;
pub mod ingredients;
pub mod keyed_sql;
pub mod keyset;
pub mod lots;
pub mod packages;
pub mod planning;
pub mod production;
pub mod products;
pub mod progress;
pub mod recipes;
pub mod recipients;
pub mod run_totals;
pub mod runs;
pub mod stock;
pub mod targets;
pub mod tokens;
pub mod unique_names;
pub mod write_locks;

pub use keyset::{Keyed, Keyset, Page, Position};

use chrono::{NaiveDateTime, Utc};

/// The current time as stored: naive UTC with microsecond precision (what both backends keep).
pub fn now() -> NaiveDateTime {
    stored_time(Utc::now().naive_utc())
}

/// A time as stored: truncated to the microsecond, which PostgreSQL keeps (it would round
/// finer digits) and SQLite's text keeps alike, so both backends store the same instant.
pub fn stored_time(time: NaiveDateTime) -> NaiveDateTime {
    time.with_nanosecond_truncated()
}

/// A fresh random UUID, as stored (hyphenated lower case).
pub fn new_uuid() -> String {
    uuid::Uuid::new_v4().to_string()
}

trait TruncateNanos {
    fn with_nanosecond_truncated(self) -> Self;
}

impl TruncateNanos for NaiveDateTime {
    fn with_nanosecond_truncated(self) -> Self {
        use chrono::Timelike;
        let micros = self.nanosecond() / 1000 * 1000;
        self.with_nanosecond(micros).unwrap_or(self)
    }
}

/// Trims an optional free-text field and checks it against its field's limits (see
/// [`crate::domain::text`]); blank text becomes `None`.
pub fn clean_text(
    field: crate::domain::text::Field,
    value: Option<String>,
) -> crate::error::AppResult<Option<String>> {
    Ok(crate::domain::text::optional(field, value.as_deref())?)
}

/// An optional change of an optional free-text field: `None` keeps `current`,
/// `Some(None)` (or blank text) clears it, `Some(Some(text))` sets it; checked like
/// [`clean_text`].
pub fn changed_text(
    field: crate::domain::text::Field,
    change: &Option<Option<String>>,
    current: &Option<String>,
) -> crate::error::AppResult<Option<String>> {
    match change {
        Some(value) => clean_text(field, value.clone()),
        None => Ok(current.clone()),
    }
}

/// Groups rows under a parent key, keeping their order within each group.
pub fn group_by<T>(
    rows: impl IntoIterator<Item = T>,
    key: impl Fn(&T) -> i64,
) -> std::collections::HashMap<i64, Vec<T>> {
    let mut map: std::collections::HashMap<i64, Vec<T>> = std::collections::HashMap::new();
    for row in rows {
        map.entry(key(&row)).or_default().push(row);
    }
    map
}

/// Indexes rows by their own key.
pub fn index_by<T>(rows: Vec<T>, key: impl Fn(&T) -> i64) -> std::collections::HashMap<i64, T> {
    rows.into_iter().map(|row| (key(&row), row)).collect()
}

/// Refuses a delete with `DELETE_RESTRICTED` when any of the counted references exist.
/// `counts` pairs a description of the referencing rows ("recipe lines") with how many there are.
pub fn refuse_if_referenced(
    entity: &'static str,
    name: &str,
    counts: &[(&str, i64)],
) -> crate::error::AppResult<()> {
    let references: Vec<crate::error::Reference> = counts
        .iter()
        .filter(|(_, count)| *count > 0)
        .map(|(kind, count)| crate::error::Reference {
            kind: kind.to_string(),
            count: *count,
        })
        .collect();
    if references.is_empty() {
        Ok(())
    } else {
        Err(crate::error::AppError::DeleteRestricted {
            entity,
            name: name.to_string(),
            references,
        })
    }
}

/// Expands `$body` with `$filter` bound to `$column = id` when `$ids` holds one id, and to
/// `$column = ANY(ids)` otherwise.
///
/// PostgreSQL plans a prepared `= ANY($1)` anew on every execution when the array is
/// short: its cached generic plan assumes a longer array and loses to a fresh one, so one
/// id pays a full planning (most of the statement's cost on one event's screen), while a
/// prepared `= $1` keeps its cached plan.
#[macro_export]
macro_rules! with_ids_filter {
    ($ids:expr, $column:expr, |$filter:ident| $body:expr) => {
        match $ids {
            [id] => {
                let $filter = diesel::ExpressionMethods::eq($column, *id);
                $body
            }
            ids => {
                let $filter = diesel::ExpressionMethods::eq_any($column, ids);
                $body
            }
        }
    };
}

/// Defines `pub async fn $name(reads, ids) -> HashMap<id, Row>`: rows by primary key in one
/// `eq_any` query (or `=` for one id), for DataLoaders and direct reads (`reads`: a
/// [`Db`](crate::db::Db) or [`Reads`](crate::db::Reads)).
#[macro_export]
macro_rules! rows_by_ids {
    ($(#[$doc:meta])* $name:ident, $table:ident, $row:ty) => {
        $(#[$doc])*
        pub async fn $name(
            reads: impl Into<$crate::db::Reads<'_>>,
            ids: &[i64],
        ) -> $crate::error::AppResult<std::collections::HashMap<i64, $row>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            // The row is selected as a 1-tuple, which sends the same SQL: rustc type-checks
            // a lone `.select(Row::as_select())` about eight times slower (7.5 s against
            // 0.9 s for one such function, by `cargo check`), and this macro is expanded
            // for every table loaders read by id.
            let rows: Vec<($row,)> = $crate::db_read!(reads, |conn| $crate::with_ids_filter!(
                ids,
                $crate::db::schema::$table::id,
                |by_id| $crate::db::schema::$table::table
                    .filter(by_id)
                    .select((<$row>::as_select(),))
                    .load(conn)
                    .await
                    .map_err($crate::error::AppError::from)
            ))?;
            Ok(rows.into_iter().map(|(row,)| (row.id, row)).collect())
        }
    };
}

/// Defines `pub async fn $name(db, parent_ids) -> HashMap<parent id, Vec<Row>>`: the
/// children of many parents in one `eq_any` query (or `=` for one parent), ordered by `$order` within a parent.
#[macro_export]
macro_rules! rows_by_parent_ids {
    ($(#[$doc:meta])* $name:ident, $table:ident, $row:ty, $parent:ident, ($($order:expr),+)) => {
        $(#[$doc])*
        pub async fn $name(
            db: &$crate::db::Db,
            ids: &[i64],
        ) -> $crate::error::AppResult<std::collections::HashMap<i64, Vec<$row>>> {
            use diesel::prelude::*;
            use diesel_async::RunQueryDsl;
            #[allow(unused_imports)]
            use $crate::db::schema::$table;
            // `(row,)`: see `rows_by_ids!`.
            let rows: Vec<($row,)> = $crate::db_run!(db, |conn| $crate::with_ids_filter!(
                ids,
                $crate::db::schema::$table::$parent,
                |by_parent| $crate::db::schema::$table::table
                    .filter(by_parent)
                    .order(($crate::db::schema::$table::$parent, $($order),+))
                    .select((<$row>::as_select(),))
                    .load(conn)
                    .await
                    .map_err($crate::error::AppError::from)
            ))?;
            Ok($crate::store::group_by(rows.into_iter().map(|(row,)| row), |r| r.$parent))
        }
    };
}
