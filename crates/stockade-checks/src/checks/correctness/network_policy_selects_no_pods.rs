//! ## What it does
//! Flags a NetworkPolicy with a non-empty `podSelector` that matches the pod template labels
//! of no workload in its namespace of the scanned input.
//!
//! ## Why it matters
//! A policy that selects no pod isolates nothing: the workload it was written for accepts
//! traffic from everywhere while the review shows a policy in place. An empty `podSelector`
//! (every pod of the namespace, as in a default deny) is intended and not flagged.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: db-ingress
//! spec:
//!   podSelector: # finding
//!     matchLabels: {app: postgresql}
//!   policyTypes: [Ingress]
//!   ingress:
//!     - from:
//!         - podSelector: {matchLabels: {app: api}}
//! ---
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//! spec:
//!   serviceName: db
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
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: db-ingress
//! spec:
//!   podSelector:
//!     matchLabels: {app: postgres}
//!   policyTypes: [Ingress]
//!   ingress:
//!     - from:
//!         - podSelector: {matchLabels: {app: api}}
//! ---
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//! spec:
//!   serviceName: db
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
//!
//! ## Options
//! None. Pods created by operators have no template in the input: a custom resource (a
//! `monitoring.coreos.com` Prometheus, an Elastic `Kibana` ...) whose own labels the selector
//! matches counts as selected, since operators label their pods after the resource.
//!
//! When the input holds no pod template at all the check stays silent. An unset namespace on
//! either side matches any namespace.

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use super::helpers::is_custom_resource;

use super::helpers::report_selectors_matching_nothing;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK744",
    name: "network-policy-selects-no-pods",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "NetworkPolicy podSelector matches no workload in the input",
    remediation: "Make `spec.podSelector` match the pod template labels of the workload the policy protects.",
    references: &[],
    aliases: &[
        "kube-linter:dangling-networkpolicy",
        "kube-score:networkpolicy-targets-pod",
        "kubescape:C-0299",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: Some(metadata_only),
    },
};

fn is_policy(o: &Object) -> bool {
    o.kind == "NetworkPolicy" && o.group() == "networking.k8s.io"
}

/// Of an object that is not a NetworkPolicy and has no pod template (a custom resource, kept as a
/// possible owner of operator-made pods), only the namespace and labels are read.
fn metadata_only(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    !is_policy(o) && pods.is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_policy(o) || is_custom_resource(o) || !pods.is_empty()
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    report_selectors_matching_nothing(
        ctx,
        out,
        is_policy,
        &["spec", "podSelector"],
        "NetworkPolicy podSelector",
    );
}
