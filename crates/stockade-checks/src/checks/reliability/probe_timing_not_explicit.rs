//! ## What it does
//! Flags liveness, readiness and startup probes that leave one of their timing fields unset or
//! set below its minimum: `initialDelaySeconds` (min 0), `periodSeconds` (min 1),
//! `timeoutSeconds` (min 1), `successThreshold` (min 1, and exactly 1 for liveness and
//! startup probes) and `failureThreshold` (min 1). One finding per probe, naming every field
//! at fault. Values that are not numbers (template placeholders) are left alone. Off by
//! default.
//!
//! ## Why it matters
//! The defaults (no delay, every 10 seconds, a 1-second timeout, 3 failures) suit few
//! applications: a 1-second timeout under load restarts healthy pods, and a slow starter with
//! no delay is killed before it listens. Writing the values down makes the behaviour a
//! reviewed decision instead of an accident, and it guards against defaulting bugs such as
//! exec probes ignoring `timeoutSeconds` before Kubernetes 1.20. A value below the minimum is
//! rejected by the API server or silently replaced.
//!
//! It is opt-in because the defaults are fine for many workloads.
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
//!         - name: api
//!           image: api:2.3.1
//!           readinessProbe: # finding
//!             httpGet: {path: /ready, port: 8080}
//!             timeoutSeconds: 2
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
//!           readinessProbe:
//!             httpGet: {path: /ready, port: 8080}
//!             initialDelaySeconds: 5
//!             periodSeconds: 10
//!             timeoutSeconds: 2
//!             successThreshold: 1
//!             failureThreshold: 3
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/tasks/configure-pod-container/configure-liveness-readiness-startup-probes/#configure-probes>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK428",
    name: "probe-timing-not-explicit",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "Probe leaves a timing field unset or below its minimum",
    remediation: "Set `initialDelaySeconds`, `periodSeconds`, `timeoutSeconds`, `successThreshold` and `failureThreshold` on every probe, to values that suit the application.",
    references: &[],
    aliases: &[
        "datree:CONTAINERS_INCORRECT_INITIALDELAYSECONDS_VALUE",
        "datree:CONTAINERS_INCORRECT_PERIODSECONDS_VALUE",
        "datree:CONTAINERS_INCORRECT_TIMEOUTSECONDS_VALUE",
        "datree:CONTAINERS_INCORRECT_SUCCESSTHRESHOLD_VALUE",
        "datree:CONTAINERS_INCORRECT_FAILURETHRESHOLD_VALUE",
    ],
    run: crate::Run::Object(run),
};

const FIELDS: &[(&str, i64)] = &[
    ("initialDelaySeconds", 0),
    ("periodSeconds", 1),
    ("timeoutSeconds", 1),
    ("successThreshold", 1),
    ("failureThreshold", 1),
];

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            let Some(p) = c.node.get(probe).filter(|p| p.is_map()) else {
                continue;
            };
            let mut wrong = Vec::new();
            for (field, min) in FIELDS {
                match p.get(field).filter(|v| !v.is_null()) {
                    None => wrong.push(stockade_model::format_exact!("{field} unset")),
                    Some(v) => match v.as_i64() {
                        Some(n) if n < *min => {
                            wrong.push(stockade_model::format_exact!("{field} {n} below {min}"))
                        }
                        Some(n)
                            if *field == "successThreshold"
                                && probe != "readinessProbe"
                                && n != 1 =>
                        {
                            wrong.push(stockade_model::format_exact!(
                                "{field} {n} (must be 1 on a {probe})"
                            ));
                        }
                        _ => {}
                    },
                }
            }
            if !wrong.is_empty() {
                out.container(
                    c,
                    Some((p, &stockade_model::format_exact!("{}.{probe}", c.path))),
                    stockade_model::format_exact!("{} {probe}: {}", c.label(), wrong.join(", ")),
                );
            }
        }
    }
}
