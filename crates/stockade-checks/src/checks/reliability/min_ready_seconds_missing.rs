//! ## What it does
//! Flags Deployments, StatefulSets, DaemonSets and Argo Rollouts that do not set
//! `spec.minReadySeconds` (or set it to 0). Off by default.
//!
//! ## Why it matters
//! `minReadySeconds` is how long a new pod must stay ready before a rollout counts it as
//! available and moves on to replace the next old pod. With 0, a pod that passes its first
//! readiness check and crashes a few seconds later still lets the rollout proceed, so a bad
//! release can replace every healthy pod before anything notices. A few seconds to a minute
//! of soak time is the cheapest canary there is.
//!
//! It is opt-in because the right value depends on how fast a workload fails, and a
//! readiness probe with a sensible `initialDelaySeconds` already covers many cases.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec: # finding
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
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 3
//!   minReadySeconds: 20
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

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK405",
    name: "min-ready-seconds-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "Workload rollout does not wait for new pods to stay ready (minReadySeconds unset)",
    remediation: "Set `spec.minReadySeconds` to how long a new pod must stay ready before the rollout continues.",
    references: &[],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let rolled = matches!(
        (o.group(), o.kind.as_str()),
        ("apps", "Deployment" | "StatefulSet" | "DaemonSet") | ("argoproj.io", "Rollout")
    );
    if !rolled {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    match spec.get("minReadySeconds").filter(|n| !n.is_null()) {
        None => out.at(
            spec,
            "spec",
            stockade_model::format_exact!("{} \"{}\" does not set minReadySeconds", o.kind, o.name),
        ),
        Some(n) if n.as_i64() == Some(0) => out.at(
            n,
            "spec.minReadySeconds",
            stockade_model::format_exact!("{} \"{}\" sets minReadySeconds to 0", o.kind, o.name),
        ),
        Some(_) => {}
    }
}
