//! ## What it does
//! Flags pod specs whose `priorityClassName` is not in the `allowed-priority-classes`
//! option. Pods that set no class are left to `priority-class-name-missing`. Off by default,
//! and inert until the option lists the cluster's classes.
//!
//! ## Why it matters
//! Priority decides who is preempted when the cluster is full. A workload that borrows a
//! higher class than it deserves (`system-cluster-critical`, a "production-critical" class
//! meant for a handful of services) evicts others during every capacity crunch; a class name
//! that does not exist in the cluster makes the API server reject the pod outright. An
//! allowed list keeps both in check in review.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: batch-report
//! spec:
//!   selector:
//!     matchLabels: {app: batch-report}
//!   template:
//!     metadata:
//!       labels: {app: batch-report}
//!     spec:
//!       priorityClassName: system-cluster-critical # finding
//!       containers:
//!         - name: report
//!           image: report:1.0.0
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: batch-report
//! spec:
//!   selector:
//!     matchLabels: {app: batch-report}
//!   template:
//!     metadata:
//!       labels: {app: batch-report}
//!     spec:
//!       priorityClassName: batch
//!       containers:
//!         - name: report
//!           image: report:1.0.0
//! ```
//!
//! ## Options
//! `allowed-priority-classes`: the PriorityClass names pods may use.
//! ```yaml
//! options:
//!   allowed-priority-classes: [customer-facing, batch]
//! ```
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/scheduling-eviction/pod-priority-preemption/>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK434",
    name: "priority-class-not-allowed",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: false,
    summary: "Pod uses a PriorityClass outside the allowed list",
    remediation: "Use one of the PriorityClasses listed in `allowed-priority-classes`.",
    references: &[],
    aliases: &["kube-linter:priority-class-name"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let allowed = &ctx.options.allowed_priority_classes;
    if allowed.is_empty() {
        return;
    }
    let o = ctx.object;
    for pod in ctx.pods {
        let Some(node) = pod.field("priorityClassName") else {
            continue;
        };
        let Some(name) = node.as_str() else { continue };
        if name.contains("{{") || allowed.iter().any(|a| a == name) {
            continue;
        }
        out.at(
            node,
            stockade_model::format_exact!("{}.priorityClassName", pod.path),
            stockade_model::format_exact!(
                "{} \"{}\" uses PriorityClass \"{name}\", which is not in allowed-priority-classes",
                o.kind,
                o.name
            ),
        );
    }
}
