//! ## What it does
//! Flags HorizontalPodAutoscalers whose `minReplicas` (1 when unset) equals their
//! `maxReplicas`.
//!
//! ## Why it matters
//! Such an HPA never scales: it pins the replica count while looking like autoscaling, so a
//! reader (and a capacity plan) assumes headroom that is not there. Either give it room to
//! scale, or remove it and set `spec.replicas` on the workload.
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
//!   minReplicas: 4
//!   maxReplicas: 4 # finding
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
    id: "STK411",
    name: "hpa-min-equals-max",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "HorizontalPodAutoscaler minReplicas equals maxReplicas, so it never scales",
    remediation: "Raise `maxReplicas` above `minReplicas`, or drop the HPA and set `spec.replicas` on the workload.",
    references: &[],
    aliases: &["polaris:hpaMaxAvailability"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_hpa(o) {
        return;
    }
    let Some(max_node) = o.root.at(&["spec", "maxReplicas"]) else {
        return;
    };
    if let (Some(max), Some(min)) = (max_node.as_i64(), hpa_min(o))
        && min == max
    {
        out.at(
            max_node,
            "spec.maxReplicas",
            stockade_model::format_exact!(
                "HorizontalPodAutoscaler \"{}\" has minReplicas and maxReplicas both {max}: it never scales",
                o.name
            ),
        );
    }
}
