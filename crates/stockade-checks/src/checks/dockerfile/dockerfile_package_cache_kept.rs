//! ## What it does
//! Flags a `RUN` that leaves the package manager's cache in the layer: `apt-get update` (which
//! downloads the package lists) without `rm -rf /var/lib/apt/lists/*` in the same `RUN`, `apk add` without
//! `--no-cache`, `yum`/`dnf`/`microdnf install` without `<manager> clean all`, `zypper install`
//! without `zypper clean`, and `pip install` without `--no-cache-dir` (unless
//! `PIP_NO_CACHE_DIR` is set with `ENV`). A `RUN --mount=type=cache` on the cache directory
//! counts as cleaned.
//!
//! ## Why it matters
//! Package indexes and downloaded archives add tens to hundreds of megabytes to every image
//! and every pull, and stale indexes in a later layer make the next `install` fetch old
//! versions. Cleaning in a later `RUN` does not help: the earlier layer still holds the files.
//!
//! ## Example
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM debian:12.7
//! RUN apt-get update && apt-get install -y --no-install-recommends curl=7.88.1-10+deb12u8 \
//!     && rm -rf /var/lib/apt/lists/*
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! Like hadolint's DL3009, the apt finding is on the `RUN` with `apt-get update` (the layer
//! that stores the lists). hadolint skips stages that are not the last one; Stockade flags
//! every stage, because intermediate stages are often pushed as cache images and the fix
//! costs nothing. The Trivy checks match these.

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};
use helpers::Manager;
use stockade_model::Severity;

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1007",
    name: "dockerfile-package-cache-kept",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "Package manager cache left in the image layer",
    remediation: "Clean up in the same RUN: `rm -rf /var/lib/apt/lists/*`, `apk add --no-cache`, `yum/dnf clean all`, `zypper clean`, `pip install --no-cache-dir`; or use a `--mount=type=cache` for the cache directory.",
    references: &[],
    aliases: &[
        "hadolint:DL3009",
        "hadolint:DL3019",
        "hadolint:DL3032",
        "hadolint:DL3036",
        "hadolint:DL3040",
        "hadolint:DL3042",
        "trivy:DS-0015",
        "trivy:DS-0019",
        "trivy:DS-0020",
        "trivy:DS-0025",
        "trivy:DS-0027",
    ],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        let invs: Vec<helpers::Invocation> = cmds.iter().filter_map(helpers::invocation).collect();
        let cleans = |m: Manager| {
            invs.iter().any(|i| i.manager == m && i.sub.text == "clean")
                || (m == Manager::Zypper
                    && invs.iter().any(|i| i.manager == m && i.sub.text == "cc"))
        };
        let removes = |dir: &str| {
            cmds.iter()
                .any(|c| c.program() == "rm" && c.args().iter().any(|w| w.text.starts_with(dir)))
        };
        for inv in invs.iter() {
            let apt = matches!(inv.manager, Manager::AptGet | Manager::Apt);
            if !(inv.is_install() && !apt || apt && inv.sub.text == "update") {
                continue;
            }
            let problem = match inv.manager {
                Manager::AptGet | Manager::Apt => (!removes("/var/lib/apt/lists")
                    && !helpers::cache_mount(inst, &["/var/lib/apt", "/var/cache/apt"]))
                .then_some("without `rm -rf /var/lib/apt/lists/*` in the same RUN"),
                Manager::Apk => (!inv.has_flag(&["--no-cache"])
                    && !removes("/var/cache/apk")
                    && !helpers::cache_mount(inst, &["/var/cache/apk", "/etc/apk/cache"]))
                .then_some("without `--no-cache`"),
                Manager::Yum | Manager::Dnf | Manager::Microdnf | Manager::Zypper => {
                    let dir = match inv.manager {
                        Manager::Yum => "/var/cache/yum",
                        Manager::Zypper => "/var/cache/zypp",
                        _ => "/var/cache/dnf",
                    };
                    (!cleans(inv.manager) && !removes(dir) && !helpers::cache_mount(inst, &[dir]))
                        .then_some(if inv.manager == Manager::Zypper {
                            "without `zypper clean` in the same RUN"
                        } else {
                            "without `clean all` in the same RUN"
                        })
                }
                Manager::Pip => (!inv.has_flag(&["--no-cache-dir"])
                    && !helpers::env_set(df, inst, "PIP_NO_CACHE_DIR")
                    && !helpers::cache_mount(inst, &["/root/.cache/pip", "/root/.cache"]))
                .then_some("without `--no-cache-dir`"),
                _ => None,
            };
            if let Some(problem) = problem {
                out.at_pos(
                    inv.sub.pos,
                    helpers::path(df, inst),
                    stockade_model::format_exact!(
                        "`{} {}` {problem}",
                        inv.manager.as_str(),
                        inv.sub.text
                    ),
                );
            }
        }
    }
}
