//! ## What it does
//! Flags workloads reachable from outside the cluster: backends of a `LoadBalancer` or
//! `NodePort` Service, when the NetworkPolicies let some external address reach the
//! Service's target ports, and backends of Ingress (or OpenShift Route) objects, when the
//! policies let the ingress controller reach them. The message says how (`Service web
//! (LoadBalancer, TCP 8080)`, `ingress-controller (TCP 8080)`).
//!
//! Off by default: most exposure is intended, and the Service-level facts are reported by
//! `nodeport-service` (STK601) and `load-balancer-without-source-ranges` (STK610). Enable it
//! to review, workload by workload, what the policies leave open to the outside.
//!
//! ## Why it matters
//! An internet-facing workload is the first target of an attack. Knowing which workloads are
//! exposed, after the policies are applied, is the starting point of any review of what an
//! attacker can reach next.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: admin # finding
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: admin}
//!   template:
//!     metadata:
//!       labels: {app: admin}
//!     spec:
//!       containers:
//!         - name: admin
//!           image: admin:2.0.1
//!           ports:
//!             - containerPort: 8080
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: admin
//!   namespace: shop
//! spec:
//!   type: LoadBalancer
//!   selector: {app: admin}
//!   ports:
//!     - port: 80
//!       targetPort: 8080
//! ```
//! Fixed (only pods of the namespace may connect):
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: admin
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: admin}
//!   template:
//!     metadata:
//!       labels: {app: admin}
//!     spec:
//!       containers:
//!         - name: admin
//!           image: admin:2.0.1
//!           ports:
//!             - containerPort: 8080
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: admin
//!   namespace: shop
//! spec:
//!   type: LoadBalancer
//!   selector: {app: admin}
//!   ports:
//!     - port: 80
//!       targetPort: 8080
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: admin-internal
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: admin}
//!   ingress:
//!     - from:
//!         - podSelector: {}
//! ```
//!
//! ## Options
//! None.

use stockade_netpol::report::EXPOSED_OUTSIDE_CLUSTER as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Networking,
    severity: KIND.severity,
    default_on: false,
    summary: "Workload is reachable from outside the cluster after NetworkPolicies are applied",
    remediation: KIND.remediation,
    references: &["NSA/CISA: network separation and hardening"],
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
