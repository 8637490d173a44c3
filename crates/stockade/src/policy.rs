//! `stockade policy`: custom policies (Gatekeeper ConstraintTemplates,
//! ValidatingAdmissionPolicies) outside a scan.

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Subcommand};
use stockade_policy::suite::{Outcome, find_suites, run_suite};

#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Run gator verify test suites (`kind: Suite`): each case's object against its template
    /// and constraint, with the expected violations; and ValidatingAdmissionPolicy suites
    /// (`kind: VAPSuite`, see docs/policy.md): each case's object against the policies and
    /// bindings, with the expected verdict and messages.
    ///
    /// Exit codes: 0 every case passed, 1 any case failed, 2 a suite could not be read.
    Test(TestArgs),
}

#[derive(Debug, Args)]
pub struct TestArgs {
    /// Suite files, or directories searched for `suite.yaml`.
    #[arg(required = true)]
    pub paths: Vec<PathBuf>,
    /// Print failures and the summary only.
    #[arg(short, long)]
    pub quiet: bool,
}

pub fn run(cmd: PolicyCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        PolicyCommand::Test(args) => test(args),
    }
}

fn test(args: TestArgs) -> anyhow::Result<ExitCode> {
    let suites = find_suites(&args.paths)?;
    if suites.is_empty() {
        anyhow::bail!("no suite found (a directory is searched for suite.yaml)");
    }
    let mut out = std::io::stdout().lock();
    let (mut passed, mut failed, mut skipped, mut broken) = (0, 0, 0, 0);
    for s in &suites {
        match run_suite(s) {
            Ok(cases) => {
                for c in cases {
                    let name = format!("{} {}/{}", c.suite.display(), c.test, c.case);
                    let line = match &c.outcome {
                        Outcome::Pass => {
                            passed += 1;
                            (!args.quiet).then(|| format!("PASS {name}"))
                        }
                        Outcome::Skip => {
                            skipped += 1;
                            (!args.quiet).then(|| format!("SKIP {name}"))
                        }
                        Outcome::Fail(why) => {
                            failed += 1;
                            Some(format!("FAIL {name}: {why}"))
                        }
                    };
                    if let Some(l) = line
                        && writeln!(out, "{l}").is_err()
                    {
                        return Ok(ExitCode::SUCCESS);
                    }
                }
            }
            Err(e) => {
                broken += 1;
                eprintln!("error: {e}");
            }
        }
    }
    let _ = writeln!(
        out,
        "{} suites: {passed} passed, {failed} failed, {skipped} skipped",
        suites.len()
    );
    Ok(ExitCode::from(if broken > 0 {
        2
    } else if failed > 0 {
        1
    } else {
        0
    }))
}
