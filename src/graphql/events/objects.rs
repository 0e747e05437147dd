//! The object types of events: recipients, events and assignments.

use crate::domain::kinds;
use crate::graphql::connection::{Conn, PageArgs};
use crate::graphql::enums::{stored, FulfillmentStatus};
use crate::graphql::goods::Package;
use crate::graphql::ids;
use crate::graphql::loaders::{
    loaders, require, AssignmentsByEvent, AssignmentsByRecipient, EventById, PackageById,
    RecipientById,
};
use crate::graphql::scalars::{utc, Date};
use crate::store::{
    assignments as assignment_store, events as event_store, recipients as recipient_store,
};
use async_graphql::{Context, Object, Result, ID};
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
    ) -> Result<Vec<crate::graphql::targets::EventProductionTarget>> {
        crate::graphql::targets::production_targets_of(ctx, self.0.id).await
    }
    /// How many of each finished good the event needs.
    async fn assembly_targets(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::targets::EventAssemblyTarget>> {
        crate::graphql::targets::assembly_targets_of(ctx, self.0.id).await
    }
    // --- planning (needs, suggested targets, shopping list, cost) ---
    /// What the assignments imply, one row per finished unit: assignments × package items ×
    /// finished-good components (multiplied through nested finished goods) → items needed →
    /// batches, rounded up per finished unit. Ordered by recipe name, then finished unit name.
    async fn recipe_needs(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::planning::RecipeNeed>> {
        crate::graphql::planning::recipe_needs_of(ctx, self.0.id).await
    }
    /// The production targets the needs suggest (preview of `applySuggestedTargets`): per
    /// recipe, the sum of its finished units' rounded-up batches, by recipe name.
    async fn suggested_targets(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::planning::SuggestedTarget>> {
        crate::graphql::planning::suggested_targets_of(ctx, self.0.id).await
    }
    /// Ingredients short for the batches still to bake: per recipe, its target (else its
    /// need) minus the batches produced for this event; their aggregated ingredients against
    /// stock on hand. Only short ingredients, by name. Covers recipe batches only, not the
    /// packaging that assembling finished goods uses.
    async fn shopping_list(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::planning::ShoppingListItem>> {
        crate::graphql::planning::shopping_list_of(ctx, self.0.id).await
    }
    /// Planned cost (planned batches × estimated batch cost) against actual cost (the
    /// ingredient cost of the production runs attributed to this event), per recipe and in total.
    async fn cost_summary(
        &self,
        ctx: &Context<'_>,
    ) -> Result<crate::graphql::planning::EventCostSummary> {
        crate::graphql::planning::event_cost_summary(ctx, self.0.id).await
    }
    // --- end planning ---
    /// How far each production target is, in target order (runs attributed to this event only).
    async fn production_progress(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::progress::ProductionProgress>> {
        crate::graphql::progress::production_progress_of(ctx, self.0.id).await
    }
    /// How far each assembly target is, in target order (runs attributed to this event only).
    async fn assembly_progress(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<crate::graphql::progress::AssemblyProgress>> {
        crate::graphql::progress::assembly_progress_of(ctx, self.0.id).await
    }
    /// The event's overall progress: targets complete and assignments by fulfillment status.
    async fn progress(&self, ctx: &Context<'_>) -> Result<crate::graphql::progress::EventProgress> {
        crate::graphql::progress::event_progress(ctx, self.0.id).await
    }
    /// The production runs attributed to this event, newest first.
    async fn production_runs(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
    ) -> Result<Conn<crate::graphql::production::ProductionRun>> {
        crate::graphql::progress::event_production_runs(
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
    ) -> Result<Conn<crate::graphql::production::AssemblyRun>> {
        crate::graphql::progress::event_assembly_runs(
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
