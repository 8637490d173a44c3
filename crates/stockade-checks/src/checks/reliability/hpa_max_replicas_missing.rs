//! ## What it does
//! Flags HorizontalPodAutoscalers (any `autoscaling` version) with no `spec.maxReplicas`.
//!
//! ## Why it matters
//! `maxReplicas` is the autoscaler's ceiling and the API server requires it: the object is
//! rejected, so the workload never scales while the change looks merged. Written as a
//! conscious bound, it also keeps a traffic spike or a metrics bug from scaling a workload
//! past what its dependencies (a database's connection limit, a licence, the cluster's
//! capacity) can take.
//!
//! ## Example
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: api
//! spec: # finding
//!   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
//!   minReplicas: 2
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: api
//! spec:
//!   scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: api}
//!   minReplicas: 2
//!   maxReplicas: 10
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/tasks/run-application/horizontal-pod-autoscale/>

use stockade_model::Severity;

use super::helpers::is_hpa;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK429",
    name: "hpa-max-replicas-missing",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "HorizontalPodAutoscaler sets no maxReplicas",
    remediation: "Set `spec.maxReplicas` to the most replicas the workload and its dependencies can take.",
    references: &[],
    aliases: &["datree:HPA_MISSING_MAXREPLICAS_KEY"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_hpa(o) {
        return;
    }
    let spec = o.root.get("spec");
    if spec
        .and_then(|s| s.get("maxReplicas"))
        .is_some_and(|m| !m.is_null())
    {
        return;
    }
    out.at(
        spec.unwrap_or(&o.root),
        "spec.maxReplicas",
        stockade_model::format_exact!("HorizontalPodAutoscaler \"{}\" sets no maxReplicas", o.name),
    );
}
