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

struct RunWatch {
    db: crate::db::Db,
    changes: tokio::sync::broadcast::Receiver<Change>,
    ticker: tokio::time::Interval,
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
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(Change::ProductionRecorded { event_id, .. }) if self.event_id.is_none() || event_id == self.event_id => {}
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.ticker.tick() => {}
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
    changes: tokio::sync::broadcast::Receiver<Change>,
    ticker: tokio::time::Interval,
    event_id: i64,
    last: maths::EventProgress,
}

impl ProgressWatch {
    /// Waits until the event's progress differs from what was last sent and returns it;
    /// `None` ends the stream (the event was deleted, or the server is shutting down).
    async fn next(&mut self) -> Option<maths::EventProgress> {
        loop {
            tokio::select! {
                change = self.changes.recv() => match change {
                    Ok(Change::EventChanged { event_id }) if event_id == self.event_id => {}
                    Ok(_) => continue,
                    Err(tokio::sync::broadcast::error::RecvError::Lagged(_)) => {}
                    Err(tokio::sync::broadcast::error::RecvError::Closed) => return None,
                },
                _ = self.ticker.tick() => {}
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
        // Subscribe before reading, so a change committed in between is not missed.
        let changes = feed.subscribe();
        let current = progress_store::progress_of_event(&db, event_id)
            .await?
            .ok_or_else(|| AppError::not_found("Event", event_id))?;
        let mut ticker = tokio::time::interval(feed.poll_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        ticker.reset();
        let watch = ProgressWatch {
            db,
            changes,
            ticker,
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
        let high_water = run_store::max_production_run_id(&db).await?;
        let mut ticker = tokio::time::interval(feed.poll_interval);
        ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let watch = RunWatch {
            db,
            changes: feed.subscribe(),
            ticker,
            event_id,
            high_water,
            seen: HashSet::new(),
            pending: VecDeque::new(),
        };
        // Runs at or below the starting point were recorded before subscribing.
        let mut watch = watch;
        watch
            .seen
            .extend((high_water - LOOKBACK).max(0) + 1..=high_water);
        Ok(futures::stream::unfold(watch, |mut watch| async move {
            watch.next().await.map(|run| (ProductionRun(run), watch))
        }))
    }
}
