//! Prometheus metrics of the engine: calls by operation and outcome, latency, decisions, cache
//! hits and misses, tokens issued and opened, audit events written and dropped.

use std::sync::Arc;
use std::time::Duration;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::call::Answer;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CallLabels {
    operation: &'static str,
    outcome: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OperationLabel {
    operation: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct DecisionLabel {
    result: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CacheLabels {
    cache: &'static str,
    result: &'static str,
}

fn latency_histogram() -> Histogram {
    // 50 µs to ~1.6 s.
    Histogram::new(exponential_buckets(0.000_05, 2.0, 16))
}

struct Inner {
    registry: Registry,
    calls: Family<CallLabels, Counter>,
    latency: Family<OperationLabel, Histogram, fn() -> Histogram>,
    decisions: Family<DecisionLabel, Counter>,
    cache: Family<CacheLabels, Counter>,
    tokens_issued: Counter,
    tokens_opened: Counter,
    audit_written: Counter,
    audit_dropped: Counter,
}

/// The engine's metrics; cheap to clone.
#[derive(Clone)]
pub struct Metrics(Arc<Inner>);

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("iamd");
        let calls = Family::<CallLabels, Counter>::default();
        let latency = Family::<OperationLabel, Histogram, fn() -> Histogram>::new_with_constructor(
            latency_histogram,
        );
        let decisions = Family::<DecisionLabel, Counter>::default();
        let cache = Family::<CacheLabels, Counter>::default();
        let (tokens_issued, tokens_opened) = (Counter::default(), Counter::default());
        let (audit_written, audit_dropped) = (Counter::default(), Counter::default());
        registry.register(
            "requests",
            "Calls through the engine by operation and outcome",
            calls.clone(),
        );
        registry.register(
            "request_duration_seconds",
            "Time to answer a call, by operation",
            latency.clone(),
        );
        registry.register(
            "decisions",
            "Authorization decisions by result",
            decisions.clone(),
        );
        registry.register(
            "cache",
            "Cache lookups and invalidations by cache and result (hit, miss, invalidated)",
            cache.clone(),
        );
        registry.register(
            "tokens_issued",
            "Session tokens issued",
            tokens_issued.clone(),
        );
        registry.register(
            "tokens_opened",
            "Session tokens opened to authenticate a request",
            tokens_opened.clone(),
        );
        registry.register(
            "audit_events_written",
            "Audit events committed",
            audit_written.clone(),
        );
        registry.register(
            "audit_events_dropped",
            "Audit events dropped under overload or lost to a store failure",
            audit_dropped.clone(),
        );
        Metrics(Arc::new(Inner {
            registry,
            calls,
            latency,
            decisions,
            cache,
            tokens_issued,
            tokens_opened,
            audit_written,
            audit_dropped,
        }))
    }

    pub(crate) fn observe_call(&self, operation: &'static str, a: &Answer, took: Duration) {
        let outcome = match &a.result {
            Ok(_) => "success",
            Err(e) => {
                let api = e.to_api();
                if api.code == "AccessDenied" {
                    "denied"
                } else if api.status >= 500 {
                    "server_error"
                } else {
                    "client_error"
                }
            }
        };
        self.0
            .calls
            .get_or_create(&CallLabels { operation, outcome })
            .inc();
        self.0
            .latency
            .get_or_create(&OperationLabel { operation })
            .observe(took.as_secs_f64());
        if let Some(v) = &a.verdict {
            self.0
                .decisions
                .get_or_create(&DecisionLabel { result: v.decision })
                .inc();
        }
    }

    fn cache_count(&self, cache: &'static str, result: &'static str, n: u64) {
        self.0
            .cache
            .get_or_create(&CacheLabels { cache, result })
            .inc_by(n);
    }

    pub(crate) fn cache_lookup(&self, cache: &'static str, hit: bool) {
        self.cache_count(cache, if hit { "hit" } else { "miss" }, 1);
    }

    pub(crate) fn cache_invalidated(&self, cache: &'static str, n: usize) {
        if n > 0 {
            self.cache_count(cache, "invalidated", n as u64);
        }
    }

    pub fn token_issued(&self) {
        self.0.tokens_issued.inc();
    }
    pub fn token_opened(&self) {
        self.0.tokens_opened.inc();
    }
    pub(crate) fn audit_written(&self, n: u64) {
        self.0.audit_written.inc_by(n);
    }
    pub(crate) fn audit_dropped(&self) {
        self.0.audit_dropped.inc();
    }

    /// The metrics in the OpenMetrics text format (which Prometheus reads).
    pub fn encode(&self) -> String {
        let mut out = String::new();
        if prometheus_client::encoding::text::encode(&mut out, &self.0.registry).is_err() {
            out.clear();
        }
        out
    }
}
