//! ## What it does
//! Flags objects whose `metadata.namespace` is explicitly `default`.
//!
//! An object without `metadata.namespace` is not reported: its namespace is decided when it
//! is applied (`kubectl -n`, Helm's `--namespace`, Kustomize's `namespace:`, Argo CD's
//! destination), and most charts and bases leave it out on purpose.
//!
//! ## Why it matters
//! The `default` namespace is where everything without a home ends up. It has no
//! NetworkPolicies, quotas, Pod Security level or RBAC of its own unless someone adds them,
//! and those would apply to all the unrelated objects that share it. A namespace per
//! application or team is the unit that policies, quotas and access are scoped to.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//!   namespace: default # finding
//! spec:
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
//!   namespace: web
//! spec:
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
    id: "STK701",
    name: "default-namespace",
    category: Category::Namespaces,
    severity: Severity::Low,
    default_on: true,
    summary: "Object is placed in the default namespace",
    remediation: "Put the object in a namespace of its own application or team.",
    references: &["CIS 5.7.4"],
    aliases: &[
        "kube-linter:use-namespace",
        "checkov:CKV_K8S_21",
        "trivy:KSV-0110",
        "kubescape:C-0061",
        "datree:WORKLOAD_INCORRECT_NAMESPACE_VALUE_DEFAULT",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    if let Some(ns) = ctx.object.metadata().get("namespace")
        && ns.as_str().map(str::trim) == Some("default")
    {
        out.at(
            ns,
            "metadata.namespace",
            stockade_model::format_exact!(
                "{} \"{}\" is in the default namespace",
                ctx.object.kind,
                ctx.object.name
            ),
        );
    }
}
