//! ## What it does
//! Flags `apt-get install`, `yum`/`dnf install` and `zypper install` without the switch that
//! answers their confirmation prompt (`-y`, `--yes`, `--assume-yes`, `-qq`; `-n` or
//! `--non-interactive` for zypper).
//!
//! ## Why it matters
//! Without it the build stops at the prompt and fails (there is no terminal to answer), or
//! worse, it works only because of a setting in the base image that can change.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get install curl # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get install -y curl
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
    id: "STK1009",
    name: "dockerfile-package-install-interactive",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "Package install that waits for a confirmation",
    remediation: "Add the non-interactive switch: `apt-get install -y`, `yum/dnf install -y`, `zypper --non-interactive install`.",
    references: &[],
    aliases: &[
        "hadolint:DL3014",
        "hadolint:DL3030",
        "hadolint:DL3034",
        "hadolint:DL3038",
        "trivy:DS-0021",
    ],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for inv in cmds.iter().filter_map(helpers::invocation) {
            if !inv.is_install() {
                continue;
            }
            let yes = match inv.manager {
                Manager::AptGet => {
                    inv.has_flag(&["-y", "--yes", "--assume-yes", "-qq", "--quiet=2"])
                }
                Manager::Yum | Manager::Dnf => inv.has_flag(&["-y", "--assumeyes"]),
                Manager::Zypper => inv.has_flag(&["-n", "--non-interactive", "-y", "--no-confirm"]),
                _ => true,
            };
            if !yes {
                out.at_pos(
                    inv.sub.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!(
                        "`{} {}` without a non-interactive switch (`-y`)",
                        inv.manager.as_str(),
                        inv.sub.text
                    ),
                );
            }
        }
    }
}
