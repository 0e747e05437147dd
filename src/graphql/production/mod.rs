//! Production and assembly runs: what was baked and assembled, what it drew from stock,
//! and what it cost; the mutations recording them, the queries listing them, and whether
//! the stock allows more.

mod availability;
mod recording;
mod run_lists;
mod runs;

pub use availability::{
    good_availability, recipe_availability, ComponentRequirement, FinishedGoodAvailability,
    IngredientRequirement, RecipeAvailability,
};
pub use recording::{
    ProductionMutation, RecordAssemblyInput, RecordAssemblyPayload, RecordProductionInput,
    RecordProductionPayload,
};
pub use run_lists::{
    assembly_run_page, production_run_page, AssemblyRunFilter, ProductionRunFilter, RunsQuery,
};
pub use runs::{AssemblyConsumption, AssemblyRun, ProductionConsumption, ProductionRun};
