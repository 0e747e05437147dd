//! Finished goods: assembled items and their components.

pub use crate::db::models::FinishedGood;

crate::rows_by_ids!(
    /// FinishedGood rows by primary key (one query).
    by_ids,
    finished_goods,
    FinishedGood
);
