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
