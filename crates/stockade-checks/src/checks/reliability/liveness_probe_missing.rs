//! ## What it does
//! Flags long-running containers without a `livenessProbe`: regular containers, and native
//! sidecars (init containers with `restartPolicy: Always`), of pods that run until stopped.
//! Not checked: Jobs, CronJobs and job-like CRDs (Argo Workflows, Tekton, `RayJob`,
//! `JobSet`, Kubeflow jobs), pods with `restartPolicy: Never` or `OnFailure`, ordinary init
//! containers and ephemeral containers, which run once.
//!
//! ## Why it matters
//! Without a liveness probe the kubelet restarts a container only when its process exits. A
//! deadlocked, wedged or leaking process keeps running and keeps receiving whatever traffic
//! its readiness allows, until someone notices. A liveness probe turns that into an automatic
//! restart. Keep it cheap and independent of downstream services, or an outage of a
//! dependency restarts every replica at once.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api # finding
//!           image: api:2.3.1
//!           readinessProbe:
//!             httpGet: {path: /ready, port: 8080}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//!           readinessProbe:
//!             httpGet: {path: /ready, port: 8080}
//!           livenessProbe:
//!             httpGet: {path: /healthz, port: 8080}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{has_probe, is_long_running, serving_containers};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK401",
    name: "liveness-probe-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Long-running container has no liveness probe",
    remediation: "Add a `livenessProbe` that fails only when the process itself is broken (not when a dependency is down).",
    references: &[],
    aliases: &[
        "kube-linter:no-liveness-probe",
        "polaris:livenessProbeMissing",
        "checkov:CKV_K8S_8",
        "kubescape:C-0056",
        "datree:CONTAINERS_MISSING_LIVENESSPROBE_KEY",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if !is_long_running(ctx.object, pod) {
            continue;
        }
        for c in serving_containers(pod) {
            if !has_probe(c, "livenessProbe") {
                out.container(
                    c,
                    None,
                    stockade_model::format_exact!("{} has no liveness probe", c.label()),
                );
            }
        }
    }
}
