//! `stockade audit`: reads Kubernetes audit logs and rules files and hands them to
//! `stockade-audit`.

use std::io::{BufRead, BufReader, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use stockade_audit::{Alert, Engine, Location, Matching, Priority, RuleSet, read_events};

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Evaluate audit log files (JSON lines, EventList, `-` for stdin) against the rules.
    ///
    /// Exit codes: 0 no alerts, 1 alerts, 2 unreadable input or rules.
    Scan(ScanArgs),
    /// Follow a growing audit log file, surviving rotation and truncation.
    Watch(WatchArgs),
    /// Rules files: validate them, list the rules.
    #[command(subcommand)]
    Rules(RulesCommand),
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Validate rules files (loaded in order, on top of the built-in rules unless
    /// --no-builtin) and report every problem with its file and line.
    ///
    /// Exit codes: 0 valid, 2 problems found.
    Check {
        /// Rules files.
        #[arg(required = true)]
        files: Vec<PathBuf>,
        /// Check the files alone, without the built-in rules underneath.
        #[arg(long)]
        no_builtin: bool,
    },
    /// List the rules that would run (built-in plus --rules files).
    List(RuleArgs),
    /// Print the built-in rules file (a starting point for your own).
    Builtin,
}

#[derive(Debug, Args, Clone)]
pub struct RuleArgs {
    /// A Falco rules file (source k8s_audit) to load after the built-in rules; repeatable,
    /// loaded in order so later files can append to or override earlier ones.
    #[arg(long = "rules", value_name = "FILE")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rules.
    #[arg(long)]
    pub no_builtin: bool,
    /// Ignore rules less severe than this (emergency ... debug).
    #[arg(long, default_value = "debug", value_parser = parse_priority)]
    pub min_priority: Priority,
    /// all: every matching rule fires; first: only the first in load order (Falco's default).
    #[arg(long = "match", default_value = "all", value_parser = ["all", "first"])]
    pub matching: String,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Audit log files; `-` reads standard input.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// text or json (one alert per line).
    #[arg(short = 'f', long, default_value = "text", value_parser = ["text", "json"])]
    pub format: String,
    /// Write alerts to this file instead of standard output.
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    #[command(flatten)]
    pub sinks: SinkArgs,
    /// With sinks: how long to wait at the end for the spools to empty; what is left is sent
    /// by the next run.
    #[arg(long, default_value = "30s", value_parser = parse_duration)]
    pub drain_timeout: Duration,
}

#[derive(Debug, Args, Clone)]
pub struct SinkArgs {
    /// Also send alerts to KIND=URL, KIND one of webhook (the alert JSON), slack or teams
    /// (incoming-webhook payloads); repeatable. https, or http to localhost/127.0.0.1.
    #[arg(long = "sink", value_name = "KIND=URL")]
    pub sinks: Vec<String>,
    /// A YAML file of sinks: `sinks: [{kind: slack, url: https://...}, ...]` (keeps webhook
    /// URLs, which hold secrets, off the command line).
    #[arg(long, value_name = "FILE")]
    pub sinks_file: Option<PathBuf>,
    /// Trust the CA certificates in this PEM file too (besides the system's).
    #[arg(long, value_name = "FILE")]
    pub sink_ca: Option<PathBuf>,
    /// Allow plain http to any host.
    #[arg(long)]
    pub sink_insecure: bool,
    /// Timeout of one delivery attempt (connect, send, answer).
    #[arg(long, default_value = "10s", value_parser = parse_duration)]
    pub sink_timeout: Duration,
    /// First retry delay after a failed delivery, doubled up to --retry-max.
    #[arg(long, default_value = "500ms", value_parser = parse_duration)]
    pub retry_initial: Duration,
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub retry_max: Duration,
    /// Spool directory (one subdirectory per sink). Default: OUTPUT.spool next to --output,
    /// else $XDG_STATE_HOME/stockade/audit-spool (~/.local/state/...).
    #[arg(long, value_name = "DIR")]
    pub spool: Option<PathBuf>,
    /// Bound of each sink's spool; the oldest alerts are dropped (and counted) beyond it.
    #[arg(long, default_value_t = 64)]
    pub spool_max_mb: u64,
    /// Same rule and same output within this window are counted, not sent again (0s: off).
    #[arg(long, default_value = "60s", value_parser = parse_duration)]
    pub dedup_window: Duration,
    /// At most N alerts per rule per minute to the sinks (N/min).
    #[arg(long, value_name = "N/min", value_parser = parse_rate)]
    pub rate_limit: Option<u32>,
}

fn parse_duration(s: &str) -> Result<Duration, String> {
    humantime::parse_duration(s).map_err(|e| format!("'{s}': {e}"))
}

fn parse_rate(s: &str) -> Result<u32, String> {
    let n = s.strip_suffix("/min").unwrap_or(s);
    n.trim()
        .parse()
        .map_err(|_| format!("'{s}': expected N/min, e.g. 30/min"))
}

/// Sinks with their spool, dedup and rate limit.
struct Delivery {
    sender: stockade_audit::sink::Sender,
    limiter: stockade_audit::sink::Limiter,
    spool: PathBuf,
    dropped: u64,
}

impl Delivery {
    fn new(args: &SinkArgs, output: Option<&PathBuf>) -> anyhow::Result<Option<Delivery>> {
        use stockade_audit::sink::{Limiter, Options, Sender, SinkSpec, load_sinks_file};
        let mut specs = args
            .sinks
            .iter()
            .map(|s| SinkSpec::parse(s, args.sink_insecure))
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(f) = &args.sinks_file {
            specs.extend(load_sinks_file(f, args.sink_insecure)?);
        }
        if specs.is_empty() {
            return Ok(None);
        }
        let spool = match (&args.spool, output) {
            (Some(d), _) => d.clone(),
            (None, Some(o)) => {
                let mut name = o.as_os_str().to_owned();
                name.push(".spool");
                PathBuf::from(name)
            }
            (None, None) => std::env::var_os("XDG_STATE_HOME")
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
                .or_else(|| std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".local/state")))
                .unwrap_or_else(|| PathBuf::from("."))
                .join("stockade/audit-spool"),
        };
        let opts = Options {
            timeout: args.sink_timeout,
            backoff_initial: args.retry_initial,
            backoff_max: args.retry_max.max(args.retry_initial),
            spool_max_bytes: args.spool_max_mb.saturating_mul(1 << 20),
            ca_file: args.sink_ca.clone(),
        };
        let sender = Sender::start(&specs, &spool, &opts)?;
        let waiting = sender.pending();
        if waiting > 0 {
            eprintln!(
                "stockade: {waiting} alert(s) from an earlier run waiting in {}; sent first",
                spool.display()
            );
        }
        Ok(Some(Delivery {
            sender,
            limiter: Limiter::new(args.dedup_window, args.rate_limit),
            spool,
            dropped: 0,
        }))
    }

    fn send(&mut self, alert: &Alert) {
        let now = alert
            .time
            .as_deref()
            .and_then(|t| humantime::parse_rfc3339_weak(t).ok())
            .unwrap_or_else(std::time::SystemTime::now)
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_millis() as u64);
        if self.limiter.admit(alert, now) != stockade_audit::sink::Verdict::Send {
            return;
        }
        match self.sender.send(alert) {
            Ok(0) => {}
            Ok(n) => {
                self.dropped += n;
                eprintln!(
                    "stockade: spool full: dropped {n} oldest alert(s) ({} so far)",
                    self.dropped
                );
            }
            Err(e) => eprintln!("stockade: {e}"),
        }
    }

    /// Waits for the spools to empty and reports the counts on stderr.
    fn finish(self, timeout: Duration) {
        let left = self.sender.drain(timeout);
        for (url, kind, c) in self.sender.stats() {
            use std::sync::atomic::Ordering::Relaxed;
            eprintln!(
                "stockade: sink {kind} {url}: {} delivered, {} failed attempt(s), {} dropped (spool full)",
                c.delivered.load(Relaxed),
                c.failures.load(Relaxed),
                c.dropped.load(Relaxed)
            );
        }
        if self.limiter.duplicates + self.limiter.rate_limited > 0 {
            eprintln!(
                "stockade: not sent: {} duplicate(s) within the dedup window, {} over the rate limit",
                self.limiter.duplicates, self.limiter.rate_limited
            );
        }
        if left > 0 {
            eprintln!(
                "stockade: {left} alert(s) not delivered yet; kept in {} for the next run",
                self.spool.display()
            );
        }
        self.sender.stop();
    }
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    /// The audit log file to follow.
    pub file: PathBuf,
    #[command(flatten)]
    pub rules: RuleArgs,
    /// text or json (one alert per line).
    #[arg(short = 'f', long, default_value = "json", value_parser = ["text", "json"])]
    pub format: String,
    /// Start at the end of the file instead of its beginning.
    #[arg(long)]
    pub from_end: bool,
    /// How often to look for new data, in milliseconds.
    #[arg(long, default_value_t = 250)]
    pub poll_ms: u64,
    #[command(flatten)]
    pub sinks: SinkArgs,
}

/// Alerts of the `/audit` endpoint: JSON lines to a file or standard output, and the sinks.
/// Shared between the endpoint's handler and the end of `stockade serve`, which drains the
/// spools.
pub struct ServeDelivery(std::sync::Arc<std::sync::Mutex<AlertOut>>);

pub struct AlertOut {
    out: Box<dyn Write + Send>,
    delivery: Option<Delivery>,
}

impl ServeDelivery {
    /// Waits (up to `timeout`) for the sinks' spools to empty and reports the counts.
    pub fn finish(self, timeout: Duration) {
        let mut guard = match self.0.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let _ = guard.out.flush();
        if let Some(d) = guard.delivery.take() {
            d.finish(timeout);
        }
    }
}

/// The `/audit` endpoint of `stockade serve`: tokens, rules, output and sinks.
pub fn endpoint(
    token_file: &std::path::Path,
    rules: &RuleArgs,
    sinks: &SinkArgs,
    output: Option<&PathBuf>,
    max_body_bytes: usize,
) -> anyhow::Result<(
    std::sync::Arc<stockade_admission::audit::AuditEndpoint>,
    Option<ServeDelivery>,
)> {
    use std::sync::{Arc, Mutex};
    let text = std::fs::read_to_string(token_file)
        .with_context(|| format!("reading audit tokens from {}", token_file.display()))?;
    let tokens: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(String::from)
        .collect();
    if tokens.is_empty() {
        bail!("{}: no token in the file", token_file.display());
    }
    let engine = Arc::new(engine(rules)?);
    let out: Box<dyn Write + Send> = match output {
        Some(p) => Box::new(
            std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("opening {}", p.display()))?,
        ),
        None => Box::new(std::io::stdout()),
    };
    let delivery = Delivery::new(sinks, output)?;
    let shared = Arc::new(Mutex::new(AlertOut { out, delivery }));
    let handler_state = shared.clone();
    let on_alerts = move |alerts: Vec<Alert>| {
        let mut guard = match handler_state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        let AlertOut { out, delivery } = &mut *guard;
        let mut buf = Vec::with_capacity(alerts.len() * 512);
        for alert in &alerts {
            let _ = write_alert(&mut buf, alert, true);
            if let Some(d) = delivery.as_mut() {
                d.send(alert);
            }
        }
        if let Err(e) = out.write_all(&buf).and_then(|()| out.flush()) {
            eprintln!("stockade: writing audit alerts: {e}");
        }
    };
    let endpoint = stockade_admission::audit::AuditEndpoint {
        engine,
        tokens,
        on_alerts: Arc::new(on_alerts),
        max_body_bytes,
    };
    Ok((Arc::new(endpoint), Some(ServeDelivery(shared))))
}

fn parse_priority(s: &str) -> Result<Priority, String> {
    Priority::parse(s).ok_or_else(|| format!("unknown priority '{s}'"))
}

pub fn run(cmd: AuditCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        AuditCommand::Scan(args) => scan(args),
        AuditCommand::Watch(args) => watch(args),
        AuditCommand::Rules(RulesCommand::Check { files, no_builtin }) => check(&files, no_builtin),
        AuditCommand::Rules(RulesCommand::List(args)) => list(&args),
        AuditCommand::Rules(RulesCommand::Builtin) => {
            crate::print_out(stockade_audit::BUILTIN);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Loads and compiles the rules; any problem is an error (exit 2).
fn engine(args: &RuleArgs) -> anyhow::Result<Engine> {
    let mut set = if args.no_builtin {
        RuleSet::default()
    } else {
        RuleSet::builtin()
    };
    let mut problems = Vec::new();
    for path in &args.rules {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading rules file {}", path.display()))?;
        problems.extend(set.load_str(&path.display().to_string(), &text));
    }
    let (engine, errs) = Engine::compile(&set);
    problems.extend(errs);
    if !problems.is_empty() {
        for p in &problems {
            eprintln!("stockade: {p}");
        }
        bail!("{} problem(s) in the rules", problems.len());
    }
    if engine.rules().is_empty() {
        bail!("no k8s_audit rules to run");
    }
    let matching = if args.matching == "first" {
        Matching::First
    } else {
        Matching::All
    };
    Ok(engine
        .with_matching(matching)
        .with_min_priority(args.min_priority))
}

fn write_alert(out: &mut dyn Write, alert: &Alert, json: bool) -> std::io::Result<()> {
    if json {
        serde_json::to_writer(&mut *out, alert)?;
        out.write_all(b"\n")
    } else {
        writeln!(
            out,
            "{} {:<8} {}: {} ({})",
            alert.time.as_deref().unwrap_or("-"),
            alert.priority,
            alert.rule,
            alert.output,
            alert.source
        )
    }
}

/// A closed pipe ends output quietly; other write errors are reported once.
fn sink(path: Option<&PathBuf>) -> anyhow::Result<Box<dyn Write>> {
    Ok(match path {
        Some(p) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout().lock())),
    })
}

fn scan(args: ScanArgs) -> anyhow::Result<ExitCode> {
    let engine = engine(&args.rules)?;
    let json = args.format == "json";
    let mut delivery = Delivery::new(&args.sinks, args.output.as_ref())?;
    let mut out = sink(args.output.as_ref())?;
    let mut alerts = 0u64;
    let mut bad = 0u64;
    let mut closed = false;
    for path in &args.files {
        let name = path.display().to_string();
        let reader: Box<dyn BufRead> = if name == "-" {
            Box::new(BufReader::with_capacity(1 << 20, std::io::stdin().lock()))
        } else {
            match std::fs::File::open(path) {
                Ok(f) => Box::new(BufReader::with_capacity(1 << 20, f)),
                Err(e) => {
                    eprintln!("stockade: {name}: {e}");
                    bad += 1;
                    continue;
                }
            }
        };
        let name = if name == "-" {
            "<stdin>".to_string()
        } else {
            name
        };
        let res = read_events(
            &name,
            reader,
            |ev, loc| {
                for alert in engine.alerts(ev, loc) {
                    alerts += 1;
                    if let Some(d) = delivery.as_mut() {
                        d.send(&alert);
                    }
                    if !closed && let Err(e) = write_alert(&mut out, &alert, json) {
                        closed = true;
                        if e.kind() != std::io::ErrorKind::BrokenPipe {
                            eprintln!("stockade: writing alerts: {e}");
                        }
                    }
                }
            },
            |e| {
                bad += 1;
                eprintln!("stockade: {e}");
            },
        );
        if let Err(e) = res {
            bad += 1;
            eprintln!("stockade: {name}: {e}");
        }
    }
    let _ = out.flush();
    if let Some(d) = delivery {
        d.finish(args.drain_timeout);
    }
    Ok(if bad > 0 {
        ExitCode::from(2)
    } else if alerts > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn check(files: &[PathBuf], no_builtin: bool) -> anyhow::Result<ExitCode> {
    let mut set = if no_builtin {
        RuleSet::default()
    } else {
        RuleSet::builtin()
    };
    let mut problems = Vec::new();
    for path in files {
        match std::fs::read_to_string(path) {
            Ok(text) => problems.extend(set.load_str(&path.display().to_string(), &text)),
            Err(e) => eprintln!("stockade: {}: {e}", path.display()),
        }
    }
    let (engine, errs) = Engine::compile(&set);
    problems.extend(errs);
    for p in &problems {
        eprintln!("{p}");
    }
    let unreadable = files.iter().any(|p| !p.is_file());
    if problems.is_empty() && !unreadable {
        crate::print_out(&format!(
            "ok: {} k8s_audit rule(s) enabled ({} defined)\n",
            engine.rules().len(),
            set.rule_count()
        ));
        Ok(ExitCode::SUCCESS)
    } else {
        Ok(ExitCode::from(2))
    }
}

fn list(args: &RuleArgs) -> anyhow::Result<ExitCode> {
    let engine = engine(args)?;
    let mut out = String::new();
    for r in engine.rules() {
        out.push_str(&format!(
            "{:<13} {}  [{}]  {}\n",
            r.priority.to_string(),
            r.name,
            r.tags.join(","),
            r.origin
        ));
    }
    crate::print_out(&out);
    Ok(ExitCode::SUCCESS)
}

fn watch(args: WatchArgs) -> anyhow::Result<ExitCode> {
    let engine = engine(&args.rules)?;
    let json = args.format == "json";
    let name = args.file.display().to_string();
    let stop = AtomicBool::new(false);
    let mut delivery = Delivery::new(&args.sinks, None)?;
    let mut out = std::io::stdout().lock();
    stockade_audit::watch::follow(
        &args.file,
        &stockade_audit::watch::Options {
            poll: Duration::from_millis(args.poll_ms),
            from_end: args.from_end,
        },
        &stop,
        |chunk, first_line| {
            let _ = read_events(
                &name,
                chunk,
                |ev, loc| {
                    let loc = Location {
                        file: loc.file,
                        line: loc.line + first_line - 1,
                    };
                    for alert in engine.alerts(ev, loc) {
                        if let Some(d) = delivery.as_mut() {
                            d.send(&alert);
                        }
                        if write_alert(&mut out, &alert, json)
                            .and_then(|()| out.flush())
                            .is_err()
                        {
                            stop.store(true, std::sync::atomic::Ordering::Relaxed);
                        }
                    }
                },
                |mut e| {
                    e.line += first_line - 1;
                    eprintln!("stockade: {e}");
                },
            );
        },
        |note| eprintln!("stockade: {name}: {note}"),
    )
    .with_context(|| format!("following {name}"))?;
    Ok(ExitCode::SUCCESS)
}
