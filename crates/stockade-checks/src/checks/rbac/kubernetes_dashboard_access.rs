//! ## What it does
//! Flags access to the Kubernetes dashboard's identity:
//! - a subject of a RoleBinding or ClusterRoleBinding to a role named `kubernetes-dashboard*`
//!   that is not the dashboard's own ServiceAccount (`kubernetes-dashboard*`);
//! - a workload, other than the dashboard's own (`kubernetes-dashboard*`,
//!   `dashboard-metrics-scraper`), whose pods run as a ServiceAccount named
//!   `kubernetes-dashboard*`.
//!
//! ## Why it matters
//! The dashboard acts on the cluster with its ServiceAccount's rights. Whoever else holds those
//! rights, or runs code with that token, can do what the dashboard does without going through
//! its login; an attacker in any pod running as the dashboard's account inherits it outright
//! (MITRE ATT&CK for Kubernetes: "Access Kubernetes dashboard").
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: dashboard-for-devs
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: kubernetes-dashboard
//! subjects:
//!   - kind: Group # finding
//!     name: developers
//!     apiGroup: rbac.authorization.k8s.io
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: kubernetes-dashboard
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: kubernetes-dashboard
//! subjects:
//!   - kind: ServiceAccount
//!     name: kubernetes-dashboard
//!     namespace: kubernetes-dashboard
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select kubernetes-dashboard-access`). Names are matched as the
//! dashboard's manifests and Helm chart write them.
//!
//! ## References
//! - MITRE ATT&CK for Kubernetes: Access Kubernetes dashboard

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK826",
    name: "kubernetes-dashboard-access",
    category: Category::Rbac,
    severity: Severity::Low,
    default_on: false,
    summary: "Subject or workload other than the dashboard uses the dashboard's identity",
    remediation: "Bind the dashboard's roles to its own ServiceAccount only, and run other workloads as their own ServiceAccounts.",
    references: &[],
    aliases: &["kubescape:C-0014"],
    run: crate::Run::Object(run),
};

const PREFIX: &str = "kubernetes-dashboard";

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.group() == "rbac.authorization.k8s.io"
        && matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
    {
        let Some(role) = o.root.at(&["roleRef", "name"]).and_then(|n| n.as_str()) else {
            return;
        };
        if !role.starts_with(PREFIX) {
            return;
        }
        let subjects = o.root.get("subjects").map_or(&[][..], |s| s.items());
        for (i, s) in subjects.iter().enumerate() {
            let kind = s.str_at("kind").unwrap_or("");
            let name = s.str_at("name").unwrap_or("");
            if kind == "ServiceAccount" && name.starts_with(PREFIX) {
                continue;
            }
            out.at(
                s,
                stockade_model::format_exact!("subjects[{i}]"),
                stockade_model::format_exact!(
                    "{kind} {name} is bound to the dashboard's role {role} by {} \"{}\"",
                    o.kind,
                    o.name
                ),
            );
        }
        return;
    }
    if o.name.starts_with(PREFIX) || o.name == "dashboard-metrics-scraper" {
        return;
    }
    for pod in ctx.pods {
        for key in ["serviceAccountName", "serviceAccount"] {
            let Some(node) = pod.field(key) else {
                continue;
            };
            if let Some(sa) = node.as_str().filter(|sa| sa.starts_with(PREFIX)) {
                out.at(
                    node,
                    stockade_model::format_exact!("{}.{key}", pod.path),
                    stockade_model::format_exact!(
                        "{} \"{}\" runs as the dashboard's ServiceAccount {sa}",
                        o.kind,
                        o.name
                    ),
                );
                break;
            }
        }
    }
}
