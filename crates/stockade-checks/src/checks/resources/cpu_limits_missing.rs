//! ## What it does
//! Flags regular and init containers without `resources.limits.cpu`, unless the pod sets a
//! pod-level CPU limit in `spec.resources` (Kubernetes 1.32+). Ephemeral containers cannot
//! set resources and are not checked. Off by default.
//!
//! ## Why it matters
//! A CPU limit caps how much CPU a container can take from its neighbours, which matters on
//! shared, multi-tenant nodes and is what some policies (and a namespace's ResourceQuota on
//! `limits.cpu`) require.
//!
//! The trade-off is why this check is opt-in: CPU is compressible, and a container at its
//! limit is throttled by the CFS quota even when the node has idle CPU, which shows up as
//! latency spikes, slow starts and failed probes. With CPU requests set (see
//! `cpu-requests-missing`) every container already gets its fair share under contention, so
//! many operators deliberately leave CPU limits unset. Enable this check where hard caps are
//! the policy.
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
//!             limits:
//!               cpu: "1"
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{Bound, report_missing};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK303",
    name: "cpu-limits-missing",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: false,
    summary: "Container has no CPU limit",
    remediation: "Set `resources.limits.cpu` if the workload must be capped, knowing that it will be throttled at the limit.",
    references: &["NSA/CISA: resource limits"],
    aliases: &[
        "polaris:cpuLimitsMissing",
        "kubesec:LimitsCPU",
        "checkov:CKV_K8S_11",
        "trivy:KSV-0011",
        "kubescape:C-0270",
        "datree:CONTAINERS_MISSING_CPU_LIMIT_KEY",
        "kubescape:C-0050",
        "kubescape:C-0009",
        "kube-linter:unset-cpu-requirements",
        "kube-score:container-resources",
        "kubescape:C-0303",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_missing(ctx, out, Bound::Limit, "cpu", "CPU limit");
}
