//! ## What it does
//! Flags long-running containers (regular containers and native sidecars of pods that are not
//! batch jobs) with no `lifecycle.preStop` hook. Off by default.
//!
//! ## Why it matters
//! When a pod is deleted, the kubelet sends SIGTERM at the same moment as the endpoints
//! controller starts removing the pod from Services; kube-proxy, ingress controllers and load
//! balancers take a few seconds to notice. A container that exits at once on SIGTERM drops the
//! requests still routed to it during every rollout and scale-down. A short `preStop` sleep
//! (or a hook that drains connections) keeps it serving until traffic has moved away.
//!
//! It is opt-in because applications that handle SIGTERM gracefully by themselves do not need
//! a hook.
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
//!           lifecycle:
//!             preStop:
//!               sleep: {seconds: 5}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/>
//! - <https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle/#pod-termination>

use stockade_model::Severity;

use super::helpers::{is_long_running, serving_containers};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK430",
    name: "prestop-hook-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "Long-running container has no preStop hook",
    remediation: "Add `lifecycle.preStop` (for example `sleep: {seconds: 5}`) so the container keeps serving while it is removed from load balancing.",
    references: &[],
    aliases: &["datree:CONTAINERS_MISSING_PRESTOP_KEY"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if !is_long_running(ctx.object, pod) {
            continue;
        }
        for c in serving_containers(pod) {
            let hook = c
                .node
                .at(&["lifecycle", "preStop"])
                .is_some_and(|h| !h.is_null());
            if !hook {
                out.container(
                    c,
                    None,
                    stockade_model::format_exact!("{} has no preStop hook", c.label()),
                );
            }
        }
    }
}
