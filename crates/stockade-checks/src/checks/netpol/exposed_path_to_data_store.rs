//! ## What it does
//! Flags workloads exposed at the edge (backends of `LoadBalancer`/`NodePort` Services or
//! Ingress/Route objects that policies do not block) from which a chain of allowed
//! connections leads to a data store: a workload whose pod labels match one of the
//! `data-store` selectors. The message prints the shortest such path
//! (`shop/web[Deployment] => shop/api[Deployment] => shop/db[StatefulSet]`); the finding
//! points at the exposed workload.
//!
//! On by default, and inert until `data-store` is set: which workloads hold data is a fact
//! about your system that labels alone do not tell reliably.
//!
//! ## Why it matters
//! An attacker who compromises an internet-facing workload moves along the connections the
//! network allows. A short path from the edge to the database is the usual route of a data
//! breach; each hop the policies cut makes it longer or impossible.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web # finding
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: web:3.2.0
//!           ports:
//!             - containerPort: 8080
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//!   namespace: shop
//! spec:
//!   type: LoadBalancer
//!   selector: {app: web}
//!   ports:
//!     - port: 443
//!       targetPort: 8080
//! ---
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: postgres}
//!   template:
//!     metadata:
//!       labels: {app: postgres}
//!     spec:
//!       containers:
//!         - name: postgres
//!           image: postgres:16.4
//! ```
//! Fixed (only the `orders` workload may reach the database):
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: web:3.2.0
//!           ports:
//!             - containerPort: 8080
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//!   namespace: shop
//! spec:
//!   type: LoadBalancer
//!   selector: {app: web}
//!   ports:
//!     - port: 443
//!       targetPort: 8080
//! ---
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: postgres}
//!   template:
//!     metadata:
//!       labels: {app: postgres}
//!     spec:
//!       containers:
//!         - name: postgres
//!           image: postgres:16.4
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: db-ingress
//!   namespace: shop
//! spec:
//!   podSelector:
//!     matchLabels: {app: postgres}
//!   ingress:
//!     - from:
//!         - podSelector:
//!             matchLabels: {app: orders}
//!       ports:
//!         - port: 5432
//! ```
//!
//! ## Options
//! `data-store`: label selectors (`key=value`, several joined by `,` must all match) of the
//! workloads that hold data; a workload matching any of them is a data store.
//! ```yaml
//! options:
//!   data-store: ["app=postgres", "app.kubernetes.io/component=database"]
//! ```
//! `stockade netpol report --data-store app=postgres` prints the same paths.

use stockade_netpol::report::DATA_STORE_PATH as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Networking,
    severity: KIND.severity,
    default_on: true,
    summary: "An edge-exposed workload can reach a data store through allowed connections",
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
