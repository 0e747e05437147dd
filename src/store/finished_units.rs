//! Finished units: what a recipe yields.

pub use crate::db::models::FinishedUnit;

crate::rows_by_ids!(
    /// FinishedUnit rows by primary key (one query).
    by_ids,
    finished_units,
    FinishedUnit
);
