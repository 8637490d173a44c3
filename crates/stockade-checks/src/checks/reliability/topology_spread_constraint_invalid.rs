//! ## What it does
//! Flags `topologySpreadConstraints` entries that the scheduler cannot use as written: no
//! `topologyKey`, a `maxSkew` below 1, a `whenUnsatisfiable` other than `DoNotSchedule` or
//! `ScheduleAnyway`, or no `labelSelector` (which counts no pods, so the constraint spreads
//! nothing). Values that are not literal (template placeholders) are left alone.
//!
//! ## Why it matters
//! The API server rejects the first three, so the workload does not apply at all. A
//! constraint without a `labelSelector` is accepted but counts zero matching pods in every
//! domain: the skew is always 0 and the replicas can all land in one zone, the outage the
//! constraint was written to prevent.
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
//!     - maxSkew: 1 # finding
//!       topologyKey: topology.kubernetes.io/zone
//!       whenUnsatisfiable: ScheduleAnyway
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
    id: "STK436",
    name: "topology-spread-constraint-invalid",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "Topology spread constraint is invalid or spreads nothing",
    remediation: "Give every constraint a `topologyKey`, `maxSkew` of at least 1, `whenUnsatisfiable` of `DoNotSchedule` or `ScheduleAnyway`, and a `labelSelector` matching the pod's own labels.",
    references: &[],
    aliases: &["kube-score:pod-topology-spread-constraints"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    for pod in ctx.pods {
        let Some(list) = pod.field("topologySpreadConstraints") else {
            continue;
        };
        for (i, c) in list.items().iter().enumerate() {
            if !c.is_map() {
                continue;
            }
            let mut wrong = Vec::new();
            if c.get("topologyKey")
                .is_none_or(|k| k.as_str().is_some_and(|s| s.trim().is_empty()) || k.is_null())
            {
                wrong.push("no topologyKey".to_string());
            }
            match c.get("maxSkew") {
                None => wrong.push("no maxSkew".to_string()),
                Some(m) => {
                    if let Some(n) = m.as_i64().filter(|n| *n < 1) {
                        wrong.push(stockade_model::format_exact!("maxSkew {n} below 1"));
                    }
                }
            }
            if let Some(w) = c.get("whenUnsatisfiable").and_then(|w| w.as_str())
                && !matches!(w, "DoNotSchedule" | "ScheduleAnyway")
                && !w.contains("{{")
            {
                wrong.push(stockade_model::format_exact!(
                    "whenUnsatisfiable \"{w}\" is not a valid value"
                ));
            }
            if c.get("labelSelector").is_none_or(|l| l.is_null()) {
                wrong.push("no labelSelector, so it counts no pods".to_string());
            }
            if !wrong.is_empty() {
                out.at(
                    c,
                    stockade_model::format_exact!("{}.topologySpreadConstraints[{i}]", pod.path),
                    stockade_model::format_exact!(
                        "{} \"{}\" topology spread constraint {i}: {}",
                        o.kind,
                        o.name,
                        wrong.join(", ")
                    ),
                );
            }
        }
    }
}
