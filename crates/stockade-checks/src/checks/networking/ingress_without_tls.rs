//! ## What it does
//! Flags Ingresses that serve plain HTTP: no `spec.tls` at all (reported at `spec`), or a
//! rule whose `host` no `spec.tls[].hosts` entry covers (reported at that host). A TLS host
//! `*.example.com` covers exactly one label (`api.example.com`, not `a.b.example.com`); a TLS
//! entry without `hosts` is taken to cover every host.
//!
//! ## Why it matters
//! Without TLS, credentials, session cookies and data cross the network in clear text and
//! can be read or changed by anyone on the path: the load balancer's network, a shared Wi-Fi,
//! a compromised node.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//! spec: # finding
//!   rules:
//!     - host: shop.example.com
//!       http:
//!         paths:
//!           - path: /
//!             pathType: Prefix
//!             backend:
//!               service: {name: web, port: {number: 80}}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//! spec:
//!   tls:
//!     - hosts: [shop.example.com]
//!       secretName: shop-tls
//!   rules:
//!     - host: shop.example.com
//!       http:
//!         paths:
//!           - path: /
//!             pathType: Prefix
//!             backend:
//!               service: {name: web, port: {number: 80}}
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Severity};

use super::helpers::is_ingress;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK611",
    name: "ingress-without-tls",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "Ingress serves a host without TLS",
    remediation: "Add a `spec.tls` entry covering every host, with a certificate Secret (cert-manager can issue it).",
    references: &["NSA/CISA: encrypt traffic in transit"],
    aliases: &["polaris:tlsSettingsMissing", "kubescape:C-0263"],
    run: crate::Run::Object(run),
};

fn covers(pattern: &str, host: &str) -> bool {
    let (pattern, host) = (pattern.trim(), host.trim());
    if pattern.eq_ignore_ascii_case(host) {
        return true;
    }
    match (pattern.strip_prefix("*."), host.split_once('.')) {
        (Some(suffix), Some((_, rest))) => suffix.eq_ignore_ascii_case(rest),
        _ => false,
    }
}

fn run(ctx: &Context, out: &mut Emit) {
    if !is_ingress(ctx.object) {
        return;
    }
    let Some(spec) = ctx.object.root.get("spec") else {
        return;
    };
    let name = &ctx.object.name;
    let tls = spec.get("tls").map(Node::items).unwrap_or_default();
    if tls.is_empty() {
        out.at(
            spec,
            "spec",
            stockade_model::format_exact!("Ingress \"{name}\" has no TLS configuration"),
        );
        return;
    }
    if tls
        .iter()
        .any(|t| t.get("hosts").is_none_or(|h| h.items().is_empty()))
    {
        return;
    }
    let tls_hosts: Vec<&str> = tls
        .iter()
        .flat_map(|t| t.get("hosts").map(Node::items).unwrap_or_default())
        .filter_map(Node::as_str)
        .collect();
    let rules = spec.get("rules").map(Node::items).unwrap_or_default();
    for (i, rule) in rules.iter().enumerate() {
        let Some(host_node) = rule.get("host") else {
            continue;
        };
        let Some(host) = host_node.as_str() else {
            continue;
        };
        if !tls_hosts.iter().any(|p| covers(p, host)) {
            out.at(
                host_node,
                stockade_model::format_exact!("spec.rules[{i}].host"),
                stockade_model::format_exact!("Ingress \"{name}\" serves host {host} without TLS"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::covers;

    #[test]
    fn wildcards_cover_one_label() {
        assert!(covers("shop.example.com", "Shop.example.com"));
        assert!(covers("*.example.com", "api.example.com"));
        assert!(!covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(!covers("example.com", "api.example.com"));
    }
}
