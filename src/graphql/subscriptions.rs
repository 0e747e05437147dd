//! Subscriptions over WebSocket (`graphql-transport-ws` and the legacy `graphql-ws`).

use super::context::db;
use super::feed::{Change, ChangeFeed};
use super::ids;
use super::production::ProductionRun;
use super::progress::EventProgress;
use crate::domain::progress as maths;
use crate::error::AppError;
use crate::store::progress as progress_store;
use crate::store::runs as run_store;
use async_graphql::{Context, Result, Subscription, ID};
use futures::{Stream, StreamExt};
use std::collections::{HashSet, VecDeque};

/// How far back (in run ids) a poll looks again, so runs committed out of id order by
/// concurrent transactions are still delivered (each run once).
const LOOKBACK: i64 = 64;

/// The subscription root.
#[derive(Default)]
pub struct SubscriptionRoot;

/// What wakes a subscription up: a relevant change published by this instance, or the next
/// poll (which hears other instances). Shared by every subscription.
struct Wakeup {
    changes: tokio::sync::broadcast::Receiver<Change>,
    ticker: tokio::time::Interval,
}

impl Wakeup {
    /// Listens to `feed` from now on; the first poll comes one interval from now.
    fn new(feed: &ChangeFeed) -> Self {
        let mut ticker = tokio::time::interval(feed.poll_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.reset();
        Wakeup {
            changes: feed.subscribe(),
            ticker,
        }
    }

    /// Waits for a change `relevant` accepts (or missed changes: the feed lagged) or the
    /// next poll; `false` when the feed is closed (the server is shutting down).
    async fn wait(&mut self, relevant: impl Fn(&Change) -> bool) -> bool {
        use tokio::sync::broadcast::error::RecvError;
        loop {
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(change) if relevant(&change) => return true,
                    Ok(_) => continue,
                    Err(RecvError::Lagged(_)) => return true,
                    Err(RecvError::Closed) => return false,
                },
                _ = self.ticker.tick() => return true,
            }
        }
    }
}

struct RunWatch {
    db: crate::db::Db,
    wakeup: Wakeup,
    event_id: Option<i64>,
    high_water: i64,
    seen: HashSet<i64>,
    pending: VecDeque<run_store::ProductionRun>,
}

impl RunWatch {
    /// Waits for a local change or the next poll, then reads new runs.
    async fn next(&mut self) -> Option<run_store::ProductionRun> {
        loop {
            if let Some(run) = self.pending.pop_front() {
                return Some(run);
            }
            let wanted = self.event_id;
            let relevant = |change: &Change| {
                matches!(change, Change::ProductionRecorded { event_id, .. }
                    if wanted.is_none() || *event_id == wanted)
            };
            if !self.wakeup.wait(relevant).await {
                return None;
            }
            let from = (self.high_water - LOOKBACK).max(0);
            match run_store::production_runs_after(&self.db, from, self.event_id).await {
                Ok(runs) => {
                    for run in runs {
                        self.high_water = self.high_water.max(run.id);
                        if self.seen.insert(run.id) {
                            self.pending.push_back(run);
                        }
                    }
                    self.seen.retain(|id| *id > self.high_water - 2 * LOOKBACK);
                }
                Err(error) => tracing::warn!(%error, "productionRecorded poll failed; retrying"),
            }
        }
    }
}

/// One `eventProgress` subscription: the last progress sent, re-read on every local change
/// of the event and on every poll, and sent again only when it differs.
struct ProgressWatch {
    db: crate::db::Db,
    wakeup: Wakeup,
    event_id: i64,
    last: maths::EventProgress,
}

impl ProgressWatch {
    /// Waits until the event's progress differs from what was last sent and returns it;
    /// `None` ends the stream (the event was deleted, or the server is shutting down).
    async fn next(&mut self) -> Option<maths::EventProgress> {
        loop {
            let watched = self.event_id;
            let relevant = |change: &Change| matches!(change, Change::EventChanged { event_id } if *event_id == watched);
            if !self.wakeup.wait(relevant).await {
                return None;
            }
            match progress_store::progress_of_event(&self.db, self.event_id).await {
                Ok(None) => return None,
                Ok(Some(progress)) if self.last != progress => {
                    self.last = progress;
                    return Some(progress);
                }
                Ok(Some(_)) => {}
                Err(error) => tracing::warn!(%error, "eventProgress poll failed; retrying"),
            }
        }
    }
}

#[Subscription]
impl SubscriptionRoot {
    /// The event's overall progress: first as it is now, then again whenever it changes
    /// (a run recorded, a target set or deleted, an assignment or its status changed),
    /// whichever server instance sharing the database committed the change. The stream
    /// ends when the event is deleted.
    async fn event_progress(
        &self,
        ctx: &Context<'_>,
        event_id: ID,
    ) -> Result<impl Stream<Item = EventProgress>> {
        let event_id = ids::decode(&event_id, "Event")?;
        let feed = ctx.data_unchecked::<ChangeFeed>();
        let db = db(ctx).clone();
        // Listen before reading, so a change committed in between is not missed.
        let wakeup = Wakeup::new(feed);
        let current = progress_store::progress_of_event(&db, event_id)
            .await?
            .ok_or_else(|| AppError::not_found(crate::domain::entity::Entity::Event, event_id))?;
        let watch = ProgressWatch {
            db,
            wakeup,
            event_id,
            last: current,
        };
        let first = futures::stream::once(async move { EventProgress(current) });
        let rest = futures::stream::unfold(watch, |mut watch| async move {
            watch
                .next()
                .await
                .map(|progress| (EventProgress(progress), watch))
        });
        Ok(first.chain(rest))
    }

    /// Every production run recorded from now on (of one event, if given), from any server
    /// instance sharing the database.
    async fn production_recorded(
        &self,
        ctx: &Context<'_>,
        event_id: Option<ID>,
    ) -> Result<impl Stream<Item = ProductionRun>> {
        let event_id = ids::decode_opt(event_id.as_ref(), "Event")?;
        let feed = ctx.data_unchecked::<ChangeFeed>();
        let db = db(ctx).clone();
        let wakeup = Wakeup::new(feed);
        let high_water = run_store::max_production_run_id(&db).await?;
        let watch = RunWatch {
            db,
            wakeup,
            event_id,
            high_water,
            // Runs at or below the starting point were recorded before subscribing.
            seen: ((high_water - LOOKBACK).max(0) + 1..=high_water).collect(),
            pending: VecDeque::new(),
        };
        Ok(futures::stream::unfold(watch, |mut watch| async move {
            watch.next().await.map(|run| (ProductionRun(run), watch))
        }))
    }
}
