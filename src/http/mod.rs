//! The actix-web application: GraphQL over HTTP (POST and GET) and WebSocket, GraphiQL,
//! health, readiness and metrics.

pub mod auth;
pub mod documents;
pub mod gateway;
pub mod graphiql;
pub mod graphql_http;
pub mod import_body;
pub mod origin;
pub mod persisted;
pub mod problem;
pub mod response_cache;
pub mod ws;

use crate::auth::trusted::TrustedDocuments;
use crate::db::{migrate, Db};
use crate::graphql::{build_schema, BakeplanSchema, Limits};
use crate::metrics::Metrics;
use actix_web::{guard, middleware, web, HttpResponse};
use gateway::Gateway;
use origin::OriginPolicy;
use persisted::PersistedQueries;
use response_cache::{ResponseCache, DEFAULT_RESPONSE_CACHE_BYTES};
use std::sync::Arc;

/// Memory for persisted-query documents unless configured (8 MiB).
pub const DEFAULT_PERSISTED_QUERIES_BYTES: usize = 8 * 1024 * 1024;

/// Everything the HTTP handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The GraphQL schema.
    pub schema: BakeplanSchema,
    /// The database.
    pub db: Db,
    /// This instance's metrics.
    pub metrics: Metrics,
    /// Admits operations (trusted documents, document limits, roles) and runs them on its
    /// own execution runtimes.
    pub gateway: Gateway,
    /// The browser origins allowed besides the server's own.
    pub origins: OriginPolicy,
    /// The most operations one batched POST may carry.
    pub max_batch: usize,
    /// Largest request body (and WebSocket message) accepted, in bytes.
    pub max_body_bytes: usize,
    /// Automatic persisted queries' documents, by hash.
    pub persisted: Arc<PersistedQueries>,
    /// Answers of reads, valid while the data version is unchanged (`--response-cache`).
    pub response_cache: Arc<ResponseCache>,
    /// Largest body of a POST carrying only an `importData` mutation (`--max-import-bytes`).
    pub max_import_bytes: usize,
    /// The only documents viewers and bakers may run (`--trusted-documents`), if set.
    pub trusted: Option<Arc<TrustedDocuments>>,
    /// Whether requests need a token (`--auth`, resolved).
    pub auth: crate::auth::AuthMode,
    /// How often a WebSocket connection checks again that its token still works (the
    /// subscription poll interval).
    pub poll_interval: std::time::Duration,
}

impl AppState {
    /// Builds the state for a database; its gateway starts the runtimes that operations
    /// and database work run on (see [`gateway`]).
    pub fn new(db: Db, limits: Limits, max_batch: usize) -> Self {
        let metrics = Metrics::new();
        let schema = build_schema(Some(db.clone()), limits);
        let gateway = Gateway::new(
            schema.clone(),
            db.clone(),
            limits.document(),
            limits.max_depth,
            metrics.clone(),
        );
        AppState {
            schema,
            db,
            metrics,
            gateway,
            origins: OriginPolicy::default(),
            max_batch,
            max_body_bytes: ServerOptions::default().max_body_bytes,
            persisted: Arc::new(PersistedQueries::new(DEFAULT_PERSISTED_QUERIES_BYTES)),
            response_cache: Arc::new(ResponseCache::new(true, DEFAULT_RESPONSE_CACHE_BYTES)),
            max_import_bytes: limits.max_import_bytes,
            trusted: None,
            auth: crate::auth::AuthMode::Required,
            poll_interval: limits.poll_interval,
        }
    }

    /// Sets whether requests need a token (`--auth`, resolved; required unless set).
    pub fn with_auth(mut self, mode: crate::auth::AuthMode) -> Self {
        self.auth = mode;
        self
    }

    /// Gives automatic persisted queries `bytes` of memory (`--persisted-queries-bytes`).
    pub fn with_persisted_queries(mut self, bytes: usize) -> Self {
        let mut persisted = PersistedQueries::new(bytes);
        if let Some(trusted) = &self.trusted {
            persisted = persisted.with_trusted(trusted.clone());
        }
        self.persisted = Arc::new(persisted);
        self
    }

    /// Lets viewers and bakers run only the documents of this manifest
    /// (`--trusted-documents`); they are also known by their ids as persisted queries.
    pub fn with_trusted_documents(mut self, trusted: TrustedDocuments) -> Self {
        let trusted = Arc::new(trusted);
        self.trusted = Some(trusted.clone());
        self.gateway = self.gateway.with_trusted_documents(trusted);
        let bytes = self.persisted.max_bytes();
        self.with_persisted_queries(bytes)
    }

    /// Caches reads (`--response-cache on|off`) in at most `bytes` of memory
    /// (`--response-cache-bytes`); on, with [`DEFAULT_RESPONSE_CACHE_BYTES`], unless set.
    pub fn with_response_cache(mut self, enabled: bool, bytes: usize) -> Self {
        self.response_cache = Arc::new(ResponseCache::new(enabled, bytes));
        self
    }

    /// Answers the reads the direct executor knows without async-graphql's executor
    /// (`--direct-reads on|off`; on unless set).
    pub fn with_direct_reads(mut self, enabled: bool) -> Self {
        self.gateway = self.gateway.with_direct_reads(enabled);
        self
    }

    /// Allows browsers on these origins (`--cors-origins`).
    pub fn with_origins(mut self, origins: OriginPolicy) -> Self {
        self.origins = origins;
        self
    }
}

/// Registers every route; used by `serve` and by the tests.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state))
            .service(
                web::resource("/graphql")
                    .wrap(middleware::from_fn(origin::guard))
                    .route(web::post().to(graphql_http::post))
                    .route(
                        web::get()
                            .guard(guard::Header("upgrade", "websocket"))
                            .to(ws::upgrade),
                    )
                    .route(web::get().to(graphql_http::get))
                    .route(
                        web::route()
                            .guard(guard::Options())
                            .to(HttpResponse::NoContent),
                    ),
            )
            .route("/graphiql", web::get().to(graphiql::playground))
            .route(
                "/graphiql/assets/{package}/{file}",
                web::get().to(graphiql::asset),
            )
            .route("/", web::get().to(root))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(metrics));
    }
}

async fn root() -> HttpResponse {
    HttpResponse::Found()
        .insert_header(("Location", "/graphiql"))
        .finish()
}

async fn healthz() -> HttpResponse {
    HttpResponse::Ok().content_type("text/plain").body("ok\n")
}

async fn readyz(state: web::Data<AppState>) -> HttpResponse {
    let db = state.db.clone();
    let pending = state
        .gateway
        .run(async move { migrate::pending_versions(&db).await })
        .await
        .unwrap_or_else(|| {
            Err(crate::error::AppError::Internal(
                "readiness check panicked".into(),
            ))
        });
    match pending {
        Ok(pending) if pending.is_empty() => HttpResponse::Ok()
            .content_type("text/plain")
            .body("ready\n"),
        Ok(pending) => HttpResponse::ServiceUnavailable()
            .content_type("text/plain")
            .body(format!(
                "database is missing migrations: {}\n",
                pending.join(", ")
            )),
        Err(error) => {
            tracing::warn!(%error, "readiness check failed");
            HttpResponse::ServiceUnavailable()
                .content_type("text/plain")
                .body("database unreachable\n")
        }
    }
}

async fn metrics(state: web::Data<AppState>) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/plain; version=0.0.4")
        .body(state.metrics.render(&state.db) + &state.response_cache.render_metrics())
}

/// Options of the HTTP server itself.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Worker threads (`None`: number of cores).
    pub workers: Option<usize>,
    /// Largest request body (and WebSocket message) accepted, in bytes.
    pub max_body_bytes: usize,
    /// Seconds in-flight requests get after a shutdown signal.
    pub shutdown_timeout_secs: u64,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            workers: None,
            max_body_bytes: 1_048_576,
            shutdown_timeout_secs: 30,
        }
    }
}

/// Binds the server to an already-open listener and returns it, not yet awaited.
/// SIGTERM and Ctrl-C stop it gracefully: in-flight requests finish first.
pub fn start(
    state: AppState,
    listener: std::net::TcpListener,
    options: &ServerOptions,
) -> std::io::Result<actix_web::dev::Server> {
    let mut state = state;
    state.max_body_bytes = options.max_body_bytes;
    let mut server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .wrap(actix_web::middleware::Compress::default())
            .configure(configure(state.clone()))
    })
    .shutdown_timeout(options.shutdown_timeout_secs)
    .listen(listener)?;
    if let Some(workers) = options.workers {
        server = server.workers(workers);
    }
    Ok(server.run())
}
