//! Pure domain rules: exact decimals, units of measure, slugs and names.
//!
//! Nothing here touches the database or GraphQL, so every rule is unit-tested directly.

pub mod aggregate;
pub mod entity;
pub mod fifo;
pub mod fixed;
pub mod graph;
pub mod kinds;
pub mod limits;
pub mod names;
pub mod needs;
pub mod progress;
pub mod recipe_graph;
pub mod text;
pub mod units;
