//! The integration-test binary: every test drives the real server over HTTP, once on
//! SQLite and once on PostgreSQL.

mod auth;
mod auth_cli;
mod authorship;
mod cancellation;
mod catalog;
mod conventions;
mod cursors;
mod data_version;
mod direct_reads;
mod edges;
mod error_kinds;
mod events;
mod faults;
mod fixtures;
mod goods;
mod graphiql;
mod harness;
mod pantry;
mod planning;
mod production;
mod progress;
mod recipes;
mod response_cache;
mod schema_rules;
mod server;
mod snapshots;
mod subscriptions;
mod transfer;
mod transfer_cli;
mod transfer_demo;
mod transfer_schema;
mod transport;
mod trusted;
