//! ## What it does
//! Flags Linux containers (regular, init and ephemeral) whose effective `runAsUser` (their
//! own, or the pod's) is unset or 10000 or below. Off by default: it asks more than the Pod
//! Security Standards do, and most images need their `runAsUser` chosen with care; enable it
//! where workloads are meant to run with IDs that no node account uses.
//!
//! ## Why it matters
//! Low user IDs are the ones the node's own accounts use. A process that escapes its
//! container, or reaches host files through a volume, acts with the rights of the node's
//! user that has the same ID. Running with an ID above 10000, which no host account
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
//!     runAsUser: 1000 # finding
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
//!     runAsUser: 10001
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
    id: "STK020",
    name: "low-user-id",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: false,
    summary: "Container's runAsUser is unset or not above 10000",
    remediation: "Set `securityContext.runAsUser` to an ID above 10000 that the image can run with.",
    references: &["NSA/CISA: non-root containers"],
    aliases: &[
        "kubesec:RunAsUser",
        "checkov:CKV_K8S_40",
        "trivy:KSV-0020",
        "datree:CONTAINERS_INCORRECT_RUNASUSER_VALUE_LOWUID",
        "kube-score:container-security-context-user-group-id",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    report_low_id(ctx, out, "runAsUser", "user");
}
