//! `stockade netpol`: reads manifests and hands them to `stockade-netpol`.

use std::cell::Cell;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::{Args, Subcommand};
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
    /// Write least-privilege NetworkPolicies for a declared list of flows, and verify with
    /// the engine that they allow exactly those flows.
    ///
    /// The policies are printed as YAML on standard output; the verification goes to
    /// standard error. Exit codes: 0 verified, 1 the policies (with the input's own) allow
    /// more or less than declared, 2 input or usage errors.
    Suggest(SuggestArgs),
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
    #[arg(long, conflicts_with = "exposure")]
    pub explain: bool,
    /// For each policy, what it admits from or to any workload its selectors match,
    /// deployed or not (txt or json).
    #[arg(long)]
    pub exposure: bool,
}

#[derive(Debug, Args)]
pub struct SuggestArgs {
    /// Files and directories of manifests (directories recursively): the workloads the
    /// flows name, and any policies already in place.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// The flows: a YAML list of `{from: ns/workload or CIDR, to: ns/workload, port: 8080,
    /// protocol: TCP}` (port omitted: every port; protocol omitted: TCP).
    #[arg(long)]
    pub flows: PathBuf,
    /// Only write policies for this namespace (flows into or out of it are used).
    #[arg(long)]
    pub namespace: Option<String>,
    /// Do not add the `allow-dns` policy (egress to kube-dns on port 53) per namespace.
    #[arg(long)]
    pub no_dns: bool,
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
    /// Label selector (`key=value,...`) of workloads holding data; repeat for several kinds
    /// of data store.
    #[arg(long)]
    pub data_store: Vec<String>,
}

pub fn run(cmd: NetpolCommand) -> anyhow::Result<ExitCode> {
    let failed = Cell::new(false);
    let code = run_reading(cmd, &failed)?;
    // An input that could not be read is named on standard error as it is met, the rest is
    // analysed, and the exit code says the analysis is incomplete.
    Ok(if failed.get() {
        ExitCode::from(2)
    } else {
        code
    })
}

fn run_reading(cmd: NetpolCommand, failed: &Cell<bool>) -> anyhow::Result<ExitCode> {
    match cmd {
        NetpolCommand::List(a) => {
            let format: Format = a.format.parse().map_err(anyhow::Error::msg)?;
            if a.exposure {
                let objects = read_objects(&a.paths, failed)?;
                let cluster = stockade_netpol::Cluster::from_objects(&objects);
                let items = stockade_netpol::exposure::exposure(&cluster);
                match format {
                    Format::Txt => print_out(&stockade_netpol::exposure::to_text(&items)),
                    Format::Json => {
                        print_out(&format!("{}\n", serde_json::to_string_pretty(&items)?))
                    }
                    _ => bail!("--exposure supports txt and json"),
                }
                return Ok(ExitCode::SUCCESS);
            }
            let analysis = analyse(&a.paths, failed)?;
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
            let (a1, a2) = (analyse(&[a.dir1], failed)?, analyse(&[a.dir2], failed)?);
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
            let analysis = analyse(&a.paths, failed)?;
            let options = stockade_netpol::report::Options::with_data_stores(&a.data_store)
                .map_err(|e| anyhow::anyhow!("--data-store: {e}"))?;
            let report = stockade_netpol::report::report(&analysis, &options);
            match a.format.as_str() {
                "text" | "txt" => print_out(&report.to_text()),
                "json" => print_out(&format!("{}\n", serde_json::to_string_pretty(&report)?)),
                f => bail!("unknown format `{f}` (expected text or json)"),
            }
            Ok(ExitCode::SUCCESS)
        }
        NetpolCommand::Suggest(a) => {
            let objects = read_objects(&a.paths, failed)?;
            let flows_name = a.flows.display().to_string();
            let text = std::fs::read_to_string(&a.flows)
                .with_context(|| format!("reading {flows_name}"))?;
            let flows = stockade_netpol::suggest::parse_flows(&flows_name, &text)?;
            let options = stockade_netpol::suggest::Options {
                namespace: a.namespace,
                no_dns: a.no_dns,
            };
            let s = stockade_netpol::suggest::suggest(&objects, &flows_name, &flows, &options)?;
            for w in &s.warnings {
                eprintln!("stockade: warning: {w}");
            }
            print_out(&s.yaml);
            if s.mismatches.is_empty() {
                eprintln!(
                    "verified: {} NetworkPolicies; of {} ordered pairs of declared endpoints, exactly the {} declared flows are allowed",
                    s.policies, s.pairs_checked, s.flows_used
                );
                Ok(ExitCode::SUCCESS)
            } else {
                eprintln!(
                    "NOT verified: with the input's policies, {} of {} pairs differ from the declared flows:",
                    s.mismatches.len(),
                    s.pairs_checked
                );
                for m in &s.mismatches {
                    eprintln!(
                        "  {} => {} : declared {}, allowed {}",
                        m.src, m.dst, m.expected, m.allowed
                    );
                }
                Ok(ExitCode::from(1))
            }
        }
    }
}

/// Reads every manifest under `paths` (`-` for standard input) into objects. An input that
/// cannot be read is an error named on standard error, and sets `failed` (exit 2); the other
/// inputs are still read. Documents that do not parse are warned about and skipped.
fn read_objects(
    paths: &[PathBuf],
    failed: &Cell<bool>,
) -> anyhow::Result<Vec<stockade_model::Object>> {
    let (inputs, errors) = crate::gather_inputs(paths)?;
    let error = |file: &str, message: &dyn std::fmt::Display| {
        eprintln!("stockade: error: {file}: {message}");
        failed.set(true);
    };
    for e in &errors {
        error(&e.file, &e.message);
    }
    let mut objects = Vec::new();
    for loaded in stockade_engine::load_inputs(&inputs, stockade_engine::DEFAULT_MAX_FILE_SIZE) {
        let loaded = match loaded {
            Ok(loaded) => loaded,
            Err(e) => {
                error(&e.file, &e.message);
                continue;
            }
        };
        // Documents that do not parse, and Kustomize patches left out of the analysis.
        for e in loaded.errors.iter().filter(|e| {
            e.level == Level::Error || e.message.starts_with(stockade_engine::KUSTOMIZE_PATCH)
        }) {
            eprintln!("stockade: warning: {}:{}: {}", e.file, e.line, e.message);
        }
        objects.extend(loaded.objects);
    }
    Ok(objects)
}

/// Reads and analyses every manifest under `paths`.
fn analyse(paths: &[PathBuf], failed: &Cell<bool>) -> anyhow::Result<Analysis> {
    Ok(Analysis::from_objects(&read_objects(paths, failed)?))
}
