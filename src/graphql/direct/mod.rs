//! The direct read executor: answers the reads clients poll most (pages of events, and one
//! event by `node(id:)`, with their progress, targets, recipes, finished goods and latest
//! runs) without async-graphql's executor, whose boxed future, context and result map per
//! field cost more than everything else a request does.
//!
//! [`plan`] reads an operation against the fields this executor knows. Anything else (a
//! field it does not know, a fragment spread, a directive, an argument or variable it
//! cannot read, a document that might not be valid) gives `None`, and the operation goes
//! to async-graphql as before, which also reports every error: this executor never writes
//! an error itself. [`run`] then loads each level of the answer with one batched store
//! query per kind of row (the store functions behind the DataLoaders, so the same SQL) and
//! writes the JSON text in query order. A database error, or a row that should exist and
//! does not, hands the operation back too, so that errors are reported in one place.
//!
//! `tests/it/direct_reads.rs` checks that both executors give the same bytes.

mod json;
mod load;
mod plan;
mod selection;
mod write;

pub use load::run;
pub use plan::{plan, Plan};
