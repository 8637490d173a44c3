//! ## What it does
//! Flags containers that run the Kubernetes Dashboard: an image repository ending in
//! `kubernetesui/dashboard` (or `dashboard-api`, `dashboard-web`, `dashboard-auth`) or
//! `kubernetes-dashboard-amd64` (the old `k8s.gcr.io` name).
//!
//! ## Why it matters
//! The Dashboard is a web UI that acts on the cluster with its own ServiceAccount or with the
//! tokens users paste in. Installations exposed with broad rights have been a classic entry
//! point (the 2018 Tesla cryptomining breach); `kubectl` or a managed console needs nothing
//! running in the cluster.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: dashboard
//! spec:
//!   containers:
//!     - name: dashboard
//!       image: kubernetesui/dashboard:v2.7.0 # finding
//! ```
//! Fixed: remove the Dashboard and use `kubectl` or the provider's console.
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: shop
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK210",
    name: "kubernetes-dashboard-deployed",
    category: Category::Images,
    severity: Severity::Low,
    default_on: true,
    summary: "Kubernetes Dashboard is deployed",
    remediation: "Remove the Dashboard, or restrict its ServiceAccount to read-only rights and keep it off the network.",
    references: &[],
    aliases: &["checkov:CKV_K8S_33"],
    run: crate::Run::Object(run),
};

fn is_dashboard(image: &str) -> bool {
    let no_digest = image.split('@').next().unwrap_or("");
    let last_slash = no_digest.rfind('/').map_or(0, |i| i + 1);
    let repo = match no_digest[last_slash..].find(':') {
        Some(i) => &no_digest[..last_slash + i],
        None => no_digest,
    };
    repo.ends_with("kubernetes-dashboard-amd64")
        || [
            "dashboard",
            "dashboard-api",
            "dashboard-web",
            "dashboard-auth",
        ]
        .iter()
        .any(|n| {
            repo.strip_suffix(n)
                .is_some_and(|r| r.ends_with("kubernetesui/"))
        })
}

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(image) = c.image()
            && is_dashboard(image.trim())
        {
            let node = c.node.get("image").unwrap_or(c.node);
            out.container(
                c,
                Some((node, &stockade_model::format_exact!("{}.image", c.path))),
                stockade_model::format_exact!(
                    "{} runs the Kubernetes Dashboard ({image})",
                    c.label()
                ),
            );
        }
    }
}
