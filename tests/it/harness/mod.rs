//! Test harness: each test gets its own database (a temp SQLite file, or a PostgreSQL
//! database cloned from a migrated template) and its own server on 127.0.0.1, driven over
//! real HTTP with GraphQL documents as a client would send them.
//!
//! - [`databases`]: the per-test databases and their removal, even after a panic;
//! - [`app`]: [`TestApp`], one server on its own database;
//! - [`graphql`]: the app's GraphQL calls (`ok`, `error`, `ok_as`…) and [`GqlError`];
//! - [`http`]: plain HTTP requests and [`HttpReply`];
//! - [`rows`]: dumps of every table, to prove a refused request wrote nothing;
//! - [`processes`]: the built `bakeplan` binary, as a command and as a server process.

mod app;
mod databases;
mod graphql;
mod http;
mod processes;
mod rows;

pub use app::TestApp;
pub use graphql::error_code;
pub use http::{raw_http_full, HttpReply};
pub use processes::{bakeplan, text, ServerProcess};
// Nameable by tests, though none names them today (the benchmark uses `post_to`).
#[allow(unused_imports)]
pub use {databases::postgres_admin_url, graphql::post_to, graphql::GqlError};

/// Runs a test body once on SQLite and once on PostgreSQL, each against a fresh database.
#[macro_export]
macro_rules! db_test {
    ($name:ident, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $crate::harness::TestApp::spawn(bakeplan::db::Backend::Sqlite).await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $crate::harness::TestApp::spawn(bakeplan::db::Backend::Postgres).await;
                $body
                $app.finish().await;
            }
        }
    };
    // The same with the server made by `$spawn(backend)` (e.g. with auth required).
    ($name:ident, spawn = $spawn:path, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let $app = $spawn(bakeplan::db::Backend::Sqlite).await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                let $app = $spawn(bakeplan::db::Backend::Postgres).await;
                $body
                $app.finish().await;
            }
        }
    };
}

/// Like `db_test!`, for concurrency tests: the server runs `workers` HTTP workers and a pool
/// of 16 connections, so concurrent requests reach the database at once.
#[macro_export]
macro_rules! db_test_concurrent {
    ($name:ident, workers = $workers:expr, |$app:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let $app =
                    $crate::harness::TestApp::spawn_with(bakeplan::db::Backend::Sqlite, $workers, 16)
                        .await;
                $body
                $app.finish().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn postgres() {
                let $app = $crate::harness::TestApp::spawn_with(
                    bakeplan::db::Backend::Postgres,
                    $workers,
                    16,
                )
                .await;
                $body
                $app.finish().await;
            }
        }
    };
}
