//! `POST /audit`: the API server's audit webhook backend (`--audit-webhook-config-file`).
//!
//! The API server POSTs `EventList` batches (audit.k8s.io/v1 or v1beta1). Each batch is
//! authenticated with a bearer token (the `token:` of the webhook's kubeconfig user), read
//! with the same streaming reader as `stockade audit scan`, evaluated with the same rules
//! engine, and its alerts are handed to [`AuditEndpoint::on_alerts`] before the answer: a 200
//! means the alerts are in the sinks' spools, so the API server's retry of a failed batch
//! gives at-least-once delivery.

use std::fmt;
use std::sync::Arc;

use stockade_audit::{Alert, Engine, read_events};

/// What receives the alerts of one batch, in event order (writes them out, spools them).
pub type AlertHandler = dyn Fn(Vec<Alert>) + Send + Sync;

/// The audit endpoint's configuration.
pub struct AuditEndpoint {
    /// The compiled rules.
    pub engine: Arc<Engine>,
    /// Accepted bearer tokens; a request must present one of them.
    pub tokens: Vec<String>,
    /// Called with each batch's alerts before the request is answered.
    pub on_alerts: Arc<AlertHandler>,
    /// Largest batch body accepted.
    pub max_body_bytes: usize,
}

impl fmt::Debug for AuditEndpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AuditEndpoint")
            .field("rules", &self.engine.rules().len())
            .field("tokens", &self.tokens.len())
            .field("max_body_bytes", &self.max_body_bytes)
            .finish()
    }
}

/// What one batch gave.
#[derive(Debug, Default, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchResult {
    /// Events read.
    pub events: u64,
    /// Alerts raised.
    pub alerts: u64,
    /// Events that could not be read, with their line and problem.
    pub errors: Vec<String>,
}

impl AuditEndpoint {
    /// Whether an `Authorization` header value carries an accepted token. Compared in
    /// constant time per token.
    pub fn authorized(&self, header: Option<&[u8]>) -> bool {
        let Some(token) = header.and_then(|h| {
            let h = std::str::from_utf8(h).ok()?.trim();
            let (scheme, rest) = h.split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| rest.trim())
        }) else {
            return false;
        };
        self.tokens.iter().fold(false, |ok, t| {
            ok | constant_time_eq(t.as_bytes(), token.as_bytes())
        })
    }

    /// Reads and evaluates one batch and hands its alerts on. Blocking (the handler may fsync).
    pub fn process(&self, body: &[u8]) -> BatchResult {
        let mut result = BatchResult::default();
        let mut alerts = Vec::new();
        let read = read_events(
            "audit-webhook",
            body,
            |ev, loc| {
                result.events += 1;
                alerts.extend(self.engine.alerts(ev, loc));
            },
            |e| result.errors.push(e.to_string()),
        );
        if let Err(e) = read {
            result.errors.push(format!("audit-webhook: {e}"));
        }
        result.alerts = alerts.len() as u64;
        if !alerts.is_empty() {
            (self.on_alerts)(alerts);
        }
        result
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;

    fn endpoint(seen: Arc<Mutex<Vec<Alert>>>) -> AuditEndpoint {
        let (engine, errors) = Engine::compile(&stockade_audit::RuleSet::builtin());
        assert!(errors.is_empty());
        AuditEndpoint {
            engine: Arc::new(engine),
            tokens: vec!["s3cret".into()],
            on_alerts: Arc::new(move |a| seen.lock().unwrap().extend(a)),
            max_body_bytes: 1 << 20,
        }
    }

    #[test]
    fn bearer_tokens() {
        let e = endpoint(Arc::default());
        assert!(e.authorized(Some(b"Bearer s3cret")));
        assert!(e.authorized(Some(b"bearer  s3cret ")));
        assert!(!e.authorized(Some(b"Bearer s3cre")));
        assert!(!e.authorized(Some(b"Basic s3cret")));
        assert!(!e.authorized(Some(b"s3cret")));
        assert!(!e.authorized(None));
    }

    #[test]
    fn a_batch_with_an_exec_and_a_bad_item() {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let e = endpoint(seen.clone());
        let body = br#"{"kind":"EventList","apiVersion":"audit.k8s.io/v1","items":[
 {"kind":"Event","stage":"ResponseStarted","verb":"create","user":{"username":"alice"},
  "requestURI":"/api/v1/namespaces/prod/pods/web/exec?command=sh",
  "objectRef":{"resource":"pods","subresource":"exec","namespace":"prod","name":"web"}},
 {"kind":"Event","stage":"ResponseComplete","verb":"get","user":{"username":"bob"},
  "objectRef":{"resource":"configmaps","namespace":"prod","name":"x"}}
]}"#;
        let r = e.process(body);
        assert_eq!(r.events, 2);
        assert_eq!(r.alerts, 1);
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!(&*seen[0].rule, "Exec or attach into a pod");
    }

    #[test]
    fn garbage_is_reported_not_swallowed() {
        let e = endpoint(Arc::default());
        let r = e.process(b"{not json");
        assert_eq!(r.events, 0);
        assert_eq!(r.errors.len(), 1, "{:?}", r.errors);
        assert!(r.errors[0].contains("audit-webhook"), "{:?}", r.errors);
    }
}
