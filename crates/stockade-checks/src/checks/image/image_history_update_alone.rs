//! ## What it does
//! Flags a `RUN` step of the image's build history that updates a package index
//! (`apt-get update`, `apk update`, `yum`/`dnf makecache`, `zypper refresh`) without
//! installing or upgrading anything in the same step: the image-side twin of
//! `dockerfile-package-update-alone`, for images whose Dockerfile is not at hand.
//!
//! ## Why it matters
//! The build cache keeps the update layer: later builds reuse its stale index while the
//! install step changes, and install outdated versions or fail when the mirror has moved on.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! history:
//!   - "/bin/sh -c #(nop) ADD file:4b03b5f551e3 in / "
//!   - "RUN /bin/sh -c apt-get update # buildkit" # finding
//!   - "RUN /bin/sh -c apt-get install -y curl # buildkit"
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! history:
//!   - "/bin/sh -c #(nop) ADD file:4b03b5f551e3 in / "
//!   - "RUN /bin/sh -c apt-get update && apt-get install -y curl # buildkit"
//! ```
//!
//! ## Options
//! None.

use super::helpers;
use crate::checks::dockerfile::helpers::{Manager, invocation};
use crate::{Category, Check, Emit, ImageContext};
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1118",
    name: "image-history-update-alone",
    category: Category::Image,
    severity: Severity::Medium,
    default_on: true,
    summary: "Package index update alone in a build step of the image",
    remediation: "Update and install in one RUN: `RUN apt-get update && apt-get install -y ...`.",
    references: &["CIS Docker Benchmark 4.7"],
    aliases: &["dockle:CIS-DI-0007"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for (i, created_by, cmds) in helpers::history_runs(ctx.image) {
        let invs: Vec<_> = cmds.iter().filter_map(invocation).collect();
        let update = invs.iter().find(|i| match i.manager {
            Manager::AptGet | Manager::Apt | Manager::Apk => i.sub.text == "update",
            Manager::Yum | Manager::Dnf => i.sub.text == "makecache",
            Manager::Zypper => matches!(i.sub.text.as_str(), "refresh" | "ref"),
            _ => false,
        });
        let installs = invs.iter().any(|i| {
            i.is_install()
                || matches!(
                    i.sub.text.as_str(),
                    "upgrade" | "dist-upgrade" | "full-upgrade"
                )
        });
        if let Some(u) = update.filter(|_| !installs) {
            out.image(
                helpers::history_path(i),
                stockade_model::format_exact!(
                    "`{} {}` without an install in the same step: {}",
                    u.manager.as_str(),
                    u.sub.text,
                    helpers::short(created_by)
                ),
            );
        }
    }
}
