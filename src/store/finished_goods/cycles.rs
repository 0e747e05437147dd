//! No finished good contains itself, directly or through nested finished goods: the check
//! a new component list runs before it is stored.

use crate::db::models::FinishedGood;
use crate::db::schema::finished_goods;
use crate::domain::graph;
use crate::error::{AppError, AppResult};
use crate::store::write_locks::{WriteLock, WriteLocks};
use diesel::prelude::*;
use diesel::sql_types::BigInt;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;
use std::future::Future;

/// One containment edge between finished goods.
#[derive(Debug, QueryableByName)]
struct GoodEdge {
    #[diesel(sql_type = BigInt)]
    parent_id: i64,
    #[diesel(sql_type = BigInt)]
    child_id: i64,
}

/// Every `(parent, child)` edge between finished goods that leads, through any number of
/// levels, to `root`: the part of the graph a new child of `root` could close a cycle in.
/// One recursive query; `root` is an integer, formatted in (both backends share the text).
fn ancestor_edges_sql(root: i64) -> String {
    format!(
        "WITH RECURSIVE up(good_id) AS ( \
             SELECT CAST({root} AS BIGINT) \
             UNION \
             SELECT c.finished_good_id FROM finished_good_components c \
             JOIN up ON c.component_good_id = up.good_id \
         ) \
         SELECT c.finished_good_id AS parent_id, c.component_good_id AS child_id \
         FROM finished_good_components c JOIN up ON c.component_good_id = up.good_id \
         ORDER BY c.finished_good_id, c.position"
    )
}

/// The cycle check inside a write transaction.
pub trait GoodCycles: Send {
    /// Fails with `BAD_INPUT` when making `child_ids` components of `good` would close a
    /// cycle; the message names the goods along it. Takes [`WriteLock::GoodsGraph`] first,
    /// then reads the edges leading to `good` (one query) and, only for the message, the
    /// names of the goods on a cycle. `child_ids` must not be empty.
    fn refuse_cycles(
        &mut self,
        good: &FinishedGood,
        child_ids: &[i64],
    ) -> impl Future<Output = AppResult<()>> + Send;
}

crate::impl_for_backends! {
    impl GoodCycles {
        async fn refuse_cycles(&mut self, good: &FinishedGood, child_ids: &[i64]) -> AppResult<()> {
            self.take_write_lock(WriteLock::GoodsGraph).await?;
            let edges: Vec<(i64, i64)> = diesel::sql_query(ancestor_edges_sql(good.id))
                .load::<GoodEdge>(self)
                .await?
                .into_iter()
                .map(|e| (e.parent_id, e.child_id))
                .collect();
            let Some(cycle) = graph::cycle_through(good.id, child_ids, &edges) else {
                return Ok(());
            };
            let names: HashMap<i64, String> = finished_goods::table
                .filter(finished_goods::id.eq_any(&cycle))
                .select((finished_goods::id, finished_goods::name))
                .load::<(i64, String)>(self)
                .await?
                .into_iter()
                .collect();
            let path: Vec<String> = cycle
                .iter()
                .map(|id| names.get(id).cloned().unwrap_or_else(|| id.to_string()))
                .collect();
            Err(AppError::bad_input(format!(
                "finished good \"{}\" cannot contain \"{}\": that would make a cycle ({})",
                good.name,
                path[1],
                path.join(" → ")
            )))
        }
    }
}
