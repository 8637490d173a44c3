//! ## What it does
//! Flags long-running containers without a `readinessProbe`: regular containers, and native
//! sidecars (init containers with `restartPolicy: Always`), of pods that run until stopped.
//! Not checked: Jobs, CronJobs and job-like CRDs (Argo Workflows, Tekton, `RayJob`,
//! `JobSet`, Kubeflow jobs), pods with `restartPolicy: Never` or `OnFailure`, ordinary init
//! containers and ephemeral containers. Knative Services, Configurations and Revisions are
//! not checked either: Knative probes the container's port by default.
//!
//! ## Why it matters
//! Without a readiness probe a pod counts as ready as soon as its containers start, before the
//! application listens or has loaded its data. Services send it traffic that fails, and a
//! rolling update moves on to the next replica while the new one is not serving, which can
//! take a whole Deployment down.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: search
//! spec:
//!   serviceName: search
//!   selector:
//!     matchLabels: {app: search}
//!   template:
//!     metadata:
//!       labels: {app: search}
//!     spec:
//!       containers:
//!         - name: search # finding
//!           image: search:8.15
//!           livenessProbe:
//!             tcpSocket: {port: 9200}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: search
//! spec:
//!   serviceName: search
//!   selector:
//!     matchLabels: {app: search}
//!   template:
//!     metadata:
//!       labels: {app: search}
//!     spec:
//!       containers:
//!         - name: search
//!           image: search:8.15
//!           livenessProbe:
//!             tcpSocket: {port: 9200}
//!           readinessProbe:
//!             httpGet: {path: /_cluster/health?local=true, port: 9200}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{has_probe, is_long_running, serving_containers};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK402",
    name: "readiness-probe-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Long-running container has no readiness probe",
    remediation: "Add a `readinessProbe` that succeeds only once the container can serve requests.",
    references: &[],
    aliases: &[
        "kube-linter:no-readiness-probe",
        "polaris:readinessProbeMissing",
        "checkov:CKV_K8S_9",
        "kubescape:C-0018",
        "datree:CONTAINERS_MISSING_READINESSPROBE_KEY",
        "kube-score:pod-probes",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    // Knative's queue-proxy probes the user container's port when no probe is given.
    if ctx.object.group() == "serving.knative.dev" {
        return;
    }
    for pod in ctx.pods {
        if !is_long_running(ctx.object, pod) {
            continue;
        }
        for c in serving_containers(pod) {
            if !has_probe(c, "readinessProbe") {
                out.container(
                    c,
                    None,
                    stockade_model::format_exact!("{} has no readiness probe", c.label()),
                );
            }
        }
    }
}
