//! Helpers resolvers use to reach the request's database handle and loaders.

use crate::db::Db;
use async_graphql::Context;

/// The database handle of the server.
pub fn db<'a>(ctx: &Context<'a>) -> &'a Db {
    ctx.data_unchecked::<Db>()
}

/// Runs a write to completion even if the client goes away: the store future is
/// spawned, so a dropped request never leaves a transaction half-done.
pub async fn detached<T, F>(future: F) -> async_graphql::Result<T>
where
    F: std::future::Future<Output = crate::error::AppResult<T>> + Send + 'static,
    T: Send + 'static,
{
    match tokio::spawn(future).await {
        Ok(result) => result.map_err(async_graphql::Error::from),
        Err(join) => {
            Err(crate::error::AppError::Internal(format!("write task failed: {join}")).into())
        }
    }
}

/// Who is calling. A request without a caller (an in-process schema with no transport in
/// front) acts as a nameless manager, as with `--auth off`.
pub fn caller(ctx: &Context<'_>) -> crate::auth::Caller {
    ctx.data_opt::<crate::auth::Caller>()
        .cloned()
        .unwrap_or_else(crate::auth::Caller::unauthenticated_manager)
}

/// The name written into `recordedBy`, `readyBy` and `deliveredBy`: the calling token's
/// name, or `None` when authentication is off.
pub fn caller_name(ctx: &Context<'_>) -> Option<String> {
    caller(ctx).name
}
