//! One write step shared by the aggregates whose names (or slugs) must be unique: refuse a
//! name another row already has with a `CONFLICT` that says which, inside the transaction
//! that is about to store it (the unique indexes stay the last word).

use super::write_locks::{WriteLock, WriteLocks};
use crate::db::schema::{events, finished_goods, packages};
use crate::domain::names::name_key;
use crate::error::{AppError, AppResult};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::future::Future;

/// A name that must be unique, and among which rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UniqueName<'a> {
    /// A finished good's slug, unique among finished goods (compared exactly).
    FinishedGoodSlug(&'a str),
    /// A package's name, unique among packages (compared exactly).
    PackageName(&'a str),
    /// An event's name, unique among the events of one year (compared case-insensitively,
    /// by [`name_key`]).
    EventName {
        /// The name.
        name: &'a str,
        /// The year of the event's date.
        year: i32,
    },
}

impl UniqueName<'_> {
    /// The `CONFLICT` message when another row has the name.
    fn taken_message(self) -> String {
        match self {
            UniqueName::FinishedGoodSlug(slug) => {
                format!("a finished good with slug \"{slug}\" already exists; choose another slug")
            }
            UniqueName::PackageName(name) => {
                format!("a package named \"{name}\" already exists; choose another name")
            }
            UniqueName::EventName { name, year } => format!(
                "an event named \"{name}\" already exists in {year}; choose another name or date"
            ),
        }
    }
}

/// Checks inside a write transaction that a name is still free.
pub trait UniqueNames: Send {
    /// Fails with `CONFLICT` when a row other than `except` (the row being renamed; `None`
    /// for a new row) already has `name`. One count query for slugs and package names; for
    /// event names the year's [`WriteLock::EventNames`] first, then one query for that
    /// year's names.
    fn ensure_name_free(
        &mut self,
        name: UniqueName<'_>,
        except: Option<i64>,
    ) -> impl Future<Output = AppResult<()>> + Send;
}

/// Stands for "no row" in `id <> …`: primary keys start at 1.
const NO_ROW: i64 = 0;

crate::impl_for_backends! {
    impl UniqueNames {
        async fn ensure_name_free(&mut self, name: UniqueName<'_>, except: Option<i64>) -> AppResult<()> {
            let except_id = except.unwrap_or(NO_ROW);
            let taken = match name {
                UniqueName::FinishedGoodSlug(slug) => {
                    let count: i64 = finished_goods::table
                        .filter(finished_goods::slug.eq(slug))
                        .filter(finished_goods::id.ne(except_id))
                        .count()
                        .get_result(self)
                        .await?;
                    count > 0
                }
                UniqueName::PackageName(name) => {
                    let count: i64 = packages::table
                        .filter(packages::name.eq(name))
                        .filter(packages::id.ne(except_id))
                        .count()
                        .get_result(self)
                        .await?;
                    count > 0
                }
                UniqueName::EventName { name, year } => {
                    self.take_write_lock(WriteLock::EventNames { year }).await?;
                    let names: Vec<(i64, String)> = events::table
                        .filter(events::year.eq(year))
                        .select((events::id, events::name))
                        .load(self)
                        .await?;
                    let key = name_key(name);
                    names
                        .iter()
                        .any(|(id, other)| Some(*id) != except && name_key(other) == key)
                }
            };
            if taken {
                return Err(AppError::Conflict(name.taken_message()));
            }
            Ok(())
        }
    }
}
