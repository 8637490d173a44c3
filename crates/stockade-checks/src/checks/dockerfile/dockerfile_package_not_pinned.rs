//! ## What it does
//! Flags package installs in `RUN` that name packages without a version: `apt-get install`,
//! `apk add`, `yum`/`dnf`/`microdnf install`, `zypper install`, `pip install` (also
//! `python -m pip`), `npm install`, `gem install` and `go install`. Files, URLs, paths and
//! requirements files (`pip install -r`, `npm ci`) fix what is installed another way and are
//! not flagged. One finding per command, at its first unpinned package.
//!
//! ## Why it matters
//! Without versions, the same Dockerfile builds different images on different days: a new
//! upstream release can break the build or bring in a regression or a compromised package, and
//! nobody can tell from the Dockerfile which version an image contains.
//!
//! ## Example
//! ```dockerfile
//! FROM python:3.12.7-slim
//! RUN pip install --no-cache-dir requests flask==3.0.3 # finding
//! ```
//! Fixed:
//! ```dockerfile
//! FROM python:3.12.7-slim
//! RUN pip install --no-cache-dir requests==2.32.3 flask==3.0.3
//! ```
//!
//! ## Options
//! None.
//!
//! ## Compared with hadolint and Trivy
//! hadolint reads a `yum`/`dnf` package as pinned when it contains any `-`
//! (`python3-pip` passes); Stockade wants a dash followed by a digit (`httpd-2.4.57`), so it
//! flags more of these. `go install ...@latest` is flagged here (latest is not a version).
//! Stockade also looks through `sudo`, `env` and similar wrappers (`sudo apt-get install`),
//! which hadolint does not.

use stockade_model::Severity;

use super::helpers;
use crate::{Category, Check, DockerfileContext, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK1006",
    name: "dockerfile-package-not-pinned",
    category: Category::Dockerfile,
    severity: Severity::Low,
    default_on: true,
    summary: "Package installed without a version",
    remediation: "Pin versions (`apt-get install curl=8.5.0-2`, `apk add curl=8.11.0-r2`, `pip install requests==2.32.3`, `npm install left-pad@1.3.0`), or install from a lock or requirements file.",
    references: &[],
    aliases: &[
        "hadolint:DL3008",
        "hadolint:DL3013",
        "hadolint:DL3016",
        "hadolint:DL3018",
        "hadolint:DL3028",
        "hadolint:DL3033",
        "hadolint:DL3037",
        "hadolint:DL3041",
        "hadolint:DL3062",
    ],
    run: crate::Run::Dockerfile(run),
};

fn run(ctx: &DockerfileContext, out: &mut Emit) {
    let df = ctx.file;
    for (inst, cmds) in helpers::runs(df) {
        for cmd in &cmds {
            let Some(inv) = helpers::invocation(cmd) else {
                continue;
            };
            if !inv.is_install() {
                continue;
            }
            let unpinned: Vec<&str> = inv
                .packages()
                .into_iter()
                .filter(|p| !inv.pinned(&p.text))
                .map(|p| p.text.as_str())
                .collect();
            let Some(first) = inv.packages().into_iter().find(|p| !inv.pinned(&p.text)) else {
                continue;
            };
            out.at_pos(
                first.pos,
                helpers::path(df, inst),
                stockade_model::format_exact!(
                    "`{} {}` without versions: {}",
                    inv.manager.as_str(),
                    inv.sub.text,
                    unpinned.join(", ")
                ),
            );
        }
    }
}
