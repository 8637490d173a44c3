//! `stockade pss`: argument parsing, input collection and exit codes; the evaluation and its
//! rendering live in `stockade_pss::{report, suggest}`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand, ValueEnum};
use stockade_model::{Level as Severity, LoadError, Object};
use stockade_pss::report::{self, Settings};
use stockade_pss::{Level, Version, admission_config, suggest};

#[derive(Debug, Args)]
// `--version` is the policy version here, as in the namespace labels, not the tool's.
#[command(args_conflicts_with_subcommands = true, disable_version_flag = true)]
pub struct PssArgs {
    #[command(subcommand)]
    pub command: Option<PssCommand>,
    /// Files and directories (directories recursively: .yaml, .yml, .json); `-` reads standard
    /// input.
    pub paths: Vec<PathBuf>,
    /// Level to evaluate; with namespace labels, the enforce level of namespaces without one.
    #[arg(long, value_parser = parse_level)]
    pub level: Option<Level>,
    /// Policy version: `latest` or `v1.NN`.
    #[arg(long, value_parser = parse_version, requires = "level")]
    pub version: Option<Version>,
    /// Output format.
    #[arg(short, long, value_enum, default_value = "text")]
    pub format: OutputFormat,
    /// Namespace objects (YAML/JSON, or `kubectl get ns -o json`) whose pod-security labels
    /// apply to the input's objects; Namespace objects in the input take precedence.
    #[arg(long, value_name = "FILE")]
    pub namespace_labels: Option<PathBuf>,
    /// The API server's PodSecurityConfiguration (or an AdmissionConfiguration holding it):
    /// defaults and exemptions (namespaces, runtime classes).
    #[arg(long, value_name = "FILE")]
    pub exemptions: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum PssCommand {
    /// Per namespace: the strictest level that admits all its workloads, as labels to apply,
    /// and the changes that would let it reach restricted.
    Suggest {
        /// Files and directories; `-` reads standard input.
        #[arg(required = true)]
        paths: Vec<PathBuf>,
        /// Output format.
        #[arg(short, long, value_enum, default_value = "text")]
        format: OutputFormat,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum OutputFormat {
    Text,
    Json,
}

fn parse_level(s: &str) -> Result<Level, String> {
    match s.parse::<Level>() {
        Ok(Level::Privileged) => {
            Err("privileged admits everything; use baseline or restricted".into())
        }
        Ok(l) => Ok(l),
        Err(e) => Err(e.to_string()),
    }
}

fn parse_version(s: &str) -> Result<Version, String> {
    s.parse().map_err(|e: stockade_pss::Error| e.to_string())
}

/// Loads a side file (namespace labels, exemptions): any problem is a usage error.
fn load_side_file(path: &Path, what: &str) -> anyhow::Result<Vec<Object>> {
    let (objects, errors) = crate::load_objects(&[path.to_path_buf()])?;
    if let Some(e) = errors
        .iter()
        .find(|e| e.level == Severity::Error)
        .or(errors.first())
    {
        bail!("{what}: {e}");
    }
    Ok(objects)
}

fn write(render: impl FnOnce(&mut dyn Write) -> std::io::Result<()>) -> anyhow::Result<()> {
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match render(&mut out).and_then(|()| out.flush()) {
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        other => other.context("writing the report"),
    }
}

fn write_json(v: &serde_json::Value) -> anyhow::Result<()> {
    write(|out| {
        serde_json::to_writer_pretty(&mut *out, v)?;
        writeln!(out)
    })
}

fn has_errors(errors: &[LoadError]) -> bool {
    errors.iter().any(|e| e.level == Severity::Error)
}

pub fn run(args: PssArgs) -> anyhow::Result<ExitCode> {
    if let Some(PssCommand::Suggest { paths, format }) = args.command {
        let (objects, errors) = crate::load_objects(&paths)?;
        let suggestions = suggest::suggest(&objects);
        match format {
            OutputFormat::Text => write(|out| suggest::write_text(&suggestions, &errors, out))?,
            OutputFormat::Json => write_json(&suggest::to_json(&suggestions, &errors))?,
        }
        return Ok(ExitCode::from(if has_errors(&errors) { 2 } else { 0 }));
    }
    if args.paths.is_empty() {
        bail!("no input: give files, directories or `-` for standard input");
    }
    let mut settings = Settings {
        level: args.level,
        version: args.version,
        ..Settings::default()
    };
    if let Some(path) = &args.namespace_labels {
        let objects = load_side_file(path, "--namespace-labels")?;
        settings.namespaces = report::namespaces(&objects);
        if settings.namespaces.is_empty() {
            bail!(
                "--namespace-labels: {}: no Namespace objects",
                path.display()
            );
        }
    }
    if let Some(path) = &args.exemptions {
        let objects = load_side_file(path, "--exemptions")?;
        settings.config = Some(admission_config::config_from_objects(&objects)?);
    }
    let (objects, errors) = crate::load_objects(&args.paths)?;
    let outcome = report::evaluate_objects(&objects, &settings)?;
    match args.format {
        OutputFormat::Text => write(|out| report::write_text(&outcome, &errors, out))?,
        OutputFormat::Json => write_json(&report::to_json(&outcome, &errors))?,
    }
    Ok(ExitCode::from(if has_errors(&errors) {
        2
    } else if outcome.failed() {
        1
    } else {
        0
    }))
}
