//! ## What it does
//! Flags NetworkPolicies (`networking.k8s.io`) whose `spec` has no `podSelector` field. The
//! finding points at `spec` (at the object when `spec` is missing).
//!
//! ## Why it matters
//! `podSelector` is required, but the API server reads a missing one as `{}`: the policy then
//! selects every pod of its namespace. A policy written for one workload (with a typo such as
//! `podselector`, or the selector put under `ingress`) silently isolates, or opens, all of
//! them. Write `podSelector: {}` when every pod is meant.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: api-ingress
//!   namespace: shop
//! spec: # finding
//!   policyTypes: [Ingress]
//!   ingress:
//!     - from:
//!         - podSelector:
//!             matchLabels: {app: web}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: api-ingress
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: api}
//!   policyTypes: [Ingress]
//!   ingress:
//!     - from:
//!         - podSelector:
//!             matchLabels: {app: web}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK618",
    name: "network-policy-pod-selector-missing",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "NetworkPolicy has no podSelector, so it selects every pod of its namespace",
    remediation: "Write the podSelector of the pods the policy is for, or `podSelector: {}` when it is meant for every pod.",
    references: &[],
    aliases: &["trivy:KSV-0038"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "NetworkPolicy" || o.group() != "networking.k8s.io" {
        return;
    }
    let spec = o.root.get("spec").filter(|s| s.is_map());
    if spec.is_some_and(|s| s.get("podSelector").is_some()) {
        return;
    }
    out.at(
        spec.unwrap_or(&o.root),
        "spec.podSelector",
        stockade_model::format_exact!(
            "NetworkPolicy \"{}\" has no spec.podSelector: it applies to every pod of namespace {}",
            o.name,
            o.namespace.as_deref().unwrap_or("(unset)")
        ),
    );
}
