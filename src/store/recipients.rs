//! Recipients of packages.

pub use crate::db::models::Recipient;

crate::rows_by_ids!(
    /// Recipient rows by primary key (one query).
    by_ids,
    recipients,
    Recipient
);
