//! Where every transport hands its GraphQL operations over: document limits first, then
//! execution on the multi-thread runtime.
//!
//! actix-web runs each HTTP worker on its own current-thread runtime. diesel-async's SQLite
//! connection runs queries with `spawn_blocking`, and when a query future is dropped
//! half-way (a client cancels a subscription, closes its socket, or gives up on a request)
//! it waits for the blocking query with `block_in_place`, which panics on a current-thread
//! runtime and, during unwinding, aborts the process. So no database work may run on an
//! actix worker: every operation, and every subscription stream, runs as a task on the
//! runtime of multi-thread flavour. A task is never cancelled half-way by its caller: an
//! abandoned request runs to completion and returns its connection to the pool, and a
//! dropped subscription is dropped on a runtime thread where waiting is allowed.
//!
//! Those runtimes have one worker thread each, one runtime per core, and requests are dealt
//! out in turn. With a single worker, a request's DataLoader batch (a task spawned, without
//! a timer, when the first key is asked for; see [`new_loaders`]) cannot run while the
//! request is still asking for the other keys of the same level on another thread, so
//! every level stays one batch and one statement, as on the actix workers before.

use super::documents::ParsedDocuments;
use super::response_cache::{CacheKey, UNCACHED_FIELDS};
use crate::auth::trusted::TrustedDocuments;
use crate::auth::{AuthFailure, Caller, Role};
use crate::db::Db;
use crate::error::AppError;
use crate::graphql::admission::{admit, DocumentLimits, Refusal, SchemaShape};
use crate::graphql::direct;
use crate::graphql::error::{
    default_codes, is_coded, server_error, set_code, ErrorCode, INTERNAL_MESSAGE,
};
use crate::graphql::field_order;
use crate::graphql::loaders::new_loaders;
use crate::graphql::nulls::{self, FieldTypes};
use crate::graphql::request_wake::RequestWake;
use crate::graphql::BakeplanSchema;
use crate::metrics::Metrics;
use async_graphql::parser::types::{ExecutableDocument, OperationType};
use async_graphql::{Data, Executor, Request, Response, ServerError};
use futures::stream::BoxStream;
use futures::StreamExt;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tokio::runtime::{Handle, Runtime};

/// One-worker runtimes of multi-thread flavour that operations run on, dealt out in turn.
struct Executors {
    runtimes: Vec<Runtime>,
    next: AtomicUsize,
}

impl Executors {
    fn new(count: usize) -> Executors {
        let runtimes = (0..count.max(1))
            .map(|i| {
                tokio::runtime::Builder::new_multi_thread()
                    .worker_threads(1)
                    .thread_name(format!("bakeplan-exec-{i}"))
                    .enable_all()
                    .build()
                    .expect("an execution runtime can be started")
            })
            .collect();
        Executors {
            runtimes,
            next: AtomicUsize::new(0),
        }
    }

    fn pick(&self) -> Handle {
        let i = self.next.fetch_add(1, Ordering::Relaxed) % self.runtimes.len();
        self.runtimes[i].handle().clone()
    }
}

impl Drop for Executors {
    fn drop(&mut self) {
        // The last handle may go away on an actix worker, where blocking to join the
        // runtimes' threads is not allowed.
        for runtime in self.runtimes.drain(..) {
            runtime.shutdown_background();
        }
    }
}

/// Runs operations for the HTTP and WebSocket transports.
#[derive(Clone)]
pub struct Gateway {
    schema: BakeplanSchema,
    db: Db,
    executors: Arc<Executors>,
    limits: DocumentLimits,
    shape: Arc<SchemaShape>,
    types: Arc<FieldTypes>,
    metrics: Metrics,
    trusted: Option<Arc<TrustedDocuments>>,
    /// Documents parsed before, by their text.
    documents: Arc<ParsedDocuments>,
    /// Whether queries the direct executor knows skip async-graphql's (`--direct-reads`).
    direct_reads: bool,
    /// The schema's depth limit, which the direct executor keeps too.
    max_depth: usize,
}

/// What an operation sent over HTTP gave.
pub enum Answer {
    /// async-graphql's response, to be serialized.
    Response(Response),
    /// The JSON text the direct read executor wrote (never with errors).
    Body(actix_web::web::Bytes),
}

/// An operation that passed the document limits and the caller's role, and may be executed.
pub struct Admitted {
    request: Request,
    /// The type of the operation that will run, when the document names one.
    pub operation: Option<OperationType>,
    /// Who sent it (also in the request's data, for resolvers).
    pub caller: Caller,
}

/// On a WebSocket connection authenticated by a token: the token's hash, so every
/// operation started on the connection checks first that the token still works (not
/// revoked, not expired since the connection began).
#[derive(Debug, Clone)]
pub struct TokenCheck {
    /// The SHA-256 of the connection's token, in hex.
    pub hash: String,
}

impl Admitted {
    /// The response cache's key for this operation on `day`, when its answer may be cached:
    /// a query that reads data, none of whose root fields is in
    /// [`UNCACHED_FIELDS`].
    pub fn cache_key(&mut self, day: chrono::NaiveDate) -> Option<CacheKey> {
        if self.operation != Some(OperationType::Query) {
            return None;
        }
        let name = self.request.operation_name.clone();
        let document = self.request.parsed_query().ok()?;
        let (_, fields) = crate::auth::roles::root_fields(document, name.as_deref())?;
        // Introspection alone reads no data: nothing to save, and no version to read.
        let only_meta = fields.iter().all(|field| field.starts_with("__"));
        if only_meta || fields.iter().any(|field| UNCACHED_FIELDS.contains(field)) {
            return None;
        }
        Some(CacheKey {
            day,
            caller: self.caller.clone(),
            operation_name: name,
            query: self.request.query.clone(),
            variables: serde_json::to_string(&self.request.variables).ok()?,
        })
    }
}

impl Gateway {
    /// A gateway with one execution runtime per core.
    pub fn new(
        schema: BakeplanSchema,
        db: Db,
        limits: DocumentLimits,
        max_depth: usize,
        metrics: Metrics,
    ) -> Gateway {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        let executors = Arc::new(Executors::new(cores));
        let sdl = schema.sdl();
        let shape = Arc::new(SchemaShape::from_sdl(&sdl));
        let types = Arc::new(FieldTypes::from_sdl(&sdl));
        Gateway {
            schema,
            db,
            executors,
            limits,
            shape,
            types,
            metrics,
            trusted: None,
            documents: Arc::default(),
            direct_reads: true,
            max_depth,
        }
    }

    /// Sets whether queries the direct read executor knows skip async-graphql's executor
    /// ([`crate::graphql::direct`]); on unless set.
    pub fn with_direct_reads(mut self, enabled: bool) -> Gateway {
        self.direct_reads = enabled;
        self
    }

    /// Lets callers below manager run only the documents of this manifest.
    pub fn with_trusted_documents(mut self, trusted: Arc<TrustedDocuments>) -> Gateway {
        self.trusted = Some(trusted);
        self
    }

    /// With trusted documents, refuses a document that is not listed to a caller below
    /// manager (`FORBIDDEN`, `requiredRole: "manager"`), before it is parsed.
    fn refuse_untrusted(&self, query: &str, role: Role) -> Result<(), ServerError> {
        match &self.trusted {
            Some(trusted) if role < Role::Manager && !trusted.allows(query) => {
                let mut error = ServerError::new(
                    "this document is not one of the server's trusted documents: viewers and bakers may run only the documents listed in its --trusted-documents manifest",
                    None,
                );
                let extensions = error.extensions.get_or_insert_with(Default::default);
                extensions.set("code", ErrorCode::Forbidden.as_str());
                extensions.set("requiredRole", Role::Manager.as_str());
                Err(error)
            }
            _ => Ok(()),
        }
    }

    /// Checks a request: with trusted documents, that a caller below manager sends a listed
    /// one; then the document limits (parsing it once, or taking it as parsed before, see
    /// [`ParsedDocuments`]); then its root fields against the
    /// caller's role ([`crate::auth::roles::authorize`]). A refusal is the error to send,
    /// with its code (`FORBIDDEN` with `extensions.requiredRole` for a role too weak). The
    /// caller goes into the request's data for resolvers.
    pub fn admit(&self, mut request: Request, caller: Caller) -> Result<Admitted, ServerError> {
        self.refuse_untrusted(&request.query, caller.role)?;
        let primed = self.documents.prime(&mut request);
        let operation =
            admit(&mut request, &self.limits, &self.shape).map_err(Refusal::into_server_error)?;
        if !primed {
            self.documents.keep(&mut request);
        }
        let name = request.operation_name.clone();
        if let Ok(document) = request.parsed_query() {
            crate::auth::roles::authorize(document, name.as_deref(), &caller)
                .map_err(server_error)?;
        }
        let request = request.data(caller.clone());
        Ok(Admitted {
            request,
            operation,
            caller,
        })
    }

    /// Executes an admitted operation sent over HTTP: through the direct read executor when
    /// it knows the whole query, else through async-graphql ([`Gateway::execute`]).
    pub async fn execute_http(&self, mut admitted: Admitted) -> Answer {
        if self.direct_reads && admitted.operation == Some(OperationType::Query) {
            if let Some(body) = self.execute_direct(&mut admitted).await {
                return Answer::Body(body);
            }
        }
        Answer::Response(self.execute(admitted).await)
    }

    /// Runs a query with the direct read executor, or gives `None` when it leaves the
    /// query to async-graphql (a document it does not know, or a failure to report).
    async fn execute_direct(&self, admitted: &mut Admitted) -> Option<actix_web::web::Bytes> {
        let started = std::time::Instant::now();
        let request = &mut admitted.request;
        let name = request.operation_name.clone();
        let variables = request.variables.clone();
        let document = request.parsed_query().ok()?;
        let plan = direct::plan(document, name.as_deref(), &variables, self.max_depth)?;
        let db = self.db.clone();
        let body = self
            .executors
            .pick()
            // Boxed, as each move of this large future copies it whole (callgrind showed those
            // copies as most of a direct read's `memcpy`).
            .spawn(Box::pin(async move { direct::run(&plan, &db).await }))
            .await
            .ok()??;
        self.metrics.observe_direct_read();
        self.record("query", name.as_deref(), 0, started, "direct");
        Some(body.into())
    }

    /// Executes an admitted operation with fresh loaders, as a task on an execution
    /// runtime, then finishes it: error codes, fields in query order (GraphQL spec §7.2.2;
    /// async-graphql writes them as they complete), metrics and one log line. A panic in a
    /// resolver becomes an internal error response.
    pub async fn execute(&self, admitted: Admitted) -> Response {
        let started = std::time::Instant::now();
        let kind = kind_name(admitted.operation);
        let mut request = admitted.request;
        let name = request.operation_name.clone();
        let document = request.parsed_query().ok().cloned();
        let schema = self.schema.clone();
        let wake = RequestWake::default();
        let request = request.data(new_loaders(self.db.clone(), wake.clone()));
        let task = self
            .executors
            .pick()
            .spawn(wake.watch(Box::pin(async move { schema.execute(request).await })));
        let mut response = match task.await {
            Ok(response) => response,
            Err(error) => {
                tracing::error!(%error, "a GraphQL operation panicked");
                Response::from_errors(vec![internal_error()])
            }
        };
        finish(
            &mut response,
            document.as_ref(),
            name.as_deref(),
            &self.types,
        );
        let executor = "async-graphql";
        self.record(
            kind,
            name.as_deref(),
            response.errors.len(),
            started,
            executor,
        );
        response
    }

    /// Counts one executed operation in the metrics and writes its log line.
    fn record(
        &self,
        kind: &str,
        name: Option<&str>,
        errors: usize,
        started: std::time::Instant,
        executor: &str,
    ) {
        let elapsed = started.elapsed();
        let outcome = if errors == 0 { "ok" } else { "error" };
        self.metrics
            .observe_request(kind, outcome, elapsed.as_secs_f64());
        tracing::info!(
            operation_type = kind,
            operation_name = name.unwrap_or(""),
            outcome,
            errors,
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            executor,
            "graphql request"
        );
    }

    /// Runs `future` on an execution runtime and waits for it; for database work
    /// outside GraphQL (readiness checks).
    pub async fn run<T: Send + 'static>(
        &self,
        future: impl std::future::Future<Output = T> + Send + 'static,
    ) -> Option<T> {
        self.executors.pick().spawn(future).await.ok()
    }

    /// The runtime the next operation or connection should run on.
    pub fn runtime(&self) -> Handle {
        self.executors.pick()
    }

    /// The database, for per-connection data of the WebSocket transport.
    pub fn db(&self) -> &Db {
        &self.db
    }
}

/// Gives every error its code, puts each failed field's `null` where the GraphQL
/// specification says, and the data's fields in query order.
fn finish(
    response: &mut Response,
    document: Option<&ExecutableDocument>,
    name: Option<&str>,
    types: &FieldTypes,
) {
    code_engine_errors(&mut response.errors);
    default_codes(&mut response.errors);
    if let Some(document) = document {
        nulls::propagate(&mut response.data, &response.errors, document, name, types);
        field_order::reorder(&mut response.data, document, name);
    }
}

/// async-graphql's message when a document is nested deeper than the schema's
/// `limit_depth` (`validation::check_rules`), the only mark that refusal carries.
const DEPTH_LIMIT_MESSAGE: &str = "Query is nested too deep.";

/// The openings of every message of async-graphql's `InputValueError`, whose only
/// constructors are `expected_type` and `custom` (which `From<impl Display>` and our
/// `Date` and `Decimal` scalars use): `Expected input type "T", found …` and
/// `Failed to parse "T": …`.
const INPUT_VALUE_ERRORS: [&str; 2] = ["Expected input type \"", "Failed to parse \""];

/// Codes the errors async-graphql itself reported for an operation the gateway ran
/// through it; our resolvers' errors are coded already and left alone.
///
/// async-graphql gives its own errors neither a code nor a type, and an extension with a
/// `validation` hook would run the extension chain for every field of every response (see
/// `graphql::build_schema`), so they are told apart by where they arose, which the path
/// shows:
/// - without a path, while the request was prepared, before any resolver ran: operation
///   selection, validation (which checks variables against their types too) and the depth
///   limit. All are the client's doing: `QUERY_TOO_COMPLEX` for the depth limit, known by
///   its one fixed message (compared whole), `BAD_USER_INPUT` for the rest;
/// - with a path, while a field was resolved: the only error async-graphql raises there
///   about the request is the coercion of an argument that validation cannot check (an
///   `Int` beyond 32 bits, a `Date` or `Decimal` that does not parse), an
///   `InputValueError`, so `BAD_USER_INPUT`. Anything else stays uncoded and becomes
///   `INTERNAL_SERVER_ERROR` ([`default_codes`]).
fn code_engine_errors(errors: &mut [ServerError]) {
    for error in errors.iter_mut().filter(|e| !is_coded(e)) {
        let code = if error.path.is_empty() {
            if error.message == DEPTH_LIMIT_MESSAGE {
                ErrorCode::QueryTooComplex
            } else {
                ErrorCode::BadUserInput
            }
        } else if INPUT_VALUE_ERRORS
            .iter()
            .any(|opening| error.message.starts_with(opening))
        {
            ErrorCode::BadUserInput
        } else {
            continue;
        };
        set_code(error, code);
    }
}

/// The operation type as named in metrics and logs.
fn kind_name(kind: Option<OperationType>) -> &'static str {
    match kind {
        Some(OperationType::Query) => "query",
        Some(OperationType::Mutation) => "mutation",
        Some(OperationType::Subscription) => "subscription",
        None => "unknown",
    }
}

/// The error sent when an operation failed for a reason that is the server's fault.
fn internal_error() -> ServerError {
    let mut error = ServerError::new(INTERNAL_MESSAGE, None);
    set_code(&mut error, ErrorCode::InternalServerError);
    error
}

/// The connection's caller, from the data its `connection_init` produced; without one (no
/// handshake data at all) the request is unauthenticated.
fn session_caller(session_data: Option<&Data>) -> Result<Caller, ServerError> {
    session_data
        .and_then(|data| data.get(&std::any::TypeId::of::<Caller>()))
        .and_then(|caller| caller.downcast_ref::<Caller>())
        .cloned()
        .ok_or_else(|| server_error(AppError::Unauthenticated(AuthFailure::Missing)))
}

/// The WebSocket transport drives operations through this implementation: each operation
/// is checked against the connection's caller (and its token checked again), and each
/// streamed response gets its error codes like an HTTP response does.
impl Executor for Gateway {
    async fn execute(&self, request: Request) -> Response {
        match session_caller(None).and_then(|caller| self.admit(request, caller)) {
            Ok(admitted) => Gateway::execute(self, admitted).await,
            Err(error) => Response::from_errors(vec![error]),
        }
    }

    fn execute_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let check = session_data
            .as_deref()
            .and_then(|data| data.get(&std::any::TypeId::of::<TokenCheck>()))
            .and_then(|check| check.downcast_ref::<TokenCheck>())
            .cloned();
        if let Some(check) = check {
            // The token may have been revoked since the connection began: one read first.
            let gateway = self.clone();
            return futures::stream::once(async move {
                match crate::store::tokens::authenticate_hash(&gateway.db, &check.hash).await {
                    Ok(_) => gateway.admit_stream(request, session_data),
                    Err(error) => futures::stream::once(async move {
                        Response::from_errors(vec![server_error(error)])
                    })
                    .boxed(),
                }
            })
            .flatten()
            .boxed();
        }
        self.admit_stream(request, session_data)
    }
}

impl Gateway {
    /// Admits one operation of a WebSocket connection for its caller and streams its
    /// responses.
    fn admit_stream(
        &self,
        request: Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let admitted =
            session_caller(session_data.as_deref()).and_then(|caller| self.admit(request, caller));
        match admitted {
            Ok(mut admitted) => {
                let name = admitted.request.operation_name.clone();
                let document = admitted.request.parsed_query().ok().cloned();
                let types = self.types.clone();
                self.schema
                    .execute_stream_with_session_data(
                        admitted.request,
                        session_data.unwrap_or_default(),
                    )
                    .map(move |mut response| {
                        finish(&mut response, document.as_ref(), name.as_deref(), &types);
                        response
                    })
                    .boxed()
            }
            Err(error) => {
                futures::stream::once(async move { Response::from_errors(vec![error]) }).boxed()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use async_graphql::{PathSegment, Pos};

    fn code(error: &ServerError) -> Option<String> {
        match error.extensions.as_ref()?.get("code")? {
            async_graphql::Value::String(code) => Some(code.clone()),
            _ => None,
        }
    }

    fn at_field(message: &str) -> ServerError {
        let mut error = ServerError::new(message, Some(Pos::default()));
        error.path = vec![PathSegment::Field("events".into())];
        error
    }

    #[test]
    fn engine_errors_are_coded_by_where_they_arose() {
        let mut errors = vec![
            ServerError::new(DEPTH_LIMIT_MESSAGE, None),
            ServerError::new(
                "Unknown field \"nope\" on type \"QueryRoot\".",
                Some(Pos::default()),
            ),
            at_field(
                "Failed to parse \"Int\": Only integers from -2147483648 to 2147483647 are accepted.",
            ),
            at_field("Expected input type \"Date\", found 3."),
            at_field("Data `Db` does not exist."),
            server_error(AppError::bad_input("kept as it is")),
        ];
        code_engine_errors(&mut errors);
        let codes: Vec<_> = errors.iter().map(code).collect();
        assert_eq!(
            codes,
            [
                Some("QUERY_TOO_COMPLEX".into()),
                Some("BAD_USER_INPUT".into()),
                Some("BAD_USER_INPUT".into()),
                Some("BAD_USER_INPUT".into()),
                None,
                Some("BAD_USER_INPUT".into()),
            ]
        );
        // Only the depth limit's whole message is a limit; a field error never is.
        let mut errors = vec![
            at_field(DEPTH_LIMIT_MESSAGE),
            ServerError::new("Query is nested too deep. Or not", None),
        ];
        code_engine_errors(&mut errors);
        assert_eq!(code(&errors[0]), None);
        assert_eq!(code(&errors[1]).as_deref(), Some("BAD_USER_INPUT"));
    }
}
