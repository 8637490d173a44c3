//! `stockade export vap`: built-in checks as ValidatingAdmissionPolicies and bindings that the
//! API server enforces without a webhook.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand, ValueEnum};
use stockade_export::Action;

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// Print a ValidatingAdmissionPolicy and a ValidatingAdmissionPolicyBinding
    /// (admissionregistration.k8s.io/v1) per chosen check, in CEL, for Pods and workload
    /// templates. Checks that CEL cannot express are listed on stderr and in a comment of the
    /// output as "not exportable: REASON".
    ///
    /// Exit codes: 0 written, 2 unknown check, nothing exportable, or usage errors.
    Vap(VapArgs),
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ActionArg {
    Deny,
    Warn,
    Audit,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("which").required(true))]
pub struct VapArgs {
    /// Checks to export, by ID or name, comma-separated (STK001,host-network).
    #[arg(long, value_delimiter = ',', group = "which")]
    pub checks: Vec<String>,
    /// Export every check that has a CEL translation.
    #[arg(long, group = "which")]
    pub all: bool,
    /// The bindings' validationActions.
    #[arg(long, value_enum, default_value = "deny")]
    pub action: ActionArg,
    /// Write to FILE instead of standard output.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}

pub fn run(cmd: ExportCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        ExportCommand::Vap(args) => vap(args),
    }
}

fn vap(args: VapArgs) -> anyhow::Result<ExitCode> {
    let checks: Vec<&'static stockade_checks::Check> = if args.all {
        stockade_checks::all().to_vec()
    } else {
        let mut out = Vec::new();
        for key in &args.checks {
            match stockade_checks::find(key.trim()) {
                Some(c) => out.push(c),
                None => {
                    eprintln!("error: unknown check `{key}` (see `stockade checks`)");
                    return Ok(ExitCode::from(2));
                }
            }
        }
        out
    };
    let action = match args.action {
        ActionArg::Deny => Action::Deny,
        ActionArg::Warn => Action::Warn,
        ActionArg::Audit => Action::Audit,
    };
    let export = stockade_export::export(&checks, action)?;
    // With --all, the many Dockerfile and set checks would drown the list: name them only
    // when they were asked for.
    for (c, why) in &export.skipped {
        if !args.all || matches!(c.run, stockade_checks::Run::Object(_)) {
            eprintln!("not exportable: {} {}: {why}", c.id, c.name);
        }
    }
    if args.all {
        let others = export
            .skipped
            .iter()
            .filter(|(c, _)| !matches!(c.run, stockade_checks::Run::Object(_)))
            .count();
        eprintln!(
            "not exportable: {others} set, Dockerfile and engine checks (listed in the output's header)"
        );
    }
    if export.exported.is_empty() {
        eprintln!("error: none of the chosen checks can be exported");
        return Ok(ExitCode::from(2));
    }
    match &args.output {
        Some(path) => std::fs::write(path, &export.yaml)
            .map_err(|e| anyhow::anyhow!("{}: cannot write: {e}", path.display()))?,
        None => {
            let mut out = std::io::stdout().lock();
            if let Err(e) = out
                .write_all(export.yaml.as_bytes())
                .and_then(|_| out.flush())
                && e.kind() != std::io::ErrorKind::BrokenPipe
            {
                return Err(e.into());
            }
        }
    }
    eprintln!("exported {} checks", export.exported.len());
    Ok(ExitCode::SUCCESS)
}
