//! `bakeplan token create|list|revoke`: the command-line side of [`bakeplan::store::tokens`].
//! A new token's text is the only thing `create` writes to standard output, so it can be
//! captured (`TOKEN=$(bakeplan token create …)`); everything else goes to standard error.

use bakeplan::auth::Role;
use bakeplan::db::pool::DbOptions;
use bakeplan::db::{migrate, Db};
use bakeplan::store::tokens::{self, NewToken};
use chrono::NaiveDateTime;

async fn open(url: &str) -> Result<Db, String> {
    migrate::run_pending(url).await.map_err(|e| e.to_string())?;
    Db::open(url, &DbOptions::default()).map_err(|e| e.to_string())
}

/// `bakeplan token create --name NAME --role ROLE [--expires-in DAYS]`.
pub async fn create(
    url: &str,
    name: String,
    role: Role,
    expires_in_days: Option<u32>,
) -> Result<(), String> {
    let db = open(url).await?;
    let created = tokens::create(
        &db,
        NewToken {
            name,
            role,
            expires_in_days,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    println!("{}", created.secret);
    eprintln!(
        "token \"{}\" ({}) created{}; it is shown only this once",
        created.row.name,
        created.row.role,
        created
            .row
            .expires_at
            .map(|at| format!(", expires {}", stamp(at)))
            .unwrap_or_default()
    );
    Ok(())
}

fn stamp(at: NaiveDateTime) -> String {
    at.format("%Y-%m-%d %H:%M UTC").to_string()
}

/// `bakeplan token list`: one line per token not revoked; never a secret or hash.
pub async fn list(url: &str) -> Result<(), String> {
    let db = open(url).await?;
    let rows = tokens::list(&db).await.map_err(|e| e.to_string())?;
    let now = bakeplan::store::now();
    let width = rows
        .iter()
        .map(|r| r.name.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    println!(
        "{:<width$}  {:<7}  {:<20}  {:<20}  EXPIRES",
        "NAME", "ROLE", "CREATED", "LAST USED"
    );
    for row in rows {
        let expiry = match row.expires_at {
            None => "never".to_string(),
            Some(at) if row.expired_at(now) => format!("{} (expired)", stamp(at)),
            Some(at) => stamp(at),
        };
        println!(
            "{:<width$}  {:<7}  {:<20}  {:<20}  {expiry}",
            row.name,
            row.role,
            stamp(row.created_at),
            row.last_used_at
                .map(stamp)
                .unwrap_or_else(|| "never".into()),
        );
    }
    Ok(())
}

/// `bakeplan token revoke NAME`: an unknown name is an error.
pub async fn revoke(url: &str, name: &str) -> Result<(), String> {
    let db = open(url).await?;
    let row = tokens::revoke(&db, name).await.map_err(|e| match e {
        bakeplan::error::AppError::NotFound { .. } => {
            format!(
                "no token named \"{}\" (see `bakeplan token list`)",
                name.trim()
            )
        }
        other => other.to_string(),
    })?;
    eprintln!("token \"{}\" revoked", row.name);
    Ok(())
}
