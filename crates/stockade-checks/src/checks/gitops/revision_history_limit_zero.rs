//! ## What it does
//! Flags Argo Rollouts and Deployments that set `spec.revisionHistoryLimit: 0`.
//!
//! ## Why it matters
//! The revision history is the set of old ReplicaSets kept to roll back to. With a limit of
//! 0 they are deleted as soon as a rollout finishes, so `kubectl rollout undo`, `kubectl argo
//! rollouts undo` and Argo CD's rollback have nothing to go back to: recovering from a bad
//! release means building and shipping a new one under pressure.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Rollout
//! metadata:
//!   name: api
//! spec:
//!   revisionHistoryLimit: 0 # finding
//!   strategy:
//!     canary:
//!       steps:
//!         - setWeight: 20
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Rollout
//! metadata:
//!   name: api
//! spec:
//!   revisionHistoryLimit: 3
//!   strategy:
//!     canary:
//!       steps:
//!         - setWeight: 20
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#revision-history-limit>
//! - <https://argo-rollouts.readthedocs.io/en/stable/features/specification/>

use stockade_model::Severity;

use super::helpers::is_argo_rollout;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK922",
    name: "revision-history-limit-zero",
    category: Category::Gitops,
    severity: Severity::Medium,
    default_on: true,
    summary: "Rollout or Deployment keeps no revision history to roll back to",
    remediation: "Set `revisionHistoryLimit` to at least 1 (the default is 10).",
    references: &[],
    aliases: &["datree:ARGO_WORKFLOW_INCORRECT_REVISION_HISTORY_LIMIT_VALUE_0"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let deployment = o.kind == "Deployment" && o.group() == "apps";
    if !(is_argo_rollout(o) || deployment) {
        return;
    }
    let Some(node) = o.root.at(&["spec", "revisionHistoryLimit"]) else {
        return;
    };
    if node.as_i64() == Some(0) {
        out.at(
            node,
            "spec.revisionHistoryLimit",
            stockade_model::format_exact!(
                "{} \"{}\" sets revisionHistoryLimit to 0, leaving nothing to roll back to",
                o.kind,
                o.name
            ),
        );
    }
}
