//! ## What it does
//! Flags Argo Rollouts canary steps `pause` with no `duration`. Off by default.
//!
//! ## Why it matters
//! A pause without a duration waits until someone promotes the Rollout by hand. Until then
//! the canary keeps its share of traffic and the old version keeps running beside it; when
//! nobody is watching (a release at night, a bot's image bump) the rollout stalls
//! indefinitely, and the next change piles onto a half-finished one. A duration (with an
//! analysis step to abort on bad metrics) lets the rollout finish on its own.
//!
//! It is opt-in because manual promotion gates are a deliberate choice in many teams.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Rollout
//! metadata:
//!   name: api
//! spec:
//!   strategy:
//!     canary:
//!       steps:
//!         - setWeight: 20
//!         - pause: {} # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Rollout
//! metadata:
//!   name: api
//! spec:
//!   strategy:
//!     canary:
//!       steps:
//!         - setWeight: 20
//!         - pause: {duration: 10m}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://argo-rollouts.readthedocs.io/en/stable/features/canary/>

use stockade_model::Severity;

use super::helpers::is_argo_rollout;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK921",
    name: "argo-rollout-pause-without-duration",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: false,
    summary: "Argo Rollout pause step waits for manual promotion",
    remediation: "Give the pause step a `duration`, and add an analysis step to abort on bad metrics.",
    references: &[],
    aliases: &["datree:ARGO_ROLLOUT_MISSING_PAUSE_DURATION"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_argo_rollout(o) {
        return;
    }
    let Some(steps) = o.root.at(&["spec", "strategy", "canary", "steps"]) else {
        return;
    };
    for (i, step) in steps.items().iter().enumerate() {
        let Some(pause) = step.get("pause") else {
            continue;
        };
        if pause.get("duration").is_none_or(|d| d.is_null()) {
            out.at(
                pause,
                stockade_model::format_exact!("spec.strategy.canary.steps[{i}].pause"),
                stockade_model::format_exact!(
                    "Rollout \"{}\" step {i} pauses with no duration, waiting for manual promotion",
                    o.name
                ),
            );
        }
    }
}
