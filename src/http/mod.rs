//! The actix-web application: GraphQL over HTTP (POST and GET), GraphiQL, health,
//! readiness and metrics.

use crate::db::{migrate, Db};
use crate::graphql::loaders::new_loaders;
use crate::graphql::observe::ReadOnlyTransport;
use crate::graphql::{build_schema, BakeplanSchema, Limits};
use crate::metrics::Metrics;
use actix_web::{guard, web, Either, HttpRequest, HttpResponse, Responder};
use async_graphql::http::GraphiQLSource;
use async_graphql::BatchRequest;
use async_graphql_actix_web::{
    GraphQLBatchRequest, GraphQLRequest, GraphQLResponse, GraphQLSubscription,
};

/// Everything the HTTP handlers share.
#[derive(Clone)]
pub struct AppState {
    /// The GraphQL schema.
    pub schema: BakeplanSchema,
    /// The database.
    pub db: Db,
    /// This instance's metrics.
    pub metrics: Metrics,
    /// The most operations one batched POST may carry.
    pub max_batch: usize,
}

impl AppState {
    /// Builds the state for a database.
    pub fn new(db: Db, limits: Limits, max_batch: usize) -> Self {
        let metrics = Metrics::new();
        let schema = build_schema(Some(db.clone()), limits, Some(metrics.clone()));
        AppState {
            schema,
            db,
            metrics,
            max_batch,
        }
    }
}

/// Registers every route; used by `serve` and by the tests.
pub fn configure(state: AppState) -> impl FnOnce(&mut web::ServiceConfig) {
    move |cfg| {
        cfg.app_data(web::Data::new(state))
            .service(
                web::resource("/graphql")
                    .route(web::post().to(graphql_post))
                    .route(
                        web::get()
                            .guard(guard::Header("upgrade", "websocket"))
                            .to(graphql_ws),
                    )
                    .route(web::get().to(graphql_get)),
            )
            .route("/graphiql", web::get().to(graphiql))
            .route("/", web::get().to(root))
            .route("/healthz", web::get().to(healthz))
            .route("/readyz", web::get().to(readyz))
            .route("/metrics", web::get().to(metrics));
    }
}

async fn graphql_post(
    state: web::Data<AppState>,
    request: GraphQLBatchRequest,
) -> Either<HttpResponse, actix_web::CustomizeResponder<GraphQLResponse>> {
    let mut batch = request.into_inner();
    if let BatchRequest::Batch(requests) = &batch {
        if requests.len() > state.max_batch {
            return Either::Left(HttpResponse::BadRequest().json(serde_json::json!({
                "errors": [{
                    "message": format!("a batch may hold at most {} operations; this one has {}", state.max_batch, requests.len()),
                    "extensions": {"code": "BAD_USER_INPUT"}
                }]
            })));
        }
    }
    for request in batch.iter_mut() {
        request.data.insert(new_loaders(state.db.clone()));
    }
    let response = state.schema.execute_batch(batch).await;
    Either::Right(with_status(response))
}

async fn graphql_get(
    state: web::Data<AppState>,
    request: GraphQLRequest,
) -> actix_web::CustomizeResponder<GraphQLResponse> {
    let request = request
        .into_inner()
        .data(new_loaders(state.db.clone()))
        .data(ReadOnlyTransport);
    with_status(state.schema.execute(request).await.into())
}

/// 503 when an error is `SERVICE_UNAVAILABLE`, so clients know to retry; 200 otherwise.
fn with_status(
    response: async_graphql::BatchResponse,
) -> actix_web::CustomizeResponder<GraphQLResponse> {
    let status = crate::graphql::error::batch_http_status(&response)
        .and_then(|s| actix_web::http::StatusCode::from_u16(s).ok())
        .unwrap_or(actix_web::http::StatusCode::OK);
    GraphQLResponse::from(response)
        .customize()
        .with_status(status)
}

/// Subscriptions over WebSocket; each connection gets its own (non-caching) loaders.
async fn graphql_ws(
    state: web::Data<AppState>,
    request: HttpRequest,
    payload: web::Payload,
) -> actix_web::Result<HttpResponse> {
    let db = state.db.clone();
    GraphQLSubscription::new(state.schema.clone())
        .on_connection_init(move |_| async move {
            let mut data = async_graphql::Data::default();
            data.insert(new_loaders(db));
            Ok(data)
        })
        .start(&request, payload)
}

async fn graphiql() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(
            GraphiQLSource::build()
                .endpoint("/graphql")
                .subscription_endpoint("/graphql")
                .title("Bakeplan")
                .finish(),
        )
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
    match migrate::pending_versions(&state.db).await {
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
        .body(state.metrics.render(&state.db))
}

/// Options of the HTTP server itself.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// Worker threads (`None`: number of cores).
    pub workers: Option<usize>,
    /// Largest JSON body accepted.
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
    let body_limit = options.max_body_bytes;
    let mut server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(web::JsonConfig::default().limit(body_limit))
            .app_data(web::PayloadConfig::new(body_limit))
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
