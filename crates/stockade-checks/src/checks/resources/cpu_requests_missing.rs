//! ## What it does
//! Flags regular and init containers without `resources.requests.cpu`. A CPU limit counts
//! (the API server copies it into the missing request), and so does a pod-level
//! `spec.resources` request or limit (Kubernetes 1.32+). Ephemeral containers cannot set
//! resources and are not checked. A LimitRange in the target namespace may fill in a default
//! at admission; a manifest scan cannot see it, so suppress the check there if you rely on one.
//!
//! ## Why it matters
//! The scheduler places pods by their requests. Without a CPU request a container is scheduled
//! as if it needed nothing, lands on already busy nodes, and under contention gets the
//! smallest share of CPU (the minimum CPU weight), so it slows down exactly when load rises.
//! Requests are also what the HorizontalPodAutoscaler's utilisation targets are computed from.
//!//! ## Example
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
//!           resources:
//!             requests:
//!               cpu: 250m
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{Bound, report_missing};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK301",
    name: "cpu-requests-missing",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: true,
    summary: "Container has no CPU request",
    remediation: "Set `resources.requests.cpu` to the CPU the container needs under normal load.",
    references: &["NSA/CISA: resource limits"],
    aliases: &[
        "polaris:cpuRequestsMissing",
        "kubesec:RequestsCPU",
        "checkov:CKV_K8S_10",
        "trivy:KSV-0015",
        "kubescape:C-0268",
        "datree:CONTAINERS_MISSING_CPU_REQUEST_KEY",
        "kubescape:C-0050",
        "kube-linter:unset-cpu-requirements",
        "kube-score:container-resources",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_missing(ctx, out, Bound::Request, "cpu", "CPU request");
}
