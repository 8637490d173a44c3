//! ## What it does
//! Flags Istio `AuthorizationPolicy` objects with action `ALLOW` (the default) and a rule
//! that matches every request: an empty rule (`rules: [{}]`), or one whose `from`, `to` and
//! `when` are all missing or empty.
//!
//! (A policy with no `rules` at all is the opposite, deny-all for the selected workloads,
//! and is not flagged.)
//!
//! ## Why it matters
//! Istio allows a request when any ALLOW policy matches it. One allow-all rule makes every
//! other ALLOW policy for the same workloads meaningless: any caller, with or without a
//! mesh identity, can reach every path and method.
//!
//! ## Example
//! ```yaml
//! apiVersion: security.istio.io/v1
//! kind: AuthorizationPolicy
//! metadata:
//!   name: allow-all
//!   namespace: shop
//! spec:
//!   action: ALLOW
//!   rules:
//!     - {} # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: security.istio.io/v1
//! kind: AuthorizationPolicy
//! metadata:
//!   name: web-to-api
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   action: ALLOW
//!   rules:
//!     - from:
//!         - source:
//!             principals: [cluster.local/ns/shop/sa/web]
//!       to:
//!         - operation:
//!             methods: [GET]
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Severity};

use super::helpers::is;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK911",
    name: "istio-authorization-policy-allows-all",
    category: Category::Gitops,
    severity: Severity::Medium,
    default_on: true,
    summary: "Istio AuthorizationPolicy allows every request",
    remediation: "Restrict the rule with `from` (principals, namespaces), `to` (paths, methods) or `when` conditions.",
    references: &["Istio security best practices: authorization policies"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn matches_everything(rule: &Node) -> bool {
    ["from", "to", "when"]
        .iter()
        .all(|k| rule.get(k).is_none_or(|v| v.items().is_empty()))
}

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if !is(obj, "security.istio.io", "AuthorizationPolicy") {
        return;
    }
    let Some(spec) = obj.root.get("spec") else {
        return;
    };
    if spec.str_at("action").is_some_and(|a| a != "ALLOW") {
        return;
    }
    let rules = spec.get("rules").map(Node::items).unwrap_or_default();
    for (i, rule) in rules.iter().enumerate() {
        if matches_everything(rule) {
            out.at(
                rule,
                stockade_model::format_exact!("spec.rules[{i}]"),
                stockade_model::format_exact!(
                    "AuthorizationPolicy \"{}\" rule {i} allows every request",
                    obj.name
                ),
            );
        }
    }
}
