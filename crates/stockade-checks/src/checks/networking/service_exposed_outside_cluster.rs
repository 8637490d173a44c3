//! ## What it does
//! Flags core Services of `type: NodePort` or `type: LoadBalancer`, the two types that accept
//! traffic from outside the cluster network. The finding points at `spec.type`.
//!
//! ## Why it matters
//! Where every entry into the cluster must pass an Ingress or Gateway (TLS, authentication,
//! WAF, one place to audit), a Service that opens its own node port or cloud load balancer is a
//! side door around it. `nodeport-service` (on by default) flags NodePort alone;
//! `load-balancer-without-source-ranges` flags load balancers open to any address. This check
//! is for teams whose policy forbids both types outright.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: api
//! spec:
//!   type: LoadBalancer # finding
//!   selector: {app: api}
//!   ports:
//!     - port: 443
//!       targetPort: 8443
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: api
//! spec:
//!   type: ClusterIP
//!   selector: {app: api}
//!   ports:
//!     - port: 443
//!       targetPort: 8443
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select service-exposed-outside-cluster`); the forbidden types are
//! kube-linter's default for `exposed-services` (NodePort and LoadBalancer).
//!
//! ## References
//! - NSA/CISA Kubernetes Hardening Guide: network separation

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK617",
    name: "service-exposed-outside-cluster",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: false,
    summary: "Service of type NodePort or LoadBalancer",
    remediation: "Use a ClusterIP Service and expose it through the cluster's Ingress or Gateway.",
    references: &[],
    aliases: &["kube-linter:exposed-services"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "Service" || !o.group().is_empty() {
        return;
    }
    let Some(t) = o.root.at(&["spec", "type"]) else {
        return;
    };
    if let Some(kind @ ("NodePort" | "LoadBalancer")) = t.as_str() {
        out.at(
            t,
            "spec.type",
            stockade_model::format_exact!(
                "Service \"{}\" is of type {kind}, reachable from outside the cluster",
                o.name
            ),
        );
    }
}
