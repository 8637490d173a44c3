//! ## What it does
//! Flags a `RUN` that updates a package index (`apt-get update`, `apk update`, `yum`/`dnf
//! makecache`, `zypper refresh`) without installing anything in the same `RUN`.
//!
//! ## Why it matters
//! The build cache keeps the update layer: later builds reuse its stale index while the
//! install step changes, and install outdated versions or fail when the mirror has moved on.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update # finding
//! RUN apt-get install -y curl
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
    id: "STK1028",
    name: "dockerfile-package-update-alone",
    category: Category::Dockerfile,
    severity: Severity::Medium,
    default_on: true,
    summary: "Package index update in a RUN of its own",
    remediation: "Update and install in one RUN: `RUN apt-get update && apt-get install -y ...`.",
    references: &[],
    aliases: &["trivy:DS-0017"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        let invs: Vec<_> = cmds.iter().filter_map(helpers::invocation).collect();
        let updates = invs.iter().find(|i| match i.manager {
            helpers::Manager::AptGet | helpers::Manager::Apt | helpers::Manager::Apk => {
                i.sub.text == "update"
            }
            helpers::Manager::Yum | helpers::Manager::Dnf => i.sub.text == "makecache",
            helpers::Manager::Zypper => matches!(i.sub.text.as_str(), "refresh" | "ref"),
            _ => false,
        });
        let installs = invs.iter().any(|i| {
            i.is_install()
                || matches!(
                    i.sub.text.as_str(),
                    "upgrade" | "dist-upgrade" | "full-upgrade"
                )
        });
        if let Some(u) = updates.filter(|_| !installs) {
            out.at_pos(
                u.sub.pos,
                helpers::path(df, inst),
                stockade_model::format_exact!(
                    "`{} {}` without an install in the same RUN",
                    u.manager.as_str(),
                    u.sub.text
                ),
            );
        }
    }
}
