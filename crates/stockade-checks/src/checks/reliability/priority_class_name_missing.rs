//! ## What it does
//! Flags pod specs (of any workload kind, CRDs included) that set no `priorityClassName`.
//! Off by default.
//!
//! ## Why it matters
//! When a cluster is full, the scheduler preempts lower-priority pods to place higher-priority
//! ones, and under node pressure the kubelet evicts by priority too. Without a priority class
//! every pod gets the cluster's default (usually 0), so a batch job can keep a
//! customer-facing service from being scheduled during a scale-up or after a node failure.
//! Giving each workload a class states which should win.
//!
//! It is opt-in because it only pays off in clusters that define PriorityClasses.
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
//!       priorityClassName: customer-facing
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK416",
    name: "priority-class-name-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "Pod sets no priorityClassName",
    remediation: "Set `priorityClassName` to one of the cluster's PriorityClasses.",
    references: &[],
    aliases: &["polaris:priorityClassNotSet"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    for pod in ctx.pods {
        if pod.field("priorityClassName").is_none() {
            out.at(
                pod.spec,
                pod.path.clone(),
                stockade_model::format_exact!(
                    "{} \"{}\" sets no priorityClassName in {}",
                    o.kind,
                    o.name,
                    pod.path
                ),
            );
        }
    }
}
