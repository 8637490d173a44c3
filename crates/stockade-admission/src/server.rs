//! The HTTPS webhook server and its plain-HTTP admin listener.
//!
//! Handlers are thin: read the body (bounded, under a deadline), evaluate with
//! [`crate::review_with`] (after verifying the request's images when the configuration has
//! an `images:` policy), record metrics and one log line, answer.

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State as AxumState;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use http_body_util::{BodyExt, LengthLimitError, Limited};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};
use tokio_rustls::TlsAcceptor;

use crate::audit::AuditEndpoint;
use crate::events::{Decision, EventLog};
use tracing::{error, info, warn};

use crate::config::{ConfigError, Policy, load_policy_with};
use crate::images::ImageVerdicts;
use crate::metrics::Metrics;
use crate::review::{AdmissionReview, ReviewError, Webhook, images_to_verify, review_with};
use crate::tls::{CertStore, Stamp, TlsError, stamp};

/// Where and how the server runs.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// HTTPS address for `/validate` and `/mutate`.
    pub listen: SocketAddr,
    /// Plain-HTTP address for `/livez`, `/readyz` and `/metrics`.
    pub admin_listen: SocketAddr,
    /// PEM certificate chain.
    pub tls_cert: PathBuf,
    /// PEM private key.
    pub tls_key: PathBuf,
    /// The configuration file; `None`: the defaults.
    pub config: Option<PathBuf>,
    /// How often the certificate, key and configuration files are checked for changes.
    pub reload_interval: Duration,
    /// How long in-flight requests may take to finish after shutdown begins.
    pub drain_timeout: Duration,
    /// How long a client may take to complete the TLS handshake.
    pub handshake_timeout: Duration,
    /// SQLite file for the decisions log (`None`: no log).
    pub events: Option<PathBuf>,
    /// Decisions the log keeps (the oldest are removed).
    pub events_max_rows: u64,
    /// The audit webhook endpoint `POST /audit` (`None`: not served).
    pub audit: Option<Arc<AuditEndpoint>>,
    /// How the `images:` policy reaches registries (CA, insecure registries, credentials).
    pub registry: stockade_image::ClientConfig,
}

impl ServerConfig {
    /// Defaults for everything but the certificate: `0.0.0.0:8443`, admin `0.0.0.0:8080`,
    /// reload every 5 s, drain for up to 25 s (under the pod's default 30 s grace period).
    pub fn new(tls_cert: PathBuf, tls_key: PathBuf) -> Self {
        ServerConfig {
            listen: SocketAddr::from(([0, 0, 0, 0], 8443)),
            admin_listen: SocketAddr::from(([0, 0, 0, 0], 8080)),
            tls_cert,
            tls_key,
            config: None,
            reload_interval: Duration::from_secs(5),
            drain_timeout: Duration::from_secs(25),
            handshake_timeout: Duration::from_secs(10),
            events: None,
            events_max_rows: 1_000_000,
            audit: None,
            registry: stockade_image::ClientConfig::default(),
        }
    }
}

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The configuration file is unusable.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The certificate or key is unusable.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// The decisions log cannot be opened.
    #[error("decisions log: {0}")]
    Events(#[from] crate::events::EventsError),
    /// An address could not be bound.
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// Why.
        source: std::io::Error,
    },
}

/// What the handlers share: the current policy (swapped on reload), metrics, the concurrency
/// limit, readiness.
pub struct State {
    policy: RwLock<Arc<Policy>>,
    /// Metrics.
    pub metrics: Metrics,
    limiter: Semaphore,
    ready: AtomicBool,
    events: Option<EventLog>,
    audit: Option<Arc<AuditEndpoint>>,
}

impl State {
    /// State serving `policy`; not ready until [`State::set_ready`].
    pub fn new(policy: Policy) -> Arc<State> {
        let permits = policy.limits.max_concurrency;
        Arc::new(State {
            policy: RwLock::new(Arc::new(policy)),
            metrics: Metrics::new(),
            limiter: Semaphore::new(permits),
            ready: AtomicBool::new(false),
            events: None,
            audit: None,
        })
    }

    /// State serving `policy` that appends its deny, warn and audit decisions to `events`.
    pub fn with_events(policy: Policy, events: Option<EventLog>) -> Arc<State> {
        let mut state = Arc::into_inner(State::new(policy)).expect("just created");
        state.events = events;
        Arc::new(state)
    }

    /// State as [`State::with_events`] that also serves the audit webhook endpoint.
    pub fn with_audit(
        policy: Policy,
        events: Option<EventLog>,
        audit: Option<Arc<AuditEndpoint>>,
    ) -> Arc<State> {
        let mut state = Arc::into_inner(State::with_events(policy, events)).expect("just created");
        state.audit = audit;
        Arc::new(state)
    }

    /// The decisions log, if one is kept.
    pub fn events(&self) -> Option<&EventLog> {
        self.events.as_ref()
    }

    /// The policy in force.
    pub fn policy(&self) -> Arc<Policy> {
        match self.policy.read() {
            Ok(p) => p.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    /// Replaces the policy; requests already being evaluated finish with the old one.
    pub fn set_policy(&self, policy: Policy) {
        let mut p = match self.policy.write() {
            Ok(p) => p,
            Err(poisoned) => poisoned.into_inner(),
        };
        *p = Arc::new(policy);
    }

    /// Marks the server ready (or not) for `/readyz`.
    pub fn set_ready(&self, ready: bool) {
        self.ready.store(ready, Ordering::SeqCst);
    }

    /// Whether `/readyz` answers 200.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::SeqCst)
    }
}

/// The webhook routes: `POST /validate` and `POST /mutate`, and `POST /audit` when the state
/// has an audit endpoint.
pub fn app(state: Arc<State>) -> Router {
    let router = Router::new()
        .route("/validate", post(validate))
        .route("/mutate", post(mutate));
    let router = if state.audit.is_some() {
        router.route("/audit", post(audit))
    } else {
        router
    };
    router.with_state(state)
}

async fn audit(
    AxumState(state): AxumState<Arc<State>>,
    headers: axum::http::HeaderMap,
    body: Body,
) -> Response {
    let Some(endpoint) = state.audit.clone() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let fail = |code: StatusCode, message: String| {
        state.metrics.http_error_on("audit", code.as_u16());
        warn!(endpoint = "audit", code = code.as_u16(), error = %message, "request rejected");
        (code, message + "\n").into_response()
    };
    if !endpoint.authorized(headers.get(header::AUTHORIZATION).map(|v| v.as_bytes())) {
        return fail(
            StatusCode::UNAUTHORIZED,
            "missing or unknown bearer token".into(),
        );
    }
    let bytes = match Limited::new(body, endpoint.max_body_bytes).collect().await {
        Ok(c) => c.to_bytes(),
        Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
            return fail(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!("audit batch exceeds {} bytes", endpoint.max_body_bytes),
            );
        }
        Err(e) => return fail(StatusCode::BAD_REQUEST, format!("cannot read body: {e}")),
    };
    // Rules evaluation and the sinks' fsync'd spool writes are blocking work.
    let result = match tokio::task::spawn_blocking(move || endpoint.process(&bytes)).await {
        Ok(r) => r,
        Err(e) => {
            return fail(
                StatusCode::INTERNAL_SERVER_ERROR,
                format!("audit batch evaluation failed: {e}"),
            );
        }
    };
    state.metrics.audit_batch(result.events, result.alerts);
    for e in &result.errors {
        warn!(endpoint = "audit", error = %e, "unreadable audit event");
    }
    if result.events == 0 && !result.errors.is_empty() {
        return fail(StatusCode::BAD_REQUEST, result.errors.join("; "));
    }
    info!(
        endpoint = "audit",
        events = result.events,
        alerts = result.alerts,
        errors = result.errors.len(),
        "audit batch"
    );
    (
        [(header::CONTENT_TYPE, "application/json")],
        serde_json::to_vec(&result).unwrap_or_default(),
    )
        .into_response()
}

/// The admin routes: `/livez`, `/readyz`, `/metrics`.
pub fn admin_app(state: Arc<State>) -> Router {
    Router::new()
        .route("/livez", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

async fn readyz(AxumState(state): AxumState<Arc<State>>) -> Response {
    if state.is_ready() {
        "ok\n".into_response()
    } else {
        (StatusCode::SERVICE_UNAVAILABLE, "not ready\n").into_response()
    }
}

async fn metrics(AxumState(state): AxumState<Arc<State>>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        state.metrics.encode(),
    )
        .into_response()
}

async fn validate(AxumState(state): AxumState<Arc<State>>, body: Body) -> Response {
    handle(state, Webhook::Validate, body).await
}

async fn mutate(AxumState(state): AxumState<Arc<State>>, body: Body) -> Response {
    handle(state, Webhook::Mutate, body).await
}

struct InFlight<'a>(&'a Metrics);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight().dec();
    }
}

async fn handle(state: Arc<State>, webhook: Webhook, body: Body) -> Response {
    let start = Instant::now();
    let policy = state.policy();
    let limits = policy.limits;
    let work = async {
        let _permit = state
            .limiter
            .acquire()
            .await
            .map_err(|_| (StatusCode::SERVICE_UNAVAILABLE, "shutting down".to_string()))?;
        state.metrics.in_flight().inc();
        let _guard = InFlight(&state.metrics);
        let bytes = match Limited::new(body, limits.max_body_bytes).collect().await {
            Ok(c) => c.to_bytes(),
            Err(e) if e.downcast_ref::<LengthLimitError>().is_some() => {
                return Err((
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("request body exceeds {} bytes", limits.max_body_bytes),
                ));
            }
            Err(e) => {
                return Err((StatusCode::BAD_REQUEST, format!("cannot read body: {e}")));
            }
        };
        // Evaluated on the worker thread: a review takes tens of microseconds, less than
        // handing it to the blocking pool costs, and the blocking pool's extra threads each
        // kept their own allocator arenas (RSS tripled under load). The body size limit bounds
        // the work; the deadline covers the wait for a permit and for the body.
        let bad = |e: ReviewError| (StatusCode::BAD_REQUEST, e.to_string());
        let input: AdmissionReview = serde_json::from_slice(&bytes)
            .map_err(|e| bad(ReviewError::Malformed(e.to_string())))?;
        // Registry verification (the `images:` policy) is blocking I/O: it runs on the
        // blocking pool under its own deadline, inside this one; cached and rule-only
        // verdicts are taken here without a registry call.
        let verdicts = match policy.images() {
            Some(images) => {
                let wanted = images_to_verify(&policy, webhook, &input);
                if wanted.is_empty() {
                    ImageVerdicts::default()
                } else {
                    ImageVerdicts::verify(images.clone(), wanted, policy.image_deadline()).await
                }
            }
            None => ImageVerdicts::default(),
        };
        review_with(&policy, webhook, &input, &verdicts).map_err(bad)
    };
    let result = match tokio::time::timeout(limits.deadline(), work).await {
        Ok(r) => r,
        Err(_) => Err((
            StatusCode::GATEWAY_TIMEOUT,
            format!("evaluation exceeded the {} ms deadline", limits.deadline_ms),
        )),
    };
    let elapsed = start.elapsed();
    match result {
        Ok(outcome) => {
            state
                .metrics
                .observe(webhook, &outcome, elapsed.as_secs_f64());
            // One event carrying every field, no span: the JSON formatter would create the span,
            // format its fields to text, and parse that text back into a serde_json map for
            // every line.
            info!(
                webhook = webhook.as_str(),
                uid = %outcome.uid,
                kind = %outcome.kind,
                namespace = %outcome.namespace,
                verdict = outcome.verdict.as_str(),
                name = %outcome.name,
                operation = %outcome.operation,
                dry_run = outcome.dry_run,
                violations = outcome.violations.len(),
                reason = outcome.reason.as_deref().unwrap_or(""),
                duration_us = elapsed.as_micros() as u64,
                "decision"
            );
            if let Some(log) = state.events()
                && let Some(d) =
                    Decision::from_outcome(webhook.as_str(), &outcome, std::time::SystemTime::now())
                && !log.record(d)
            {
                state.metrics.decision_dropped();
                if log.dropped().is_power_of_two() {
                    warn!(
                        dropped = log.dropped(),
                        "decisions log queue full: decisions dropped from the log (still in this JSON log)"
                    );
                }
            }
            // Sized for a typical response (a Deployment's warnings fit), grown if needed.
            let mut body = Vec::with_capacity(4096);
            if serde_json::to_writer(&mut body, &outcome.response).is_err() {
                body.clear();
            }
            ([(header::CONTENT_TYPE, "application/json")], body).into_response()
        }
        Err((code, message)) => {
            state.metrics.http_error(webhook, code.as_u16());
            warn!(
                webhook = webhook.as_str(),
                code = code.as_u16(),
                error = %message,
                "request rejected"
            );
            (code, message + "\n").into_response()
        }
    }
}

/// A bound server, ready to run.
pub struct Server {
    state: Arc<State>,
    certs: Arc<CertStore>,
    listener: TcpListener,
    admin: TcpListener,
    config: ServerConfig,
    /// The configuration files as the policy was loaded from them, for the reload loop.
    config_stamps: ConfigStamps,
}

impl Server {
    /// Loads the policy and certificate, and binds both listeners.
    pub async fn bind(config: ServerConfig) -> Result<Server, ServeError> {
        // Stamped before loading: a change from here on is reloaded (once more if it was
        // already loaded), never missed.
        let config_stamps = config_stamps(config.config.as_deref());
        let policy = load_policy_with(config.config.as_deref(), &config.registry)?;
        let certs = Arc::new(CertStore::load(&config.tls_cert, &config.tls_key)?);
        let bind = |addr: SocketAddr| async move {
            TcpListener::bind(addr)
                .await
                .map_err(|source| ServeError::Bind { addr, source })
        };
        let listener = bind(config.listen).await?;
        let admin = bind(config.admin_listen).await?;
        let events = match &config.events {
            Some(path) => Some(EventLog::open(path, config.events_max_rows)?),
            None => None,
        };
        Ok(Server {
            state: State::with_audit(policy, events, config.audit.clone()),
            certs,
            listener,
            admin,
            config,
            config_stamps,
        })
    }

    /// The HTTPS address (with the port chosen when it was 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener.local_addr().unwrap_or(self.config.listen)
    }

    /// The admin address.
    pub fn admin_addr(&self) -> SocketAddr {
        self.admin.local_addr().unwrap_or(self.config.admin_listen)
    }

    /// The shared state.
    pub fn state(&self) -> Arc<State> {
        self.state.clone()
    }

    /// Serves until `shutdown` completes, then stops accepting, marks itself not ready, lets
    /// in-flight requests finish (up to the drain timeout) and returns.
    pub async fn run(self, shutdown: impl Future<Output = ()> + Send) -> Result<(), ServeError> {
        let Server {
            state,
            certs,
            listener,
            admin,
            config,
            config_stamps,
        } = self;
        let tls = certs.server_config()?;
        let acceptor = TlsAcceptor::from(tls);
        let admin_addr = admin.local_addr().unwrap_or(config.admin_listen);
        let (stop_tx, stop_rx) = watch::channel(false);
        let stopped = |mut rx: watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        // Ready before the admin listener answers anything: a probe that connected while the
        // server was starting is answered once this task runs, and must then see "ok".
        state.set_ready(true);
        let admin_task = tokio::spawn(
            axum::serve(admin, admin_app(state.clone()))
                .with_graceful_shutdown(stopped(stop_rx.clone()))
                .into_future(),
        );
        let reload_task = tokio::spawn(reload_loop(
            state.clone(),
            certs.clone(),
            config.config.clone(),
            config_stamps,
            config.reload_interval,
            config.registry.clone(),
        ));
        info!(
            listen = %listener.local_addr().unwrap_or(config.listen),
            admin = %admin_addr,
            "serving"
        );
        log_not_evaluated(&state.policy());

        let graceful = GracefulShutdown::new();
        let router = app(state.clone());
        let mut builder = auto::Builder::new(TokioExecutor::new());
        builder.http2().max_concurrent_streams(250);
        let builder = Arc::new(builder);
        let mut shutdown = std::pin::pin!(shutdown);
        loop {
            tokio::select! {
                accepted = listener.accept() => {
                    let tcp = match accepted {
                        Ok((tcp, _)) => tcp,
                        Err(e) => {
                            // Out of file descriptors and the like: back off, keep serving.
                            warn!(error = %e, "accept failed");
                            tokio::time::sleep(Duration::from_millis(50)).await;
                            continue;
                        }
                    };
                    let _ = tcp.set_nodelay(true);
                    let acceptor = acceptor.clone();
                    let service = TowerToHyperService::new(router.clone());
                    let builder = builder.clone();
                    let watcher = graceful.watcher();
                    let handshake = config.handshake_timeout;
                    tokio::spawn(async move {
                        let Ok(Ok(stream)) =
                            tokio::time::timeout(handshake, acceptor.accept(tcp)).await
                        else {
                            return;
                        };
                        let conn = builder.serve_connection(TokioIo::new(stream), service);
                        let _ = watcher.watch(conn).await;
                    });
                }
                () = &mut shutdown => break,
            }
        }
        // In this order: once `/readyz` says 503, no new connection is accepted.
        drop(listener);
        state.set_ready(false);
        info!("shutting down: draining in-flight requests");
        if tokio::time::timeout(config.drain_timeout, graceful.shutdown())
            .await
            .is_err()
        {
            warn!("drain timeout reached; closing remaining connections");
        }
        reload_task.abort();
        let _ = stop_tx.send(true);
        let _ = admin_task.await;
        if let Some(log) = state.events() {
            // Everything queued reaches the file before the process exits.
            log.close();
        }
        info!("stopped");
        Ok(())
    }
}

/// Binds and runs the server until `shutdown` completes.
pub async fn serve(
    config: ServerConfig,
    shutdown: impl Future<Output = ()> + Send,
) -> Result<(), ServeError> {
    Server::bind(config).await?.run(shutdown).await
}

/// Stamps of the configuration file and the namespace labels file it names.
type ConfigStamps = Option<(Stamp, Option<Stamp>)>;

fn config_stamps(config: Option<&Path>) -> ConfigStamps {
    config.map(|p| {
        let ns = load_policy_labels_file(p);
        (stamp(p), ns.as_deref().map(stamp))
    })
}

/// Reloads the certificate and the configuration when their files change. `last`: the
/// configuration's stamps when its policy was loaded (the certificate store keeps its own).
async fn reload_loop(
    state: Arc<State>,
    certs: Arc<CertStore>,
    config: Option<PathBuf>,
    mut last: ConfigStamps,
    every: Duration,
    registry: stockade_image::ClientConfig,
) {
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    tick.tick().await;
    loop {
        tick.tick().await;
        match certs.reload_if_changed() {
            Ok(false) => {}
            Ok(true) => {
                info!("certificate reloaded");
                state.metrics.reload("certificate", true);
            }
            Err(e) => {
                error!(error = %e, "certificate reload failed; the previous certificate stays in use");
                state.metrics.reload("certificate", false);
            }
        }
        let now = config_stamps(config.as_deref());
        if now != last {
            last = now;
            match load_policy_with(config.as_deref(), &registry) {
                Ok(p) => {
                    log_not_evaluated(&p);
                    state.set_policy(p);
                    info!("configuration reloaded");
                    state.metrics.reload("config", true);
                }
                Err(e) => {
                    error!(error = %e, "configuration reload failed; the previous configuration stays in force");
                    state.metrics.reload("config", false);
                }
            }
        }
    }
}

/// The namespace labels file a configuration names, to watch it too.
fn load_policy_labels_file(config: &std::path::Path) -> Option<PathBuf> {
    crate::config::load_config(config)
        .ok()
        .and_then(|c| c.namespace_labels_file)
}

/// Says once which selected checks cannot run at admission (they look across objects; each
/// response also names them in its audit annotations).
fn log_not_evaluated(policy: &Policy) {
    let ids: Vec<&str> = policy.not_evaluated().collect();
    if !ids.is_empty() {
        warn!(
            checks = %ids.join(","),
            "cross-object checks are not evaluated at admission (one request is not a set); run `stockade scan` over the manifests for them"
        );
    }
}
