//! ## What it does
//! Flags `apt-get upgrade`/`dist-upgrade`/`full-upgrade`, `apt upgrade`, `apk upgrade`,
//! `yum`/`dnf upgrade` and `update` without package names, and `zypper update`/`dist-upgrade`.
//!
//! ## Why it matters
//! An upgrade-everything layer makes the image depend on the day it was built, duplicates
//! most of the base image's files in a new layer, and hides that the base image itself is old.
//! Rebuilding on a fresh base image gets the same fixes reproducibly.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get -y dist-upgrade # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get install -y --only-upgrade openssl=3.0.15-1~deb12u1
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! hadolint retired DL3005 (`apt-get upgrade`) in version 2; DL3035 covers `zypper
//! dist-upgrade`. Trivy has no equivalent. Stockade keeps the check on by default at low
//! severity because the seeds ask for rebuilt base images rather than upgraded layers.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use helpers::Manager;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1010",
    name: "dockerfile-package-upgrade",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "Whole-system package upgrade in a Dockerfile",
    remediation: "Use a newer base image (rebuild regularly) instead of upgrading every package in a layer; upgrade only the packages that need it.",
    references: &[],
    aliases: &["hadolint:DL3005", "hadolint:DL3035"],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for inv in cmds.iter().filter_map(helpers::invocation) {
            let sub = inv.sub.text.as_str();
            let whole = match inv.manager {
                Manager::AptGet | Manager::Apt => {
                    matches!(sub, "upgrade" | "dist-upgrade" | "full-upgrade")
                }
                Manager::Apk => sub == "upgrade",
                Manager::Yum | Manager::Dnf | Manager::Microdnf => {
                    matches!(sub, "upgrade" | "update" | "distro-sync") && inv.packages().is_empty()
                }
                Manager::Zypper => matches!(sub, "update" | "up" | "dist-upgrade" | "dup"),
                _ => false,
            };
            if whole {
                out.at_pos(
                    inv.sub.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!(
                        "`{} {sub}` upgrades every package of the base image",
                        inv.manager.as_str()
                    ),
                );
            }
        }
    }
}
