//! ## What it does
//! Flags Deployments, StatefulSets and Argo Rollouts that run two or more replicas (by
//! `spec.replicas`, or by the `minReplicas` of an HPA in the scanned input that scales them)
//! when no PodDisruptionBudget in the same namespace of the input selects their pod template
//! labels. Single-replica workloads are left to `single-replica`.
//!
//! ## Why it matters
//! Node drains (cluster upgrades, autoscaler scale-down, spot reclaims) evict pods without
//! asking the workload. Without a PodDisruptionBudget a drain of two nodes can evict every
//! replica of a service at once. A PDB makes the eviction API wait until enough replicas are
//! ready elsewhere.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 3 # finding
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
//! ---
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: api
//! spec:
//!   maxUnavailable: 1
//!   selector:
//!     matchLabels: {app: api}
//! ```
//!
//! ## Options
//! None. Objects without a namespace are compared as being in the same namespace, since
//! they are applied together.
//!
//! ## References
//! - <https://kubernetes.io/docs/tasks/run-application/configure-pdb/>

use foldhash::{HashMap, HashMapExt};
use std::sync::Arc;
use stockade_model::PodSpec;

use stockade_model::{Object, Severity, labels::selector_selects};

use super::helpers::{
    Autoscalers, is_hpa, is_pdb, is_replicated, min_replicas, namespace, template_labels,
};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK407",
    name: "pod-disruption-budget-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Multi-replica workload has no PodDisruptionBudget",
    remediation: "Add a PodDisruptionBudget whose selector matches the workload's pods, with `maxUnavailable: 1` or a `minAvailable` below the replica count.",
    references: &[],
    aliases: &[
        "polaris:missingPodDisruptionBudget",
        "kube-score:deployment-has-poddisruptionbudget",
        "kube-score:statefulset-has-poddisruptionbudget",
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
    let mut pdbs: HashMap<&str, Vec<&Arc<Object>>> = HashMap::new();
    for p in ctx.objects.iter().filter(|o| is_pdb(o)) {
        pdbs.entry(namespace(p)).or_default().push(p);
    }
    for w in ctx.objects.iter().filter(|o| is_replicated(o)) {
        let Some(r) = min_replicas(w, &hpas) else {
            continue;
        };
        if r.count < 2 {
            continue;
        }
        let labels = template_labels(w);
        let covered = pdbs.get(namespace(w)).is_some_and(|ps| {
            ps.iter().any(|p| {
                p.root
                    .at(&["spec", "selector"])
                    .is_some_and(|s| s.is_map() && selector_selects(s, labels))
            })
        });
        if !covered {
            let via = if r.hpa.is_some() {
                " (HPA minReplicas)"
            } else {
                ""
            };
            out.at(
                w,
                r.node,
                r.path,
                stockade_model::format_exact!(
                    "{} \"{}\" runs {} replicas{via} and no PodDisruptionBudget selects its pods",
                    w.kind,
                    w.name,
                    r.count
                ),
            );
        }
    }
}
