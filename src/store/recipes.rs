//! Recipes with their ingredient lines and sub-recipe components.

pub use crate::db::models::Recipe;

crate::rows_by_ids!(
    /// Recipe rows by primary key (one query).
    by_ids,
    recipes,
    Recipe
);
