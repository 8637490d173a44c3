//! `stockade dockerfile lint`: the scan restricted to Dockerfiles (same options, reports and
//! exit codes; the code path is `scan::run_with`).

use std::process::ExitCode;

use clap::Subcommand;

use crate::cli::ScanArgs;
use crate::scan::{Inputs, run_with};

#[derive(Debug, Subcommand)]
pub enum DockerfileCommand {
    /// Lint Dockerfiles: files given are read as Dockerfiles whatever their name; directories
    /// are searched for Dockerfile, *.Dockerfile, Dockerfile.* and Containerfile.
    ///
    /// Exit codes: 0 no findings at or above --fail-on, 1 findings at or above it,
    /// 2 input or usage errors.
    Lint(ScanArgs),
}

pub fn run(cmd: DockerfileCommand) -> anyhow::Result<ExitCode> {
    match cmd {
        DockerfileCommand::Lint(args) => run_with(args, Inputs::Dockerfiles),
    }
}
