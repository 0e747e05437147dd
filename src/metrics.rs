//! Prometheus metrics of one server instance (SPEC §2: `/metrics`).

use crate::db::Db;
use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, Opts, Registry, TextEncoder,
};

/// The metrics registry of one server instance (tests run several in one process, so
/// nothing here is global).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    requests: IntCounterVec,
    duration: HistogramVec,
    direct_reads: IntCounter,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// A fresh registry with Bakeplan's metrics.
    pub fn new() -> Self {
        let registry = Registry::new();
        let requests = IntCounterVec::new(
            Opts::new(
                "bakeplan_graphql_requests_total",
                "GraphQL operations by type and outcome",
            ),
            &["operation_type", "outcome"],
        )
        .expect("valid metric");
        let duration = HistogramVec::new(
            HistogramOpts::new(
                "bakeplan_graphql_request_duration_seconds",
                "GraphQL operation duration",
            )
            .buckets(vec![
                0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
                10.0,
            ]),
            &["operation_type"],
        )
        .expect("valid metric");
        let direct_reads = IntCounter::new(
            "bakeplan_graphql_direct_reads_total",
            "Queries answered by the direct read executor instead of async-graphql's",
        )
        .expect("valid metric");
        registry
            .register(Box::new(direct_reads.clone()))
            .expect("registered once");
        registry
            .register(Box::new(requests.clone()))
            .expect("registered once");
        registry
            .register(Box::new(duration.clone()))
            .expect("registered once");
        Metrics {
            registry,
            requests,
            duration,
            direct_reads,
        }
    }

    /// Counts one query the direct read executor answered (it is also counted by
    /// [`Metrics::observe_request`]).
    pub fn observe_direct_read(&self) {
        self.direct_reads.inc();
    }

    /// Records one finished GraphQL operation.
    pub fn observe_request(&self, operation_type: &str, outcome: &str, seconds: f64) {
        self.requests
            .with_label_values(&[operation_type, outcome])
            .inc();
        self.duration
            .with_label_values(&[operation_type])
            .observe(seconds);
    }

    /// The Prometheus text exposition of every metric, including the database pool and
    /// statement counters read from `db` at scrape time.
    pub fn render(&self, db: &Db) -> String {
        let mut buffer = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buffer)
            .expect("text encoding cannot fail");
        let mut text = String::from_utf8(buffer).expect("prometheus text is UTF-8");
        let (size, in_use, max) = db.pool_status();
        let backend = db.backend().name();
        text.push_str(&format!(
            "# HELP bakeplan_db_statements_total SQL statements executed through the pool.\n\
             # TYPE bakeplan_db_statements_total counter\n\
             bakeplan_db_statements_total{{backend=\"{backend}\"}} {}\n\
             # HELP bakeplan_db_data_version_reads_total Of those, reads of the data version by the response cache.\n\
             # TYPE bakeplan_db_data_version_reads_total counter\n\
             bakeplan_db_data_version_reads_total {}\n\
             # HELP bakeplan_db_pool_connections Database pool connections by state.\n\
             # TYPE bakeplan_db_pool_connections gauge\n\
             bakeplan_db_pool_connections{{state=\"open\"}} {size}\n\
             bakeplan_db_pool_connections{{state=\"in_use\"}} {in_use}\n\
             bakeplan_db_pool_connections{{state=\"idle\"}} {}\n\
             bakeplan_db_pool_connections{{state=\"max\"}} {max}\n",
            db.stats().statements(),
            db.stats().data_version_reads(),
            size.saturating_sub(in_use),
        ));
        text
    }
}
