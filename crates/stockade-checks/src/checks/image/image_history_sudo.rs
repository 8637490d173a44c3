//! ## What it does
//! Flags a `RUN` step of the image's build history that runs a command with `sudo`.
//!
//! ## Why it matters
//! `sudo` in a build means the image ships sudo and a sudoers entry, so a process in the
//! container can become root; it also has unpredictable TTY and signal handling. Build steps
//! already run as the current `USER`.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! history:
//!   - "RUN /bin/sh -c sudo apt-get install -y curl # buildkit" # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! history:
//!   - "USER root"
//!   - "RUN /bin/sh -c apt-get install -y curl # buildkit"
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::{Category, Check, Emit, ImageContext};
use stockade_dockerfile::shell::basename;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1120",
    name: "image-history-sudo",
    category: Category::Image,
    severity: Severity::Medium,
    default_on: true,
    summary: "`sudo` in a build step of the image",
    remediation: "Switch users with `USER root` ... `USER app` around the step instead, and do not install sudo in the image.",
    references: &[],
    aliases: &["dockle:DKL-DI-0001"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for (i, created_by, cmds) in helpers::history_runs(ctx.image) {
        if cmds
            .iter()
            .any(|c| c.words.first().is_some_and(|w| basename(&w.text) == "sudo"))
        {
            out.image(
                helpers::history_path(i),
                stockade_model::format_exact!("`sudo` used: {}", helpers::short(created_by)),
            );
        }
    }
}
