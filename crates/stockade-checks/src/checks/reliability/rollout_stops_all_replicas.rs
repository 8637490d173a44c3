//! ## What it does
//! Flags Deployments whose update strategy stops every pod before (or while) new ones start:
//! `strategy.type: Recreate`, or a RollingUpdate whose `maxUnavailable` is 100% or more, or
//! a number at least `spec.replicas` (when `replicas` is set).
//!
//! ## Why it matters
//! A rolling update replaces pods a few at a time and waits for new ones to be ready, so a
//! release never takes the service down, and a broken release stops before it has replaced
//! everything. `Recreate` (and a `maxUnavailable` that covers all replicas) turns every
//! release into an outage, and a bad image into a full one. Use `Recreate` only when two
//! versions must never run side by side (an old and a new schema writer, a `ReadWriteOnce`
//! volume), and then say so with a suppression.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 3
//!   strategy:
//!     type: RollingUpdate
//!     rollingUpdate:
//!       maxUnavailable: 100% # finding
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
//!   replicas: 3
//!   strategy:
//!     type: RollingUpdate
//!     rollingUpdate:
//!       maxUnavailable: 0
//!       maxSurge: 1
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
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/deployment/#strategy>

use stockade_model::Severity;

use super::helpers::percent;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK404",
    name: "rollout-stops-all-replicas",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Deployment update strategy stops all replicas at once",
    remediation: "Use the RollingUpdate strategy with a `maxUnavailable` below the replica count (0 with `maxSurge: 1` for no capacity loss).",
    references: &[],
    aliases: &[
        "kube-linter:no-rolling-update-strategy",
        "kube-score:deployment-strategy",
        "kubescape:C-0305",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "Deployment" || o.group() != "apps" {
        return;
    }
    let Some(strategy) = o.root.at(&["spec", "strategy"]) else {
        return;
    };
    if let Some(t) = strategy.get("type")
        && t.as_str() == Some("Recreate")
    {
        out.at(
            t,
            "spec.strategy.type",
            stockade_model::format_exact!(
                "Deployment \"{}\" uses the Recreate strategy: every pod stops before new ones start",
                o.name
            ),
        );
        return;
    }
    let Some(mu) = strategy.at(&["rollingUpdate", "maxUnavailable"]) else {
        return;
    };
    let replicas = o.root.at(&["spec", "replicas"]).and_then(|r| r.as_i64());
    let all = match (percent(mu), mu.as_i64(), replicas) {
        (Some(p), _, _) => p >= 100,
        (None, Some(n), Some(r)) => r > 0 && n >= r,
        _ => false,
    };
    if all {
        out.at(
            mu,
            "spec.strategy.rollingUpdate.maxUnavailable",
            stockade_model::format_exact!(
                "Deployment \"{}\" allows maxUnavailable {} of {} replicas: a rollout can stop them all at once",
                o.name,
                mu.as_str().unwrap_or(""),
                replicas.map_or("its".to_string(), |r| r.to_string())
            ),
        );
    }
}
