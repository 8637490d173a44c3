//! ## What it does
//! Flags regular and init containers without `resources.requests.memory`. A memory limit
//! counts (the API server copies it into the missing request), and so does a pod-level
//! `spec.resources` request or limit (Kubernetes 1.32+). Ephemeral containers cannot set
//! resources and are not checked. A LimitRange default is invisible to a manifest scan.
//!
//! ## Why it matters
//! Without a memory request the scheduler assumes the container needs none and can pack it
//! onto a node that has no memory to spare. When the node runs short, pods that use more
//! than they requested are evicted first, and a pod with no requests at all is BestEffort:
//! the first to be killed.
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
    id: "STK302",
    name: "memory-requests-missing",
    category: Category::Resources,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container has no memory request",
    remediation: "Set `resources.requests.memory` to the memory the container needs under normal load.",
    references: &["NSA/CISA: resource limits"],
    aliases: &[
        "polaris:memoryRequestsMissing",
        "kubesec:RequestsMemory",
        "checkov:CKV_K8S_12",
        "trivy:KSV-0016",
        "kubescape:C-0269",
        "datree:CONTAINERS_MISSING_MEMORY_REQUEST_KEY",
        "kubescape:C-0004",
        "kube-linter:unset-memory-requirements",
        "kube-score:container-resources",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_missing(ctx, out, Bound::Request, "memory", "memory request");
}
