//! Events, recipients and assignments (which recipient gets which package for an event).

use super::connection::{Conn, PageArgs};
use super::context::{caller_name, db, detached};
use super::enums::{stored, FulfillmentStatus};
use super::goods::Package;
use super::ids;
use super::loaders::{
    loaders, require, AssignmentsByEvent, AssignmentsByRecipient, EventById, PackageById,
    RecipientById,
};
use super::scalars::{utc, Date};
use super::DeletePayload;
use crate::domain::kinds;
use crate::store::{
    assignments as assignment_store, events as event_store, recipients as recipient_store,
};
use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, ID};
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
    /// The packages assigned to this recipient, newest event first.
    async fn assignments(&self, ctx: &Context<'_>) -> Result<Vec<EventRecipientPackage>> {
        let rows = loaders(ctx)
            .load_one(AssignmentsByRecipient(self.0.id))
            .await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .map(EventRecipientPackage)
            .collect())
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
    /// Who gets which package for this event, ordered by recipient name; only those in
    /// `status` when given.
    async fn assignments(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only assignments in this fulfillment status.")] status: Option<
            FulfillmentStatus,
        >,
    ) -> Result<Vec<EventRecipientPackage>> {
        let wanted = status.map(|s| kinds::FulfillmentStatus::from(s).as_str());
        let rows = loaders(ctx).load_one(AssignmentsByEvent(self.0.id)).await?;
        Ok(rows
            .unwrap_or_default()
            .into_iter()
            .filter(|row| wanted.is_none_or(|w| row.fulfillment_status == w))
            .map(EventRecipientPackage)
            .collect())
    }
    /// How many batches of each recipe the event needs.
    async fn production_targets(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::targets::EventProductionTarget>> {
        super::targets::production_targets_of(ctx, self.0.id).await
    }
    /// How many of each finished good the event needs.
    async fn assembly_targets(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::targets::EventAssemblyTarget>> {
        super::targets::assembly_targets_of(ctx, self.0.id).await
    }
    // --- planning (needs, suggested targets, shopping list, cost) ---
    /// What the assignments imply, one row per finished unit: assignments × package items ×
    /// finished-good components (multiplied through nested finished goods) → items needed →
    /// batches, rounded up per finished unit. Ordered by recipe name, then finished unit name.
    async fn recipe_needs(&self, ctx: &Context<'_>) -> Result<Vec<super::planning::RecipeNeed>> {
        super::planning::recipe_needs_of(ctx, self.0.id).await
    }
    /// The production targets the needs suggest (preview of `applySuggestedTargets`): per
    /// recipe, the sum of its finished units' rounded-up batches, by recipe name.
    async fn suggested_targets(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::planning::SuggestedTarget>> {
        super::planning::suggested_targets_of(ctx, self.0.id).await
    }
    /// Ingredients short for the batches still to bake: per recipe, its target (else its
    /// need) minus the batches produced for this event; their aggregated ingredients against
    /// stock on hand. Only short ingredients, by name. Covers recipe batches only, not the
    /// packaging that assembling finished goods uses.
    async fn shopping_list(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::planning::ShoppingListItem>> {
        super::planning::shopping_list_of(ctx, self.0.id).await
    }
    /// Planned cost (planned batches × estimated batch cost) against actual cost (the
    /// ingredient cost of the production runs attributed to this event), per recipe and in total.
    async fn cost_summary(&self, ctx: &Context<'_>) -> Result<super::planning::EventCostSummary> {
        super::planning::event_cost_summary(ctx, self.0.id).await
    }
    // --- end planning ---
    /// How far each production target is, in target order (runs attributed to this event only).
    async fn production_progress(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::progress::ProductionProgress>> {
        super::progress::production_progress_of(ctx, self.0.id).await
    }
    /// How far each assembly target is, in target order (runs attributed to this event only).
    async fn assembly_progress(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::progress::AssemblyProgress>> {
        super::progress::assembly_progress_of(ctx, self.0.id).await
    }
    /// The event's overall progress: targets complete and assignments by fulfillment status.
    async fn progress(&self, ctx: &Context<'_>) -> Result<super::progress::EventProgress> {
        super::progress::event_progress(ctx, self.0.id).await
    }
    /// The production runs attributed to this event, newest first.
    async fn production_runs(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<super::production::ProductionRun>> {
        super::progress::event_production_runs(
            ctx,
            self.0.id,
            PageArgs::new(after, before, first, last),
        )
        .await
    }
    /// The assembly runs attributed to this event, newest first.
    async fn assembly_runs(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<super::production::AssemblyRun>> {
        super::progress::event_assembly_runs(
            ctx,
            self.0.id,
            PageArgs::new(after, before, first, last),
        )
        .await
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
    /// The event.
    async fn event(&self, ctx: &Context<'_>) -> Result<Event> {
        require(ctx, EventById(self.0.event_id)).await.map(Event)
    }
    /// Who receives the package.
    async fn recipient(&self, ctx: &Context<'_>) -> Result<Recipient> {
        require(ctx, RecipientById(self.0.recipient_id))
            .await
            .map(Recipient)
    }
    /// The package received.
    async fn package(&self, ctx: &Context<'_>) -> Result<Package> {
        require(ctx, PackageById(self.0.package_id))
            .await
            .map(Package)
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
    /// Who made it READY: the name of the API token that called `updateFulfillmentStatus`;
    /// `null` while PENDING, or when that was done with authentication off (or before
    /// authors were kept). Set together with `readyAt`. Statuses only move forward, so it
    /// stays once the assignment is DELIVERED.
    async fn ready_by(&self) -> Option<&str> {
        self.0.ready_by.as_deref()
    }
    /// Who made it DELIVERED: the name of the API token that called
    /// `updateFulfillmentStatus`; `null` until DELIVERED, or when that was done with
    /// authentication off (or before authors were kept). Set together with `deliveredAt`;
    /// DELIVERED is final, so it never changes afterwards.
    async fn delivered_by(&self) -> Option<&str> {
        self.0.delivered_by.as_deref()
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

fn maybe<T>(value: MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        MaybeUndefined::Undefined => None,
        MaybeUndefined::Null => Some(None),
        MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

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

/// Queries of recipients and events.
#[derive(Default)]
pub struct EventsQuery;

#[Object]
impl EventsQuery {
    /// Recipients ordered by name, then id.
    async fn recipients(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(
            desc = "Case-insensitive part of the name or household name (at most 200 characters; `%` and `_` match themselves)."
        )]
        search: Option<String>,
    ) -> Result<Conn<Recipient>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = recipient_store::RecipientFilter { search };
        let rows = recipient_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, Recipient))
    }

    /// Events ordered by date (earliest first), then id.
    #[allow(clippy::too_many_arguments)]
    async fn events(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only events of this year.")] year: Option<i32>,
        #[graphql(
            desc = "Only events dated today (UTC) or later (true), or before today (false)."
        )]
        upcoming: Option<bool>,
    ) -> Result<Conn<Event>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = event_store::EventFilter {
            year,
            upcoming,
            today: None,
        };
        let rows = event_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, Event))
    }
}

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
            household_name: maybe(input.household_name),
            address: maybe(input.address),
            notes: maybe(input.notes),
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
            notes: maybe(input.notes),
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
        super::feed::event_changed(ctx, Some(pk));
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
        super::feed::event_changed(ctx, Some(row.event_id));
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
            notes: maybe(input.notes),
        };
        let db = db(ctx).clone();
        let row = detached(async move { assignment_store::update(&db, id, changes).await }).await?;
        super::feed::event_changed(ctx, Some(row.event_id));
        Ok(EventRecipientPackage(row))
    }

    /// Removes an assignment.
    async fn remove_assignment(&self, ctx: &Context<'_>, id: ID) -> Result<DeletePayload> {
        let pk = ids::decode(&id, "EventRecipientPackage")?;
        let db = db(ctx).clone();
        let row = detached(async move { assignment_store::remove(&db, pk).await }).await?;
        super::feed::event_changed(ctx, Some(row.event_id));
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
        super::feed::event_changed(ctx, Some(row.event_id));
        Ok(EventRecipientPackage(row))
    }
}
