//! ## What it does
//! Flags long-running containers whose `livenessProbe` and `readinessProbe` are identical:
//! the same handler (`httpGet`, `tcpSocket`, `exec`, `grpc`) with the same timings and
//! thresholds. Key order and how values are written do not matter. Probes that share an
//! endpoint but differ in timing (usually a more patient liveness probe) are not flagged.
//!
//! ## Why it matters
//! The two probes answer different questions. Readiness says "do not send me traffic right
//! now" (warming up, overloaded, a dependency down); liveness says "restart me, I am stuck".
//! When they are the same probe, every moment of unreadiness is also a liveness failure, so a
//! pod that is merely busy is killed — under load, all replicas at once — and the restarts
//! make the overload worse. Make liveness cheaper and more tolerant (a higher
//! `failureThreshold`, or a dedicated endpoint that checks only the process itself).
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
//!           readinessProbe:
//!             httpGet: {path: /health, port: 8080}
//!             periodSeconds: 5
//!           livenessProbe: # finding
//!             httpGet: {path: /health, port: 8080}
//!             periodSeconds: 5
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
//!             periodSeconds: 5
//!           livenessProbe:
//!             httpGet: {path: /livez, port: 8080}
//!             periodSeconds: 10
//!             failureThreshold: 6
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/configuration/liveness-readiness-startup-probes/>

use stockade_model::Severity;

use super::helpers::{has_probe, is_long_running, serving_containers};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK414",
    name: "identical-liveness-readiness-probes",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "Container's liveness and readiness probes are identical",
    remediation: "Make the liveness probe check only the process itself, and be more tolerant than readiness (higher `failureThreshold` or `periodSeconds`).",
    references: &[],
    aliases: &["kube-score:pod-probes-identical", "kube-score:pod-probes"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if !is_long_running(ctx.object, pod) {
            continue;
        }
        for c in serving_containers(pod) {
            if !has_probe(c, "livenessProbe") || !has_probe(c, "readinessProbe") {
                continue;
            }
            let (Some(live), Some(ready)) =
                (c.node.get("livenessProbe"), c.node.get("readinessProbe"))
            else {
                continue;
            };
            if live.is_map() && live.to_json() == ready.to_json() {
                out.container(
                    c,
                    Some((
                        live,
                        &stockade_model::format_exact!("{}.livenessProbe", c.path),
                    )),
                    stockade_model::format_exact!(
                        "{} has identical liveness and readiness probes",
                        c.label()
                    ),
                );
            }
        }
    }
}
