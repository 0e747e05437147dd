//! Events (Christmas 2026…).

pub use crate::db::models::Event;

crate::rows_by_ids!(
    /// Event rows by primary key (one query).
    by_ids,
    events,
    Event
);
