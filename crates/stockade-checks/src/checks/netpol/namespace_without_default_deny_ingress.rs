//! ## What it does
//! Flags namespaces that have workloads and NetworkPolicies but no default-deny for
//! ingress: no policy with an empty `podSelector`, `Ingress` among its policy types and no
//! ingress rules. The finding points at the namespace's first NetworkPolicy in the input,
//! next to which the default-deny belongs.
//!
//! It needs no Namespace object: namespaces are those the workloads and policies name.
//! Off by default: `namespace-without-default-deny` (STK606) reports the same gap, for both
//! directions, on the Namespace objects of the input. Enable this one for inputs that do not
//! carry their Namespace objects (Helm charts, kustomize bases).
//!
//! ## Why it matters
//! Without a default-deny, a workload that no other policy happens to select accepts traffic
//! from the whole cluster. A default-deny makes a forgotten workload fail closed.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:1.4.2
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: api # finding
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: api}
//!   ingress:
//!     - from:
//!         - podSelector: {}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:1.4.2
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: default-deny
//!   namespace: shop
//! spec:
//!   podSelector: {}
//!   policyTypes: [Ingress]
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: api
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: api}
//!   ingress:
//!     - from:
//!         - podSelector: {}
//! ```
//!
//! ## Options
//! None.

use stockade_netpol::report::NO_DEFAULT_DENY_INGRESS as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Networking,
    severity: KIND.severity,
    default_on: false,
    summary: "Namespace with NetworkPolicies has no default-deny for ingress",
    remediation: KIND.remediation,
    references: &["CIS 5.3.2", "NSA/CISA: network separation and hardening"],
    aliases: &[],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
