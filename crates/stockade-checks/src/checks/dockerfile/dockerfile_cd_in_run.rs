//! ## What it does
//! Flags `cd` commands in `RUN`.
//!
//! ## Why it matters
//! A `cd` lasts for one `RUN` only; the next instruction is back in the previous `WORKDIR`,
//! which is a common source of files landing in the wrong place. `WORKDIR` states the directory
//! once for everything that follows.
//!
//! ## Example
//! ```dockerfile
//! FROM golang:1.22
//! RUN cd /src && go build ./... # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM golang:1.22
//! WORKDIR /src
//! RUN go build ./...
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! Stockade also reads `ONBUILD RUN` (the `cd` runs in every image built from this one);
//! hadolint does not look inside `ONBUILD`.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1020",
    name: "dockerfile-cd-in-run",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "`cd` in RUN instead of WORKDIR",
    remediation: "Use `WORKDIR /path` to change directory for the following instructions.",
    references: &[],
    aliases: &["hadolint:DL3003", "trivy:DS-0013"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for cmd in cmds.iter().filter(|c| c.program() == "cd") {
            out.at_pos(
                cmd.words[0].pos,
                helpers::path(df, inst),
                "RUN uses `cd`: use WORKDIR",
            );
        }
    }
}
