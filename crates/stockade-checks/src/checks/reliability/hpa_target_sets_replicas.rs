//! ## What it does
//! Flags Deployments and StatefulSets (`apps`) that set `spec.replicas` while a
//! HorizontalPodAutoscaler of the input (same namespace) scales them.
//!
//! ## Why it matters
//! The autoscaler owns the replica count. Every `kubectl apply` or GitOps sync of a manifest
//! that also sets `replicas` resets the count to the written value, so a workload scaled up
//! under load drops back, sometimes to a single pod, until the autoscaler reacts again.
//! Leave `replicas` out and let the autoscaler's `minReplicas` set the floor.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   replicas: 2 # finding
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//! ---
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: web
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: web
//!   minReplicas: 2
//!   maxReplicas: 10
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
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
//! ---
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: web
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: web
//!   minReplicas: 2
//!   maxReplicas: 10
//! ```
//!
//! ## Options
//! None.

use foldhash::{HashSet, HashSetExt};
use stockade_model::PodSpec;

use stockade_model::{Object, Severity};

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK427",
    name: "hpa-target-sets-replicas",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "Workload scaled by a HorizontalPodAutoscaler also sets replicas",
    remediation: "Remove `spec.replicas` from the workload; the autoscaler's `minReplicas` sets the floor.",
    references: &[],
    aliases: &["kube-score:deployment-targeted-by-hpa-does-not-have-replicas-configured"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_hpa(o: &Object) -> bool {
    o.kind == "HorizontalPodAutoscaler" && o.group() == "autoscaling"
}

fn is_workload(o: &Object) -> bool {
    o.group() == "apps" && matches!(o.kind.as_str(), "Deployment" | "StatefulSet")
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_hpa(o) || is_workload(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    // (namespace, kind, name) of every scale target.
    let mut targets: HashSet<(Option<&str>, &str, &str)> = HashSet::new();
    for hpa in ctx.objects.iter().filter(|o| is_hpa(o)) {
        let Some(t) = hpa.root.at(&["spec", "scaleTargetRef"]) else {
            continue;
        };
        if let (Some(kind), Some(name)) = (t.str_at("kind"), t.str_at("name")) {
            targets.insert((hpa.namespace.as_deref(), kind, name));
        }
    }
    if targets.is_empty() {
        return;
    }
    for w in ctx.objects.iter().filter(|o| is_workload(o)) {
        if !targets.contains(&(w.namespace.as_deref(), w.kind.as_str(), w.name.as_str())) {
            continue;
        }
        if let Some(r) = w.root.at(&["spec", "replicas"]).filter(|r| !r.is_null()) {
            out.at(
                w,
                r,
                "spec.replicas",
                stockade_model::format_exact!(
                    "{} \"{}\" sets replicas although a HorizontalPodAutoscaler scales it; every apply resets the count",
                    w.kind, w.name
                ),
            );
        }
    }
}
