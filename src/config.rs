//! Command line and environment configuration.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

/// Bakeplan: a GraphQL server for planning and tracking holiday baking production.
#[derive(Debug, Parser)]
#[command(name = "bakeplan", version, about)]
pub struct Cli {
    /// Database URL: `postgres://…` for PostgreSQL, or a SQLite file path.
    #[arg(
        long,
        env = "DATABASE_URL",
        global = true,
        default_value = "bakeplan.db"
    )]
    pub database_url: String,

    /// Log format.
    #[arg(long, env = "BAKEPLAN_LOG_FORMAT", global = true, value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    /// What to do (default: serve).
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// Human-readable lines.
    Text,
    /// One JSON object per line.
    Json,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the GraphQL API (the default).
    Serve(ServeArgs),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Print the GraphQL schema (SDL, sorted).
    Schema {
        /// Write to this file instead of standard output.
        #[arg(long)]
        output: Option<PathBuf>,
    },
    /// Fill an empty database with a large generated data set for benchmarks (migrates
    /// first).
    BenchData(crate::bench_data::BenchDataArgs),
    /// Write the whole database as one JSON document (migrates first).
    Export {
        /// Write to this file instead of standard output.
        file: Option<PathBuf>,
    },
    /// Import an export document in one transaction (migrates first).
    Import {
        /// The document to import.
        file: PathBuf,
        /// `merge` skips entries whose natural key exists; `replace` empties the database first.
        #[arg(long, value_enum, default_value_t = ImportModeArg::Merge)]
        mode: ImportModeArg,
    },
    /// Make, list and revoke API tokens (migrates first).
    #[command(subcommand)]
    Token(TokenCommand),
    /// Load a small demo data set (one Christmas event) through the import (migrates first).
    Demo {
        /// Replace whatever the database holds (otherwise a non-empty database is refused).
        #[arg(long)]
        force: bool,
    },
}

/// `bakeplan token …`.
#[derive(Debug, Subcommand)]
pub enum TokenCommand {
    /// Make a token and print it, once, alone on standard output (only its hash is kept).
    Create {
        /// Unique name among tokens not revoked, e.g. "kitchen-phone".
        #[arg(long)]
        name: String,
        /// What requests with the token may do.
        #[arg(long, value_enum)]
        role: RoleArg,
        /// Days until the token stops working (default: never).
        #[arg(long, value_parser = clap::value_parser!(u32).range(1..=i64::from(crate::store::tokens::MAX_EXPIRY_DAYS)))]
        expires_in: Option<u32>,
    },
    /// List the tokens not revoked: name, role, created, last used, expiry (never a secret).
    List,
    /// Revoke a token by name: requests with it are refused from the next one on.
    Revoke {
        /// The token's name.
        name: String,
    },
}

/// `--role` of `token create`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RoleArg {
    /// Reads and subscribes.
    Viewer,
    /// Also records purchases, adjustments, production, assembly and fulfillment.
    Baker,
    /// Everything.
    Manager,
}

impl From<RoleArg> for crate::auth::Role {
    fn from(role: RoleArg) -> Self {
        match role {
            RoleArg::Viewer => crate::auth::Role::Viewer,
            RoleArg::Baker => crate::auth::Role::Baker,
            RoleArg::Manager => crate::auth::Role::Manager,
        }
    }
}

/// A switch given as `on` or `off`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Switch {
    /// Enabled.
    On,
    /// Disabled.
    Off,
}

impl Switch {
    /// Whether it is on.
    pub fn is_on(self) -> bool {
        self == Switch::On
    }
}

/// `--auth` of `serve`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuthArg {
    /// Every request needs a token (`Authorization: Bearer …`).
    Required,
    /// No tokens: every caller may do everything.
    Off,
    /// Off when listening only on a loopback address (127.0.0.0/8, ::1, localhost),
    /// required otherwise.
    Auto,
}

impl AuthArg {
    /// The mode for a server listening on `bind`.
    pub fn resolve(self, bind: &str) -> crate::auth::AuthMode {
        match self {
            AuthArg::Required => crate::auth::AuthMode::Required,
            AuthArg::Off => crate::auth::AuthMode::Off,
            AuthArg::Auto => crate::auth::AuthMode::auto_for(bind),
        }
    }
}

/// `--mode` of `import`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ImportModeArg {
    /// Keep existing rows; skip entries whose natural key exists.
    Merge,
    /// Delete everything first, in the same transaction.
    Replace,
}

impl From<ImportModeArg> for crate::transfer::ImportMode {
    fn from(mode: ImportModeArg) -> Self {
        match mode {
            ImportModeArg::Merge => crate::transfer::ImportMode::Merge,
            ImportModeArg::Replace => crate::transfer::ImportMode::Replace,
        }
    }
}

/// Options of `serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BAKEPLAN_BIND", default_value = "127.0.0.1:8080")]
    pub bind: String,

    /// Whether requests need an API token: `required`, `off`, or `auto` (off only when
    /// `--bind` is a loopback address).
    #[arg(long, env = "BAKEPLAN_AUTH", value_enum, default_value_t = AuthArg::Auto)]
    pub auth: AuthArg,

    /// Maximum database connections.
    #[arg(long, env = "BAKEPLAN_POOL_SIZE", default_value_t = 16)]
    pub pool_size: usize,

    /// HTTP worker threads (default: number of cores).
    #[arg(long, env = "BAKEPLAN_WORKERS")]
    pub workers: Option<usize>,

    /// Do not apply pending migrations at start.
    #[arg(long, env = "BAKEPLAN_NO_MIGRATE")]
    pub no_migrate: bool,

    /// Most operations in one batched POST.
    #[arg(long, env = "BAKEPLAN_MAX_BATCH", default_value_t = 10)]
    pub max_batch: usize,

    /// Maximum query depth.
    #[arg(long, env = "BAKEPLAN_MAX_DEPTH", default_value_t = 15)]
    pub max_depth: usize,

    /// Maximum estimated cost of one operation: a field costs 1 plus its selection, a
    /// connection its page size times its selection, a list its expected length times one item.
    #[arg(long, env = "BAKEPLAN_MAX_COMPLEXITY", default_value_t = 100_000)]
    pub max_complexity: u64,

    /// Largest GraphQL document, in bytes (checked before parsing).
    #[arg(long, env = "BAKEPLAN_MAX_DOCUMENT_BYTES", default_value_t = 100_000)]
    pub max_document_bytes: usize,

    /// Most lexical tokens (names, punctuators, values) in one GraphQL document, counted
    /// before parsing.
    #[arg(long, env = "BAKEPLAN_MAX_DOCUMENT_TOKENS", default_value_t = 2_000)]
    pub max_document_tokens: usize,

    /// Most selections (fields, fragment spreads, inline fragments) one document may spell
    /// out (checked before validation).
    #[arg(
        long,
        env = "BAKEPLAN_MAX_DOCUMENT_SELECTIONS",
        default_value_t = 1_000
    )]
    pub max_document_selections: usize,

    /// Browser origins allowed to use the API and its WebSocket, comma-separated
    /// (e.g. `http://localhost:3000`); the server's own origin is always allowed.
    #[arg(
        long,
        env = "BAKEPLAN_CORS_ORIGINS",
        value_delimiter = ',',
        default_value = ""
    )]
    pub cors_origins: Vec<String>,

    /// How often subscriptions re-read the database to hear other server instances (ms).
    #[arg(long, env = "BAKEPLAN_SUBSCRIPTION_POLL_MS", default_value_t = 1000)]
    pub subscription_poll_ms: u64,

    /// Largest request body (and WebSocket message) accepted, in bytes.
    #[arg(long, env = "BAKEPLAN_MAX_BODY_BYTES", default_value_t = 1_048_576)]
    pub max_body_bytes: usize,

    /// Memory for automatic persisted queries' documents, in bytes (0 turns APQ off); the
    /// least recently used are forgotten when it is full.
    #[arg(
        long,
        env = "BAKEPLAN_PERSISTED_QUERIES_BYTES",
        default_value_t = 8_388_608
    )]
    pub persisted_queries_bytes: usize,
    /// Answer identical reads from memory while no write has been committed since (through
    /// any instance sharing the database): `on` or `off`. Also gives GET answers an `ETag`.
    #[arg(long, env = "BAKEPLAN_RESPONSE_CACHE", value_enum, default_value_t = Switch::On)]
    pub response_cache: Switch,
    /// Memory for cached responses, in bytes; the least recently used are forgotten when it
    /// is full.
    #[arg(
        long,
        env = "BAKEPLAN_RESPONSE_CACHE_BYTES",
        default_value_t = crate::http::response_cache::DEFAULT_RESPONSE_CACHE_BYTES
    )]
    pub response_cache_bytes: usize,
    /// Answer the reads the direct executor knows (pages of events and `node(id:)` of an
    /// event, with their progress, targets and latest runs) without async-graphql's
    /// per-field executor, byte for byte the same: `on` or `off` (everything through
    /// async-graphql).
    #[arg(long, env = "BAKEPLAN_DIRECT_READS", value_enum, default_value_t = Switch::On)]
    pub direct_reads: Switch,
    /// A manifest of trusted documents (Apollo's persisted-query manifest or Relay's
    /// `{"HASH": "TEXT"}` map): viewers and bakers may then run only these documents, sent
    /// as text or by id in `extensions.persistedQuery.sha256Hash`; managers run anything.
    #[arg(long, env = "BAKEPLAN_TRUSTED_DOCUMENTS", value_name = "FILE")]
    pub trusted_documents: Option<std::path::PathBuf>,
    /// Largest document `importData` accepts, in bytes of JSON. A POST carrying only an
    /// `importData` mutation may be this large even when it exceeds `--max-body-bytes`.
    #[arg(long, env = "BAKEPLAN_MAX_IMPORT_BYTES", default_value_t = crate::graphql::DEFAULT_MAX_IMPORT_BYTES)]
    pub max_import_bytes: usize,

    /// PostgreSQL statement timeout, in seconds.
    #[arg(long, env = "BAKEPLAN_STATEMENT_TIMEOUT_SECS", default_value_t = 30)]
    pub statement_timeout_secs: u64,

    /// Seconds in-flight requests get to finish after SIGTERM / Ctrl-C.
    #[arg(long, env = "BAKEPLAN_SHUTDOWN_TIMEOUT_SECS", default_value_t = 30)]
    pub shutdown_timeout_secs: u64,
}

impl Default for ServeArgs {
    fn default() -> Self {
        ServeArgs::parse_from(["serve"])
    }
}

/// Wraps `ServeArgs` so they can be parsed on their own (defaults and environment).
#[derive(Debug, Parser)]
struct ServeOnly {
    #[command(flatten)]
    args: ServeArgs,
}

impl ServeArgs {
    fn parse_from<I: IntoIterator<Item = &'static str>>(args: I) -> Self {
        ServeOnly::parse_from(args).args
    }
}

/// Hides the password of a database URL for logs.
pub fn redact_url(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let credentials = &url[scheme + 3..at];
            match credentials.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..scheme + 3], &url[at..]),
                None => url.to_string(),
            }
        }
        _ => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_passwords() {
        assert_eq!(
            redact_url("postgres://u:secret@h/db"),
            "postgres://u:***@h/db"
        );
        assert_eq!(redact_url("postgres://u@h/db"), "postgres://u@h/db");
        assert_eq!(redact_url("bakeplan.db"), "bakeplan.db");
    }

    #[test]
    fn defaults_are_sensible() {
        let cli = Cli::parse_from(["bakeplan"]);
        assert!(cli.command.is_none());
        let serve = ServeArgs::default();
        assert_eq!(serve.bind, "127.0.0.1:8080");
        assert_eq!(serve.max_batch, 10);
        assert_eq!(serve.auth, AuthArg::Auto);
        assert_eq!(
            serve.auth.resolve(&serve.bind),
            crate::auth::AuthMode::Off,
            "the default bind is loopback"
        );
    }

    #[test]
    fn auth_flag_resolves_against_the_bind_address() {
        use crate::auth::AuthMode;
        let parse = |args: &[&str]| ServeOnly::parse_from(args.iter().copied()).args;
        let serve = parse(&["serve", "--bind", "0.0.0.0:8080"]);
        assert_eq!(serve.auth.resolve(&serve.bind), AuthMode::Required);
        let serve = parse(&["serve", "--bind", "0.0.0.0:8080", "--auth", "off"]);
        assert_eq!(serve.auth.resolve(&serve.bind), AuthMode::Off);
        let serve = parse(&["serve", "--auth", "required"]);
        assert_eq!(serve.auth.resolve(&serve.bind), AuthMode::Required);
    }

    #[test]
    fn token_commands_parse() {
        let cli = Cli::parse_from([
            "bakeplan",
            "token",
            "create",
            "--name",
            "phone",
            "--role",
            "baker",
            "--expires-in",
            "30",
        ]);
        assert!(matches!(
            cli.command,
            Some(Command::Token(TokenCommand::Create { ref name, role: RoleArg::Baker, expires_in: Some(30) })) if name == "phone"
        ));
        assert!(Cli::try_parse_from([
            "bakeplan", "token", "create", "--name", "x", "--role", "admin"
        ])
        .is_err());
        assert!(Cli::try_parse_from([
            "bakeplan",
            "token",
            "create",
            "--name",
            "x",
            "--role",
            "viewer",
            "--expires-in",
            "0"
        ])
        .is_err());
        assert!(matches!(
            Cli::parse_from(["bakeplan", "token", "revoke", "phone"]).command,
            Some(Command::Token(TokenCommand::Revoke { .. }))
        ));
    }
}
