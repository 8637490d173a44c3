//! Alert sinks: a generic JSON webhook, Slack and Microsoft Teams incoming webhooks, delivered
//! at least once through a bounded on-disk spool.
//!
//! Each sink has its own spool directory holding one file per pending alert
//! (`<sequence>.json`, written to a temporary name, fsync'd and renamed before delivery is
//! attempted). A worker thread per sink sends the oldest pending alert, deletes its file only
//! after a 2xx answer, and retries with exponential backoff otherwise (errors, non-2xx answers,
//! connection refused, timeouts). Alerts are therefore delivered in order; one can be delivered
//! twice only when the process stops between the 2xx and the deletion. A new [`Sender`] on the
//! same directory sends what an earlier run left first. When a spool would grow beyond its
//! bound, the oldest alerts are dropped and counted.
//!
//! [`Limiter`] deduplicates (same rule and output within a window) and rate-limits per rule
//! before alerts reach the spool.

use std::collections::{HashMap, VecDeque};
use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::engine::Alert;

/// Problems with a sink's configuration or spool.
#[derive(Debug, thiserror::Error)]
pub enum SinkError {
    #[error("sink '{0}': expected KIND=URL with KIND webhook, slack, teams or k8s-event")]
    Spec(String),
    #[error("sink URL '{0}': {1}")]
    Url(String, String),
    #[error("CA file {0}: {1}")]
    Ca(PathBuf, String),
    #[error("sinks file {0}: {1}")]
    File(PathBuf, String),
    #[error("spool {0}: {1}")]
    Spool(PathBuf, std::io::Error),
}

/// The payload format a sink expects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SinkKind {
    /// The alert JSON as is.
    Webhook,
    /// Slack incoming webhook: `{"text": ..., "blocks": [...]}`.
    Slack,
    /// Microsoft Teams incoming webhook: a MessageCard.
    Teams,
    /// A response action: a core/v1 Event created through the Kubernetes API
    /// (`URL/api/v1/namespaces/NS/events`, NS the target's namespace, else `default`), so the
    /// alert shows in `kubectl describe` and `kubectl get events` of the object acted on.
    K8sEvent,
}

impl SinkKind {
    pub fn name(self) -> &'static str {
        match self {
            SinkKind::Webhook => "webhook",
            SinkKind::Slack => "slack",
            SinkKind::Teams => "teams",
            SinkKind::K8sEvent => "k8s-event",
        }
    }

    /// The request body for one alert.
    pub fn payload(self, alert: &Alert) -> Vec<u8> {
        let title = format!("[{}] {}", alert.priority, alert.rule);
        let v = match self {
            SinkKind::Webhook => return serde_json::to_vec(alert).unwrap_or_default(),
            SinkKind::K8sEvent => k8s_event(alert),
            SinkKind::Slack => serde_json::json!({
                "text": format!("{title}: {}", alert.output),
                "blocks": [
                    {"type": "header", "text": {"type": "plain_text", "text": title}},
                    {"type": "section", "text": {"type": "mrkdwn", "text": alert.output}},
                    {"type": "context", "elements": [{"type": "mrkdwn", "text": format!(
                        "{} · {}", alert.time.as_deref().unwrap_or("-"), alert.source)}]}
                ]
            }),
            SinkKind::Teams => serde_json::json!({
                "@type": "MessageCard",
                "@context": "https://schema.org/extensions",
                "summary": title,
                "themeColor": theme(alert),
                "title": title,
                "text": alert.output,
                "sections": [{"facts": [
                    {"name": "time", "value": alert.time.as_deref().unwrap_or("-")},
                    {"name": "source", "value": alert.source},
                    {"name": "tags", "value": alert.tags.join(", ")},
                ]}]
            }),
        };
        serde_json::to_vec(&v).unwrap_or_default()
    }
}

/// The Kind of common resources, for an Event's involvedObject; other resources are named by
/// their resource string (the API server does not check the kind).
fn kind_of(resource: &str) -> (&'static str, &str) {
    match resource {
        "pods" => ("v1", "Pod"),
        "services" => ("v1", "Service"),
        "secrets" => ("v1", "Secret"),
        "configmaps" => ("v1", "ConfigMap"),
        "serviceaccounts" => ("v1", "ServiceAccount"),
        "namespaces" => ("v1", "Namespace"),
        "nodes" => ("v1", "Node"),
        "deployments" => ("apps/v1", "Deployment"),
        "daemonsets" => ("apps/v1", "DaemonSet"),
        "statefulsets" => ("apps/v1", "StatefulSet"),
        "replicasets" => ("apps/v1", "ReplicaSet"),
        "jobs" => ("batch/v1", "Job"),
        "cronjobs" => ("batch/v1", "CronJob"),
        "roles" => ("rbac.authorization.k8s.io/v1", "Role"),
        "rolebindings" => ("rbac.authorization.k8s.io/v1", "RoleBinding"),
        "clusterroles" => ("rbac.authorization.k8s.io/v1", "ClusterRole"),
        "clusterrolebindings" => ("rbac.authorization.k8s.io/v1", "ClusterRoleBinding"),
        other => ("", other),
    }
}

/// A core/v1 Event for the alert. Its namespace is the target's (the API server requires the
/// two to match); alerts on cluster-scoped objects or with no target go to `default`.
fn k8s_event(alert: &Alert) -> serde_json::Value {
    use crate::rules::Priority::*;
    let target = alert.target.clone().unwrap_or_default();
    let namespace = target.namespace.clone().filter(|n| !n.is_empty());
    let (api_version, kind) = kind_of(&target.resource);
    let mut involved =
        serde_json::json!({"kind": kind, "name": target.name.clone().unwrap_or_default()});
    if !api_version.is_empty() {
        involved["apiVersion"] = api_version.into();
    }
    if let Some(ns) = &namespace {
        involved["namespace"] = ns.clone().into();
    }
    if target.resource.is_empty() {
        involved = serde_json::json!({"kind": "Namespace", "apiVersion": "v1", "name": "default"});
    }
    let mut message = format!("[{}] {}: {}", alert.priority, alert.rule, alert.output);
    if message.len() > 1024 {
        let mut end = 1021;
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push_str("...");
    }
    let time = alert
        .time
        .clone()
        .map_or(serde_json::Value::Null, Into::into);
    serde_json::json!({
        "apiVersion": "v1",
        "kind": "Event",
        "metadata": {
            "generateName": "stockade-audit-",
            "namespace": namespace.as_deref().unwrap_or("default"),
            "labels": {"app.kubernetes.io/managed-by": "stockade"},
            "annotations": {"stockade.dev/audit-id": alert.audit_id.clone().unwrap_or_default()},
        },
        "involvedObject": involved,
        "reason": "StockadeAuditAlert",
        "message": message,
        "type": if matches!(alert.priority, Emergency | Alert | Critical | Error | Warning) { "Warning" } else { "Normal" },
        "source": {"component": "stockade-audit"},
        "reportingComponent": "stockade-audit",
        "firstTimestamp": time,
        "lastTimestamp": time,
        "count": 1,
    })
}

fn theme(alert: &Alert) -> &'static str {
    use crate::rules::Priority::*;
    match alert.priority {
        Emergency | Alert | Critical | Error => "C62828",
        Warning => "EF6C00",
        _ => "1565C0",
    }
}

/// A parsed `http(s)://host[:port]/path` URL.
#[derive(Debug, Clone)]
pub struct Url {
    pub tls: bool,
    pub host: String,
    pub port: u16,
    /// Path and query, starting with `/`.
    pub path: String,
    full: String,
}

impl Url {
    /// Parses a URL; plain http is refused unless the host is a loopback name or `insecure`.
    pub fn parse(s: &str, insecure: bool) -> Result<Url, SinkError> {
        let bad = |m: &str| SinkError::Url(s.to_string(), m.to_string());
        let (tls, rest) = if let Some(r) = s.strip_prefix("https://") {
            (true, r)
        } else if let Some(r) = s.strip_prefix("http://") {
            (false, r)
        } else {
            return Err(bad("must start with https:// (or http://)"));
        };
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        if authority.contains('@') {
            return Err(bad("user information in the URL is not supported"));
        }
        let (host, port) = if let Some(r) = authority.strip_prefix('[') {
            let end = r.find(']').ok_or_else(|| bad("unclosed '['"))?;
            let port = r[end + 1..].strip_prefix(':');
            (&r[..end], port)
        } else {
            match authority.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (authority, None),
            }
        };
        if host.is_empty() {
            return Err(bad("no host"));
        }
        let port = match port {
            Some(p) => p.parse().map_err(|_| bad("bad port"))?,
            None if tls => 443,
            None => 80,
        };
        let loopback = matches!(host, "localhost" | "127.0.0.1" | "::1");
        if !tls && !loopback && !insecure {
            return Err(bad(
                "plain http is only allowed to localhost/127.0.0.1 (or with --sink-insecure)",
            ));
        }
        let path = path.split('#').next().unwrap_or("/").to_string();
        Ok(Url {
            tls,
            host: host.to_string(),
            port,
            path,
            full: s.to_string(),
        })
    }

    /// The URL with its path replaced by `…` (webhook paths hold secrets).
    pub fn redacted(&self) -> String {
        format!(
            "{}://{}:{}/…",
            if self.tls { "https" } else { "http" },
            self.host,
            self.port
        )
    }
}

/// One configured sink.
#[derive(Debug, Clone)]
pub struct SinkSpec {
    pub kind: SinkKind,
    pub url: Url,
    /// Only alerts of these rules go to this sink (empty: every alert).
    pub rules: Vec<String>,
    /// Sent as `Authorization: Bearer ...` (the Kubernetes API needs one).
    pub token: Option<String>,
}

impl SinkSpec {
    /// Parses `KIND=URL`.
    pub fn parse(s: &str, insecure: bool) -> Result<SinkSpec, SinkError> {
        let (kind, url) = s.split_once('=').ok_or_else(|| SinkError::Spec(s.into()))?;
        let kind = match kind.trim() {
            "webhook" => SinkKind::Webhook,
            "slack" => SinkKind::Slack,
            "teams" => SinkKind::Teams,
            "k8s-event" => SinkKind::K8sEvent,
            _ => return Err(SinkError::Spec(s.into())),
        };
        Ok(SinkSpec {
            kind,
            url: Url::parse(url.trim(), insecure)?,
            rules: Vec::new(),
            token: None,
        })
    }

    /// Whether `alert` goes to this sink (its rule filter).
    pub fn wants(&self, alert: &Alert) -> bool {
        self.rules.is_empty() || self.rules.iter().any(|r| **r == *alert.rule)
    }

    /// The URL one spooled body is posted to: the configured one, or for a Kubernetes Event
    /// the events collection of the Event's namespace under the configured API server URL.
    fn target_url(&self, body: &[u8]) -> Url {
        let mut url = self.url.clone();
        if self.kind == SinkKind::K8sEvent {
            let ns = serde_json::from_slice::<serde_json::Value>(body)
                .ok()
                .and_then(|v| v["metadata"]["namespace"].as_str().map(str::to_string))
                .unwrap_or_else(|| "default".into());
            url.path = format!(
                "{}/api/v1/namespaces/{ns}/events",
                url.path.trim_end_matches('/')
            );
        }
        url
    }

    /// A stable directory name for this sink's spool (kind and a hash of the URL).
    pub fn spool_name(&self) -> String {
        // FNV-1a: stable across runs and versions, unlike std's hasher.
        let mut h: u64 = 0xcbf29ce484222325;
        for b in self.url.full.bytes() {
            h = (h ^ b as u64).wrapping_mul(0x100000001b3);
        }
        format!("{}-{h:016x}", self.kind.name())
    }
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SinksFile {
    sinks: Vec<SinkEntry>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SinkEntry {
    kind: String,
    url: String,
    /// Only these rules (response actions for chosen rules).
    #[serde(default)]
    rules: Vec<String>,
    /// A file holding the bearer token (a ServiceAccount token for `k8s-event`).
    #[serde(default)]
    token_file: Option<PathBuf>,
}

/// Reads a sinks file: `sinks: [{kind: webhook|slack|teams|k8s-event, url: ..., rules: [...],
/// token_file: ...}, ...]`. Every entry is checked; all problems are reported together.
pub fn load_sinks_file(path: &Path, insecure: bool) -> Result<Vec<SinkSpec>, SinkError> {
    let err = |m: String| SinkError::File(path.to_path_buf(), m);
    let text = std::fs::read_to_string(path).map_err(|e| err(e.to_string()))?;
    let file: SinksFile = serde_saphyr::from_str(&text).map_err(|e| err(e.to_string()))?;
    let mut specs = Vec::new();
    let mut problems = Vec::new();
    for (i, e) in file.sinks.iter().enumerate() {
        let token = match &e.token_file {
            Some(f) => match std::fs::read_to_string(f) {
                Ok(t) if !t.trim().is_empty() => Some(t.trim().to_string()),
                Ok(_) => {
                    problems.push(format!("sinks[{i}]: token file {} is empty", f.display()));
                    continue;
                }
                Err(err) => {
                    problems.push(format!("sinks[{i}]: token file {}: {err}", f.display()));
                    continue;
                }
            },
            None => None,
        };
        match SinkSpec::parse(&format!("{}={}", e.kind, e.url), insecure) {
            Ok(mut s) => {
                s.rules = e.rules.clone();
                s.token = token;
                specs.push(s);
            }
            Err(e) => problems.push(format!("sinks[{i}]: {e}")),
        }
    }
    if problems.is_empty() {
        Ok(specs)
    } else {
        Err(err(problems.join("; ")))
    }
}

/// Delivery settings.
#[derive(Debug, Clone)]
pub struct Options {
    /// Connect, read and write timeout of one attempt.
    pub timeout: Duration,
    /// First retry delay; doubled after each failure up to `backoff_max`.
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
    /// Bound on one sink's spool, in bytes.
    pub spool_max_bytes: u64,
    /// Extra trusted CA certificates (PEM), on top of the system's.
    pub ca_file: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(10),
            backoff_initial: Duration::from_millis(500),
            backoff_max: Duration::from_secs(60),
            spool_max_bytes: 64 << 20,
            ca_file: None,
        }
    }
}

/// Builds the TLS configuration: system roots plus the CA file.
pub fn tls_config(ca_file: Option<&Path>) -> Result<Arc<rustls::ClientConfig>, SinkError> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;
    let mut roots = rustls::RootCertStore::empty();
    for cert in rustls_native_certs::load_native_certs().certs {
        let _ = roots.add(cert);
    }
    if let Some(path) = ca_file {
        let err = |m: String| SinkError::Ca(path.to_path_buf(), m);
        let mut n = 0;
        for cert in CertificateDer::pem_file_iter(path).map_err(|e| err(e.to_string()))? {
            let cert = cert.map_err(|e| err(e.to_string()))?;
            roots.add(cert).map_err(|e| err(e.to_string()))?;
            n += 1;
        }
        if n == 0 {
            return Err(err("no PEM certificate in the file".into()));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| SinkError::Ca(PathBuf::new(), e.to_string()))?
        .with_root_certificates(roots)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// One POST; returns the HTTP status code.
pub fn post(
    url: &Url,
    body: &[u8],
    timeout: Duration,
    tls: &Arc<rustls::ClientConfig>,
    token: Option<&str>,
) -> std::io::Result<u16> {
    let deadline = Instant::now() + timeout;
    let mut last = None;
    let mut stream = None;
    for addr in (url.host.as_str(), url.port).to_socket_addrs()? {
        match TcpStream::connect_timeout(&addr, timeout) {
            Ok(s) => {
                stream = Some(s);
                break;
            }
            Err(e) => last = Some(e),
        }
    }
    let stream = match stream {
        Some(s) => s,
        None => {
            return Err(last.unwrap_or_else(|| std::io::Error::other("host has no address")));
        }
    };
    stream.set_read_timeout(Some(timeout))?;
    stream.set_write_timeout(Some(timeout))?;
    stream.set_nodelay(true)?;
    let host = if url.host.contains(':') {
        format!("[{}]", url.host)
    } else {
        url.host.clone()
    };
    let auth = token.map_or(String::new(), |t| format!("Authorization: Bearer {t}\r\n"));
    let head = format!(
        "POST {} HTTP/1.1\r\nHost: {host}:{}\r\nUser-Agent: stockade\r\nContent-Type: application/json\r\n{auth}Content-Length: {}\r\nConnection: close\r\n\r\n",
        url.path,
        url.port,
        body.len()
    );
    if url.tls {
        let name = rustls::pki_types::ServerName::try_from(url.host.clone())
            .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
        let conn =
            rustls::ClientConnection::new(tls.clone(), name).map_err(std::io::Error::other)?;
        let mut tls = rustls::StreamOwned::new(conn, stream);
        exchange(&mut tls, head.as_bytes(), body, deadline)
    } else {
        let mut s = stream;
        exchange(&mut s, head.as_bytes(), body, deadline)
    }
}

/// Writes the request and reads the status line (the rest of the answer is ignored).
fn exchange(
    s: &mut dyn ReadWrite,
    head: &[u8],
    body: &[u8],
    deadline: Instant,
) -> std::io::Result<u16> {
    s.write_all(head)?;
    s.write_all(body)?;
    s.flush()?;
    let mut buf = Vec::with_capacity(256);
    let mut chunk = [0u8; 256];
    loop {
        if Instant::now() > deadline {
            return Err(std::io::ErrorKind::TimedOut.into());
        }
        let n = s.read(&mut chunk)?;
        if n == 0 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "connection closed before the status line",
            ));
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(end) = memchr::memmem::find(&buf, b"\r\n") {
            let line = String::from_utf8_lossy(&buf[..end]);
            let mut parts = line.split_whitespace();
            let code = match (parts.next(), parts.next()) {
                (Some(v), Some(code)) if v.starts_with("HTTP/") => code.parse().ok(),
                _ => None,
            };
            return code.ok_or_else(|| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    format!("bad status line '{line}'"),
                )
            });
        }
        if buf.len() > 8192 {
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                "status line too long",
            ));
        }
    }
}

trait ReadWrite: Read + Write {}
impl<T: Read + Write> ReadWrite for T {}

/// Counters of one sink.
#[derive(Debug, Default)]
pub struct Counters {
    /// Alerts answered with 2xx.
    pub delivered: AtomicU64,
    /// Failed attempts (each is retried).
    pub failures: AtomicU64,
    /// Alerts dropped because the spool was full.
    pub dropped: AtomicU64,
}

struct Queue {
    /// Pending alerts: sequence number and file size.
    pending: VecDeque<(u64, u64)>,
    bytes: u64,
    next_seq: u64,
}

struct Shared {
    dir: PathBuf,
    queue: Mutex<Queue>,
    wake: Condvar,
    stop: AtomicBool,
    counters: Counters,
    max_bytes: u64,
}

/// One sink's spool and its delivery thread.
struct Worker {
    spec: SinkSpec,
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

/// Delivers alerts to every configured sink through per-sink spools.
pub struct Sender {
    workers: Vec<Worker>,
}

fn seq_of(name: &str) -> Option<u64> {
    name.strip_suffix(".json")?.parse().ok()
}

fn file_name(dir: &Path, seq: u64) -> PathBuf {
    dir.join(format!("{seq:020}.json"))
}

impl Sender {
    /// Opens (creating) `spool_dir/<sink>` for each sink, queues what an earlier run left there
    /// first, and starts one delivery thread per sink.
    pub fn start(
        sinks: &[SinkSpec],
        spool_dir: &Path,
        opts: &Options,
    ) -> Result<Sender, SinkError> {
        let tls = tls_config(opts.ca_file.as_deref())?;
        let mut workers = Vec::new();
        for spec in sinks {
            let dir = spool_dir.join(spec.spool_name());
            let io = |e| SinkError::Spool(dir.clone(), e);
            std::fs::create_dir_all(&dir).map_err(io)?;
            let mut pending = Vec::new();
            for entry in std::fs::read_dir(&dir).map_err(io)? {
                let entry = entry.map_err(io)?;
                let name = entry.file_name();
                let name = name.to_string_lossy();
                if let Some(seq) = seq_of(&name) {
                    pending.push((seq, entry.metadata().map_err(io)?.len()));
                } else if name.ends_with(".tmp") {
                    // Cut short before its rename: never acknowledged to anyone.
                    let _ = std::fs::remove_file(entry.path());
                }
            }
            pending.sort_unstable();
            let next_seq = pending.last().map_or(0, |p| p.0 + 1);
            let bytes = pending.iter().map(|p| p.1).sum();
            let shared = Arc::new(Shared {
                dir: dir.clone(),
                queue: Mutex::new(Queue {
                    pending: pending.into(),
                    bytes,
                    next_seq,
                }),
                wake: Condvar::new(),
                stop: AtomicBool::new(false),
                counters: Counters::default(),
                max_bytes: opts.spool_max_bytes,
            });
            let thread = {
                let shared = shared.clone();
                let spec = spec.clone();
                let tls = tls.clone();
                let opts = opts.clone();
                std::thread::Builder::new()
                    .name(format!("sink-{}", spec.kind.name()))
                    .spawn(move || deliver(&shared, &spec, &opts, &tls))
                    .map_err(io)?
            };
            workers.push(Worker {
                spec: spec.clone(),
                shared,
                thread: Some(thread),
            });
        }
        Ok(Sender { workers })
    }

    /// Appends the alert to every sink's spool (fsync'd) and wakes the delivery threads.
    /// Returns the number of older alerts dropped to stay within the spool bound.
    pub fn send(&self, alert: &Alert) -> Result<u64, SinkError> {
        let mut dropped = 0;
        for w in self.workers.iter().filter(|w| w.spec.wants(alert)) {
            let body = w.spec.kind.payload(alert);
            dropped += w.shared.append(&body)?;
        }
        Ok(dropped)
    }

    /// Alerts waiting in all spools.
    pub fn pending(&self) -> usize {
        self.workers
            .iter()
            .map(|w| w.shared.queue.lock().unwrap().pending.len())
            .sum()
    }

    /// Waits until every spool is empty or `timeout` passes; returns what is still pending.
    pub fn drain(&self, timeout: Duration) -> usize {
        let deadline = Instant::now() + timeout;
        loop {
            let left = self.pending();
            if left == 0 || Instant::now() >= deadline {
                return left;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Per sink: its redacted URL, kind and counters.
    pub fn stats(&self) -> Vec<(String, &'static str, &Counters)> {
        self.workers
            .iter()
            .map(|w| {
                (
                    w.spec.url.redacted(),
                    w.spec.kind.name(),
                    &w.shared.counters,
                )
            })
            .collect()
    }

    /// Stops the delivery threads (an attempt in flight ends by its timeout); what is left stays
    /// in the spool for the next run.
    pub fn stop(mut self) {
        self.stop_threads();
    }

    fn stop_threads(&mut self) {
        for w in &self.workers {
            w.shared.stop.store(true, Ordering::SeqCst);
            w.shared.wake.notify_all();
        }
        for w in &mut self.workers {
            if let Some(t) = w.thread.take() {
                let _ = t.join();
            }
        }
    }
}

impl Drop for Sender {
    fn drop(&mut self) {
        self.stop_threads();
    }
}

impl Shared {
    fn append(&self, body: &[u8]) -> Result<u64, SinkError> {
        let io = |e| SinkError::Spool(self.dir.clone(), e);
        let mut q = self.queue.lock().unwrap();
        let seq = q.next_seq;
        q.next_seq += 1;
        let size = body.len() as u64;
        let mut dropped = 0;
        while !q.pending.is_empty() && q.bytes + size > self.max_bytes {
            let (old, old_size) = q.pending.pop_front().expect("not empty");
            q.bytes -= old_size;
            let _ = std::fs::remove_file(file_name(&self.dir, old));
            dropped += 1;
        }
        let path = file_name(&self.dir, seq);
        let tmp = path.with_extension("tmp");
        {
            let mut f = std::fs::File::create(&tmp).map_err(io)?;
            f.write_all(body).map_err(io)?;
            f.sync_all().map_err(io)?;
        }
        std::fs::rename(&tmp, &path).map_err(io)?;
        if let Ok(d) = std::fs::File::open(&self.dir) {
            let _ = d.sync_all();
        }
        q.pending.push_back((seq, size));
        q.bytes += size;
        self.counters.dropped.fetch_add(dropped, Ordering::Relaxed);
        drop(q);
        self.wake.notify_all();
        Ok(dropped)
    }
}

fn deliver(shared: &Shared, spec: &SinkSpec, opts: &Options, tls: &Arc<rustls::ClientConfig>) {
    let mut backoff = opts.backoff_initial;
    while !shared.stop.load(Ordering::SeqCst) {
        let front = {
            let mut q = shared.queue.lock().unwrap();
            while q.pending.is_empty() && !shared.stop.load(Ordering::SeqCst) {
                q = shared.wake.wait(q).unwrap();
            }
            match q.pending.front() {
                Some(&(seq, _)) => seq,
                None => return,
            }
        };
        let path = file_name(&shared.dir, front);
        let body = match std::fs::read(&path) {
            Ok(b) => b,
            Err(_) => {
                // Dropped by the bound meanwhile, or removed by hand: skip it.
                forget(shared, front, &path, false);
                continue;
            }
        };
        let url = spec.target_url(&body);
        let ok = matches!(post(&url, &body, opts.timeout, tls, spec.token.as_deref()), Ok(code) if (200..300).contains(&code));
        if ok {
            forget(shared, front, &path, true);
            backoff = opts.backoff_initial;
        } else {
            shared.counters.failures.fetch_add(1, Ordering::Relaxed);
            let q = shared.queue.lock().unwrap();
            if !shared.stop.load(Ordering::SeqCst) {
                let _ = shared.wake.wait_timeout(q, backoff);
            }
            backoff = (backoff * 2).min(opts.backoff_max);
        }
    }
}

/// Removes a delivered (or vanished) alert from the disk and the queue, and counts a delivery.
/// The file goes and the counter moves before the queue entry: whoever sees the queue empty
/// (`drain`) also sees the spool empty and every delivery counted.
fn forget(shared: &Shared, seq: u64, path: &Path, delivered: bool) {
    let _ = std::fs::remove_file(path);
    if delivered {
        shared.counters.delivered.fetch_add(1, Ordering::SeqCst);
    }
    let mut q = shared.queue.lock().unwrap();
    if let Some(&(s, size)) = q.pending.front()
        && s == seq
    {
        q.pending.pop_front();
        q.bytes -= size;
    }
}

/// What [`Limiter::admit`] decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Send,
    /// Same rule and output within the dedup window.
    Duplicate,
    /// Over the rule's rate limit.
    RateLimited,
}

/// Per-rule deduplication and rate limiting, on a caller-supplied clock (milliseconds) so a
/// scan of an old log can use the events' own times.
#[derive(Debug, Default)]
pub struct Limiter {
    window_ms: u64,
    per_minute: Option<u32>,
    last_sent: HashMap<(String, String), u64>,
    recent: HashMap<String, VecDeque<u64>>,
    pub duplicates: u64,
    pub rate_limited: u64,
}

impl Limiter {
    /// `window`: dedup window (zero disables); `per_minute`: alerts per rule per minute.
    pub fn new(window: Duration, per_minute: Option<u32>) -> Limiter {
        Limiter {
            window_ms: window.as_millis() as u64,
            per_minute,
            ..Limiter::default()
        }
    }

    pub fn admit(&mut self, alert: &Alert, now_ms: u64) -> Verdict {
        if self.window_ms > 0 {
            let key = (alert.rule.to_string(), alert.output.clone());
            if let Some(&t) = self.last_sent.get(&key)
                && now_ms >= t
                && now_ms - t < self.window_ms
            {
                self.duplicates += 1;
                return Verdict::Duplicate;
            }
            if self.last_sent.len() > 100_000 {
                let (w, n) = (self.window_ms, now_ms);
                self.last_sent.retain(|_, t| n.saturating_sub(*t) < w);
            }
            self.last_sent.insert(key, now_ms);
        }
        if let Some(limit) = self.per_minute {
            let times = self.recent.entry(alert.rule.to_string()).or_default();
            while times
                .front()
                .is_some_and(|&t| now_ms.saturating_sub(t) >= 60_000)
            {
                times.pop_front();
            }
            if times.len() >= limit as usize {
                self.rate_limited += 1;
                return Verdict::RateLimited;
            }
            times.push_back(now_ms);
        }
        Verdict::Send
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn alert(rule: &str, output: &str) -> Alert {
        Alert {
            time: None,
            rule: rule.into(),
            priority: crate::Priority::Warning,
            output: output.into(),
            tags: Arc::from(vec!["k8s".to_string()]),
            fields: Default::default(),
            source: "a.log:1".into(),
            audit_id: None,
            target: None,
        }
    }

    #[test]
    fn urls() {
        assert!(Url::parse("http://example.com/x", false).is_err());
        assert!(Url::parse("http://example.com/x", true).is_ok());
        let u = Url::parse("http://127.0.0.1:8080/hook?a=1", false).unwrap();
        assert_eq!((u.port, u.path.as_str(), u.tls), (8080, "/hook?a=1", false));
        let u = Url::parse("https://hooks.slack.com/services/T/B/X", false).unwrap();
        assert_eq!((u.port, u.host.as_str()), (443, "hooks.slack.com"));
        assert_eq!(u.redacted(), "https://hooks.slack.com:443/…");
        let u = Url::parse("http://[::1]:9/", false).unwrap();
        assert_eq!((u.host.as_str(), u.port), ("::1", 9));
        assert!(Url::parse("ftp://x/", true).is_err());
        assert!(SinkSpec::parse("pager=https://x/", false).is_err());
        assert_eq!(
            SinkSpec::parse("teams=https://x/y", false).unwrap().kind,
            SinkKind::Teams
        );
    }

    #[test]
    fn sinks_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sinks.yaml");
        std::fs::write(
            &p,
            "sinks:\n  - kind: slack\n    url: https://hooks.slack.com/services/x\n  - kind: webhook\n    url: http://127.0.0.1:9/a\n",
        )
        .unwrap();
        let s = load_sinks_file(&p, false).unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].kind, SinkKind::Slack);
        std::fs::write(
            &p,
            "sinks:\n  - kind: pager\n    url: https://x/\n  - kind: teams\n    url: http://x/\n",
        )
        .unwrap();
        let e = load_sinks_file(&p, false).unwrap_err().to_string();
        assert!(e.contains("sinks[0]") && e.contains("sinks[1]"), "{e}");
        std::fs::write(&p, "sinks:\n  - kind: slack\n    uri: https://x/\n").unwrap();
        assert!(load_sinks_file(&p, false).is_err());
    }

    #[test]
    fn payloads() {
        let a = alert("R", "out <b>");
        let s: serde_json::Value = serde_json::from_slice(&SinkKind::Slack.payload(&a)).unwrap();
        assert_eq!(s["text"], "[WARNING] R: out <b>");
        let t: serde_json::Value = serde_json::from_slice(&SinkKind::Teams.payload(&a)).unwrap();
        assert_eq!(t["@type"], "MessageCard");
        assert_eq!(t["text"], "out <b>");
        let w: serde_json::Value = serde_json::from_slice(&SinkKind::Webhook.payload(&a)).unwrap();
        assert_eq!(w["rule"], "R");
    }

    #[test]
    fn limiter() {
        let mut l = Limiter::new(Duration::from_secs(60), Some(2));
        let a = alert("R", "x");
        assert_eq!(l.admit(&a, 0), Verdict::Send);
        assert_eq!(l.admit(&a, 59_999), Verdict::Duplicate);
        assert_eq!(l.admit(&alert("R", "y"), 1000), Verdict::Send);
        assert_eq!(l.admit(&alert("R", "z"), 2000), Verdict::RateLimited);
        assert_eq!(l.admit(&alert("Q", "z"), 2000), Verdict::Send);
        assert_eq!(l.admit(&a, 60_000), Verdict::Send);
        assert_eq!((l.duplicates, l.rate_limited), (1, 1));
    }
}
