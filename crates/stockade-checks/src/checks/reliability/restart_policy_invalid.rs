//! ## What it does
//! Flags pod templates whose `restartPolicy` does not fit their controller:
//!
//! - Deployments, StatefulSets, DaemonSets and ReplicaSets (`apps`) with a `restartPolicy`
//!   other than `Always`;
//! - Jobs and CronJobs (`batch`) whose template sets no `restartPolicy` (it defaults to
//!   `Always`) or sets `Always`; they need `OnFailure` or `Never`.
//!
//! ## Why it matters
//! The API server rejects both cases, so the manifest fails at apply time, often in a
//! pipeline long after review; a template copied between a Deployment and a Job is the usual
//! cause.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: report
//! spec:
//!   schedule: "0 3 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: Always # finding
//!           containers:
//!             - name: report
//!               image: report:2.1.0
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: report
//! spec:
//!   schedule: "0 3 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: report
//!               image: report:2.1.0
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK422",
    name: "restart-policy-invalid",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "Pod template's restartPolicy does not fit its controller",
    remediation: "Use `restartPolicy: Always` (or leave it unset) for long-running workloads, and `OnFailure` or `Never` for Jobs and CronJobs.",
    references: &[],
    aliases: &[
        "kube-linter:restart-policy",
        "kube-score:cronjob-restartpolicy",
        "datree:WORKLOAD_INCORRECT_RESTARTPOLICY_VALUE_ALWAYS",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let long_running = o.group() == "apps"
        && matches!(
            o.kind.as_str(),
            "Deployment" | "StatefulSet" | "DaemonSet" | "ReplicaSet"
        );
    let batch = o.group() == "batch" && matches!(o.kind.as_str(), "Job" | "CronJob");
    if !long_running && !batch {
        return;
    }
    for pod in ctx.pods {
        let policy = pod.field("restartPolicy");
        let value = policy.and_then(|p| p.as_str());
        match (long_running, policy, value) {
            (true, Some(p), Some(v)) if v != "Always" => out.at(
                p,
                stockade_model::format_exact!("{}.restartPolicy", pod.path),
                stockade_model::format_exact!("{} \"{}\" sets restartPolicy {v}; only Always is allowed", o.kind, o.name),
            ),
            (false, Some(p), Some("Always")) => out.at(
                p,
                stockade_model::format_exact!("{}.restartPolicy", pod.path),
                stockade_model::format_exact!("{} \"{}\" sets restartPolicy Always; a Job needs OnFailure or Never", o.kind, o.name),
            ),
            (false, None, _) => out.at(
                pod.spec,
                pod.path.clone(),
                stockade_model::format_exact!("{} \"{}\" sets no restartPolicy (it defaults to Always); a Job needs OnFailure or Never", o.kind, o.name),
            ),
            _ => {}
        }
    }
}
