//! The mutations of recipients, events, assignments and their fulfillment.

use super::{
    AssignPackageInput, CreateEventInput, CreateRecipientInput, Event, EventRecipientPackage,
    Recipient, UpdateAssignmentInput, UpdateEventInput, UpdateFulfillmentStatusInput,
    UpdateRecipientInput,
};
use crate::graphql::changes::nullable;
use crate::graphql::context::{caller_name, db, detached};
use crate::graphql::ids;
use crate::graphql::DeletePayload;
use crate::store::{
    assignments as assignment_store, events as event_store, recipients as recipient_store,
};
use async_graphql::{Context, Object, Result, ID};

/// Mutations of recipients, events, assignments and their fulfillment.
#[derive(Default)]
pub struct EventsMutation;

#[Object]
impl EventsMutation {
    /// Creates a recipient.
    async fn create_recipient(
        &self,
        ctx: &Context<'_>,
        input: CreateRecipientInput,
    ) -> Result<Recipient> {
        let new = recipient_store::NewRecipient {
            name: input.name,
            household_name: input.household_name,
            address: input.address,
            notes: input.notes,
        };
        let db = db(ctx).clone();
        detached(async move { recipient_store::create(&db, new).await })
            .await
            .map(Recipient)
    }

    /// Changes a recipient.
    async fn update_recipient(
        &self,
        ctx: &Context<'_>,
        input: UpdateRecipientInput,
    ) -> Result<Recipient> {
        let id = ids::decode(&input.id, "Recipient")?;
        let changes = recipient_store::RecipientChanges {
            name: input.name,
            household_name: nullable(input.household_name),
            address: nullable(input.address),
            notes: nullable(input.notes),
        };
        let db = db(ctx).clone();
        detached(async move { recipient_store::update(&db, id, changes).await })
            .await
            .map(Recipient)
    }

    /// Deletes a recipient (refused while packages are assigned to them).
    async fn delete_recipient(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "Recipient")?;
        let db = db(ctx).clone();
        detached(async move { recipient_store::delete(&db, pk).await }).await?;
        Ok(DeletePayload { deleted_id: id })
    }

    /// Creates an event; `year` is derived from `eventDate`.
    async fn create_event(&self, ctx: &Context<'_>, input: CreateEventInput) -> Result<Event> {
        let new = event_store::NewEvent {
            name: input.name,
            event_date: input.event_date.0,
            notes: input.notes,
        };
        let db = db(ctx).clone();
        detached(async move { event_store::create(&db, new).await })
            .await
            .map(Event)
    }

    /// Changes an event; `year` follows `eventDate`, and the name must stay unique within it.
    async fn update_event(&self, ctx: &Context<'_>, input: UpdateEventInput) -> Result<Event> {
        let id = ids::decode(&input.id, "Event")?;
        let changes = event_store::EventChanges {
            name: input.name,
            event_date: input.event_date.map(|d| d.0),
            notes: nullable(input.notes),
        };
        let db = db(ctx).clone();
        detached(async move { event_store::update(&db, id, changes).await })
            .await
            .map(Event)
    }

    /// Deletes an event with its production and assembly targets. Refused while production
    /// or assembly runs are attributed to it, and while packages are assigned for it unless
    /// `cascadeAssignments` is true (then the assignments are deleted too).
    async fn delete_event(
        &self,
        ctx: &Context<'_>,
        id: ID,
        #[graphql(
            default_with = "Some(false)",
            desc = "Also delete the event's package assignments instead of refusing."
        )]
        cascade_assignments: Option<bool>,
    ) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "Event")?;
        let db = db(ctx).clone();
        detached(async move {
            event_store::delete(&db, pk, cascade_assignments.unwrap_or(false)).await
        })
        .await?;
        // Its progress subscribers hear that it is gone.
        crate::graphql::feed::event_changed(ctx, Some(pk));
        Ok(DeletePayload { deleted_id: id })
    }

    /// Assigns a package to a recipient for an event. Assigning the same package to the
    /// same recipient for the same event again adds to the quantity. New assignments are
    /// PENDING.
    async fn assign_package(
        &self,
        ctx: &Context<'_>,
        input: AssignPackageInput,
    ) -> Result<EventRecipientPackage> {
        let new = assignment_store::NewAssignment {
            event_id: ids::decode(&input.event_id, "Event")?,
            recipient_id: ids::decode(&input.recipient_id, "Recipient")?,
            package_id: ids::decode(&input.package_id, "Package")?,
            quantity: input.quantity.unwrap_or(1),
            notes: input.notes,
        };
        let db = db(ctx).clone();
        let row = detached(async move { assignment_store::assign(&db, new).await }).await?;
        crate::graphql::feed::event_changed(ctx, Some(row.event_id));
        Ok(EventRecipientPackage(row))
    }

    /// Changes an assignment's quantity or notes.
    async fn update_assignment(
        &self,
        ctx: &Context<'_>,
        input: UpdateAssignmentInput,
    ) -> Result<EventRecipientPackage> {
        let id = ids::decode(&input.id, "EventRecipientPackage")?;
        let changes = assignment_store::AssignmentChanges {
            quantity: input.quantity,
            notes: nullable(input.notes),
        };
        let db = db(ctx).clone();
        let row = detached(async move { assignment_store::update(&db, id, changes).await }).await?;
        crate::graphql::feed::event_changed(ctx, Some(row.event_id));
        Ok(EventRecipientPackage(row))
    }

    /// Removes an assignment.
    async fn remove_assignment(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "EventRecipientPackage")?;
        let db = db(ctx).clone();
        let row = detached(async move { assignment_store::remove(&db, pk).await }).await?;
        crate::graphql::feed::event_changed(ctx, Some(row.event_id));
        Ok(DeletePayload { deleted_id: id })
    }

    /// Moves an assignment one step along PENDING → READY → DELIVERED (DELIVERED is final)
    /// and records when. Any other change is `INVALID_TRANSITION`, naming the current
    /// status and the allowed next ones.
    async fn update_fulfillment_status(
        &self,
        ctx: &Context<'_>,
        input: UpdateFulfillmentStatusInput,
    ) -> Result<EventRecipientPackage> {
        let change = assignment_store::StatusChange {
            assignment_id: ids::decode(&input.assignment_id, "EventRecipientPackage")?,
            status: input.status.into(),
            delivered_to: input.delivered_to,
            by: caller_name(ctx),
        };
        let db = db(ctx).clone();
        let row =
            detached(async move { assignment_store::change_status(&db, change).await }).await?;
        crate::graphql::feed::event_changed(ctx, Some(row.event_id));
        Ok(EventRecipientPackage(row))
    }
}
