//! Prometheus metrics. Labels are bounded: webhook, operation, kind (the first
//! [`MAX_KINDS`] kinds seen, then `other`), verdict, check ID and mode; never object names.

use std::collections::HashSet;
use std::sync::RwLock;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::review::Outcome;
use crate::{Mode, Webhook};

/// Distinct `kind` label values kept; later kinds are counted as `other`.
pub const MAX_KINDS: usize = 64;

/// Latency buckets in seconds: 50 µs to 2.5 s.
const BUCKETS: [f64; 16] = [
    0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
    2.0, 2.5,
];

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReviewLabels {
    webhook: &'static str,
    operation: &'static str,
    kind: String,
    verdict: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ViolationLabels {
    check: String,
    mode: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ErrorLabels {
    webhook: &'static str,
    code: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct ReloadLabels {
    what: &'static str,
    result: &'static str,
}

type HistogramFamily = Family<ReviewLabels, Histogram, fn() -> Histogram>;

/// The server's metrics.
pub struct Metrics {
    registry: Registry,
    requests: Family<ReviewLabels, Counter>,
    latency: HistogramFamily,
    violations: Family<ViolationLabels, Counter>,
    http_errors: Family<ErrorLabels, Counter>,
    reloads: Family<ReloadLabels, Counter>,
    in_flight: Gauge,
    audit_events: Counter,
    audit_alerts: Counter,
    kinds: RwLock<HashSet<String>>,
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("stockade_admission");
        let requests = Family::<ReviewLabels, Counter>::default();
        let latency: HistogramFamily =
            Family::new_with_constructor(|| Histogram::new(BUCKETS.iter().copied()));
        let violations = Family::<ViolationLabels, Counter>::default();
        let http_errors = Family::<ErrorLabels, Counter>::default();
        let reloads = Family::<ReloadLabels, Counter>::default();
        let in_flight = Gauge::default();
        registry.register(
            "requests",
            "AdmissionReviews answered, by webhook, operation, kind and verdict",
            requests.clone(),
        );
        registry.register(
            "review_duration_seconds",
            "Time from request received to response ready (server side), by webhook, operation, kind and verdict",
            latency.clone(),
        );
        registry.register(
            "violations",
            "Violations reported (dry runs excluded), by check and mode",
            violations.clone(),
        );
        registry.register(
            "http_errors",
            "Requests answered with an HTTP error (malformed, oversized, overloaded, past deadline)",
            http_errors.clone(),
        );
        registry.register(
            "reloads",
            "Certificate and configuration reloads, by what and result",
            reloads.clone(),
        );
        registry.register("in_flight", "Requests being evaluated", in_flight.clone());
        let audit_events = Counter::default();
        let audit_alerts = Counter::default();
        registry.register(
            "audit_events",
            "Audit events received on /audit",
            audit_events.clone(),
        );
        registry.register(
            "audit_alerts",
            "Alerts raised by the audit rules on /audit events",
            audit_alerts.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            violations,
            http_errors,
            reloads,
            in_flight,
            audit_events,
            audit_alerts,
            kinds: RwLock::new(HashSet::new()),
        }
    }

    fn kind(&self, kind: &str) -> String {
        if let Ok(k) = self.kinds.read()
            && k.contains(kind)
        {
            return kind.to_string();
        }
        let Ok(mut k) = self.kinds.write() else {
            return "other".into();
        };
        if k.len() < MAX_KINDS {
            k.insert(kind.to_string());
            kind.to_string()
        } else if k.contains(kind) {
            kind.to_string()
        } else {
            "other".into()
        }
    }

    /// Records one answered review.
    pub fn observe(&self, webhook: Webhook, outcome: &Outcome, seconds: f64) {
        let operation = match outcome.operation.as_str() {
            "CREATE" => "CREATE",
            "UPDATE" => "UPDATE",
            "DELETE" => "DELETE",
            "CONNECT" => "CONNECT",
            _ => "other",
        };
        let labels = ReviewLabels {
            webhook: webhook.as_str(),
            operation,
            kind: self.kind(&outcome.kind),
            verdict: outcome.verdict.as_str(),
        };
        self.requests.get_or_create(&labels).inc();
        self.latency.get_or_create(&labels).observe(seconds);
        if !outcome.dry_run {
            for (check, mode) in &outcome.violations {
                self.violation(check, *mode);
            }
        }
    }

    fn violation(&self, check: &str, mode: Mode) {
        self.violations
            .get_or_create(&ViolationLabels {
                check: check.to_string(),
                mode: mode.as_str(),
            })
            .inc();
    }

    /// Records a request answered with an HTTP error.
    pub fn http_error(&self, webhook: Webhook, code: u16) {
        self.http_error_on(webhook.as_str(), code);
    }

    /// Records a request to `endpoint` (`validate`, `mutate`, `audit`) answered with an HTTP
    /// error.
    pub fn http_error_on(&self, endpoint: &'static str, code: u16) {
        self.http_errors
            .get_or_create(&ErrorLabels {
                webhook: endpoint,
                code,
            })
            .inc();
    }

    /// Records one audit batch: events read and alerts raised.
    pub fn audit_batch(&self, events: u64, alerts: u64) {
        self.audit_events.inc_by(events);
        self.audit_alerts.inc_by(alerts);
    }

    /// Records a reload of `what` (`certificate` or `config`).
    pub fn reload(&self, what: &'static str, ok: bool) {
        self.reloads
            .get_or_create(&ReloadLabels {
                what,
                result: if ok { "success" } else { "error" },
            })
            .inc();
    }

    /// The in-flight gauge.
    pub fn in_flight(&self) -> &Gauge {
        &self.in_flight
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut s = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut s, &self.registry);
        s
    }
}
