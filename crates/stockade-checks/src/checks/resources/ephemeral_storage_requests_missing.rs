//! ## What it does
//! Flags regular and init containers without `resources.requests.ephemeral-storage` (a
//! limit counts too, since the API server copies a limit into a missing request), unless the
//! pod sets a pod-level ephemeral-storage request or limit in `spec.resources`. Ephemeral
//! containers cannot set resources and are not checked. Off by default.
//!
//! ## Why it matters
//! Container logs, writable layers and `emptyDir` volumes live on the node's disk. The
//! scheduler places a pod by its ephemeral-storage request; without one it assumes zero and
//! can pack pods onto a node whose disk is nearly full. When the disk fills, the kubelet
//! evicts pods, starting with those that use more than they requested — which, with no
//! request, is every pod that writes anything.
//!
//! It is opt-in because most workloads write little to local disk and many clusters manage
//! disk pressure with a namespace LimitRange default; enable it where node disks are small or
//! workloads write scratch data.
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
//!               ephemeral-storage: 1Gi
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage>

use stockade_model::Severity;

use super::helpers::{Bound, report_missing};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK305",
    name: "ephemeral-storage-requests-missing",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: false,
    summary: "Container has no ephemeral-storage request",
    remediation: "Set `resources.requests.ephemeral-storage` to what the container writes to local disk (logs, writable layer, emptyDir).",
    references: &[],
    aliases: &["kube-score:container-ephemeral-storage-request-and-limit"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_missing(
        ctx,
        out,
        Bound::Request,
        "ephemeral-storage",
        "ephemeral-storage request",
    );
}
