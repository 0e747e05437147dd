//! Recipients of packages.

use super::{clean_text, new_uuid, now, Keyed, Keyset, Page, Position};
use crate::db::schema::{event_recipient_packages, recipients};
use crate::db::Db;
use crate::error::AppResult;
use crate::{db_run, db_write};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub use crate::db::models::Recipient;

diesel::define_sql_function! {
    /// SQL `LOWER(text)`, the same on both backends (ASCII-only on SQLite).
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

diesel::define_sql_function! {
    /// SQL `LOWER(text)` of a nullable column.
    #[sql_name = "LOWER"]
    fn lower_opt(x: diesel::sql_types::Nullable<diesel::sql_types::Text>) -> diesel::sql_types::Nullable<diesel::sql_types::Text>;
}

/// A validated new recipient.
#[derive(Debug, Clone)]
pub struct NewRecipient {
    /// Name (required).
    pub name: String,
    /// Household ("The Smiths").
    pub household_name: Option<String>,
    /// Delivery address.
    pub address: Option<String>,
    /// Free text.
    pub notes: Option<String>,
}

/// Changes to a recipient; `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct RecipientChanges {
    /// New name.
    pub name: Option<String>,
    /// New household name, or `Some(None)` to clear it.
    pub household_name: Option<Option<String>>,
    /// New address, or `Some(None)` to clear it.
    pub address: Option<Option<String>>,
    /// New notes, or `Some(None)` to clear them.
    pub notes: Option<Option<String>>,
}

/// Creates a recipient. Names need not be unique (two people may share one).
pub async fn create(db: &Db, input: NewRecipient) -> AppResult<Recipient> {
    let name = crate::domain::text::required_name("recipient", &input.name)?;
    let ts = now();
    db_write!(db, |conn| {
        let row = diesel::insert_into(recipients::table)
            .values((
                recipients::uuid.eq(new_uuid()),
                recipients::created_at.eq(ts),
                recipients::updated_at.eq(ts),
                recipients::name.eq(&name),
                recipients::household_name.eq(clean_text(
                    crate::domain::text::HOUSEHOLD_NAME,
                    input.household_name.clone(),
                )?),
                recipients::address.eq(clean_text(
                    crate::domain::text::ADDRESS,
                    input.address.clone(),
                )?),
                recipients::notes.eq(clean_text(crate::domain::text::NOTES, input.notes.clone())?),
            ))
            .returning(Recipient::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Applies the given changes to a recipient.
pub async fn update(db: &Db, id: i64, changes: RecipientChanges) -> AppResult<Recipient> {
    let new_name = changes
        .name
        .as_deref()
        .map(|name| crate::domain::text::required_name("recipient", name))
        .transpose()?;
    let ts = now();
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            recipients::table,
            Recipient,
            id,
            crate::domain::entity::Entity::Recipient
        );
        let row = diesel::update(recipients::table.find(id))
            .set((
                recipients::updated_at.eq(ts),
                recipients::name.eq(new_name.clone().unwrap_or(current.name.clone())),
                recipients::household_name.eq(super::changed_text(
                    crate::domain::text::HOUSEHOLD_NAME,
                    &changes.household_name,
                    &current.household_name,
                )?),
                recipients::address.eq(super::changed_text(
                    crate::domain::text::ADDRESS,
                    &changes.address,
                    &current.address,
                )?),
                recipients::notes.eq(super::changed_text(
                    crate::domain::text::NOTES,
                    &changes.notes,
                    &current.notes,
                )?),
            ))
            .returning(Recipient::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })
}

/// Deletes a recipient, refused while assignments reference it.
pub async fn delete(db: &Db, id: i64) -> AppResult<Recipient> {
    db_write!(db, |conn| {
        let current = crate::find_row!(
            conn,
            recipients::table,
            Recipient,
            id,
            crate::domain::entity::Entity::Recipient
        );
        let assignments: i64 = event_recipient_packages::table
            .filter(event_recipient_packages::recipient_id.eq(id))
            .count()
            .get_result(conn)
            .await?;
        super::refuse_if_referenced(
            "recipient",
            &current.name,
            &[("package assignments", assignments)],
        )?;
        diesel::delete(recipients::table.find(id))
            .execute(conn)
            .await?;
        Ok(current)
    })
}

crate::rows_by_ids!(
    /// Recipient rows by primary key (one query).
    by_ids,
    recipients,
    Recipient
);

/// Filters for the recipient list.
#[derive(Debug, Clone, Default)]
pub struct RecipientFilter {
    /// Case-insensitive part of the name or household name.
    pub search: Option<String>,
}

/// One page of recipients ordered by name, then id.
pub async fn list(
    db: &Db,
    filter: &RecipientFilter,
    keyset: &Keyset<Recipient>,
) -> AppResult<Page<Recipient>> {
    let search = filter
        .search
        .as_deref()
        .map(crate::domain::text::contains_pattern)
        .transpose()?
        // A blank search does not filter.
        .filter(|pattern| pattern != "%%");
    db_run!(db, |conn| {
        let build = || {
            let mut query = recipients::table.into_boxed();
            if let Some(s) = &search {
                query = query.filter(
                    lower(recipients::name)
                        .like(s.clone())
                        .escape(crate::domain::text::LIKE_ESCAPE)
                        .or(lower_opt(recipients::household_name)
                            .like(s.clone())
                            .escape(crate::domain::text::LIKE_ESCAPE)),
                );
            }
            query
        };
        Ok(crate::keyset_page!(conn, keyset, build, Recipient,
            sort: recipients::name, key: |k| k.clone(), id: recipients::id, asc))
    })
}

impl Keyed for Recipient {
    type Key = String;
    const LIST: &'static str = "recipients:name";
    fn position(&self) -> Position<String> {
        Position {
            key: self.name.clone(),
            id: self.id,
        }
    }
}
