//! Recording production and assembly (SPEC §1.5): one write transaction each, all or
//! nothing, stock drawn FIFO with exact costs, idempotent on request (see
//! [`idempotency`](crate::store::idempotency)).
//!
//! - `produce`: recording a production run;
//! - `assemble`: recording an assembly run, planned by `assembly_plan`;
//! - `run_steps`: what both do to what they made and the event it counts for.

mod assemble;
mod assembly_plan;
mod produce;
mod run_steps;

pub use crate::store::idempotency::Idempotency;
pub use assemble::{record_assembly, NewAssembly, RecordedAssembly};
pub use produce::{expected_yield, record_production, NewProduction, RecordedProduction};
