//! ## What it does
//! Flags HorizontalPodAutoscalers whose `minReplicas` is 1, or unset (the API server
//! defaults it to 1). `minReplicas: 0` (scale to zero, behind a feature gate) is deliberate
//! and not flagged.
//!
//! ## Why it matters
//! An HPA scales its workload down to `minReplicas` whenever load is low — at night, on
//! weekends, in a quiet region. With a minimum of 1 the service then has a single point of
//! failure: one node drain or crash is an outage, and a burst of traffic hits one pod while
//! new ones start.
//!
//! ## Example
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: api
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: api
//!   minReplicas: 1 # finding
//!   maxReplicas: 10
//!   metrics:
//!     - type: Resource
//!       resource:
//!         name: cpu
//!         target: {type: Utilization, averageUtilization: 70}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: api
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: api
//!   minReplicas: 2
//!   maxReplicas: 10
//!   metrics:
//!     - type: Resource
//!       resource:
//!         name: cpu
//!         target: {type: Utilization, averageUtilization: 70}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{hpa_min, is_hpa};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK410",
    name: "hpa-single-min-replica",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "HorizontalPodAutoscaler can scale down to a single replica",
    remediation: "Set `minReplicas` to 2 or more.",
    references: &[],
    aliases: &[
        "polaris:hpaMinAvailability",
        "kube-score:horizontalpodautoscaler-replicas",
        "datree:HPA_MISSING_MINREPLICAS_KEY",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_hpa(o) || hpa_min(o) != Some(1) {
        return;
    }
    let name = &o.name;
    match o.root.at(&["spec", "minReplicas"]).filter(|n| !n.is_null()) {
        Some(n) => out.at(
            n,
            "spec.minReplicas",
            stockade_model::format_exact!("HorizontalPodAutoscaler \"{name}\" has minReplicas 1"),
        ),
        None => out.at(
            o.root.get("spec").unwrap_or(&o.root),
            "spec",
            stockade_model::format_exact!(
                "HorizontalPodAutoscaler \"{name}\" sets no minReplicas, so it defaults to 1"
            ),
        ),
    }
}
