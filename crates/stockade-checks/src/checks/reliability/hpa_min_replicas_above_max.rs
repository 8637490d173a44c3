//! ## What it does
//! Flags HorizontalPodAutoscalers whose `minReplicas` (1 when unset) is greater than their
//! `maxReplicas`.
//!
//! ## Why it matters
//! The API server rejects such an HPA, so the apply fails; and the intent cannot be read from
//! it — was the floor or the ceiling mistyped? Usually the two values were swapped, or one
//! was raised in a values file without the other.
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
//!   minReplicas: 10 # finding
//!   maxReplicas: 2
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
    id: "STK409",
    name: "hpa-min-replicas-above-max",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "HorizontalPodAutoscaler minReplicas is greater than maxReplicas",
    remediation: "Make `minReplicas` at most `maxReplicas`.",
    references: &[],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_hpa(o) {
        return;
    }
    let Some(max) = o.root.at(&["spec", "maxReplicas"]).and_then(|n| n.as_i64()) else {
        return;
    };
    let Some(min) = hpa_min(o) else {
        return;
    };
    if min > max {
        // minReplicas, or where it is not set (it defaults to 1), maxReplicas.
        let (node, path) = match o.root.at(&["spec", "minReplicas"]) {
            Some(n) => (n, "spec.minReplicas"),
            None => (
                o.root.at(&["spec", "maxReplicas"]).unwrap_or(&o.root),
                "spec.maxReplicas",
            ),
        };
        out.at(
            node,
            path,
            stockade_model::format_exact!(
                "HorizontalPodAutoscaler \"{}\" has minReplicas {min} above maxReplicas {max}",
                o.name
            ),
        );
    }
}
