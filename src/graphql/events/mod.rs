//! Events, recipients and assignments (which recipient gets which package for an event).

mod inputs;
mod mutations;
mod objects;
mod queries;

pub use inputs::{
    AssignPackageInput, CreateEventInput, CreateRecipientInput, UpdateAssignmentInput,
    UpdateEventInput, UpdateFulfillmentStatusInput, UpdateRecipientInput,
};
pub use mutations::EventsMutation;
pub use objects::{Event, EventRecipientPackage, Recipient};
pub use queries::EventsQuery;
