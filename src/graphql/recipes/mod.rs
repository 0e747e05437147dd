//! Recipes API: recipes with ingredient lines and sub-recipe components, and the
//! finished units they yield.

mod inputs;
mod mutations;
mod objects;
mod queries;

pub use inputs::{
    CreateFinishedUnitInput, CreateRecipeInput, RecipeComponentInput, RecipeIngredientInput,
    UpdateFinishedUnitInput, UpdateRecipeInput,
};
pub use mutations::RecipesMutation;
pub use objects::{AggregatedIngredient, FinishedUnit, Recipe, RecipeComponent, RecipeIngredient};
pub use queries::RecipesQuery;
