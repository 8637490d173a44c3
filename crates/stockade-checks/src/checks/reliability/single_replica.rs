//! ## What it does
//! Flags Deployments, StatefulSets and Argo Rollouts that run a single replica: `replicas: 1`,
//! or no `replicas` (the API server defaults it to 1). A workload that a HorizontalPodAutoscaler
//! in the scanned input scales is not flagged here: the HPA decides its replica count, and
//! `hpa-single-min-replica` flags an HPA whose minimum is 1. `replicas: 0` (scaled down on
//! purpose) and values that are not numbers (template placeholders) are not flagged.
//!
//! ## Why it matters
//! One replica is one point of failure. A node drain, a node failure, an eviction or an
//! out-of-memory kill takes the whole service down until a new pod is scheduled, pulled and
//! ready. With two or more replicas, spread across nodes, these events only reduce capacity.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 1 # finding
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
//! ```
//!
//! ## Options
//! None. Singletons that cannot run twice (a leader without election, a database without
//! replication) are better suppressed with a reason than left to this check.

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use super::helpers::{Autoscalers, is_hpa, is_replicated, min_replicas};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK403",
    name: "single-replica",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Workload runs a single replica",
    remediation: "Set `spec.replicas` to 2 or more (or let an HPA with `minReplicas` of 2 or more scale it).",
    references: &[],
    aliases: &[
        "polaris:deploymentMissingReplicas",
        "kube-score:deployment-replicas",
        "datree:DEPLOYMENT_INCORRECT_REPLICAS_VALUE",
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

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let hpas = Autoscalers::new(ctx.objects);
    for w in ctx.objects.iter().filter(|o| is_replicated(o)) {
        let Some(r) = min_replicas(w, &hpas) else {
            continue;
        };
        if r.hpa.is_some() || r.count != 1 {
            continue;
        }
        let how = if r.path == "spec.replicas" {
            "runs a single replica"
        } else {
            "sets no replicas, so it runs a single one"
        };
        out.at(
            w,
            r.node,
            r.path,
            stockade_model::format_exact!("{} \"{}\" {how}", w.kind, w.name),
        );
    }
}
