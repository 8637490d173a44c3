//! ## What it does
//! Flags standalone Jobs (`batch` Jobs with no `ownerReferences`) that do not set
//! `spec.ttlSecondsAfterFinished`. Jobs that a CronJob creates are cleaned up by its history
//! limits and are not checked; neither are Helm and Argo CD hook Jobs that carry a
//! `helm.sh/hook-delete-policy` or `argocd.argoproj.io/hook-delete-policy` annotation.
//!
//! ## Why it matters
//! A finished Job and its pods stay in the cluster until someone deletes them. They pile up
//! in etcd and in every `kubectl get pods`, keep their logs on the nodes, and — for a Job
//! re-applied by a pipeline — block the next apply, because a Job's pod template cannot be
//! changed. The TTL controller deletes a Job (and its pods) the given number of seconds after
//! it finishes.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1
//! kind: Job
//! metadata:
//!   name: migrate
//! spec: # finding
//!   template:
//!     spec:
//!       restartPolicy: Never
//!       containers:
//!         - name: migrate
//!           image: migrate:4.17.0
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: Job
//! metadata:
//!   name: migrate
//! spec:
//!   ttlSecondsAfterFinished: 86400
//!   template:
//!     spec:
//!       restartPolicy: Never
//!       containers:
//!         - name: migrate
//!           image: migrate:4.17.0
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/ttlafterfinished/>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK417",
    name: "job-ttl-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Standalone Job is never cleaned up (no ttlSecondsAfterFinished)",
    remediation: "Set `spec.ttlSecondsAfterFinished` so the Job and its pods are deleted after they finish.",
    references: &[],
    aliases: &["kube-linter:job-ttl-seconds-after-finished"],
    run: crate::Run::Object(run),
};

/// Annotations under which a deployment tool deletes its hook Jobs itself.
const HOOK_DELETE_POLICIES: &[&str] = &[
    "helm.sh/hook-delete-policy",
    "argocd.argoproj.io/hook-delete-policy",
];

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "Job" || o.group() != "batch" {
        return;
    }
    let meta = o.metadata();
    if meta
        .get("ownerReferences")
        .is_some_and(|r| !r.items().is_empty())
        || HOOK_DELETE_POLICIES
            .iter()
            .any(|a| meta.at(&["annotations", a]).is_some())
    {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    if spec
        .get("ttlSecondsAfterFinished")
        .is_none_or(|t| t.is_null())
    {
        out.at(
            spec,
            "spec",
            stockade_model::format_exact!("Job \"{}\" sets no ttlSecondsAfterFinished", o.name),
        );
    }
}
