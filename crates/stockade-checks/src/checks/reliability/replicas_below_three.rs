//! ## What it does
//! Flags Deployments and StatefulSets (`apps`) whose `spec.replicas` is below 3, or unset (the
//! default is 1). A count of 0 (scaled down on purpose) is not flagged. Off by default: two
//! replicas are enough for many services, and `single-replica` (STK403) already reports one.
//!
//! ## Why it matters
//! With two replicas, one voluntary disruption (a node drain, a rollout) and one failure at
//! the same time take the service down; a PodDisruptionBudget can only protect one of them.
//! Three replicas across zones keep a quorum-based or highly available service up through both.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   replicas: 2 # finding
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   replicas: 3
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK424",
    name: "replicas-below-three",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "Deployment or StatefulSet runs fewer than three replicas",
    remediation: "Run at least three replicas, spread across nodes or zones.",
    references: &[],
    aliases: &["kube-linter:minimum-three-replicas"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.group() != "apps" || !matches!(o.kind.as_str(), "Deployment" | "StatefulSet") {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    match spec.get("replicas").filter(|r| !r.is_null()) {
        Some(r) => {
            if let Some(n) = r.as_i64().filter(|&n| (1..3).contains(&n)) {
                out.at(
                    r,
                    "spec.replicas",
                    stockade_model::format_exact!(
                        "{} \"{}\" runs {n} replica(s), fewer than 3",
                        o.kind,
                        o.name
                    ),
                );
            }
        }
        None => out.at(
            spec,
            "spec",
            stockade_model::format_exact!(
                "{} \"{}\" sets no replicas (the default is 1), fewer than 3",
                o.kind,
                o.name
            ),
        ),
    }
}
