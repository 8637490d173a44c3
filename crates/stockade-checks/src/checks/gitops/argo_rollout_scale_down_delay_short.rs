//! ## What it does
//! Flags Argo Rollouts whose `scaleDownDelaySeconds` (blue-green, or canary with traffic
//! routing) is set below 30.
//!
//! ## Why it matters
//! After a promotion the old ReplicaSet is scaled down once this delay has passed. Until
//! every node's kube-proxy (or the mesh, or the ingress controller) has switched its routes
//! to the new pods, some requests still go to the old ones; scaling them down sooner drops
//! those requests. Argo Rollouts defaults to 30 seconds for that reason.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Rollout
//! metadata:
//!   name: api
//! spec:
//!   strategy:
//!     blueGreen:
//!       activeService: api
//!       previewService: api-preview
//!       scaleDownDelaySeconds: 5 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Rollout
//! metadata:
//!   name: api
//! spec:
//!   strategy:
//!     blueGreen:
//!       activeService: api
//!       previewService: api-preview
//!       scaleDownDelaySeconds: 30
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://argo-rollouts.readthedocs.io/en/stable/features/bluegreen/#scaledowndelayseconds>

use stockade_model::Severity;

use super::helpers::is_argo_rollout;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK923",
    name: "argo-rollout-scale-down-delay-short",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: true,
    summary: "Argo Rollout scales down the old version before routes have moved",
    remediation: "Set `scaleDownDelaySeconds` to at least 30, or remove it to get the default.",
    references: &[],
    aliases: &["datree:ARGO_ROLLOUT_INCORRECT_SCALE_DOWN_DELAY_VALUE_BELOW_30"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_argo_rollout(o) {
        return;
    }
    for strategy in ["blueGreen", "canary"] {
        let Some(node) = o
            .root
            .at(&["spec", "strategy", strategy, "scaleDownDelaySeconds"])
        else {
            continue;
        };
        if let Some(n) = node.as_i64().filter(|n| *n < 30) {
            out.at(
                node,
                stockade_model::format_exact!("spec.strategy.{strategy}.scaleDownDelaySeconds"),
                stockade_model::format_exact!(
                    "Rollout \"{}\" sets scaleDownDelaySeconds to {n}, below 30",
                    o.name
                ),
            );
        }
    }
}
