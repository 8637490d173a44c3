//! ## What it does
//! Flags PodDisruptionBudgets that allow no voluntary eviction at all: `maxUnavailable: 0`
//! (or `0%`), `minAvailable: 100%`, or a `minAvailable` number at least the replicas that the
//! workloads it selects run at minimum (their `spec.replicas`, or the `minReplicas` of an HPA
//! in the scanned input that scales them). A numeric `minAvailable` is only judged when the
//! PDB selects at least one Deployment, StatefulSet or Argo Rollout of the same namespace in
//! the input.
//!
//! ## Why it matters
//! A PDB that never allows a disruption makes every node drain hang on its pods: cluster
//! upgrades stall, the cluster autoscaler cannot remove nodes, and operators end up deleting
//! the PDB or the pods by hand — which removes the protection exactly when it mattered. Allow
//! at least one pod to be evicted at a time.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: api
//! spec:
//!   minAvailable: 3 # finding
//!   selector:
//!     matchLabels: {app: api}
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 3
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: api
//! spec:
//!   minAvailable: 2
//!   selector:
//!     matchLabels: {app: api}
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 3
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/tasks/run-application/configure-pdb/#think-about-how-your-application-reacts-to-disruptions>

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;
use stockade_model::PodSpec;

use stockade_model::{Object, Severity, labels::selector_selects};

use super::helpers::{
    Autoscalers, is_hpa, is_pdb, is_replicated, min_replicas, namespace, percent, template_labels,
};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK408",
    name: "pod-disruption-budget-blocks-eviction",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "PodDisruptionBudget allows no voluntary eviction",
    remediation: "Allow at least one disruption: `maxUnavailable: 1`, or a `minAvailable` below the number of replicas.",
    references: &[],
    aliases: &[
        "kube-linter:pdb-max-unavailable",
        "kube-linter:pdb-min-available",
        "polaris:pdbDisruptionsIsZero",
        "polaris:pdbMinAvailableGreaterThanHPAMinReplicas",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_replicated(o) || is_hpa(o) || is_pdb(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let hpas = Autoscalers::new(ctx.objects);
    let mut workloads: HashMap<&str, Vec<&Arc<Object>>> = HashMap::new();
    for w in ctx.objects.iter().filter(|o| is_replicated(o)) {
        workloads.entry(namespace(w)).or_default().push(w);
    }
    for pdb in ctx.objects.iter().filter(|o| is_pdb(o)) {
        let name = &pdb.name;
        if let Some(mu) = pdb.root.at(&["spec", "maxUnavailable"])
            && (mu.as_i64() == Some(0) || percent(mu) == Some(0))
        {
            out.at(
                pdb,
                mu,
                "spec.maxUnavailable",
                stockade_model::format_exact!(
                    "PodDisruptionBudget \"{name}\" sets maxUnavailable {}: no pod can ever be evicted",
                    mu.as_str().unwrap_or("")
                ),
            );
            continue;
        }
        let Some(ma) = pdb.root.at(&["spec", "minAvailable"]) else {
            continue;
        };
        if let Some(p) = percent(ma) {
            if p >= 100 {
                out.at(
                    pdb,
                    ma,
                    "spec.minAvailable",
                    stockade_model::format_exact!(
                        "PodDisruptionBudget \"{name}\" sets minAvailable {}: no pod can ever be evicted",
                        ma.as_str().unwrap_or("")
                    ),
                );
            }
            continue;
        }
        let (Some(min_available), Some(selector)) =
            (ma.as_i64(), pdb.root.at(&["spec", "selector"]))
        else {
            continue;
        };
        if !selector.is_map() {
            continue;
        }
        let mut total = 0i64;
        let mut targets = Vec::new();
        let mut unknown = false;
        for w in workloads.get(namespace(pdb)).into_iter().flatten() {
            if !selector_selects(selector, template_labels(w)) {
                continue;
            }
            match min_replicas(w, &hpas) {
                Some(r) => {
                    total = total.saturating_add(r.count);
                    let via = if r.hpa.is_some() {
                        " (HPA minReplicas)"
                    } else {
                        ""
                    };
                    targets.push(stockade_model::format_exact!(
                        "{} \"{}\": {}{via}",
                        w.kind,
                        w.name,
                        r.count
                    ));
                }
                None => unknown = true,
            }
        }
        if unknown || total == 0 || min_available < total {
            continue;
        }
        out.at(
            pdb,
            ma,
            "spec.minAvailable",
            stockade_model::format_exact!(
                "PodDisruptionBudget \"{name}\" requires minAvailable {min_available} of the {total} pods it selects at minimum ({}): no pod can be evicted",
                targets.join(", ")
            ),
        );
    }
}
