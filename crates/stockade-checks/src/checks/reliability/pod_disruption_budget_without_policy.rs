//! ## What it does
//! Flags PodDisruptionBudgets (`policy`) that set neither `minAvailable` nor
//! `maxUnavailable`.
//!
//! ## Why it matters
//! Such a budget looks like protection in review but protects nothing: the disruption
//! controller then requires no pod to stay healthy, so a node drain may evict every selected
//! pod at once.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: web
//! spec: # finding
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
//!   maxUnavailable: 1
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
    id: "STK426",
    name: "pod-disruption-budget-without-policy",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "PodDisruptionBudget sets neither minAvailable nor maxUnavailable",
    remediation: "Set `minAvailable` or `maxUnavailable` on the PodDisruptionBudget.",
    references: &[],
    aliases: &["kube-score:poddisruptionbudget-has-policy"],
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
    let set = |k: &str| spec.get(k).is_some_and(|n| !n.is_null());
    if !set("minAvailable") && !set("maxUnavailable") {
        out.at(
            spec,
            "spec",
            stockade_model::format_exact!(
                "PodDisruptionBudget \"{}\" sets neither minAvailable nor maxUnavailable, so it protects no pod",
                o.name
            ),
        );
    }
}
