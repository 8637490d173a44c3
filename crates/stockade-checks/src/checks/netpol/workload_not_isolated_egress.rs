//! ## What it does
//! Flags workloads that no NetworkPolicy isolates for egress, in namespaces where some
//! NetworkPolicy isolates pods for egress (its `policyTypes` include `Egress`, or it has
//! `egress` rules and no `policyTypes`). Isolation is decided by the connectivity engine
//! with the Kubernetes semantics.
//!
//! Namespaces without any egress policy are not judged. Off by default: most namespaces
//! restrict ingress only, and the missing egress default-deny is reported per namespace by
//! `namespace-without-default-deny` (STK606). Enable it where egress is meant to be
//! controlled workload by workload.
//!
//! ## Why it matters
//! A pod that no egress policy selects can connect anywhere: other namespaces, the API
//! server, the cloud metadata service, the internet. In a namespace that restricts egress,
//! such a workload is the one an attacker would use to move data out.
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
//!   name: web-egress
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: web}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
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
//!   name: egress-in-namespace
//!   namespace: shop
//! spec:
//!   podSelector: {}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
//!         - podSelector: {}
//! ```
//!
//! ## Options
//! None.

use stockade_netpol::report::NOT_ISOLATED_EGRESS as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Networking,
    severity: KIND.severity,
    default_on: false,
    summary: "No NetworkPolicy isolates the workload for egress, in a namespace with egress policies",
    remediation: KIND.remediation,
    references: &["NSA/CISA: network separation and hardening"],
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
