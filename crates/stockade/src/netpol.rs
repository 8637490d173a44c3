//! `stockade netpol`: reads manifests and hands them to `stockade-netpol`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
use stockade_engine::{Input, collect_inputs};
use stockade_model::Level;
use stockade_netpol::Analysis;
use stockade_netpol::output::{self, Format};

use crate::print_out;

#[derive(Debug, Subcommand)]
pub enum NetpolCommand {
    /// List allowed connections between workloads and external addresses.
    ///
    /// One line per (source, destination) pair, named as netpol-analyzer names them
    /// (`ns/name[Kind]`, `0.0.0.0-255.255.255.255[External]`, `{ingress-controller}`).
    List(ListArgs),
    /// Show connections added, removed and changed between two versions.
    Diff(DiffArgs),
    /// Per namespace: workloads not isolated, missing default-deny, exposure from outside,
    /// egress to the cloud metadata address.
    Report(ReportArgs),
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Files and directories of manifests (directories recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// txt, json, csv, md or dot.
    #[arg(short = 'o', long, default_value = "txt")]
    pub format: String,
    /// Name, for each pair, the policies and rules that allow or deny it.
    #[arg(long)]
    pub explain: bool,
}

#[derive(Debug, Args)]
pub struct DiffArgs {
    /// The first version (ref1).
    pub dir1: PathBuf,
    /// The second version (ref2).
    pub dir2: PathBuf,
    /// txt, csv, md or dot.
    #[arg(short = 'o', long, default_value = "txt")]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Files and directories of manifests (directories recursively).
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// text or json.
    #[arg(short = 'o', long, default_value = "text")]
    pub format: String,
    /// Label selector (`key=value,...`) of workloads holding data.
    #[arg(long, default_value = "")]
    pub data_store: String,
}

pub fn run(cmd: NetpolCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        NetpolCommand::List(a) => {
            let format: Format = a.format.parse().map_err(anyhow::Error::msg)?;
            let analysis = analyse(&a.paths)?;
            if a.explain {
                print_out(&stockade_netpol::explain::explain(&analysis));
            } else {
                print_out(&analysis.render(format));
            }
            Ok(ExitCode::SUCCESS)
        }
        NetpolCommand::Diff(a) => {
            let format: Format = a.format.parse().map_err(anyhow::Error::msg)?;
            if format == Format::Json {
                bail!("diff supports txt, csv, md and dot");
            }
            let (a1, a2) = (analyse(&[a.dir1])?, analyse(&[a.dir2])?);
            let entries = a1.diff(&a2);
            print_out(&output::diff(
                &entries,
                &a1.workload_keys(),
                &a2.workload_keys(),
                format,
            ));
            Ok(ExitCode::SUCCESS)
        }
        NetpolCommand::Report(a) => {
            let analysis = analyse(&a.paths)?;
            let options = stockade_netpol::report::Options {
                data_store: stockade_netpol::report::parse_selector(&a.data_store)
                    .map_err(anyhow::Error::msg)?,
            };
            let report = stockade_netpol::report::report(&analysis, &options);
            match a.format.as_str() {
                "text" | "txt" => print_out(&report.to_text()),
                "json" => print_out(&format!("{}\n", serde_json::to_string_pretty(&report)?)),
                f => bail!("unknown format `{f}` (expected text or json)"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Reads every manifest under `paths`; unreadable input is an error (exit 2), documents that
/// are not Kubernetes objects are skipped.
fn analyse(paths: &[PathBuf]) -> anyhow::Result<Analysis> {
    let (inputs, errors) = collect_inputs(paths);
    if let Some(e) = errors.first() {
        bail!("{}: {}", e.file, e.message);
    }
    let mut files = Vec::new();
    for input in &inputs {
        match input {
            Input::File(p) => {
                let bytes = std::fs::read(p).with_context(|| format!("reading {}", p.display()))?;
                files.push((p.display().to_string(), bytes));
            }
            Input::Bytes(name, b) => files.push((name.to_string(), b.to_vec())),
        }
    }
    let (analysis, load_errors) =
        Analysis::from_files(files.iter().map(|(n, b)| (n.as_str(), b.as_slice())));
    for e in load_errors.iter().filter(|e| e.level == Level::Error) {
        eprintln!("stockade: warning: {}:{}: {}", e.file, e.line, e.message);
    }
    Ok(analysis)
}
