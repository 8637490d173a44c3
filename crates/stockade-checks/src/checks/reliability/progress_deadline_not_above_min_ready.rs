//! ## What it does
//! Flags Deployments whose `progressDeadlineSeconds` (600 when unset) is not greater than
//! their `minReadySeconds`.
//!
//! ## Why it matters
//! The API server rejects such a Deployment ("must be greater than minReadySeconds"), so the
//! apply fails — typically in the middle of a release pipeline, after other objects were
//! already applied. The relation also matters in spirit: the progress deadline is how long a
//! rollout may go without progress before it is reported as failed, and a new pod cannot
//! count as progress before it has been ready for `minReadySeconds`.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   minReadySeconds: 120
//!   progressDeadlineSeconds: 60 # finding
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
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
//!   minReadySeconds: 120
//!   progressDeadlineSeconds: 600
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#progress-deadline-seconds>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK406",
    name: "progress-deadline-not-above-min-ready",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "Deployment progressDeadlineSeconds is not greater than minReadySeconds",
    remediation: "Make `progressDeadlineSeconds` greater than `minReadySeconds` (with room for pulling images and starting up).",
    references: &[],
    aliases: &[],
    run: crate::Run::Object(run),
};

/// The API server's default for `progressDeadlineSeconds`.
const DEFAULT_DEADLINE: i64 = 600;

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "Deployment" || o.group() != "apps" {
        return;
    }
    let Some(min_ready_node) = o.root.at(&["spec", "minReadySeconds"]) else {
        return;
    };
    let Some(min_ready) = min_ready_node.as_i64() else {
        return;
    };
    let deadline_node = o
        .root
        .at(&["spec", "progressDeadlineSeconds"])
        .filter(|n| !n.is_null());
    let (deadline, node, path) = match deadline_node {
        Some(n) => match n.as_i64() {
            Some(d) => (d, n, "spec.progressDeadlineSeconds"),
            None => return,
        },
        None => (DEFAULT_DEADLINE, min_ready_node, "spec.minReadySeconds"),
    };
    if deadline <= min_ready {
        let what = if deadline_node.is_some() {
            "progressDeadlineSeconds"
        } else {
            "the default progressDeadlineSeconds"
        };
        out.at(
            node,
            path,
            stockade_model::format_exact!(
                "Deployment \"{}\": {what} {deadline} is not greater than minReadySeconds {min_ready}",
                o.name
            ),
        );
    }
}
