//! ## What it does
//! Flags each Namespace object of the scanned input that has no "default deny" NetworkPolicy:
//! a policy with an empty `podSelector` (every pod of the namespace) that isolates pods for
//! ingress, and one (the same or another) that isolates them for egress, without a rule that
//! lets all traffic back in. The message names the missing direction.
//!
//! Policies are matched to a Namespace by `metadata.namespace`; a policy without one is
//! counted for every Namespace of the input (it is applied with `-n` or a kustomize
//! `namespace:`, so the check gives it the benefit of the doubt). `kube-system`,
//! `kube-public` and `kube-node-lease` are skipped: the control plane's add-ons there need
//! policies written for each cluster.
//!
//! ## Why it matters
//! Without a default deny, every pod that no other policy happens to select accepts traffic
//! from the whole cluster and can send traffic anywhere, including the cloud metadata
//! service and the API server. A default deny makes a forgotten workload fail closed instead
//! of open.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: shop # finding
//! ---
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: deny-ingress
//!   namespace: shop
//! spec:
//!   podSelector: {}
//!   policyTypes: [Ingress]
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: shop
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
//! None.

use foldhash::{HashMap, HashMapExt};
use stockade_model::PodSpec;

use stockade_model::{Object, Severity};

use super::helpers::{
    Direction, is_namespace, is_network_policy, isolates, rule_admits_all, selects_all,
};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK606",
    name: "namespace-without-default-deny",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "Namespace has no default-deny NetworkPolicy",
    remediation: "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress, Egress]` to the namespace, then allow the traffic each workload needs.",
    references: &["CIS 5.3.2", "NSA/CISA: network separation and hardening"],
    aliases: &["kubescape:C-0206", "kubescape:C-0054", "kubescape:C-0049"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

const SKIPPED: &[&str] = &["kube-system", "kube-public", "kube-node-lease"];

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_network_policy(o) || is_namespace(o)
}

/// Whether `policy` isolates every pod of its namespace in `dir` without reopening it.
fn denies(policy: &Object, dir: Direction) -> bool {
    let spec = policy.root.get("spec");
    selects_all(spec.and_then(|s| s.get("podSelector")))
        && isolates(&policy.root, dir)
        && !spec
            .and_then(|s| s.get(dir.rules_key()))
            .is_some_and(|r| r.items().iter().any(|r| rule_admits_all(r, dir).is_some()))
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    // (ingress denied, egress denied) per namespace; "" holds policies without a namespace.
    let mut denied: HashMap<&str, (bool, bool)> = HashMap::new();
    for p in ctx.objects.iter().filter(|o| is_network_policy(o)) {
        let e = denied
            .entry(p.namespace.as_deref().unwrap_or(""))
            .or_default();
        e.0 |= denies(p, Direction::Ingress);
        e.1 |= denies(p, Direction::Egress);
    }
    let unset = denied.get("").copied().unwrap_or_default();
    for ns in ctx.objects.iter().filter(|o| is_namespace(o)) {
        if SKIPPED.contains(&ns.name.as_str()) {
            continue;
        }
        let own = denied.get(ns.name.as_str()).copied().unwrap_or_default();
        let missing = match (own.0 || unset.0, own.1 || unset.1) {
            (true, true) => continue,
            (false, false) => "ingress and egress",
            (false, true) => "ingress",
            (true, false) => "egress",
        };
        let at = ns.root.nearest(&["metadata", "name"]);
        out.at(
            ns,
            at,
            "metadata.name",
            stockade_model::format_exact!(
                "Namespace \"{}\" has no default-deny NetworkPolicy for {missing}",
                ns.name
            ),
        );
    }
}
