//! Planning an event (SPEC §1.6): what its assignments imply (recipe needs and suggested
//! targets), what to buy for the batches still to bake (shopping list), and what it costs
//! (planned against actual).
//!
//! Every function takes many event ids at once and answers in a bounded number of queries
//! (one per level: assignments, package items, finished-good components per nesting level,
//! finished units; then targets, attributed runs, recipe trees and stock), so a page of
//! events costs what one event costs. The arithmetic is in [`crate::domain::needs`].

mod costs;
mod needs;
mod plans;
mod shopping;
mod suggested;

pub use costs::{cost_summaries, CostLine, CostSummary};
pub use needs::{needs_by_event_ids, NeedsSteps, RecipeNeed};
pub use shopping::{shopping_lists, ShoppingItem};
pub use suggested::{
    apply_suggested_targets, suggest, suggested_targets_by_event_ids, SuggestedTarget,
};

use crate::domain::needs::NeedsError;
use crate::error::AppError;

impl From<NeedsError> for AppError {
    fn from(error: NeedsError) -> Self {
        AppError::Internal(error.to_string())
    }
}
