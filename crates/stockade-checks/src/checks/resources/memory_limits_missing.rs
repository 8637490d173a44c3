//! ## What it does
//! Flags regular and init containers without `resources.limits.memory`, unless the pod sets
//! a pod-level memory limit in `spec.resources` (Kubernetes 1.32+). Ephemeral containers
//! cannot set resources and are not checked.
//!
//! ## Why it matters
//! Memory is not compressible. A container without a limit can grow until the node runs out,
//! and then the kernel's OOM killer or the kubelet's eviction picks victims among all pods on
//! the node, not just the one that leaked. A limit confines the damage to the offender, which
//! is restarted. Setting the limit equal to the request makes the container's memory
//! behaviour predictable.
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
//!               memory: 256Mi
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{Bound, report_missing};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK304",
    name: "memory-limits-missing",
    category: Category::Resources,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container has no memory limit",
    remediation: "Set `resources.limits.memory` (commonly equal to the request).",
    references: &["NSA/CISA: resource limits"],
    aliases: &[
        "polaris:memoryLimitsMissing",
        "kubesec:LimitsMemory",
        "checkov:CKV_K8S_13",
        "trivy:KSV-0018",
        "kubescape:C-0271",
        "datree:CONTAINERS_MISSING_MEMORY_LIMIT_KEY",
        "kubescape:C-0004",
        "kubescape:C-0009",
        "kube-linter:unset-memory-requirements",
        "kube-score:container-resources",
        "kubescape:C-0303",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_missing(ctx, out, Bound::Limit, "memory", "memory limit");
}
