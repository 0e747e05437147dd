//! The integration-test binary: every test drives the real server over HTTP, once on
//! SQLite and once on PostgreSQL.

mod goods;
mod harness;
mod pantry;
mod server;
