//! ## What it does
//! Flags a `RUN` step of the image's build history that upgrades every package:
//! `apt-get upgrade`/`dist-upgrade`/`full-upgrade`, `apk upgrade`, `yum`/`dnf upgrade`
//! without package names.
//!
//! ## Why it matters
//! Many essential packages of the base image cannot be upgraded inside an unprivileged
//! build, and an upgrade layer makes the image differ from its base in ways nobody reviewed.
//! A newer base image, rebuilt regularly, brings the fixes instead.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! history:
//!   - "RUN /bin/sh -c apt-get update && apt-get dist-upgrade -y # buildkit" # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! history:
//!   - "RUN /bin/sh -c apt-get update && apt-get install -y --only-upgrade openssl # buildkit"
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
    id: "STK1121",
    name: "image-history-package-upgrade",
    category: Category::Image,
    severity: Severity::Low,
    default_on: true,
    summary: "Whole-system package upgrade in a build step of the image",
    remediation: "Use a newer base image (rebuild regularly) instead of upgrading every package in a layer; upgrade only the packages that need it.",
    references: &[],
    aliases: &["dockle:DKL-DI-0003"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for (i, created_by, cmds) in helpers::history_runs(ctx.image) {
        let upgrade = cmds.iter().filter_map(invocation).find(|inv| {
            let sub = inv.sub.text.as_str();
            match inv.manager {
                Manager::AptGet | Manager::Apt => {
                    matches!(sub, "upgrade" | "dist-upgrade" | "full-upgrade")
                }
                Manager::Apk => sub == "upgrade",
                Manager::Yum | Manager::Dnf | Manager::Microdnf => {
                    matches!(sub, "upgrade" | "update" | "distro-sync") && inv.packages().is_empty()
                }
                _ => false,
            }
        });
        if let Some(inv) = upgrade {
            out.image(
                helpers::history_path(i),
                stockade_model::format_exact!(
                    "`{} {}` upgrades every package: {}",
                    inv.manager.as_str(),
                    inv.sub.text,
                    helpers::short(created_by)
                ),
            );
        }
    }
}
