//! The queries of recipients and events.

use super::{Event, Recipient};
use crate::graphql::connection::{Conn, PageArgs};
use crate::graphql::context::db;
use crate::store::{events as event_store, recipients as recipient_store};
use async_graphql::{Context, Object, Result};

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
