//! Bakeplan: a GraphQL server for planning and tracking holiday baking production.
//!
//! Layers, data flowing one way: [`http`] → [`graphql`] → [`store`] → [`db`], with
//! [`domain`] holding the pure rules used by both store and GraphQL.

pub mod auth;
pub mod bench_data;
pub mod config;
pub mod db;
pub use bakeplan_domain as domain;
pub mod error;
pub mod graphql;
pub mod http;
pub mod metrics;
pub mod store;
pub mod transfer;
