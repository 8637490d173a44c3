//! ## What it does
//! Flags pod specs that set no `affinity.nodeAffinity` and no `nodeSelector`, so the pods
//! may land on any node. DaemonSets are skipped (they run everywhere by design). Off by
//! default.
//!
//! ## Why it matters
//! In clusters with several node pools (spot and on-demand, GPU, ARM, a pool per
//! environment or tenant), a pod with no node constraint is scheduled wherever there is
//! room: a stateful service ends up on spot nodes that vanish at two minutes' notice, a
//! production pod shares nodes with untrusted workloads, an amd64-only image lands on ARM.
//! Stating where a workload belongs makes placement a decision instead of an accident.
//!
//! It is opt-in because single-pool clusters do not need it.
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
//!     spec: # finding
//!       containers:
//!         - name: api
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
//!       affinity:
//!         nodeAffinity:
//!           requiredDuringSchedulingIgnoredDuringExecution:
//!             nodeSelectorTerms:
//!               - matchExpressions:
//!                   - {key: node-pool, operator: In, values: [general]}
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/scheduling-eviction/assign-pod-node/#node-affinity>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK433",
    name: "node-affinity-missing",
    category: Category::Reliability,
    severity: Severity::Info,
    default_on: false,
    summary: "Pod sets no node affinity or nodeSelector",
    remediation: "Set `affinity.nodeAffinity` (or a `nodeSelector`) naming the node pool the workload belongs on.",
    references: &[],
    aliases: &["kube-linter:no-node-affinity"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind == "DaemonSet" {
        return;
    }
    for pod in ctx.pods {
        let affinity = pod
            .field("affinity")
            .and_then(|a| a.get("nodeAffinity"))
            .is_some_and(|n| !n.is_null());
        let selector = pod
            .field("nodeSelector")
            .is_some_and(|n| !n.entries().is_empty());
        if !affinity && !selector {
            out.at(
                pod.spec,
                pod.path.clone(),
                stockade_model::format_exact!(
                    "{} \"{}\" sets no node affinity or nodeSelector in {}",
                    o.kind,
                    o.name,
                    pod.path
                ),
            );
        }
    }
}
