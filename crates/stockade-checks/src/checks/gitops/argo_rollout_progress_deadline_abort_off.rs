//! ## What it does
//! Flags Argo Rollouts that do not set `spec.progressDeadlineAbort: true`. Off by default.
//!
//! ## Why it matters
//! When a rollout makes no progress within `progressDeadlineSeconds` (pods crash-looping,
//! never ready), Argo Rollouts marks it Degraded but, unless `progressDeadlineAbort` is true,
//! leaves the new ReplicaSet running and the canary taking its share of traffic. Aborting
//! scales the new version down and sends all traffic back to the stable one.
//!
//! It is opt-in because the default keeps the failed pods for debugging, which some teams
//! prefer.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Rollout
//! metadata:
//!   name: api
//! spec: # finding
//!   progressDeadlineSeconds: 600
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
//!   progressDeadlineSeconds: 600
//!   progressDeadlineAbort: true
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
//! - <https://argo-rollouts.readthedocs.io/en/stable/features/specification/>

use stockade_model::Severity;

use super::helpers::is_argo_rollout;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK924",
    name: "argo-rollout-progress-deadline-abort-off",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: false,
    summary: "Argo Rollout keeps a stuck new version running",
    remediation: "Set `spec.progressDeadlineAbort: true` so a stuck rollout is aborted and traffic returns to the stable version.",
    references: &[],
    aliases: &["datree:ARGO_ROLLOUT_INCORRECT_PROGRESS_DEADLINE_ABORT_VALUE_FALSE"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_argo_rollout(o) {
        return;
    }
    let spec = o.root.get("spec");
    let abort = spec.and_then(|s| s.get("progressDeadlineAbort"));
    if abort.and_then(|a| a.as_bool()) == Some(true) {
        return;
    }
    out.at(
        abort.or(spec).unwrap_or(&o.root),
        "spec.progressDeadlineAbort",
        stockade_model::format_exact!(
            "Rollout \"{}\" does not set progressDeadlineAbort, so a stuck rollout keeps running",
            o.name
        ),
    );
}
