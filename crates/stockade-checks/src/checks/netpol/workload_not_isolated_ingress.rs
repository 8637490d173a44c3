//! ## What it does
//! Flags workloads that no NetworkPolicy isolates for ingress, in namespaces where some
//! NetworkPolicy isolates pods for ingress. The connectivity engine decides isolation the way
//! Kubernetes does: a pod is isolated for ingress only when a policy whose `policyTypes`
//! include `Ingress` (the default) selects it; a policy with only `policyTypes: [Egress]`
//! does not count.
//!
//! Namespaces without any ingress policy are not judged: an input that leaves network
//! policy to someone else (a Helm chart, one app's folder) stays quiet.
//!
//! Off by default: `pod-not-selected-by-network-policy` (STK605) already reports, by
//! default, workloads that no policy selects at all. Enable this check for the
//! per-direction reading (it also catches a workload selected only by egress policies); it
//! then repeats STK605's findings, so ignore one of the two.
//!
//! ## Why it matters
//! A pod that no ingress policy selects accepts connections from every pod in the cluster
//! and from outside. In a namespace that otherwise restricts ingress, such a workload is
//! usually one that was forgotten, and it is a way in for lateral movement.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api # finding
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
//!   name: web
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: web}
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
//!   name: same-namespace-only
//!   namespace: shop
//! spec:
//!   podSelector: {}
//!   ingress:
//!     - from:
//!         - podSelector: {}
//! ```
//!
//! ## Options
//! None. The whole input is one cluster (see `stockade netpol` in docs/netpol.md); objects
//! without `metadata.namespace` are in `default`.

use stockade_netpol::report::NOT_ISOLATED_INGRESS as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Networking,
    severity: KIND.severity,
    default_on: false,
    summary: "No NetworkPolicy isolates the workload for ingress, in a namespace with ingress policies",
    remediation: KIND.remediation,
    references: &["CIS 5.3.2", "NSA/CISA: network separation and hardening"],
    aliases: &["polaris:missingNetworkPolicy", "kubescape:C-0030"],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
