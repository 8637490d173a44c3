//! ## What it does
//! Flags Deployments, StatefulSets and Argo Rollouts that run two or more replicas (by
//! `spec.replicas`, or by the `minReplicas` of an HPA in the scanned input that scales them)
//! and whose pod template sets neither `affinity.podAntiAffinity` nor
//! `topologySpreadConstraints`.
//!
//! ## Why it matters
//! The scheduler spreads pods of a workload only weakly by default, and not at all when one
//! node has far more free capacity than the others. All replicas can land on one node or in
//! one zone, where a single node failure, drain or zone outage takes every replica at once —
//! and the redundancy that the replica count promised is not there. A topology spread
//! constraint (or a preferred pod anti-affinity) on `kubernetes.io/hostname` and
//! `topology.kubernetes.io/zone` makes the spread explicit.
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
//!       topologySpreadConstraints:
//!         - maxSkew: 1
//!           topologyKey: kubernetes.io/hostname
//!           whenUnsatisfiable: ScheduleAnyway
//!           labelSelector:
//!             matchLabels: {app: api}
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None. Any anti-affinity term or spread constraint satisfies the check; whether its
//! selector matches the workload's own pods is not verified.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/>

use stockade_model::PodSpec;
use stockade_model::{Node, Object, Severity};

use super::helpers::{Autoscalers, is_hpa, is_replicated, min_replicas};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK413",
    name: "replica-spread-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Multi-replica workload has no pod anti-affinity or topology spread constraint",
    remediation: "Add `topologySpreadConstraints` (or a preferred `podAntiAffinity`) on `kubernetes.io/hostname` and `topology.kubernetes.io/zone` to the pod template.",
    references: &[],
    aliases: &[
        "kube-linter:no-anti-affinity",
        "kube-score:deployment-has-host-podantiaffinity",
        "kube-score:statefulset-has-host-podantiaffinity",
        "polaris:topologySpreadConstraint",
        "datree:EKS_MISSING_KEY_TOPOLOGYKEY",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_replicated(o) || is_hpa(o)
}

fn set(n: Option<&Node>) -> bool {
    n.is_some_and(|n| !n.entries().is_empty() || !n.items().is_empty())
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let hpas = Autoscalers::new(ctx.objects);
    for w in ctx.objects.iter().filter(|o| is_replicated(o)) {
        let Some(pod) = w.root.at(&["spec", "template", "spec"]) else {
            continue;
        };
        if set(pod.at(&["affinity", "podAntiAffinity"]))
            || set(pod.get("topologySpreadConstraints"))
        {
            continue;
        }
        let Some(r) = min_replicas(w, &hpas) else {
            continue;
        };
        if r.count < 2 {
            continue;
        }
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
                "{} \"{}\" runs {} replicas{via} with no pod anti-affinity or topology spread constraint",
                w.kind, w.name, r.count
            ),
        );
    }
}
