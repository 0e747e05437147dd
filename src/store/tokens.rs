//! API tokens (SPEC §4.1): made with a name and a role, listed, revoked by name, and
//! checked on every request. Only the SHA-256 of a token's text is stored; the text is
//! returned once, by [`create`].

use super::now;
use crate::auth::{secret, AuthFailure, Caller, Role};
use crate::db::schema::api_tokens;
use crate::db::Db;
use crate::error::{AppError, AppResult};
use crate::{db_run, db_write};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;

pub use crate::db::models::ApiToken;

/// The most days a token may be made to last (about 100 years).
pub const MAX_EXPIRY_DAYS: u32 = 36_500;

/// `last_used_at` is written when it is older than this, so most requests read one row and
/// write nothing.
const TOUCH_AFTER: Duration = Duration::seconds(60);

/// What a new token is made with.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// Unique among tokens not revoked; trimmed, 1 to 200 characters.
    pub name: String,
    /// What it may do.
    pub role: Role,
    /// Days until it expires; `None` never expires.
    pub expires_in_days: Option<u32>,
}

/// A token just made: its row and its text, which is never available again.
#[derive(Debug, Clone)]
pub struct CreatedToken {
    /// The stored row (with the hash, not the text).
    pub row: ApiToken,
    /// The token's text, to hand to its user.
    pub secret: String,
}

impl ApiToken {
    /// The token's role (a role the database does not know reads as a viewer, the weakest).
    pub fn role(&self) -> Role {
        Role::parse(&self.role).unwrap_or(Role::Viewer)
    }

    /// Whether its expiry has passed at `at`.
    pub fn expired_at(&self, at: NaiveDateTime) -> bool {
        self.expires_at.is_some_and(|expiry| expiry <= at)
    }
}

fn clean_name(name: &str) -> AppResult<String> {
    let name = crate::domain::text::name(crate::domain::text::NAME, name)?;
    if name.is_empty() {
        return Err(AppError::bad_input("a token's name must not be empty"));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::bad_input(
            "a token's name must not contain control characters",
        ));
    }
    Ok(name)
}

/// Makes a token. A name already used by a token that is not revoked is a `CONFLICT`.
pub async fn create(db: &Db, input: NewToken) -> AppResult<CreatedToken> {
    let name = clean_name(&input.name)?;
    let created_at = now();
    let expires_at = match input.expires_in_days {
        None => None,
        Some(0) => return Err(AppError::bad_input("expiresInDays must be at least 1")),
        Some(days) if days > MAX_EXPIRY_DAYS => {
            return Err(AppError::bad_input(format!(
                "expiresInDays must be at most {MAX_EXPIRY_DAYS}"
            )))
        }
        Some(days) => Some(created_at + Duration::days(i64::from(days))),
    };
    let secret = secret::generate()
        .map_err(|e| AppError::Internal(format!("no random bytes for a token: {e}")))?;
    let secret_hash = secret::hash(&secret);
    let role = input.role.as_str();
    let row = db_write!(db, |conn| {
        let taken: i64 = api_tokens::table
            .filter(api_tokens::name.eq(&name))
            .filter(api_tokens::revoked_at.is_null())
            .count()
            .get_result(conn)
            .await?;
        if taken > 0 {
            return Err(AppError::Conflict(format!(
                "a token named \"{name}\" already exists; revoke it first or choose another name"
            )));
        }
        let row = diesel::insert_into(api_tokens::table)
            .values((
                api_tokens::name.eq(&name),
                api_tokens::role.eq(role),
                api_tokens::secret_hash.eq(&secret_hash),
                api_tokens::created_at.eq(created_at),
                api_tokens::expires_at.eq(expires_at),
            ))
            .returning(ApiToken::as_returning())
            .get_result(conn)
            .await?;
        Ok(row)
    })?;
    Ok(CreatedToken { row, secret })
}

/// Every token not revoked (expired ones included: their expiry shows it), by name.
pub async fn list(db: &Db) -> AppResult<Vec<ApiToken>> {
    db_run!(db, |conn| Ok(api_tokens::table
        .filter(api_tokens::revoked_at.is_null())
        .order((api_tokens::name, api_tokens::id))
        .select(ApiToken::as_select())
        .load(conn)
        .await?))
}

/// Revokes the token named `name`; requests with it are refused from then on. An unknown
/// (or already revoked) name is `NOT_FOUND`.
pub async fn revoke(db: &Db, name: &str) -> AppResult<ApiToken> {
    let name = name.trim().to_string();
    let revoked_at = now();
    db_write!(db, |conn| {
        diesel::update(
            api_tokens::table
                .filter(api_tokens::name.eq(&name))
                .filter(api_tokens::revoked_at.is_null()),
        )
        .set(api_tokens::revoked_at.eq(revoked_at))
        .returning(ApiToken::as_returning())
        .get_result(conn)
        .await
        .optional()?
        .ok_or_else(|| {
            AppError::not_found(
                crate::domain::entity::Entity::ApiToken,
                format!("\"{name}\""),
            )
        })
    })
}

/// The caller a token's text stands for, or why it is refused (`Unknown`, `Expired`,
/// `Revoked`). One indexed read; `last_used_at` is written only when more than a minute
/// old.
pub async fn authenticate(db: &Db, token: &str) -> AppResult<Caller> {
    if token.len() > secret::MAX_TOKEN_LEN {
        return Err(AppError::Unauthenticated(AuthFailure::Unknown));
    }
    authenticate_hash(db, &secret::hash(token)).await
}

/// [`authenticate`] by the token's hash (what a WebSocket connection keeps to check its
/// token again).
pub async fn authenticate_hash(db: &Db, hash: &str) -> AppResult<Caller> {
    let at = now();
    let row: Option<ApiToken> = db_run!(db, |conn| {
        let row = api_tokens::table
            .filter(api_tokens::secret_hash.eq(hash))
            .select(ApiToken::as_select())
            .first(conn)
            .await
            .optional()?;
        if let Some(row) = &row {
            let usable = row.revoked_at.is_none() && !row.expired_at(at);
            if usable && row.last_used_at.is_none_or(|used| at - used > TOUCH_AFTER) {
                diesel::update(api_tokens::table.find(row.id))
                    .set(api_tokens::last_used_at.eq(at))
                    .execute(conn)
                    .await?;
            }
        }
        AppResult::Ok(row)
    })?;
    let row = match row {
        Some(row) if secret::constant_time_eq(row.secret_hash.as_bytes(), hash.as_bytes()) => row,
        _ => return Err(AppError::Unauthenticated(AuthFailure::Unknown)),
    };
    if row.revoked_at.is_some() {
        return Err(AppError::Unauthenticated(AuthFailure::Revoked));
    }
    if row.expired_at(at) {
        return Err(AppError::Unauthenticated(AuthFailure::Expired));
    }
    Ok(Caller {
        role: row.role(),
        name: Some(row.name),
    })
}
