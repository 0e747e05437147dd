//! Finished good slugs: URL-safe unique names, given or derived from the name.

use crate::db::schema::finished_goods;
use crate::domain::names::{is_valid_slug, numbered_slug};
use crate::error::{AppError, AppResult};
use crate::store::unique_names::{UniqueName, UniqueNames};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use std::future::Future;

/// A given slug, trimmed, or `BAD_INPUT` when it is not a valid slug.
pub fn checked_slug(slug: &str) -> AppResult<String> {
    let slug = &crate::domain::text::trimmed(crate::domain::text::SLUG, slug)?;
    if !is_valid_slug(slug) {
        return Err(AppError::bad_input(format!(
            "slug \"{slug}\" is not valid: use lower-case letters a-z, digits and single dashes \
             between them (e.g. \"cookie-tin-2\")"
        )));
    }
    Ok(slug.to_string())
}

/// Slug steps inside a write transaction.
pub trait SlugSteps: Send {
    /// The slug of a new finished good: `given` (already [checked](checked_slug)) when no
    /// finished good has it, `CONFLICT` when one does; without `given`, the first numbered
    /// form of `base` (`base`, `base-2`, …) no finished good has. One query either way.
    fn slug_for_new_good(
        &mut self,
        given: Option<&str>,
        base: &str,
    ) -> impl Future<Output = AppResult<String>> + Send;
}

crate::impl_for_backends! {
    impl SlugSteps {
        async fn slug_for_new_good(&mut self, given: Option<&str>, base: &str) -> AppResult<String> {
            if let Some(slug) = given {
                self.ensure_name_free(UniqueName::FinishedGoodSlug(slug), None).await?;
                return Ok(slug.to_string());
            }
            let slugs: Vec<String> = finished_goods::table
                .filter(finished_goods::slug.like(format!("{base}%")))
                .select(finished_goods::slug)
                .load(self)
                .await?;
            Ok((1..)
                .map(|n| numbered_slug(base, n))
                .find(|candidate| !slugs.contains(candidate))
                .expect("some numbered slug is free"))
        }
    }
}
