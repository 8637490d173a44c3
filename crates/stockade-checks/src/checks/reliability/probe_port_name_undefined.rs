//! ## What it does
//! Flags liveness, readiness and startup probes (`httpGet` and `tcpSocket`) whose `port` is
//! a name that none of the container's `ports` carries. Numeric ports are not checked:
//! `containerPort` entries are informational, and a probe on a port the container does not
//! list still works; a name, on the other hand, is resolved through that list.
//!
//! ## Why it matters
//! The kubelet resolves a named probe port from the container's `ports`. When the name is
//! not there (a typo, or a port renamed on one side only) the probe fails every time: a
//! liveness probe restarts the container in a loop, a readiness probe keeps it out of every
//! Service, and a startup probe does both. The manifest applies without error, so the
//! problem only shows in the rollout.
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
//!           ports:
//!             - name: http
//!               containerPort: 8080
//!           readinessProbe:
//!             httpGet:
//!               path: /ready
//!               port: web # finding
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
//!           ports:
//!             - name: http
//!               containerPort: 8080
//!           readinessProbe:
//!             httpGet:
//!               path: /ready
//!               port: http
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::checks::helpers::port_number;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK415",
    name: "probe-port-name-undefined",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "Probe uses a named port the container does not define",
    remediation: "Use a port name listed in the container's `ports` (or the port number).",
    references: &[],
    aliases: &[
        "kube-linter:liveness-port",
        "kube-linter:readiness-port",
        "kube-linter:startup-port",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let names: Vec<&str> = c
            .node
            .get("ports")
            .map(|p| p.items().iter().filter_map(|i| i.str_at("name")).collect())
            .unwrap_or_default();
        for probe in ["livenessProbe", "readinessProbe", "startupProbe"] {
            for handler in ["httpGet", "tcpSocket"] {
                let Some(port) = c.node.at(&[probe, handler, "port"]) else {
                    continue;
                };
                if port_number(port).is_some() {
                    continue;
                }
                let Some(name) = port.as_str() else {
                    continue;
                };
                if !names.contains(&name) {
                    out.container(
                        c,
                        Some((port, &stockade_model::format_exact!("{}.{probe}.{handler}.port", c.path))),
                        stockade_model::format_exact!(
                            "{} {probe} uses port \"{name}\", which the container's ports do not name",
                            c.label()
                        ),
                    );
                }
            }
        }
    }
}
