//! Events (Christmas 2026…): names unique within the year of their date.

use super::unique_names::{UniqueName, UniqueNames};
use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{assembly_runs, event_recipient_packages, events, production_runs};
use crate::db::{Db, Reads};
use crate::db_write;
use crate::error::AppResult;
use chrono::{Datelike, NaiveDate};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub use crate::db::models::Event;

/// A validated new event.
#[derive(Debug, Clone)]
pub struct NewEvent {
    /// Name, unique within the year of `event_date`.
    pub name: String,
    /// The day of the event; its year is stored alongside.
    pub event_date: NaiveDate,
    /// Free text.
    pub notes: Option<String>,
}

/// Changes to an event; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct EventChanges {
    /// New name.
    pub name: Option<String>,
    /// New date (the year follows it).
    pub event_date: Option<NaiveDate>,
    /// New notes, or `Some(None)` to clear them.
    pub notes: Option<Option<String>>,
}

/// Creates an event; its year is derived from its date.
pub async fn create(db: &Db, input: NewEvent) -> AppResult<Event> {
    let name = crate::domain::text::required_name("event", &input.name)?;
    let year = input.event_date.year();
    let ts = now();
    db_write!(db, |conn| {
        conn.ensure_name_free(UniqueName::EventName { name: &name, year }, None)
            .await?;
        let row = diesel::insert_into(events::table)
            .values((
                events::uuid.eq(new_uuid()),
                events::created_at.eq(ts),
                events::updated_at.eq(ts),
                events::name.eq(&name),
                events::event_date.eq(input.event_date),
                events::year.eq(year),
                events::notes.eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(Event::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Applies the given changes to an event, re-deriving its year and re-checking that its
/// name is free within that year.
pub async fn update(db: &Db, id: i64, changes: EventChanges) -> AppResult<Event> {
    let new_name = changes
        .name
        .as_deref()
        .map(|name| crate::domain::text::required_name("event", name))
        .transpose()?;
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            events::table,
            Event,
            id,
            crate::domain::entity::Entity::Event
        );
        let name = new_name.clone().unwrap_or(current.name.clone());
        let event_date = changes.event_date.unwrap_or(current.event_date);
        let year = event_date.year();
        conn.ensure_name_free(UniqueName::EventName { name: &name, year }, Some(id))
            .await?;
        let row = diesel::update(events::table.find(id))
            .set((
                events::updated_at.eq(ts),
                events::name.eq(&name),
                events::event_date.eq(event_date),
                events::year.eq(year),
                events::notes.eq(match &changes.notes {
                    Some(notes) => clean_text(crate::domain::text::NOTES, notes.clone())?,
                    None => current.notes.clone(),
                }),
            ))
            .returning(Event::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Deletes an event in one transaction. Refused while production or assembly runs are
/// attributed to it; its targets go with it; its assignments go with it only when
/// `cascade_assignments` is set, otherwise they refuse the delete too.
pub async fn delete(db: &Db, id: i64, cascade_assignments: bool) -> AppResult<Event> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            events::table,
            Event,
            id,
            crate::domain::entity::Entity::Event
        );
        let production: i64 = production_runs::table
            .filter(production_runs::event_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let assembly: i64 = assembly_runs::table
            .filter(assembly_runs::event_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let assignments: i64 = event_recipient_packages::table
            .filter(event_recipient_packages::event_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        let blocking_assignments = if cascade_assignments { 0 } else { assignments };
        super::refuse_if_referenced(
            "event",
            &current.name,
            &[
                ("production runs", production),
                ("assembly runs", assembly),
                (
                    "package assignments (pass cascadeAssignments: true to delete them too)",
                    blocking_assignments,
                ),
            ],
        )?;
        if assignments > 0 {
            diesel::delete(
                event_recipient_packages::table.filter(event_recipient_packages::event_id.eq(id)),
            )
            .execute(conn)
            .await?;
        }
        // Production and assembly targets go with the event (ON DELETE CASCADE).
        diesel::delete(events::table.find(id)).execute(conn).await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// Event rows by primary key (one query).
    by_ids,
    events,
    Event
);

/// Filters for the event list.
#[derive(Debug, Clone, Default)]
pub struct EventFilter {
    /// Only events of this year.
    pub year: Option<i32>,
    /// Only events on or after `today` (`true`) or before it (`false`).
    pub upcoming: Option<bool>,
    /// The day `upcoming` compares with (today, UTC).
    pub today: Option<NaiveDate>,
}

/// One page of events ordered by date (earliest first), then id.
pub async fn list(
    reads: impl Into<Reads<'_>>,
    filter: &EventFilter,
    keyset: &Keyset<Event>,
) -> AppResult<Page<Event>> {
    let today = filter
        .today
        .unwrap_or_else(|| chrono::Utc::now().date_naive());
    crate::db_read!(reads, |conn| {
        let build = || {
            let mut query = events::table.into_boxed();
            if let Some(year) = filter.year {
                query = query.filter(events::year.eq(year));
            }
            match filter.upcoming {
                Some(true) => query = query.filter(events::event_date.ge(today)),
                Some(false) => query = query.filter(events::event_date.lt(today)),
                None => {}
            }
            query
        };
        Ok(crate::keyset_page!(conn, keyset, build, Event,
            sort: events::event_date, key: |k| *k, id: events::id, asc))
    })
}

impl Keyed for Event {
    type Key = chrono::NaiveDate;
    const LIST: &'static str = "events:date";
    fn position(&self) -> Position<chrono::NaiveDate> {
        Position {
            key: self.event_date,
            id: self.id,
        }
    }
}
