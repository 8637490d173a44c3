//! ## What it does
//! Flags `apt` commands in `RUN`.
//!
//! ## Why it matters
//! `apt` is meant for people at a terminal: its output and behaviour are not stable between
//! releases and it warns that its command-line interface is not for scripts.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt update && apt install -y curl # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get install -y curl
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1025",
    name: "dockerfile-apt-used",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "`apt` used in a RUN instead of `apt-get`",
    remediation: "Use `apt-get` (or `apt-cache`) in scripts.",
    references: &[],
    aliases: &["hadolint:DL3027"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        if let Some(cmd) = cmds.iter().find(|c| c.program() == "apt") {
            out.at_pos(
                cmd.effective()[0].pos,
                helpers::path(df, inst),
                "RUN uses `apt`: use `apt-get`",
            );
        }
    }
}
