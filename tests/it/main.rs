//! The integration-test binary: every test drives the real server over HTTP, once on
//! SQLite and once on PostgreSQL.

mod events;
mod goods;
mod harness;
mod pantry;
mod production;
mod progress;
mod recipes;
mod schema_rules;
mod server;
