//! Who is calling (`Query.viewer`) and API token management for managers (SPEC §4.1).
//! Which role each field needs is decided before execution, in [`crate::auth::roles`].

use super::context::{caller, db, detached};
use super::scalars::utc;
use crate::auth::Role;
use crate::store::tokens as token_store;
use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::{DateTime, Utc};

/// The caller of a request.
#[derive(SimpleObject)]
pub struct Viewer {
    /// The name of the calling token; null when authentication is off.
    pub name: Option<String>,
    /// What the caller may do.
    pub role: Role,
}

/// An API token. Its text is shown only once, by `createApiToken`; the server keeps only
/// its hash.
pub struct ApiToken(pub token_store::ApiToken);

#[Object]
impl ApiToken {
    /// The token's name (unique among tokens not revoked).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// What requests with this token may do.
    async fn role(&self) -> Role {
        self.0.role()
    }
    /// When it was made.
    async fn created_at(&self) -> DateTime<Utc> {
        utc(self.0.created_at)
    }
    /// When it was last used (to the minute); null if never.
    async fn last_used_at(&self) -> Option<DateTime<Utc>> {
        self.0.last_used_at.map(utc)
    }
    /// When it stops working; null if never.
    async fn expires_at(&self) -> Option<DateTime<Utc>> {
        self.0.expires_at.map(utc)
    }
    /// Whether its expiry has passed.
    async fn expired(&self) -> bool {
        self.0.expired_at(crate::store::now())
    }
    /// When it was revoked; null while it is in use.
    async fn revoked_at(&self) -> Option<DateTime<Utc>> {
        self.0.revoked_at.map(utc)
    }
}

/// Who is calling, and the tokens managers can see.
#[derive(Default)]
pub struct TokensQuery;

#[Object]
impl TokensQuery {
    /// The caller: the token's name and role (a nameless manager when authentication is off).
    async fn viewer(&self, ctx: &Context<'_>) -> Viewer {
        let caller = caller(ctx);
        Viewer {
            name: caller.name,
            role: caller.role,
        }
    }

    /// Every API token that is not revoked, by name (managers only).
    async fn api_tokens(&self, ctx: &Context<'_>) -> Result<Vec<ApiToken>> {
        let rows = token_store::list(db(ctx)).await?;
        Ok(rows.into_iter().map(ApiToken).collect())
    }
}

/// A token to make.
#[derive(InputObject)]
pub struct CreateApiTokenInput {
    /// Unique among tokens not revoked, e.g. "kitchen phone".
    pub name: String,
    /// What requests with it may do.
    pub role: Role,
    /// Days until it expires; omitted or null: never.
    pub expires_in_days: Option<u32>,
}

/// A token just made.
#[derive(SimpleObject)]
pub struct CreateApiTokenPayload {
    /// The token's text, for `Authorization: Bearer …`. Shown this once: only its hash is
    /// stored.
    pub token: String,
    /// The token.
    pub api_token: ApiToken,
}

/// Token management (managers only).
#[derive(Default)]
pub struct TokensMutation;

#[Object]
impl TokensMutation {
    /// Makes an API token and returns its text, once.
    async fn create_api_token(
        &self,
        ctx: &Context<'_>,
        input: CreateApiTokenInput,
    ) -> Result<CreateApiTokenPayload> {
        let db = db(ctx).clone();
        let new = token_store::NewToken {
            name: input.name,
            role: input.role,
            expires_in_days: input.expires_in_days,
        };
        let created = detached(async move { token_store::create(&db, new).await }).await?;
        Ok(CreateApiTokenPayload {
            token: created.secret,
            api_token: ApiToken(created.row),
        })
    }

    /// Revokes the token of this name: requests with it are refused from the next one on,
    /// and its open subscriptions end.
    async fn revoke_api_token(&self, ctx: &Context<'_>, name: String) -> Result<ApiToken> {
        let db = db(ctx).clone();
        detached(async move { token_store::revoke(&db, &name).await })
            .await
            .map(ApiToken)
    }
}
