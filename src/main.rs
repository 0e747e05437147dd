//! The `bakeplan` command: serve (default), migrate, schema, bench-data, export, import, demo,
//! token.

use bakeplan::auth::trusted::TrustedDocuments;
use bakeplan::bench_data;
use bakeplan::config::{redact_url, Cli, Command, LogFormat, ServeArgs, TokenCommand};
use bakeplan::db::pool::DbOptions;
use bakeplan::db::{migrate, Db};
use bakeplan::graphql::{self, Limits};
use bakeplan::http::origin::OriginPolicy;
use bakeplan::http::{self, AppState, ServerOptions};
use clap::Parser;
use std::process::ExitCode;
use std::time::Duration;

mod token_cli;
mod transfer_cli;

/// mimalloc instead of glibc's malloc: resolving a large GraphQL response allocates
/// and frees many small objects from several threads, where glibc's allocator spent
/// about 40 % of the server's CPU (measured with `perf` under the §3.3 benchmark).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Text => builder.init(),
    }
}

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.log_format);
    let result = match cli.command {
        None => serve(&cli.database_url, ServeArgs::default()).await,
        Some(Command::Serve(args)) => serve(&cli.database_url, args).await,
        Some(Command::Migrate) => migrate_only(&cli.database_url).await,
        Some(Command::Schema { output }) => write_schema(output),
        Some(Command::BenchData(args)) => bench_data(&cli.database_url, &args).await,
        Some(Command::Export { file }) => transfer_cli::export(&cli.database_url, file).await,
        Some(Command::Import { file, mode }) => {
            transfer_cli::import(&cli.database_url, &file, mode.into()).await
        }
        Some(Command::Demo { force }) => transfer_cli::demo(&cli.database_url, force).await,
        Some(Command::Token(TokenCommand::Create {
            name,
            role,
            expires_in,
        })) => token_cli::create(&cli.database_url, name, role.into(), expires_in).await,
        Some(Command::Token(TokenCommand::List)) => token_cli::list(&cli.database_url).await,
        Some(Command::Token(TokenCommand::Revoke { name })) => {
            token_cli::revoke(&cli.database_url, &name).await
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            tracing::error!("{message}");
            eprintln!("bakeplan: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn migrate_only(url: &str) -> Result<(), String> {
    let applied = migrate::run_pending(url).await.map_err(|e| e.to_string())?;
    tracing::info!(database = %redact_url(url), applied = ?applied, "migrations applied");
    Ok(())
}

async fn bench_data(url: &str, args: &bench_data::BenchDataArgs) -> Result<(), String> {
    migrate::run_pending(url).await.map_err(|e| e.to_string())?;
    let db = Db::open(url, &DbOptions::default()).map_err(|e| e.to_string())?;
    let started = std::time::Instant::now();
    let summary = bench_data::fill(&db, args)
        .await
        .map_err(|e| e.to_string())?;
    for (table, rows) in &summary.rows {
        println!("{table:<28} {rows:>8} rows");
    }
    println!(
        "bench data written to {} in {:.1} s",
        redact_url(url),
        started.elapsed().as_secs_f64()
    );
    Ok(())
}

fn write_schema(output: Option<std::path::PathBuf>) -> Result<(), String> {
    let sdl = graphql::sdl();
    match output {
        Some(path) => {
            std::fs::write(&path, sdl).map_err(|e| format!("cannot write {}: {e}", path.display()))
        }
        None => {
            print!("{sdl}");
            Ok(())
        }
    }
}

async fn serve(url: &str, args: ServeArgs) -> Result<(), String> {
    if !args.no_migrate {
        let applied = migrate::run_pending(url).await.map_err(|e| e.to_string())?;
        if !applied.is_empty() {
            tracing::info!(applied = ?applied, "migrations applied");
        }
    }
    let db = Db::open(
        url,
        &DbOptions {
            max_connections: args.pool_size,
            acquire_timeout: Duration::from_secs(10),
            statement_timeout: Duration::from_secs(args.statement_timeout_secs),
        },
    )
    .map_err(|e| e.to_string())?;
    let limits = Limits {
        max_depth: args.max_depth,
        max_complexity: args.max_complexity,
        max_document_bytes: args.max_document_bytes,
        max_document_tokens: args.max_document_tokens,
        max_document_selections: args.max_document_selections,
        poll_interval: Duration::from_millis(args.subscription_poll_ms),
        max_import_bytes: args.max_import_bytes,
    };
    let origins = OriginPolicy::new(&args.cors_origins)?;
    let auth = args.auth.resolve(&args.bind);
    let state = AppState::new(db.clone(), limits, args.max_batch)
        .with_auth(auth)
        .with_origins(origins)
        .with_persisted_queries(args.persisted_queries_bytes)
        .with_response_cache(args.response_cache.is_on(), args.response_cache_bytes)
        .with_direct_reads(args.direct_reads.is_on());
    let state = match &args.trusted_documents {
        Some(path) => {
            let trusted = TrustedDocuments::load(path)?;
            tracing::info!(
                file = %path.display(),
                documents = trusted.len(),
                "viewers and bakers may run only trusted documents"
            );
            state.with_trusted_documents(trusted)
        }
        None => state,
    };
    let listener = std::net::TcpListener::bind(&args.bind)
        .map_err(|e| format!("cannot listen on {}: {e}", args.bind))?;
    let address = listener.local_addr().map_err(|e| e.to_string())?;
    let options = ServerOptions {
        workers: args.workers,
        max_body_bytes: args.max_body_bytes,
        shutdown_timeout_secs: args.shutdown_timeout_secs,
    };
    let server = http::start(state, listener, &options).map_err(|e| e.to_string())?;
    tracing::info!(
        database = %redact_url(url),
        backend = db.backend().name(),
        auth = auth.as_str(),
        response_cache = args.response_cache.is_on(),
        "serving GraphQL on http://{address}/graphql (GraphiQL: http://{address}/graphiql)"
    );
    if auth == bakeplan::auth::AuthMode::Off && address.ip().is_unspecified() {
        tracing::warn!("authentication is off on a public address: anyone who can reach it may change everything");
    }
    server.await.map_err(|e| e.to_string())?;
    tracing::info!("server stopped");
    Ok(())
}
