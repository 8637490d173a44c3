//! ## What it does
//! Flags `topologySpreadConstraints` whose `whenUnsatisfiable` is `DoNotSchedule` (the API
//! default when the field is left out, so an unset value is flagged too). Off by default.
//!
//! ## Why it matters
//! A hard spread constraint keeps pods Pending rather than place them unevenly. When a zone
//! is out of capacity or down, or nodes are being replaced, new replicas cannot start
//! anywhere, so a scale-up during an incident or a rollout stalls exactly when capacity is
//! needed. `ScheduleAnyway` still spreads pods when it can, and runs them when it cannot.
//!
//! It is opt-in because strict spreading is required for some quorum-based systems.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//!   labels: {app: api}
//! spec:
//!   topologySpreadConstraints:
//!     - maxSkew: 1
//!       topologyKey: topology.kubernetes.io/zone
//!       whenUnsatisfiable: DoNotSchedule # finding
//!       labelSelector:
//!         matchLabels: {app: api}
//!   containers:
//!     - name: api
//!       image: api:2.3.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//!   labels: {app: api}
//! spec:
//!   topologySpreadConstraints:
//!     - maxSkew: 1
//!       topologyKey: topology.kubernetes.io/zone
//!       whenUnsatisfiable: ScheduleAnyway
//!       labelSelector:
//!         matchLabels: {app: api}
//!   containers:
//!     - name: api
//!       image: api:2.3.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/scheduling-eviction/topology-spread-constraints/>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK431",
    name: "topology-spread-do-not-schedule",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "Topology spread constraint keeps pods Pending when it cannot be met",
    remediation: "Set `whenUnsatisfiable: ScheduleAnyway` unless running unevenly is worse than not running.",
    references: &[],
    aliases: &["datree:EKS_INVALID_VALUE_DONOOTSCHEDULE"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    for pod in ctx.pods {
        let Some(list) = pod.field("topologySpreadConstraints") else {
            continue;
        };
        for (i, c) in list.items().iter().enumerate() {
            let when = c.get("whenUnsatisfiable").filter(|w| !w.is_null());
            if when.is_some_and(|w| w.as_str() != Some("DoNotSchedule")) {
                continue;
            }
            out.at(
                when.unwrap_or(c),
                stockade_model::format_exact!(
                    "{}.topologySpreadConstraints[{i}].whenUnsatisfiable",
                    pod.path
                ),
                stockade_model::format_exact!(
                    "{} \"{}\" topology spread constraint {i} on {} is DoNotSchedule",
                    o.kind,
                    o.name,
                    c.str_at("topologyKey").unwrap_or("?")
                ),
            );
        }
    }
}
