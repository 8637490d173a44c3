//! ## What it does
//! Flags commands in `RUN` that start with `sudo`.
//!
//! ## Why it matters
//! `sudo` in a build means the image ships `sudo` and a sudoers rule, which lets whatever
//! runs as that user become root later. Its TTY and environment handling also makes builds
//! behave unpredictably.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! USER app
//! RUN sudo apt-get install -y curl # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get install -y curl
//! USER app
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use stockade_dockerfile::shell::basename;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1011",
    name: "dockerfile-sudo",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "`sudo` in a RUN",
    remediation: "Build steps already run as the current `USER`: switch with `USER root` ... `USER app` around the step, or use `gosu`/`su-exec` in an entrypoint.",
    references: &[],
    aliases: &["hadolint:DL3004", "trivy:DS-0010"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for cmd in &cmds {
            if let Some(w) = cmd.words.first().filter(|w| basename(&w.text) == "sudo") {
                out.at_pos(w.pos, helpers::path(df, inst), "RUN uses `sudo`");
            }
        }
    }
}
