//! Prometheus metrics. Labels are bounded: webhook, operation, kind (the first
//! [`MAX_KINDS`] kinds seen, then `other`), verdict, check ID and mode; never object names.

use std::collections::HashMap;
use std::sync::{OnceLock, RwLock};

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::review::{Outcome, Verdict};
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

/// The operation labels, in slot order.
const OPERATIONS: [&str; 5] = ["CREATE", "UPDATE", "DELETE", "CONNECT", "other"];
/// Label sets per kind: webhook (2) x operation (5) x verdict (6).
const SLOTS: usize = 2 * OPERATIONS.len() * 6;

/// The request counter and latency histogram of one label set, resolved once.
type Handles = (Counter, Histogram);

/// A kind's handles, one slot per webhook, operation and verdict, filled on first use.
type KindHandles = Box<[OnceLock<Handles>; SLOTS]>;

fn slot(webhook: Webhook, operation: usize, verdict: Verdict) -> usize {
    let webhook = match webhook {
        Webhook::Validate => 0,
        Webhook::Mutate => 1,
    };
    let verdict = match verdict {
        Verdict::Allow => 0,
        Verdict::Warn => 1,
        Verdict::Deny => 2,
        Verdict::Skip => 3,
        Verdict::Patch => 4,
        Verdict::Error => 5,
    };
    (webhook * OPERATIONS.len() + operation) * 6 + verdict
}

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
    decisions_dropped: Counter,
    /// The kinds given their own label (at most [`MAX_KINDS`]), with their handles.
    kinds: RwLock<HashMap<String, KindHandles>>,
    /// The handles of the kinds counted as `other`.
    other: KindHandles,
    /// The violation counters by check (catalog IDs and `PSS:` controls: a bounded set) and mode.
    checks: RwLock<HashMap<String, [OnceLock<Counter>; 4]>>,
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
        let decisions_dropped = Counter::default();
        registry.register(
            "decisions_dropped",
            "Decisions left out of the decisions log because its queue was full (each is still in the JSON log line)",
            decisions_dropped.clone(),
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
            decisions_dropped,
            kinds: RwLock::new(HashMap::new()),
            other: Box::new(std::array::from_fn(|_| OnceLock::new())),
            checks: RwLock::new(HashMap::new()),
        }
    }

    /// Counts one review in the label set `slot` of `kind`: a map look-up on the kind, the
    /// family look-ups only on the first review of a label set.
    fn count(&self, kind: &str, slot: usize, labels: impl FnOnce(&str) -> ReviewLabels, v: f64) {
        let record = |h: &Handles| {
            h.0.inc();
            h.1.observe(v);
        };
        let resolve = |label: &str| {
            let labels = labels(label);
            let counter = self.requests.get_or_create(&labels).clone();
            let histogram = self.latency.get_or_create(&labels).clone();
            (counter, histogram)
        };
        if let Ok(k) = self.kinds.read()
            && let Some(handles) = k.get(kind)
        {
            record(handles[slot].get_or_init(|| resolve(kind)));
            return;
        }
        let Ok(mut k) = self.kinds.write() else {
            record(self.other[slot].get_or_init(|| resolve("other")));
            return;
        };
        if !k.contains_key(kind) && k.len() >= MAX_KINDS {
            drop(k);
            record(self.other[slot].get_or_init(|| resolve("other")));
            return;
        }
        let handles = k
            .entry(kind.to_string())
            .or_insert_with(|| Box::new(std::array::from_fn(|_| OnceLock::new())));
        record(handles[slot].get_or_init(|| resolve(kind)));
    }

    /// Records one answered review.
    pub fn observe(&self, webhook: Webhook, outcome: &Outcome, seconds: f64) {
        let operation = OPERATIONS[..4]
            .iter()
            .position(|o| *o == outcome.operation)
            .unwrap_or(4);
        self.count(
            &outcome.kind,
            slot(webhook, operation, outcome.verdict),
            |kind| ReviewLabels {
                webhook: webhook.as_str(),
                operation: OPERATIONS[operation],
                kind: kind.to_string(),
                verdict: outcome.verdict.as_str(),
            },
            seconds,
        );
        if !outcome.dry_run {
            for (check, mode) in &outcome.violations {
                self.violation(check, *mode);
            }
        }
    }

    fn violation(&self, check: &str, mode: Mode) {
        let m = match mode {
            Mode::Enforce => 0,
            Mode::Warn => 1,
            Mode::Audit => 2,
            Mode::Off => 3,
        };
        let resolve = || {
            self.violations
                .get_or_create(&ViolationLabels {
                    check: check.to_string(),
                    mode: mode.as_str(),
                })
                .clone()
        };
        if let Ok(c) = self.checks.read()
            && let Some(counters) = c.get(check)
        {
            counters[m].get_or_init(resolve).inc();
            return;
        }
        match self.checks.write() {
            Ok(mut c) => c
                .entry(check.to_string())
                .or_insert_with(|| std::array::from_fn(|_| OnceLock::new()))[m]
                .get_or_init(resolve)
                .inc(),
            Err(_) => resolve().inc(),
        };
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

    /// Counts a decision the decisions log could not queue.
    pub fn decision_dropped(&self) {
        self.decisions_dropped.inc();
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

#[cfg(test)]
mod tests {
    use super::Metrics;

    #[test]
    fn dropped_decisions_are_a_counter() {
        let m = Metrics::new();
        assert!(
            m.encode()
                .contains("\nstockade_admission_decisions_dropped_total 0\n"),
            "{}",
            m.encode()
        );
        m.decision_dropped();
        m.decision_dropped();
        assert!(
            m.encode()
                .contains("\nstockade_admission_decisions_dropped_total 2\n"),
            "{}",
            m.encode()
        );
    }
}
