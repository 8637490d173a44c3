//! ## What it does
//! Flags Ingress rules whose `host` is `*` or empty in a rule that lists paths, and rules
//! with no `host` at all, which match every hostname the controller receives. Wildcard
//! subdomains (`*.example.com`) are not flagged. Ingresses without rules (only a default
//! backend) are left to the controller's own defaults and are not flagged either.
//!
//! ## Why it matters
//! An Ingress rule with no host answers requests for any name pointed at the load balancer:
//! another team's domain, a stale DNS record, or a raw IP address from an internet scanner.
//! Two such rules in different Ingresses fight over the same paths, and the controller
//! routes traffic for everything to one Service by accident. Naming the host keeps each
//! application to the names it owns.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//! spec:
//!   rules:
//!     - http: # finding
//!         paths:
//!           - path: /
//!             pathType: Prefix
//!             backend:
//!               service: {name: shop, port: {number: 80}}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//! spec:
//!   rules:
//!     - host: shop.example.com
//!       http:
//!         paths:
//!           - path: /
//!             pathType: Prefix
//!             backend:
//!               service: {name: shop, port: {number: 80}}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/services-networking/ingress/#ingress-rules>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK614",
    name: "ingress-host-wildcard",
    category: Category::Networking,
    severity: Severity::Low,
    default_on: false,
    summary: "Ingress rule matches every host name",
    remediation: "Set `host` on every Ingress rule to the name the application serves.",
    references: &[],
    aliases: &["datree:INGRESS_INCORRECT_HOST_VALUE_PERMISSIVE"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "Ingress" || !matches!(o.group(), "networking.k8s.io" | "extensions") {
        return;
    }
    let Some(rules) = o.root.at(&["spec", "rules"]) else {
        return;
    };
    for (i, rule) in rules.items().iter().enumerate() {
        let (node, path, what) = match rule.get("host").filter(|h| !h.is_null()) {
            None => (
                rule,
                stockade_model::format_exact!("spec.rules[{i}]"),
                "sets no host".to_string(),
            ),
            Some(h) => match h.as_str().map(str::trim) {
                Some(s @ ("*" | "")) => (
                    h,
                    stockade_model::format_exact!("spec.rules[{i}].host"),
                    stockade_model::format_exact!("has host \"{s}\""),
                ),
                _ => continue,
            },
        };
        out.at(
            node,
            path,
            stockade_model::format_exact!(
                "Ingress \"{}\" rule {i} {what}, so it matches every host name",
                o.name
            ),
        );
    }
}
