//! ## What it does
//! Flags a `RUN` step of the image's build history that leaves the package manager's cache
//! in its layer: `apt-get install` without `rm -rf /var/lib/apt/lists/*` in the same step,
//! `apk add` without `--no-cache` (or `rm -rf /var/cache/apk/*`), `yum`/`dnf`/`microdnf
//! install` without `clean all`, `zypper install` without `zypper clean`. The image-side twin
//! of `dockerfile-package-cache-kept`, for images whose Dockerfile is not at hand.
//!
//! ## Why it matters
//! Package indexes and downloaded archives add tens to hundreds of megabytes to every image
//! and every pull; removing them in a later step does not help, the earlier layer keeps them.
//!
//! ## Example
//! ```yaml
//! has_config: true
//! history:
//!   - "RUN /bin/sh -c apk add curl # buildkit" # finding
//!   - "RUN /bin/sh -c apt-get update && apt-get install -y git # buildkit" # finding
//! ```
//! Fixed:
//! ```yaml
//! has_config: true
//! history:
//!   - "RUN /bin/sh -c apk add --no-cache curl # buildkit"
//!   - "RUN /bin/sh -c apt-get update && apt-get install -y git && rm -rf /var/lib/apt/lists/* # buildkit"
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
    id: "STK1122",
    name: "image-history-package-cache-kept",
    category: Category::Image,
    severity: Severity::Low,
    default_on: true,
    summary: "Package manager cache left in a layer of the image",
    remediation: "Clean up in the same RUN: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `yum/dnf clean all`, `zypper clean`; or use a `--mount=type=cache` for the cache directory.",
    references: &[],
    aliases: &["dockle:DKL-DI-0004", "dockle:DKL-DI-0005"],
    run: crate::Run::Image(run),
};

fn run(ctx: &ImageContext, out: &mut Emit) {
    for (i, created_by, cmds) in helpers::history_runs(ctx.image) {
        let invs: Vec<_> = cmds.iter().filter_map(invocation).collect();
        let removes = |dir: &str| {
            cmds.iter()
                .any(|c| c.program() == "rm" && c.args().iter().any(|w| w.text.starts_with(dir)))
        };
        let cleans = |m: Manager| {
            invs.iter()
                .any(|i| i.manager == m && matches!(i.sub.text.as_str(), "clean" | "cc"))
        };
        let Some((inv, problem)) = invs.iter().filter(|inv| inv.is_install()).find_map(|inv| {
            let problem = match inv.manager {
                Manager::AptGet | Manager::Apt => (!removes("/var/lib/apt/lists"))
                    .then_some("without `rm -rf /var/lib/apt/lists/*` in the same step"),
                Manager::Apk => (!inv.has_flag(&["--no-cache"]) && !removes("/var/cache/apk"))
                    .then_some("without `--no-cache`"),
                Manager::Yum | Manager::Dnf | Manager::Microdnf => {
                    let dir = if inv.manager == Manager::Yum {
                        "/var/cache/yum"
                    } else {
                        "/var/cache/dnf"
                    };
                    (!cleans(inv.manager) && !removes(dir))
                        .then_some("without `clean all` in the same step")
                }
                Manager::Zypper => (!cleans(Manager::Zypper) && !removes("/var/cache/zypp"))
                    .then_some("without `zypper clean` in the same step"),
                _ => None,
            };
            problem.map(|p| (inv, p))
        }) else {
            continue;
        };
        out.image(
            helpers::history_path(i),
            stockade_model::format_exact!(
                "`{} {}` {problem}: {}",
                inv.manager.as_str(),
                inv.sub.text,
                helpers::short(created_by)
            ),
        );
    }
}
