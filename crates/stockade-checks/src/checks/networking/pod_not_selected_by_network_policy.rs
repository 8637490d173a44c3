//! ## What it does
//! Flags workloads (any object with a pod template) whose pods no NetworkPolicy in the same
//! namespace of the scanned input selects. Such pods accept traffic from every pod in the
//! cluster and can reach anything.
//!
//! To stay quiet on inputs that leave network policy to someone else (a Helm chart, a single
//! app's folder), a workload is judged only when the input holds a NetworkPolicy in its
//! namespace or the Namespace object itself: then the input owns that namespace's network
//! layout, and a workload left out of it is a gap. (A whole-input rule, "any NetworkPolicy
//! or Namespace anywhere", flagged every workload of repositories of unrelated samples.)
//! Pods with `hostNetwork: true` are skipped (NetworkPolicy does not apply to them).
//!
//! ## Why it matters
//! Kubernetes networking is allow-all until a NetworkPolicy selects a pod. An attacker in any
//! compromised pod can reach an unselected pod's every port, which turns one vulnerable
//! service into lateral movement across the cluster.
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
//!   name: default-deny
//!   namespace: shop
//! spec:
//!   podSelector: {}
//!   policyTypes: [Ingress, Egress]
//! ```
//!
//! ## Options
//! None. Objects without `metadata.namespace` are compared per directory: those in one
//! folder are applied together (`kubectl apply -f dir`, `-n`), while a repository of
//! unrelated samples or apps would otherwise be judged as one namespace.

use foldhash::{HashMap, HashMapExt, HashSet};
use stockade_model::PodSpec;

use stockade_model::{Node, Object, Severity, labels::selector_selects};

use super::helpers::{is_namespace, is_network_policy};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK605",
    name: "pod-not-selected-by-network-policy",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "Workload's pods are selected by no NetworkPolicy",
    remediation: "Add a default-deny NetworkPolicy (`podSelector: {}`) to the namespace and allow the traffic the workload needs.",
    references: &["CIS 5.3.2", "NSA/CISA: network separation and hardening"],
    aliases: &[
        "kube-linter:non-isolated-pod",
        "kube-score:pod-networkpolicy",
        "checkov:CKV2_K8S_6",
        "kubescape:C-0260",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_network_policy(o) || is_namespace(o) || !pods.is_empty()
}

/// Where an object's policies come from: `(true, namespace)`, or for objects without one
/// `(false, directory of its file)`.
fn scope(o: &Object) -> (bool, &str) {
    match &o.namespace {
        Some(ns) => (true, ns),
        None => (false, o.file.rfind('/').map_or("", |i| &o.file[..i])),
    }
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    // Pod selectors of the policies in each namespace; `None` once one selects every pod.
    let mut selectors: HashMap<(bool, &str), Option<Vec<&Node>>> = HashMap::new();
    for p in ctx.objects.iter().filter(|o| is_network_policy(o)) {
        let entry = selectors
            .entry(scope(p))
            .or_insert_with(|| Some(Vec::new()));
        match p.root.at(&["spec", "podSelector"]) {
            Some(s) if !super::helpers::selects_all(Some(s)) => {
                if let Some(list) = entry {
                    list.push(s);
                }
            }
            _ => *entry = None,
        }
    }
    let declared: HashSet<&str> = ctx
        .objects
        .iter()
        .filter(|o| is_namespace(o))
        .map(|o| o.name.as_str())
        .collect();
    for w in ctx
        .objects
        .iter()
        .filter(|o| !is_network_policy(o) && !is_namespace(o))
    {
        let ns = w.namespace.as_deref().unwrap_or("");
        let policies = match selectors.get(&scope(w)) {
            Some(None) => continue,
            Some(Some(list)) => list.as_slice(),
            None if w.namespace.is_some() && declared.contains(ns) => &[],
            None => continue,
        };
        let pods = ctx.pods(w);
        let unselected = pods.iter().any(|p| {
            p.field("hostNetwork").and_then(Node::as_bool) != Some(true)
                && !policies
                    .iter()
                    .any(|s| selector_selects(s, p.metadata.and_then(|m| m.get("labels"))))
        });
        if !unselected {
            continue;
        }
        let at = w.root.nearest(&["metadata", "name"]);
        out.at(
            w,
            at,
            "metadata.name",
            stockade_model::format_exact!(
                "{} \"{}\": no NetworkPolicy in namespace {} selects its pods",
                w.kind,
                w.name,
                if ns.is_empty() { "(unset)" } else { ns }
            ),
        );
    }
}
