//! Pantry API: ingredients, products, purchases, inventory lots and adjustments.

mod inputs;
mod mutations;
mod objects;
mod queries;

pub use inputs::{
    parse_unit, AdjustInventoryLotInput, CreateIngredientInput, CreateProductInput, DensityInput,
    RecordPurchaseInput, UpdateIngredientInput, UpdateProductInput,
};
pub use mutations::{AdjustInventoryLotPayload, PantryMutation};
pub use objects::{
    load_ingredient, Density, Ingredient, InventoryAdjustment, InventoryLot, Product,
};
pub use queries::PantryQuery;
