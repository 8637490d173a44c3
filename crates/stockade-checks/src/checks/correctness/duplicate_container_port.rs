//! ## What it does
//! Flags, in one pod spec, a port name declared twice in one container, and a
//! `containerPort`/`protocol` pair declared by two running containers (regular containers and
//! sidecar init containers, those with `restartPolicy: Always`) or twice by one container.
//!
//! ## Why it matters
//! A repeated port name in a container is rejected by the API server. Containers of a pod
//! share one network namespace, so two of them cannot both listen on the same port: the second
//! fails to bind and crash-loops, and a Service or probe that names the port reaches whichever
//! bound first.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27.3
//!       ports:
//!         - {name: http, containerPort: 8080}
//!     - name: metrics
//!       image: nginx/nginx-prometheus-exporter:1.3.0
//!       ports:
//!         - {name: metrics, containerPort: 8080} # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27.3
//!       ports:
//!         - {name: http, containerPort: 8080}
//!     - name: metrics
//!       image: nginx/nginx-prometheus-exporter:1.3.0
//!       ports:
//!         - {name: metrics, containerPort: 9113}
//! ```
//!
//! ## Options
//! None. Init containers that run to completion before the others start may reuse a port and
//! are not compared; ephemeral containers declare no ports.

use foldhash::{HashMap, HashMapExt};

use stockade_model::{ContainerKind, Severity};

use crate::checks::helpers::port_number;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK751",
    name: "duplicate-container-port",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container port declared twice in one pod",
    remediation: "Give each port a distinct name within its container, and each listening container of the pod its own port number.",
    references: &[],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        let mut bound: HashMap<(i64, String), String> = HashMap::new();
        // Source order, so the finding lands on the port written second.
        let mut containers: Vec<_> = pod.containers.iter().collect();
        containers.sort_by_key(|c| c.node.pos);
        for c in containers {
            let running = match c.kind {
                ContainerKind::Regular => true,
                ContainerKind::Init => c.node.str_at("restartPolicy") == Some("Always"),
                ContainerKind::Ephemeral => false,
            };
            let Some(ports) = c.node.get("ports") else {
                continue;
            };
            let mut names: HashMap<&str, usize> = HashMap::new();
            for (i, p) in ports.items().iter().enumerate() {
                let path = stockade_model::format_exact!("{}.ports[{i}]", c.path);
                if let Some(name_node) = p.get("name")
                    && let Some(name) = name_node.as_str()
                {
                    if let Some(first) = names.get(name) {
                        out.container(
                            c,
                            Some((name_node, &stockade_model::format_exact!("{path}.name"))),
                            stockade_model::format_exact!(
                                "{} names two ports \"{name}\" (also ports[{first}]); the API server rejects the pod",
                                c.label()
                            ),
                        );
                    } else {
                        names.insert(name, i);
                    }
                }
                if !running {
                    continue;
                }
                let Some(port_node) = p.get("containerPort") else {
                    continue;
                };
                let Some(port) = port_number(port_node) else {
                    continue;
                };
                let protocol = p.str_at("protocol").unwrap_or("TCP").to_ascii_uppercase();
                let key = (port, protocol);
                if let Some(first) = bound.get(&key) {
                    out.container(
                        c,
                        Some((p, &path)),
                        stockade_model::format_exact!(
                            "{} declares {}/{} already declared at {first}; only one container of the pod can listen on it",
                            c.label(),
                            key.0,
                            key.1
                        ),
                    );
                } else {
                    bound.insert(key, path);
                }
            }
        }
    }
}
