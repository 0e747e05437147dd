//! Assignments: which recipient gets which package for an event.

pub use crate::db::models::EventRecipientPackage;

crate::rows_by_ids!(
    /// EventRecipientPackage rows by primary key (one query).
    by_ids,
    event_recipient_packages,
    EventRecipientPackage
);
