//! `stockade serve` and `stockade review`: argument parsing, logging setup and the shutdown
//! signal; the server and the evaluation live in `stockade_admission`.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;
use stockade_admission::server::{ServerConfig, serve};
use stockade_admission::{Webhook, load_policy_with, review_bytes};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// PEM certificate chain served to the API server (reloaded when it changes).
    #[arg(long, value_name = "FILE")]
    pub tls_cert: PathBuf,
    /// PEM private key of that certificate (reloaded when it changes).
    #[arg(long, value_name = "FILE")]
    pub tls_key: PathBuf,
    /// HTTPS address for /validate and /mutate.
    #[arg(long, default_value = "0.0.0.0:8443")]
    pub listen: SocketAddr,
    /// Plain-HTTP address for /livez, /readyz and /metrics.
    #[arg(long, default_value = "0.0.0.0:8080")]
    pub admin_listen: SocketAddr,
    /// Webhook configuration file (see docs/serve.md); reloaded when it changes.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Seconds between checks of the certificate, key and configuration files.
    #[arg(long, default_value_t = 5)]
    pub reload_interval: u64,
    /// Seconds in-flight requests may take to finish after SIGTERM.
    #[arg(long, default_value_t = 25)]
    pub drain_timeout: u64,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
    /// SQLite file that keeps every deny, warn and audit decision (`stockade events` reads it).
    #[arg(long, value_name = "FILE", default_value = "stockade-events.db")]
    pub events: PathBuf,
    /// Keep no decisions log.
    #[arg(long, conflicts_with = "events")]
    pub no_events: bool,
    /// Decisions the log keeps; the oldest are removed beyond this.
    #[arg(long, default_value_t = 1_000_000)]
    pub events_max_rows: u64,
    /// Serve the API server's audit webhook backend at POST /audit, accepting the bearer
    /// tokens in this file (one per line; put one in the `token:` of the audit webhook
    /// kubeconfig). Alerts go to standard output as JSON lines (or --audit-output) and to
    /// the --sink sinks.
    #[arg(long, value_name = "FILE", help_heading = "Audit webhook")]
    pub audit_token_file: Option<PathBuf>,
    /// A Falco rules file loaded after the built-in audit rules; repeatable.
    #[arg(long, value_name = "FILE", help_heading = "Audit webhook")]
    pub audit_rules: Vec<PathBuf>,
    /// Do not load the built-in audit rules.
    #[arg(long, help_heading = "Audit webhook")]
    pub audit_no_builtin: bool,
    /// Append alerts (JSON lines) to this file instead of standard output.
    #[arg(long, value_name = "FILE", help_heading = "Audit webhook")]
    pub audit_output: Option<PathBuf>,
    /// Largest audit batch accepted, in MiB.
    #[arg(long, default_value_t = 32, help_heading = "Audit webhook")]
    pub audit_max_body_mb: usize,
    #[command(flatten, next_help_heading = "Audit webhook")]
    pub sinks: crate::audit::SinkArgs,
    /// How the configuration's `images:` policy reaches registries (--registry-timeout,
    /// when given, replaces its `timeout` as the per-request deadline).
    #[command(flatten, next_help_heading = "Image registries")]
    pub registry: crate::image::RegistryArgs,
}

#[derive(Debug, Args)]
pub struct EventsArgs {
    /// The decisions log written by `stockade serve --events`.
    #[arg(long, value_name = "FILE", default_value = "stockade-events.db")]
    pub db: PathBuf,
    /// Only this namespace.
    #[arg(long, short = 'n')]
    pub namespace: Option<String>,
    /// Only decisions with a violation of this check (ID, or `PSS:<control>`).
    #[arg(long)]
    pub check: Option<String>,
    /// Only this verdict.
    #[arg(long, value_parser = ["deny", "warn", "audit"])]
    pub verdict: Option<String>,
    /// Only this kind (as in the request: Pod, Deployment...).
    #[arg(long)]
    pub kind: Option<String>,
    /// Not before: a duration back from now (`90m`, `2h`, `7days`) or an RFC 3339 time.
    #[arg(long)]
    pub since: Option<String>,
    /// Not after: a duration back from now or an RFC 3339 time.
    #[arg(long)]
    pub until: Option<String>,
    /// The newest N decisions only (0: all).
    #[arg(long, default_value_t = 100)]
    pub limit: usize,
    /// Output format.
    #[arg(long, value_parser = ["text", "json"], default_value = "text")]
    pub format: String,
}

/// A time bound: `2h` back from now, or an RFC 3339 time; milliseconds since the epoch.
fn time_bound(s: &str, now: std::time::SystemTime) -> anyhow::Result<i64> {
    let t = match humantime::parse_duration(s) {
        Ok(d) => now.checked_sub(d).unwrap_or(std::time::UNIX_EPOCH),
        Err(_) => humantime::parse_rfc3339_weak(s).with_context(|| {
            format!("`{s}` is neither a duration (90m, 2h, 7days) nor an RFC 3339 time")
        })?,
    };
    Ok(t.duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64))
}

pub fn events(args: EventsArgs) -> anyhow::Result<ExitCode> {
    use stockade_admission::events::{Filter, query};
    let now = std::time::SystemTime::now();
    let filter = Filter {
        namespace: args.namespace,
        check: args.check,
        verdict: args.verdict,
        kind: args.kind,
        since_ms: args
            .since
            .as_deref()
            .map(|s| time_bound(s, now))
            .transpose()?,
        until_ms: args
            .until
            .as_deref()
            .map(|s| time_bound(s, now))
            .transpose()?,
        limit: args.limit,
    };
    let decisions = query(&args.db, &filter)?;
    let mut out = String::new();
    if args.format == "json" {
        for d in &decisions {
            out.push_str(&serde_json::to_string(d)?);
            out.push('\n');
        }
    } else {
        for d in &decisions {
            let time = std::time::UNIX_EPOCH + Duration::from_millis(d.time_ms.max(0) as u64);
            let ns = if d.namespace.is_empty() {
                String::new()
            } else {
                format!("{}/", d.namespace)
            };
            let checks: Vec<&str> = d.violations.iter().map(|v| v.check.as_str()).collect();
            out.push_str(&format!(
                "{} {:<5} {} {}{}{} {}{}\n",
                humantime::format_rfc3339_seconds(time),
                d.verdict,
                d.operation,
                d.kind,
                if d.kind.is_empty() { "" } else { " " },
                format_args!("{ns}{}", d.name),
                checks.join(","),
                if d.dry_run { " (dry run)" } else { "" },
            ));
            for line in d.message.lines() {
                out.push_str("    ");
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    crate::print_out(&out);
    Ok(ExitCode::SUCCESS)
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// A saved AdmissionReview (JSON); `-` reads standard input.
    pub file: PathBuf,
    /// Webhook configuration file.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Answer as /mutate instead of /validate.
    #[arg(long)]
    pub mutate: bool,
    /// How the configuration's `images:` policy reaches registries.
    #[command(flatten, next_help_heading = "Image registries")]
    pub registry: crate::image::RegistryArgs,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum InstallModeArg {
    /// High and critical findings deny; the webhook fails closed.
    Enforce,
    /// Every finding warns; the webhook fails open.
    Warn,
}

#[derive(Debug, Args)]
pub struct InstallArgs {
    /// Namespace the webhook runs in (excluded from its own checks, as is kube-system).
    #[arg(long, default_value = "stockade")]
    pub namespace: String,
    /// Deny high and critical findings (fail closed), or only warn (fail open).
    #[arg(long, value_enum, default_value = "warn")]
    pub mode: InstallModeArg,
    /// Container image of stockade.
    #[arg(long, default_value = concat!("ghcr.io/stockade-dev/stockade:", env!("CARGO_PKG_VERSION")))]
    pub image: String,
    /// Existing CA certificate (PEM) to sign a fresh serving certificate with; the webhooks'
    /// caBundle stays this CA (rotating the leaf only). Needs --ca-key.
    #[arg(long, value_name = "FILE", requires = "ca_key")]
    pub ca_cert: Option<PathBuf>,
    /// Private key (PEM) of --ca-cert.
    #[arg(long, value_name = "FILE", requires = "ca_cert")]
    pub ca_key: Option<PathBuf>,
    /// Write the newly generated CA to DIR/ca.crt and DIR/ca.key (mode 0600), to pass as
    /// --ca-cert/--ca-key at the next rotation.
    #[arg(long, value_name = "DIR", conflicts_with = "ca_cert")]
    pub write_ca: Option<PathBuf>,
}

pub fn install(args: InstallArgs) -> anyhow::Result<ExitCode> {
    use stockade_admission::install::{Ca, InstallMode, InstallOptions, manifests_with_ca};
    let opts = InstallOptions {
        namespace: args.namespace,
        mode: match args.mode {
            InstallModeArg::Enforce => InstallMode::Enforce,
            InstallModeArg::Warn => InstallMode::Warn,
        },
        image: args.image,
    };
    let ca = match (&args.ca_cert, &args.ca_key) {
        (Some(cert), Some(key)) => Ca::load(cert, key)?,
        _ => {
            let ca = Ca::generate(&opts.namespace)?;
            if let Some(dir) = &args.write_ca {
                write_ca(dir, &ca)?;
            }
            ca
        }
    };
    crate::print_out(&manifests_with_ca(&opts, &ca)?);
    Ok(ExitCode::SUCCESS)
}

/// DIR/ca.crt and DIR/ca.key (the key created with mode 0600, never overwritten).
fn write_ca(dir: &std::path::Path, ca: &stockade_admission::install::Ca) -> anyhow::Result<()> {
    use std::io::Write as _;
    std::fs::create_dir_all(dir).with_context(|| format!("{}: cannot create", dir.display()))?;
    let key_path = dir.join("ca.key");
    let mut open = std::fs::OpenOptions::new();
    open.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut open, 0o600);
    let mut key = open.open(&key_path).with_context(|| {
        format!(
            "{}: cannot create (an existing CA key is never overwritten)",
            key_path.display()
        )
    })?;
    key.write_all(ca.key_pem().as_bytes())
        .with_context(|| format!("{}: cannot write", key_path.display()))?;
    let cert_path = dir.join("ca.crt");
    std::fs::write(&cert_path, ca.cert_pem())
        .with_context(|| format!("{}: cannot write", cert_path.display()))?;
    Ok(())
}

pub fn run(args: ServeArgs) -> anyhow::Result<ExitCode> {
    tracing_subscriber::fmt()
        .json()
        .with_current_span(true)
        .with_span_list(false)
        .with_writer(std::io::stderr)
        .init();
    let mut config = ServerConfig::new(args.tls_cert, args.tls_key);
    config.listen = args.listen;
    config.admin_listen = args.admin_listen;
    config.config = args.config;
    config.reload_interval = Duration::from_secs(args.reload_interval.max(1));
    config.drain_timeout = Duration::from_secs(args.drain_timeout);
    config.events = (!args.no_events).then_some(args.events);
    config.events_max_rows = args.events_max_rows.max(1);
    config.registry = args.registry.client_config()?;
    let delivery = match &args.audit_token_file {
        Some(tokens) => {
            let (endpoint, delivery) = crate::audit::endpoint(
                tokens,
                &crate::audit::RuleArgs {
                    rules: args.audit_rules.clone(),
                    no_builtin: args.audit_no_builtin,
                    min_priority: stockade_audit::Priority::Debug,
                    matching: "all".into(),
                },
                &args.sinks,
                args.audit_output.as_ref(),
                args.audit_max_body_mb.saturating_mul(1 << 20),
            )?;
            config.audit = Some(endpoint);
            delivery
        }
        None => {
            if !args.audit_rules.is_empty()
                || args.audit_output.is_some()
                || !args.sinks.sinks.is_empty()
            {
                anyhow::bail!(
                    "--audit-rules, --audit-output and --sink need --audit-token-file (the /audit endpoint is off without it)"
                );
            }
            None
        }
    };
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(n) = args.threads {
        runtime.worker_threads(n.max(1));
    }
    let runtime = runtime
        .enable_all()
        .build()
        .context("cannot start the runtime")?;
    runtime.block_on(async { serve(config, shutdown_signal()).await })?;
    if let Some(d) = delivery {
        d.finish(Duration::from_secs(10));
    }
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM (the kubelet stopping the pod) or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}

pub fn review(args: ReviewArgs) -> anyhow::Result<ExitCode> {
    let policy = load_policy_with(args.config.as_deref(), &args.registry.client_config()?)?;
    let body = if args.file.as_os_str() == "-" {
        let mut b = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut b)?;
        b
    } else {
        std::fs::read(&args.file).with_context(|| format!("{}", args.file.display()))?
    };
    let webhook = if args.mutate {
        Webhook::Mutate
    } else {
        Webhook::Validate
    };
    let outcome = match review_bytes(&policy, webhook, &body) {
        Ok(o) => o,
        Err(e) => bail!("{}: {e} (the server answers HTTP 400)", args.file.display()),
    };
    crate::print_out(&(serde_json::to_string(&outcome.response)? + "\n"));
    let allowed = outcome.response["response"]["allowed"] == serde_json::Value::Bool(true);
    Ok(if allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
