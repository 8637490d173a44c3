//! ## What it does
//! Flags HorizontalPodAutoscalers (`autoscaling`) whose `spec.minReplicas` is below 3, or unset
//! (the default is 1). Off by default: `hpa-single-min-replica` (STK410) already reports a
//! minimum of one; this check is for services held to three replicas.
//!
//! ## Why it matters
//! The autoscaler may scale down to its minimum whenever load is low. With fewer than three
//! replicas, a node drain and a failure at the same time leave the service without a ready
//! pod, and a sudden burst of load starts from too little capacity.
//!
//! ## Example
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: web
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: web
//!   minReplicas: 2 # finding
//!   maxReplicas: 10
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: web
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: web
//!   minReplicas: 3
//!   maxReplicas: 10
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK425",
    name: "hpa-min-replicas-below-three",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "HorizontalPodAutoscaler may scale below three replicas",
    remediation: "Set `spec.minReplicas` to 3 or more.",
    references: &[],
    aliases: &["kube-linter:hpa-minimum-three-replicas"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.group() != "autoscaling" || o.kind != "HorizontalPodAutoscaler" {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    match spec.get("minReplicas").filter(|r| !r.is_null()) {
        Some(r) => {
            if let Some(n) = r.as_i64().filter(|&n| n < 3) {
                out.at(
                    r,
                    "spec.minReplicas",
                    stockade_model::format_exact!(
                        "HorizontalPodAutoscaler \"{}\" has minReplicas {n}, below 3",
                        o.name
                    ),
                );
            }
        }
        None => out.at(
            spec,
            "spec",
            stockade_model::format_exact!(
                "HorizontalPodAutoscaler \"{}\" sets no minReplicas (the default is 1), below 3",
                o.name
            ),
        ),
    }
}
