//! Events, recipients and assignments (which recipient gets which package for an event).

use super::enums::{stored, FulfillmentStatus};
use super::ids;
use super::scalars::{utc, Date};
use crate::store::{
    assignments as assignment_store, events as event_store, recipients as recipient_store,
};
use async_graphql::{Object, ID};
use chrono::{DateTime, Utc};

/// A person or household receiving packages.
pub struct Recipient(pub recipient_store::Recipient);

#[Object]
impl Recipient {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Recipient", self.0.id)
    }
    /// Name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Household ("The Smiths").
    async fn household_name(&self) -> Option<&str> {
        self.0.household_name.as_deref()
    }
    /// Delivery address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// A baking event ("Christmas 2026").
pub struct Event(pub event_store::Event);

#[Object]
impl Event {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("Event", self.0.id)
    }
    /// Name, unique within the year.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The day of the event.
    async fn event_date(&self) -> Date {
        Date(self.0.event_date)
    }
    /// The year of `eventDate`.
    async fn year(&self) -> i32 {
        self.0.year
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Creation time.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}

/// An assignment: a recipient gets `quantity` of a package for an event.
pub struct EventRecipientPackage(pub assignment_store::EventRecipientPackage);

#[Object]
impl EventRecipientPackage {
    /// Global id.
    pub async fn id(&self) -> ID {
        ids::encode("EventRecipientPackage", self.0.id)
    }
    /// How many of the package (≥ 1).
    async fn quantity(&self) -> i32 {
        self.0.quantity
    }
    /// Free text.
    async fn notes(&self) -> Option<&str> {
        self.0.notes.as_deref()
    }
    /// Where it is in PENDING → READY → DELIVERED.
    async fn fulfillment_status(&self) -> FulfillmentStatus {
        stored::<crate::domain::kinds::FulfillmentStatus>(&self.0.fulfillment_status).into()
    }
    /// Who took it ("left with neighbour"); only once DELIVERED.
    async fn delivered_to(&self) -> Option<&str> {
        self.0.delivered_to.as_deref()
    }
    /// When it became READY.
    async fn ready_at(&self) -> Option<DateTime<Utc>> {
        self.0.ready_at.map(utc)
    }
    /// When it became DELIVERED.
    async fn delivered_at(&self) -> Option<DateTime<Utc>> {
        self.0.delivered_at.map(utc)
    }
    /// Creation time (the assignment was PENDING from then).
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// Last change.
    async fn updated_at(&self) -> DateTime<Utc> {
        utc(self.0.updated_at)
    }
}
