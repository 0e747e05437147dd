//! The input types of recipients, events and assignments.

use crate::graphql::enums::FulfillmentStatus;
use crate::graphql::scalars::Date;
use async_graphql::{InputObject, MaybeUndefined, ID};

/// Input of `createRecipient`.
#[derive(InputObject)]
pub struct CreateRecipientInput {
    /// Name (required; need not be unique).
    pub name: String,
    /// Household ("The Smiths").
    pub household_name: Option<String>,
    /// Delivery address.
    pub address: Option<String>,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of `updateRecipient`: only the fields given change; `null` clears a nullable field.
#[derive(InputObject)]
pub struct UpdateRecipientInput {
    /// The recipient.
    pub id: ID,
    /// New name.
    pub name: Option<String>,
    /// New household name, or `null` to clear it.
    pub household_name: MaybeUndefined<String>,
    /// New address, or `null` to clear it.
    pub address: MaybeUndefined<String>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
}

/// Input of `createEvent`.
#[derive(InputObject)]
pub struct CreateEventInput {
    /// Name, unique (case-insensitively) within the year of `eventDate`.
    pub name: String,
    /// The day of the event; `year` is derived from it.
    pub event_date: Date,
    /// Free text.
    pub notes: Option<String>,
}

/// Input of `updateEvent`: only the fields given change; `null` clears the notes.
#[derive(InputObject)]
pub struct UpdateEventInput {
    /// The event.
    pub id: ID,
    /// New name (must be free within the event's year).
    pub name: Option<String>,
    /// New date; `year` follows it.
    pub event_date: Option<Date>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
}

/// Input of `assignPackage`.
#[derive(InputObject)]
pub struct AssignPackageInput {
    /// The event.
    pub event_id: ID,
    /// The recipient.
    pub recipient_id: ID,
    /// The package.
    pub package_id: ID,
    /// How many (≥ 1); added to the quantity when the package is already assigned to the
    /// recipient for the event.
    #[graphql(default_with = "Some(1)")]
    pub quantity: Option<i32>,
    /// Free text; replaces the existing notes when the assignment already exists.
    pub notes: Option<String>,
}

/// Input of `updateAssignment`: only the fields given change; `null` clears the notes.
#[derive(InputObject)]
pub struct UpdateAssignmentInput {
    /// The assignment.
    pub id: ID,
    /// New quantity (≥ 1).
    pub quantity: Option<i32>,
    /// New notes, or `null` to clear them.
    pub notes: MaybeUndefined<String>,
}

/// Input of `updateFulfillmentStatus`.
#[derive(InputObject)]
pub struct UpdateFulfillmentStatusInput {
    /// The assignment.
    pub assignment_id: ID,
    /// The next status: READY after PENDING, DELIVERED after READY.
    pub status: FulfillmentStatus,
    /// Who took the package ("left with neighbour"); only with DELIVERED.
    pub delivered_to: Option<String>,
}
