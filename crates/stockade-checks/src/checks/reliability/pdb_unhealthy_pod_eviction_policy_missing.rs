//! ## What it does
//! Flags PodDisruptionBudgets (`policy/v1`) that do not set
//! `spec.unhealthyPodEvictionPolicy`.
//!
//! ## Why it matters
//! With the default policy (`IfHealthyBudget`) a pod that is running but not ready can be
//! evicted only while the budget is healthy. When a bad rollout or a crash loop leaves the
//! workload below its budget, its broken pods cannot be evicted either, and a node drain
//! blocks until someone deletes them by hand. `AlwaysAllow` lets drains evict pods that are
//! not ready anyway, which is what most workloads want; writing either value makes the
//! choice explicit.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: web
//! spec: # finding
//!   minAvailable: 1
//!   selector:
//!     matchLabels: {app: web}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: web
//! spec:
//!   minAvailable: 1
//!   unhealthyPodEvictionPolicy: AlwaysAllow
//!   selector:
//!     matchLabels: {app: web}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK421",
    name: "pdb-unhealthy-pod-eviction-policy-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "PodDisruptionBudget does not set unhealthyPodEvictionPolicy",
    remediation: "Set `spec.unhealthyPodEvictionPolicy` (usually `AlwaysAllow`) so pods that are not ready do not block node drains.",
    references: &[],
    aliases: &["kube-linter:pdb-unhealthy-pod-eviction-policy"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "PodDisruptionBudget" || o.group() != "policy" {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    if spec
        .get("unhealthyPodEvictionPolicy")
        .is_none_or(|p| p.is_null())
    {
        out.at(
            spec,
            "spec",
            stockade_model::format_exact!(
                "PodDisruptionBudget \"{}\" sets no unhealthyPodEvictionPolicy",
                o.name
            ),
        );
    }
}
