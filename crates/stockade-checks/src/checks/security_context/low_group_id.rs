//! ## What it does
//! Flags Linux containers (regular, init and ephemeral) whose effective `runAsGroup` (their
//! own, or the pod's) is unset or 10000 or below. Off by default: it asks more than the Pod
//! Security Standards do, and most images need their `runAsGroup` chosen with care; enable it
//! where workloads are meant to run with IDs that no node account uses.
//!
//! ## Why it matters
//! Low group IDs are the ones the node's own accounts use. A process that escapes its
//! container, or reaches host files through a volume, acts with the rights of the node's
//! group that has the same ID. Running with an ID above 10000, which no host account
//! has, leaves it no such rights. Left unset, the ID is whatever the image declares, often 0.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   securityContext:
//!     runAsGroup: 1000 # finding
//!   containers:
//!     - name: web
//!       image: nginxinc/nginx-unprivileged:1.27
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   securityContext:
//!     runAsGroup: 10001
//!   containers:
//!     - name: web
//!       image: nginxinc/nginx-unprivileged:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::report_low_id;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK021",
    name: "low-group-id",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: false,
    summary: "Container's runAsGroup is unset or not above 10000",
    remediation: "Set `securityContext.runAsGroup` to an ID above 10000 that the image can run with.",
    references: &["NSA/CISA: non-root containers"],
    aliases: &[
        "kubesec:RunAsGroup",
        "trivy:KSV-0021",
        "datree:CONTAINERS_INCORRECT_RUNASGROUP_VALUE_LOWGID",
        "kube-score:container-security-context-user-group-id",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_low_id(ctx, out, "runAsGroup", "group");
}
