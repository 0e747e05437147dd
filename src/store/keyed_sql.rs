//! Raw SQL reads of many keys in one statement, for the batched queries diesel's DSL
//! cannot say (`LATERAL` windows, joins with aggregates).
//!
//! The keys are a relation `k(column1, column2, …)` of `BIGINT` tuples that the SQL names
//! where it writes `{keys}`. On PostgreSQL it is `unnest($1, $2, …)` with one array bound
//! per column, so the statement's text is the same for every batch: it is parsed and
//! planned once per connection and then run from the prepared-statement cache, where SQL
//! with the ids written into it would be parsed and planned again on every request. SQLite,
//! which has no arrays and prepares cheaply, gets the tuples written in as `VALUES`.
//!
//! Rows decode by position as the SQL type `ST` (a tuple of the selected columns' types),
//! so a row type is any diesel `Queryable` of those columns, in select-list order.

use diesel::pg::Pg;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{Array, BigInt};
use diesel::sqlite::Sqlite;
use diesel::QueryResult;
use std::fmt::Write as _;
use std::marker::PhantomData;

/// Where the key relation goes in a [`KeyedQuery`]'s SQL.
const KEYS: &str = "{keys}";

/// A raw read whose `{keys}` relation holds many key tuples; see the module docs.
pub struct KeyedQuery<ST> {
    /// The SQL before `{keys}`.
    before: String,
    /// The SQL after `{keys}`.
    after: String,
    /// The keys, column by column (every column as long as the first).
    columns: Vec<Vec<i64>>,
    row: PhantomData<fn() -> ST>,
}

impl<ST> KeyedQuery<ST> {
    /// A read of `sql`, where `{keys}` (once) stands for the relation `k` of `keys`, one
    /// row per tuple, columns named `column1`, `column2`, … Tuples are sorted and each is
    /// kept once. `keys` must not be empty: an empty batch needs no query.
    pub fn new<const N: usize>(sql: &str, keys: impl IntoIterator<Item = [i64; N]>) -> Self {
        let (before, after) = sql
            .split_once(KEYS)
            .expect("keyed SQL names its {keys} relation");
        debug_assert!(!after.contains(KEYS), "keyed SQL names {{keys}} once");
        let mut tuples: Vec<[i64; N]> = keys.into_iter().collect();
        tuples.sort_unstable();
        tuples.dedup();
        debug_assert!(!tuples.is_empty(), "an empty batch needs no query");
        let columns = (0..N)
            .map(|column| tuples.iter().map(|tuple| tuple[column]).collect())
            .collect();
        KeyedQuery {
            before: before.to_owned(),
            after: after.to_owned(),
            columns,
            row: PhantomData,
        }
    }

    /// `column1, column2, …`: the names of the key relation's columns.
    fn column_names(&self) -> String {
        (1..=self.columns.len())
            .map(|column| format!("column{column}"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

impl<ST> QueryId for KeyedQuery<ST> {
    type QueryId = ();
    // The SQL text varies with the caller, so statements are cached by their text.
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<ST: 'static> Query for KeyedQuery<ST> {
    type SqlType = ST;
}

impl<ST> QueryFragment<Pg> for KeyedQuery<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql(&self.before);
        out.push_sql("unnest(");
        for (index, column) in self.columns.iter().enumerate() {
            if index > 0 {
                out.push_sql(", ");
            }
            out.push_bind_param::<Array<BigInt>, Vec<i64>>(column)?;
        }
        out.push_sql(") AS k(");
        out.push_sql(&self.column_names());
        out.push_sql(")");
        out.push_sql(&self.after);
        Ok(())
    }
}

impl<ST> QueryFragment<Sqlite> for KeyedQuery<ST> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Sqlite>) -> QueryResult<()> {
        // Each batch's text differs; caching it would fill the cache with one-off statements.
        out.unsafe_to_cache_prepared();
        let mut values = String::from("(VALUES ");
        let rows = self.columns.first().map_or(0, Vec::len);
        for row in 0..rows {
            values.push_str(if row > 0 { ", (" } else { "(" });
            for (index, column) in self.columns.iter().enumerate() {
                let separator = if index > 0 { ", " } else { "" };
                // Integers only, so the text is digits, signs and commas.
                let _ = write!(values, "{separator}{}", column[row]);
            }
            values.push(')');
        }
        values.push_str(") AS k");
        out.push_sql(&self.before);
        out.push_sql(&values);
        out.push_sql(&self.after);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::debug_query;
    use diesel::sql_types::Untyped;

    #[test]
    fn postgres_binds_one_array_per_key_column() {
        let query: KeyedQuery<Untyped> = KeyedQuery::new(
            "SELECT k.column2 FROM {keys} ORDER BY 1",
            [[3, 30], [1, 10]],
        );
        let sql = debug_query::<Pg, _>(&query).to_string();
        assert_eq!(
            sql,
            "SELECT k.column2 FROM unnest($1, $2) AS k(column1, column2) ORDER BY 1 \
             -- binds: [[1, 3], [10, 30]]"
        );
    }

    #[test]
    fn sqlite_writes_the_sorted_distinct_tuples_in() {
        let query: KeyedQuery<Untyped> = KeyedQuery::new("SELECT 1 FROM {keys}", [[2], [-5], [2]]);
        let sql = debug_query::<Sqlite, _>(&query).to_string();
        assert_eq!(sql, "SELECT 1 FROM (VALUES (-5), (2)) AS k -- binds: []");
    }
}
