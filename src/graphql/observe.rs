//! A schema extension applied to every operation: it finishes error codes (limits and
//! parse errors get theirs), puts response fields in query order, records metrics, and
//! logs one line per operation.

use super::error::ErrorCode;
use crate::metrics::Metrics;
use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextExecute, NextParseQuery, NextRequest,
};
use async_graphql::parser::types::{DocumentOperations, ExecutableDocument, OperationType};
use async_graphql::{Response, ServerError, ServerResult, Variables};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// Factory installed on the schema.
pub struct Observe {
    metrics: Option<Metrics>,
}

impl Observe {
    /// Observes into `metrics` (none: only codes and logs).
    pub fn new(metrics: Option<Metrics>) -> Self {
        Observe { metrics }
    }
}

impl ExtensionFactory for Observe {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(ObserveExtension {
            metrics: self.metrics.clone(),
            operation: Mutex::default(),
        })
    }
}

#[derive(Default)]
struct Operation {
    document: Option<Arc<ExecutableDocument>>,
    kind: Option<&'static str>,
    name: Option<String>,
}

struct ObserveExtension {
    metrics: Option<Metrics>,
    operation: Mutex<Operation>,
}

fn kind_name(kind: OperationType) -> &'static str {
    match kind {
        OperationType::Query => "query",
        OperationType::Mutation => "mutation",
        OperationType::Subscription => "subscription",
    }
}

fn operation_kind(document: &ExecutableDocument, name: Option<&str>) -> Option<OperationType> {
    match (&document.operations, name) {
        (DocumentOperations::Single(op), _) => Some(op.node.ty),
        (DocumentOperations::Multiple(ops), Some(name)) => ops.get(name).map(|op| op.node.ty),
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => {
            ops.values().next().map(|op| op.node.ty)
        }
        _ => None,
    }
}

/// Gives every error a code: limit errors `QUERY_TOO_COMPLEX`, other uncoded errors
/// (parse, validation, input coercion) `BAD_USER_INPUT`.
pub fn finish_codes(errors: &mut [ServerError]) {
    for error in errors {
        let has_code = error
            .extensions
            .as_ref()
            .is_some_and(|e| e.get("code").is_some());
        if has_code {
            continue;
        }
        let too_complex =
            error.message.contains("too complex") || error.message.contains("nested too deep");
        let code = if too_complex {
            ErrorCode::QueryTooComplex
        } else {
            ErrorCode::BadUserInput
        };
        error
            .extensions
            .get_or_insert_with(Default::default)
            .set("code", code.as_str());
    }
}

#[async_trait::async_trait]
impl Extension for ObserveExtension {
    async fn request(&self, ctx: &ExtensionContext<'_>, next: NextRequest<'_>) -> Response {
        let started = Instant::now();
        let mut response = next.run(ctx).await;
        finish_codes(&mut response.errors);
        let elapsed = started.elapsed();
        let (kind, name) = {
            let op = self.operation.lock().expect("not poisoned");
            (
                op.kind.unwrap_or("unknown"),
                op.name.clone().unwrap_or_default(),
            )
        };
        let outcome = if response.errors.is_empty() {
            "ok"
        } else {
            "error"
        };
        if let Some(metrics) = &self.metrics {
            metrics.observe_request(kind, outcome, elapsed.as_secs_f64());
        }
        tracing::info!(
            operation_type = kind,
            operation_name = %name,
            outcome,
            errors = response.errors.len(),
            duration_ms = elapsed.as_secs_f64() * 1000.0,
            "graphql request"
        );
        response
    }

    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let document = next.run(ctx, query, variables).await?;
        self.operation.lock().expect("not poisoned").document = Some(Arc::new(document.clone()));
        Ok(document)
    }

    async fn execute(
        &self,
        ctx: &ExtensionContext<'_>,
        operation_name: Option<&str>,
        next: NextExecute<'_>,
    ) -> Response {
        let document = {
            let mut op = self.operation.lock().expect("not poisoned");
            // Kept (not taken): a subscription executes once per event.
            let document = op.document.clone();
            let kind = document
                .as_ref()
                .and_then(|d| operation_kind(d, operation_name));
            op.kind = kind.map(kind_name);
            op.name = operation_name.map(str::to_string);
            document
        };
        let mut response = next.run(ctx, operation_name).await;
        if let Some(document) = &document {
            super::field_order::reorder(&mut response.data, document, operation_name);
        }
        response
    }
}
