//! Packages (what one recipient receives) and their items.

pub use crate::db::models::Package;

crate::rows_by_ids!(
    /// Package rows by primary key (one query).
    by_ids,
    packages,
    Package
);
