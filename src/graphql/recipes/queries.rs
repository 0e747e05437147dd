//! The queries of recipes and finished units.

use super::{FinishedUnit, Recipe};
use crate::graphql::connection::{Conn, PageArgs};
use crate::graphql::context::db;
use crate::graphql::ids;
use crate::store::{finished_units as unit_store, recipes as recipe_store};
use async_graphql::{Context, Object, Result, ID};

/// Recipe and finished unit queries.
#[derive(Default)]
pub struct RecipesQuery;

#[Object]
impl RecipesQuery {
    /// Recipes ordered by name.
    #[allow(clippy::too_many_arguments)]
    async fn recipes(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only this category.")] category: Option<String>,
        #[graphql(
            desc = "Case-insensitive part of the name (at most 200 characters; `%` and `_` match themselves)."
        )]
        search: Option<String>,
    ) -> Result<Conn<Recipe>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = recipe_store::RecipeFilter { category, search };
        let rows = recipe_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, Recipe))
    }

    /// Finished units ordered by name.
    async fn finished_units(
        &self,
        ctx: &Context<'_>,
        after: Option<String>,
        before: Option<String>,
        first: Option<i32>,
        last: Option<i32>,
        #[graphql(desc = "Only the finished units of this recipe.")] recipe_id: Option<ID>,
    ) -> Result<Conn<FinishedUnit>> {
        let page = PageArgs::new(after, before, first, last).validate()?;
        let filter = unit_store::FinishedUnitFilter {
            recipe_id: ids::decode_opt(recipe_id.as_ref(), "Recipe")?,
        };
        let rows = unit_store::list(db(ctx), &filter, page.keyset()).await?;
        Ok(page.connection(rows, FinishedUnit))
    }
}
