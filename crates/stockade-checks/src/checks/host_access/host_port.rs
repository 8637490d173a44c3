//! ## What it does
//! Flags container ports that set a non-zero `hostPort` (regular, init and ephemeral
//! containers; a port written as a quoted string counts too).
//!
//! ## Why it matters
//! A host port is opened on the node's own address, around the Service and, with most CNI
//! plugins, around NetworkPolicies. It ties the pod to nodes where the port is free, so two
//! replicas cannot share a node, and it exposes the workload to anything that can reach the
//! node.
//!
//! A pod with `hostNetwork: true` binds its ports on the host without any `hostPort`; that is
//! reported by `host-network`.
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
//!       image: nginx:1.27
//!       ports:
//!         - containerPort: 80
//!           hostPort: 8080 # finding
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
//!       image: nginx:1.27
//!       ports:
//!         - containerPort: 80
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::checks::helpers::port_number;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK104",
    name: "host-port",
    category: Category::HostAccess,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container binds a port on the node (hostPort)",
    remediation: "Remove `hostPort` and expose the port through a Service (ClusterIP, or LoadBalancer/Ingress for outside traffic).",
    references: &[
        "CIS 5.2.13",
        "PSS baseline: hostPorts",
        "NSA/CISA: pod security",
    ],
    aliases: &[
        "polaris:hostPortSet",
        "checkov:CKV_K8S_26",
        "trivy:KSV-0024",
        "kubescape:C-0044",
        "datree:CONTAINERS_INCORRECT_KEY_HOSTPORT",
        "kubescape:C-0204",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(ports) = c.node.get("ports") else {
            continue;
        };
        for (i, p) in ports.items().iter().enumerate() {
            let Some(hp) = p.get("hostPort") else {
                continue;
            };
            let Some(host) = port_number(hp).filter(|&n| n != 0) else {
                continue;
            };
            let container_port = p
                .get("containerPort")
                .and_then(port_number)
                .map_or(String::new(), |n| {
                    stockade_model::format_exact!(" (containerPort {n})")
                });
            out.container(
                c,
                Some((
                    hp,
                    &stockade_model::format_exact!("{}.ports[{i}].hostPort", c.path),
                )),
                stockade_model::format_exact!(
                    "{} binds host port {host}{container_port}",
                    c.label()
                ),
            );
        }
    }
}
