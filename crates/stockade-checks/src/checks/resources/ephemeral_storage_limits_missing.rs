//! ## What it does
//! Flags regular and init containers without `resources.limits.ephemeral-storage`, unless
//! the pod sets a pod-level ephemeral-storage limit in `spec.resources`. Ephemeral containers
//! cannot set resources and are not checked. Off by default.
//!
//! ## Why it matters
//! Without a limit, one container that logs in a loop or fills an `emptyDir` can fill the
//! node's disk. The kubelet then reports disk pressure and evicts pods — not only the
//! culprit — and stops admitting new ones. With a limit, the kubelet evicts just the pod
//! that went over it.
//!
//! It is opt-in for the same reasons as `ephemeral-storage-requests-missing`: most
//! workloads write little locally, and a LimitRange can supply a namespace-wide default.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: report
//! spec:
//!   containers:
//!     - name: render # finding
//!       image: render:1.4.0
//!       resources:
//!         requests:
//!           ephemeral-storage: 1Gi
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: report
//! spec:
//!   containers:
//!     - name: render
//!       image: render:1.4.0
//!       resources:
//!         requests:
//!           ephemeral-storage: 1Gi
//!         limits:
//!           ephemeral-storage: 2Gi
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
    id: "STK306",
    name: "ephemeral-storage-limits-missing",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: false,
    summary: "Container has no ephemeral-storage limit",
    remediation: "Set `resources.limits.ephemeral-storage` so that a container filling the disk is evicted alone.",
    references: &[],
    aliases: &["kube-score:container-ephemeral-storage-request-and-limit"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_missing(
        ctx,
        out,
        Bound::Limit,
        "ephemeral-storage",
        "ephemeral-storage limit",
    );
}
