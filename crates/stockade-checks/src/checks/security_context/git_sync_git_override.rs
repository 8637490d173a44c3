//! ## What it does
//! Flags containers that set the environment variable `GITSYNC_GIT` (git-sync v4) or
//! `GIT_SYNC_GIT` (v3), which tell git-sync which program to run as `git`, and git-sync
//! containers given the same setting as a `--git` argument.
//!
//! ## Why it matters
//! git-sync runs that program with its own credentials and the repository's content. Whoever
//! can edit the workload (or the ConfigMap or Secret the variable comes from) can point it at
//! any binary or script in the image and run commands in the pod, with its ServiceAccount token
//! and mounted secrets: the command injection reported by Akamai's research (DEF CON 32, 2024).
//! git-sync finds `git` on its own; the setting is almost never needed.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: dags
//! spec:
//!   selector:
//!     matchLabels: {app: dags}
//!   template:
//!     metadata:
//!       labels: {app: dags}
//!     spec:
//!       containers:
//!         - name: git-sync
//!           image: registry.k8s.io/git-sync/git-sync:v4.2.4
//!           env:
//!             - name: GITSYNC_REPO
//!               value: https://github.com/example/dags
//!             - name: GITSYNC_GIT # finding
//!               value: /tmp/git-wrapper.sh
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: dags
//! spec:
//!   selector:
//!     matchLabels: {app: dags}
//!   template:
//!     metadata:
//!       labels: {app: dags}
//!     spec:
//!       containers:
//!         - name: git-sync
//!           image: registry.k8s.io/git-sync/git-sync:v4.2.4
//!           env:
//!             - name: GITSYNC_REPO
//!               value: https://github.com/example/dags
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - Akamai, "Kubernetes git-sync command injection" (2024)

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK026",
    name: "git-sync-git-override",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "git-sync is told which program to run as git",
    remediation: "Remove GITSYNC_GIT / GIT_SYNC_GIT (and `--git`); let git-sync use the image's git.",
    references: &[],
    aliases: &["checkov:CKV_K8S_159"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(env) = c.node.get("env") {
            for (i, e) in env.items().iter().enumerate() {
                let Some(name @ ("GITSYNC_GIT" | "GIT_SYNC_GIT")) = e.str_at("name") else {
                    continue;
                };
                out.container(
                    c,
                    Some((e, &stockade_model::format_exact!("{}.env[{i}]", c.path))),
                    stockade_model::format_exact!(
                        "{} sets {name}, choosing the program git-sync runs as git",
                        c.label()
                    ),
                );
            }
        }
        if !c.image().is_some_and(|i| i.contains("git-sync")) {
            continue;
        }
        for key in ["args", "command"] {
            let Some(list) = c.node.get(key) else {
                continue;
            };
            for (i, a) in list.items().iter().enumerate() {
                let Some(s) = a.as_str() else { continue };
                let flag = s.trim_start_matches('-');
                if s.starts_with('-') && (flag == "git" || flag.starts_with("git=")) {
                    out.container(
                        c,
                        Some((a, &stockade_model::format_exact!("{}.{key}[{i}]", c.path))),
                        stockade_model::format_exact!(
                            "{} passes {s} to git-sync, choosing the program it runs as git",
                            c.label()
                        ),
                    );
                }
            }
        }
    }
}
