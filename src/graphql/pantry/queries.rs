//! The pantry's queries.

use super::Ingredient;
use crate::graphql::connection::{Conn, PageArgs};
use crate::graphql::context::db;
use crate::store::ingredients as ingredient_store;
use async_graphql::{Context, Object, Result};

/// Pantry queries.
#[derive(Default)]
pub struct PantryQuery;

#[Object]
impl PantryQuery {
    /// Ingredients ordered by name.
    #[allow(clippy::too_many_arguments)]
    async fn ingredients(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only packaging (true) or only food (false).")] is_packaging: Option<bool>,
        #[graphql(desc = "Only this category.")] category: Option<String>,
        #[graphql(
            desc = "Case-insensitive part of the name (at most 200 characters; `%` and `_` match themselves)."
        )]
        search: Option<String>,
    ) -> Result<Conn<Ingredient>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = ingredient_store::IngredientFilter {
            is_packaging,
            category,
            search,
        };
        let rows = ingredient_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, Ingredient))
    }
}
