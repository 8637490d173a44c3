//! ## What it does
//! Flags `apt-get install` without `--no-install-recommends` (or
//! `-o APT::Install-Recommends=false`).
//!
//! ## Why it matters
//! Recommended packages are pulled in by default: they enlarge the image and its attack
//! surface with software nobody asked for (often compilers, documentation tools, daemons).
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get install -y curl=7.88.1-10+deb12u8 && rm -rf /var/lib/apt/lists/* # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use helpers::Manager;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1008",
    name: "dockerfile-apt-install-recommends",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "`apt-get install` without `--no-install-recommends`",
    remediation: "Add `--no-install-recommends` and name every package the image needs.",
    references: &[],
    aliases: &["hadolint:DL3015", "trivy:DS-0029"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for inv in cmds.iter().filter_map(helpers::invocation) {
            if inv.manager != Manager::AptGet || !inv.is_install() {
                continue;
            }
            let off = inv.has_flag(&["--no-install-recommends"])
                || inv.cmd.args().iter().any(|w| {
                    w.text.contains("Install-Recommends=false")
                        || w.text.contains("Install-Recommends=0")
                });
            if !off {
                out.at_pos(
                    inv.sub.pos,
                    helpers::path(df, inst),
                    "`apt-get install` without `--no-install-recommends`",
                );
            }
        }
    }
}
