//! Assignments: which recipient gets which package for an event, and their fulfillment
//! workflow (PENDING → READY → DELIVERED).

use super::{clean_text, group_by, new_uuid, now};
use crate::db::schema::{event_recipient_packages as erp, events, packages, recipients};
use crate::db::Db;
use crate::domain::kinds::FulfillmentStatus;
use crate::domain::limits::{add_count, MAX_COUNT};
use crate::error::{AppError, AppResult};
use crate::store::events::Event;
use crate::store::recipients::Recipient;
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel::upsert::excluded;
use diesel_async::RunQueryDsl;
use std::collections::HashMap;

pub use crate::db::models::EventRecipientPackage;

/// A validated assignment request.
#[derive(Debug, Clone)]
pub struct NewAssignment {
    /// Event primary key.
    pub event_id: i64,
    /// Recipient primary key.
    pub recipient_id: i64,
    /// Package primary key.
    pub package_id: i64,
    /// How many of the package (≥ 1); added to an existing assignment's quantity.
    pub quantity: i32,
    /// Free text; replaces an existing assignment's notes when given.
    pub notes: Option<String>,
}

/// Changes to an assignment; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct AssignmentChanges {
    /// New quantity (≥ 1).
    pub quantity: Option<i32>,
    /// New notes, or `Some(None)` to clear them.
    pub notes: Option<Option<String>>,
}

/// A requested step of the fulfillment workflow.
#[derive(Debug, Clone)]
pub struct StatusChange {
    /// Assignment primary key.
    pub assignment_id: i64,
    /// The status to move to.
    pub status: FulfillmentStatus,
    /// Who took the package; only with `Delivered`.
    pub delivered_to: Option<String>,
    /// Who makes the change: the calling API token's name (`None` with authentication
    /// off). Stored as `ready_by` with READY and as `delivered_by` with DELIVERED.
    pub by: Option<String>,
}

fn check_quantity(quantity: i32) -> AppResult<()> {
    if quantity < 1 {
        return Err(AppError::bad_input(format!(
            "an assignment's quantity must be at least 1 (got {quantity}); use removeAssignment to remove it"
        )));
    }
    Ok(())
}

/// Assigns a package to a recipient for an event. Assigning the same package to the same
/// recipient for the same event again adds to the existing assignment's quantity (and
/// replaces its notes when notes are given). One upsert inside one write transaction, so
/// concurrent assignments never lose a quantity. New assignments start PENDING.
pub async fn assign(db: &Db, input: NewAssignment) -> AppResult<EventRecipientPackage> {
    check_quantity(input.quantity)?;
    let notes = clean_text(crate::domain::text::NOTES, input.notes.clone())?;
    let ts = now();
    db_write!(db, |conn| {
        crate::find_row!(
            conn,
            events::table,
            Event,
            input.event_id,
            crate::domain::entity::Entity::Event
        );
        crate::find_row!(
            conn,
            recipients::table,
            Recipient,
            input.recipient_id,
            crate::domain::entity::Entity::Recipient
        );
        // A no-op update locks the package on PostgreSQL (SQLite holds the write lock), so
        // concurrent assignments of it add up one after the other and the check below
        // sees the latest quantity.
        let locked = diesel::update(packages::table.find(input.package_id))
            .set(packages::updated_at.eq(packages::updated_at))
            .execute(conn)
            .await?;
        if locked == 0 {
            return Err(AppError::not_found(
                crate::domain::entity::Entity::Package,
                input.package_id,
            ));
        }
        let existing: Option<i32> = erp::table
            .filter(erp::event_id.eq(input.event_id))
            .filter(erp::recipient_id.eq(input.recipient_id))
            .filter(erp::package_id.eq(input.package_id))
            .select(erp::quantity)
            .first(conn)
            .await
            .optional()?;
        if let Some(current) = existing {
            if add_count(i64::from(current), i64::from(input.quantity), String::new).is_err() {
                return Err(AppError::bad_input(format!(
                    "the assignment already has {current}; adding {} exceeds the largest quantity, {MAX_COUNT}",
                    input.quantity
                )));
            }
        }
        let insert = diesel::insert_into(erp::table).values((
            erp::uuid.eq(new_uuid()),
            erp::created_at.eq(ts),
            erp::updated_at.eq(ts),
            erp::event_id.eq(input.event_id),
            erp::recipient_id.eq(input.recipient_id),
            erp::package_id.eq(input.package_id),
            erp::quantity.eq(input.quantity),
            erp::notes.eq(&notes),
            erp::fulfillment_status.eq(FulfillmentStatus::Pending.as_str()),
        ));
        let target = (erp::event_id, erp::recipient_id, erp::package_id);
        let row = if notes.is_some() {
            insert
                .on_conflict(target)
                .do_update()
                .set((
                    erp::quantity.eq(erp::quantity + excluded(erp::quantity)),
                    erp::notes.eq(excluded(erp::notes)),
                    erp::updated_at.eq(ts),
                ))
                .returning(EventRecipientPackage::as_returning())
                .get_result(conn)
                .await?
        } else {
            insert
                .on_conflict(target)
                .do_update()
                .set((
                    erp::quantity.eq(erp::quantity + excluded(erp::quantity)),
                    erp::updated_at.eq(ts),
                ))
                .returning(EventRecipientPackage::as_returning())
                .get_result(conn)
                .await?
        };
        Ok(row)
    })
}

/// Changes an assignment's quantity and notes.
pub async fn update(
    db: &Db,
    id: i64,
    changes: AssignmentChanges,
) -> AppResult<EventRecipientPackage> {
    if let Some(quantity) = changes.quantity {
        check_quantity(quantity)?;
    }
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            erp::table,
            EventRecipientPackage,
            id,
            crate::domain::entity::Entity::EventRecipientPackage
        );
        let row = diesel::update(erp::table.find(id))
            .set((
                erp::updated_at.eq(ts),
                erp::quantity.eq(changes.quantity.unwrap_or(current.quantity)),
                erp::notes.eq(match &changes.notes {
                    Some(notes) => clean_text(crate::domain::text::NOTES, notes.clone())?,
                    None => current.notes.clone(),
                }),
            ))
            .returning(EventRecipientPackage::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Removes an assignment.
pub async fn remove(db: &Db, id: i64) -> AppResult<EventRecipientPackage> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            erp::table,
            EventRecipientPackage,
            id,
            crate::domain::entity::Entity::EventRecipientPackage
        );
        diesel::delete(erp::table.find(id)).execute(conn).await?;
        Ok(current)
    })
}

/// Moves an assignment one step along PENDING → READY → DELIVERED and stamps the time and
/// the author of the change (`ready_at`/`ready_by`, `delivered_at`/`delivered_by`). Any
/// other step (including the same status again) is `INVALID_TRANSITION`; since no step
/// goes back, the READY stamps stay on a DELIVERED assignment.
/// The row is locked before it is read, so two concurrent changes cannot both succeed.
pub async fn change_status(db: &Db, change: StatusChange) -> AppResult<EventRecipientPackage> {
    let delivered_to = clean_text(
        crate::domain::text::DELIVERED_TO,
        change.delivered_to.clone(),
    )?;
    if change.delivered_to.is_some() && change.status != FulfillmentStatus::Delivered {
        return Err(AppError::bad_input(format!(
            "deliveredTo can only be given with status DELIVERED (asked for {})",
            change.status
        )));
    }
    let ts = now();
    let id = change.assignment_id;
    let by_field = match change.status {
        FulfillmentStatus::Delivered => crate::domain::text::DELIVERED_BY,
        _ => crate::domain::text::READY_BY,
    };
    let by = clean_text(by_field, change.by.clone())?;
    db_write!(db, |conn| {
        // A no-op update takes the row lock on PostgreSQL; SQLite already holds the write lock.
        let locked = diesel::update(erp::table.find(id))
            .set(erp::updated_at.eq(erp::updated_at))
            .execute(conn)
            .await?;
        if locked == 0 {
            return Err(AppError::not_found(
                crate::domain::entity::Entity::EventRecipientPackage,
                id,
            ));
        }
        let current = crate::find_row!(
            conn,
            erp::table,
            EventRecipientPackage,
            id,
            crate::domain::entity::Entity::EventRecipientPackage
        );
        let status: FulfillmentStatus = current
            .fulfillment_status
            .parse()
            .map_err(AppError::Internal)?;
        let allowed = status.allowed_next();
        if !allowed.contains(&change.status) {
            return Err(AppError::InvalidTransition {
                current: status.as_str().to_string(),
                requested: change.status.as_str().to_string(),
                allowed: allowed.iter().map(|s| s.as_str().to_string()).collect(),
            });
        }
        let row = match change.status {
            FulfillmentStatus::Ready => {
                diesel::update(erp::table.find(id))
                    .set((
                        erp::fulfillment_status.eq(change.status.as_str()),
                        erp::ready_at.eq(Some(ts)),
                        erp::ready_by.eq(&by),
                        erp::updated_at.eq(ts),
                    ))
                    .returning(EventRecipientPackage::as_returning())
                    .get_result(conn)
                    .await?
            }
            _ => {
                diesel::update(erp::table.find(id))
                    .set((
                        erp::fulfillment_status.eq(change.status.as_str()),
                        erp::delivered_at.eq(Some(ts)),
                        erp::delivered_to.eq(&delivered_to),
                        erp::delivered_by.eq(&by),
                        erp::updated_at.eq(ts),
                    ))
                    .returning(EventRecipientPackage::as_returning())
                    .get_result(conn)
                    .await?
            }
        };
        Ok(row)
    })
}

crate::rows_by_ids!(
    /// EventRecipientPackage rows by primary key (one query).
    by_ids,
    event_recipient_packages,
    EventRecipientPackage
);

/// The assignments of many events in one query, each event's ordered by recipient name,
/// then assignment id.
pub async fn by_event_ids(
    db: &Db,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<EventRecipientPackage>>> {
    let rows: Vec<EventRecipientPackage> = db_run!(db, |conn| erp::table
        .inner_join(recipients::table)
        .filter(erp::event_id.eq_any(ids))
        .order((erp::event_id, recipients::name, erp::id))
        .select(EventRecipientPackage::as_select())
        .load(conn)
        .await
        .map_err(AppError::from))?;
    Ok(group_by(rows, |r| r.event_id))
}

/// The assignments of many recipients in one query, each recipient's newest event first
/// (by event date, then event id), then by assignment id.
pub async fn by_recipient_ids(
    db: &Db,
    ids: &[i64],
) -> AppResult<HashMap<i64, Vec<EventRecipientPackage>>> {
    let rows: Vec<EventRecipientPackage> = db_run!(db, |conn| erp::table
        .inner_join(events::table)
        .filter(erp::recipient_id.eq_any(ids))
        .order((
            erp::recipient_id,
            events::event_date.desc(),
            events::id.desc(),
            erp::id,
        ))
        .select(EventRecipientPackage::as_select())
        .load(conn)
        .await
        .map_err(AppError::from))?;
    Ok(group_by(rows, |r| r.recipient_id))
}
