//! ## What it does
//! Flags core Services with `type: NodePort`.
//!
//! LoadBalancer Services also allocate node ports (unless
//! `allocateLoadBalancerNodePorts: false`) but are not reported: they are the usual way to
//! expose a service, and the load balancer is where access is controlled.
//!
//! ## Why it matters
//! A NodePort Service opens the same port on every node of the cluster, on every node
//! address, usually around any firewall meant for the load balancer, and often around
//! NetworkPolicies (traffic arrives SNATed from the node). Ports come from a shared range, so
//! they collide across teams, and node addresses change when nodes are replaced.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   type: NodePort # finding
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//!       targetPort: 8080
//!       nodePort: 30080
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   type: ClusterIP
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//!       targetPort: 8080
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::is_core_service;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK601",
    name: "nodeport-service",
    category: Category::Networking,
    severity: Severity::Low,
    default_on: true,
    summary: "Service is of type NodePort",
    remediation: "Use a ClusterIP Service behind an Ingress or Gateway, or a LoadBalancer Service.",
    references: &["NSA/CISA: network separation"],
    aliases: &[
        "kube-score:service-type",
        "datree:SERVICE_INCORRECT_TYPE_VALUE_NODEPORT",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    if !is_core_service(ctx.object) {
        return;
    }
    if let Some(t) = ctx.object.root.at(&["spec", "type"])
        && t.as_str() == Some("NodePort")
    {
        out.at(
            t,
            "spec.type",
            stockade_model::format_exact!("Service \"{}\" is of type NodePort", ctx.object.name),
        );
    }
}
