//! ## What it does
//! Flags NetworkPolicy `ingress[].from[]` and `egress[].to[]` peers with a `podSelector` and
//! no `namespaceSelector` (so they select pods of the policy's own namespace) that match no
//! pod template of the input in that namespace. Empty selectors (all pods) are not flagged,
//! nor is anything when the input holds no pod template. Off by default, since a policy
//! often names clients deployed from another repository.
//!
//! ## Why it matters
//! A peer that matches nothing allows nothing: the traffic the rule was written for (from a
//! frontend, to a database) is dropped once the policy isolates the pods, usually because a
//! label was renamed on one side only. The failure shows up as timeouts in production rather
//! than as an error when the policy is applied.
//!
//! ## Example
//! ```yaml
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
//!         - podSelector: # finding
//!             matchLabels: {app: web-frontend}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//!   namespace: shop
//!   labels: {app: api}
//! spec:
//!   containers:
//!     - {name: api, image: "api:2.3.1"}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//!   namespace: shop
//!   labels: {app: web}
//! spec:
//!   containers:
//!     - {name: web, image: "web:1.0.0"}
//! ```
//! Fixed:
//! ```yaml
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
//!         - podSelector:
//!             matchLabels: {app: web}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//!   namespace: shop
//!   labels: {app: api}
//! spec:
//!   containers:
//!     - {name: api, image: "api:2.3.1"}
//! ---
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//!   namespace: shop
//!   labels: {app: web}
//! spec:
//!   containers:
//!     - {name: web, image: "web:1.0.0"}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/services-networking/network-policies/#behavior-of-to-and-from-selectors>

use stockade_model::{Node, Object, PodSpec, Severity};

use super::helpers::{PodIndex, is_custom_resource, ns_label};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK754",
    name: "network-policy-peer-selects-no-pods",
    category: Category::Correctness,
    severity: Severity::Low,
    default_on: false,
    summary: "NetworkPolicy peer podSelector matches no workload in the input",
    remediation: "Make the peer's `podSelector` match the pod template labels of the clients or servers it means, or add a `namespaceSelector` when they live elsewhere.",
    references: &[],
    aliases: &["kube-linter:dangling-networkpolicypeer-podselector"],
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

fn empty(selector: &Node) -> bool {
    selector
        .get("matchLabels")
        .is_none_or(|m| m.entries().is_empty())
        && selector
            .get("matchExpressions")
            .is_none_or(|m| m.items().is_empty())
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let index = PodIndex::build(
        ctx.objects.iter().filter(|o| !is_policy(o)).map(|o| &**o),
        ctx.pods,
    );
    if index.is_empty() {
        return;
    }
    for policy in ctx.objects.iter().filter(|o| is_policy(o)) {
        let ns = policy.namespace.as_deref();
        for (dir, peers) in [("ingress", "from"), ("egress", "to")] {
            let Some(rules) = policy.root.at(&["spec", dir]) else {
                continue;
            };
            for (i, rule) in rules.items().iter().enumerate() {
                let Some(list) = rule.get(peers) else {
                    continue;
                };
                for (j, peer) in list.items().iter().enumerate() {
                    if peer.get("namespaceSelector").is_some_and(|n| !n.is_null()) {
                        continue;
                    }
                    let Some(sel) = peer.get("podSelector").filter(|s| s.is_map()) else {
                        continue;
                    };
                    if empty(sel) || index.selects_any(ns, sel) {
                        continue;
                    }
                    out.at(
                        policy,
                        sel,
                        stockade_model::format_exact!("spec.{dir}[{i}].{peers}[{j}].podSelector"),
                        stockade_model::format_exact!(
                            "NetworkPolicy \"{}\" {dir} peer podSelector matches no pod template in namespace {}",
                            policy.name,
                            ns_label(ns)
                        ),
                    );
                }
            }
        }
    }
}
