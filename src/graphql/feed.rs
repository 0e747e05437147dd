//! The change feed behind subscriptions.
//!
//! Mutations of this server instance publish what they changed right after committing, so
//! local subscribers hear at once. Other instances sharing the database are heard by
//! polling: every subscription also re-reads the database on a short interval, so a change
//! committed anywhere reaches every subscriber within that interval.

use std::time::Duration;
use tokio::sync::broadcast;

/// Something a mutation committed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A production run was recorded (for this event, if any).
    ProductionRecorded {
        /// The new run.
        run_id: i64,
        /// Its event.
        event_id: Option<i64>,
    },
    /// Something that changes an event's progress was committed (a run recorded, a target
    /// set or deleted, an assignment added, changed or removed, a status changed).
    EventChanged {
        /// The event.
        event_id: i64,
    },
}

/// The in-process feed of changes, shared by every request of one server instance.
#[derive(Clone)]
pub struct ChangeFeed {
    sender: broadcast::Sender<Change>,
    /// How often subscriptions re-read the database to hear other instances.
    pub poll_interval: Duration,
}

impl ChangeFeed {
    /// A feed whose subscribers also poll the database every `poll_interval`.
    pub fn new(poll_interval: Duration) -> Self {
        let (sender, _) = broadcast::channel(1024);
        ChangeFeed {
            sender,
            poll_interval,
        }
    }

    /// Tells local subscribers about a committed change (no subscribers is fine).
    pub fn publish(&self, change: Change) {
        let _ = self.sender.send(change);
    }

    /// Listens to changes published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.sender.subscribe()
    }
}

impl Default for ChangeFeed {
    fn default() -> Self {
        ChangeFeed::new(Duration::from_secs(1))
    }
}

/// Publishes a change if the schema has a feed (it always has when serving).
pub fn publish(ctx: &async_graphql::Context<'_>, change: Change) {
    if let Some(feed) = ctx.data_opt::<ChangeFeed>() {
        feed.publish(change);
    }
}

/// Publishes that an event's progress may have changed.
pub fn event_changed(ctx: &async_graphql::Context<'_>, event_id: Option<i64>) {
    if let Some(event_id) = event_id {
        publish(ctx, Change::EventChanged { event_id });
    }
}
