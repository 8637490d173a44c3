//! ## What it does
//! Flags Services of type LoadBalancer that accept traffic from any address: no
//! `spec.loadBalancerSourceRanges` (nor the older `service.beta.kubernetes.io/load-balancer-source-ranges`
//! annotation), or a range list containing `0.0.0.0/0` or `::/0`.
//!
//! Internal load balancers are skipped: those requested with
//! `service.beta.kubernetes.io/aws-load-balancer-internal`,
//! `service.beta.kubernetes.io/aws-load-balancer-scheme: internal`,
//! `networking.gke.io/load-balancer-type: Internal`,
//! `cloud.google.com/load-balancer-type: Internal`,
//! `service.beta.kubernetes.io/azure-load-balancer-internal: "true"` or
//! `service.beta.kubernetes.io/oci-load-balancer-internal: "true"`.
//!
//! ## Why it matters
//! A LoadBalancer Service gets a public address on most clouds. Without source ranges every
//! host on the internet can reach the workload, including its admin endpoints, as soon as it
//! is applied; a firewall rule outside the manifest is easy to forget.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: admin
//! spec:
//!   type: LoadBalancer # finding
//!   selector: {app: admin}
//!   ports:
//!     - port: 443
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: admin
//! spec:
//!   type: LoadBalancer
//!   loadBalancerSourceRanges: [203.0.113.0/24]
//!   selector: {app: admin}
//!   ports:
//!     - port: 443
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::is_core_service;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK610",
    name: "load-balancer-without-source-ranges",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "LoadBalancer Service accepts traffic from any address",
    remediation: "Set `spec.loadBalancerSourceRanges` to the client networks, or make the load balancer internal.",
    references: &["NSA/CISA: network separation and hardening"],
    aliases: &[],
    run: crate::Run::Object(run),
};

const ANNOTATION: &str = "service.beta.kubernetes.io/load-balancer-source-ranges";

/// Annotations (and the values meaning yes) that make a cloud load balancer internal.
const INTERNAL: &[(&str, &[&str])] = &[
    (
        "service.beta.kubernetes.io/aws-load-balancer-internal",
        &["true", "0.0.0.0/0"],
    ),
    (
        "service.beta.kubernetes.io/aws-load-balancer-scheme",
        &["internal"],
    ),
    ("networking.gke.io/load-balancer-type", &["internal"]),
    ("cloud.google.com/load-balancer-type", &["internal"]),
    (
        "service.beta.kubernetes.io/azure-load-balancer-internal",
        &["true"],
    ),
    (
        "service.beta.kubernetes.io/oci-load-balancer-internal",
        &["true"],
    ),
];

fn open(range: &str) -> bool {
    matches!(range.trim(), "0.0.0.0/0" | "::/0")
}

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if !is_core_service(obj) {
        return;
    }
    let Some(t) = obj.root.at(&["spec", "type"]) else {
        return;
    };
    if t.as_str() != Some("LoadBalancer") {
        return;
    }
    let annotations = obj.metadata().get("annotations");
    let internal = INTERNAL.iter().any(|(key, yes)| {
        annotations
            .and_then(|a| a.str_at(key))
            .is_some_and(|v| yes.iter().any(|y| v.trim().eq_ignore_ascii_case(y)))
    });
    if internal {
        return;
    }
    let name = &obj.name;
    if let Some(ranges) = obj.root.at(&["spec", "loadBalancerSourceRanges"])
        && !ranges.items().is_empty()
    {
        if let Some((i, r)) = ranges
            .items()
            .iter()
            .enumerate()
            .find(|(_, r)| r.as_str().is_some_and(open))
        {
            out.at(
                r,
                stockade_model::format_exact!("spec.loadBalancerSourceRanges[{i}]"),
                stockade_model::format_exact!(
                    "LoadBalancer Service \"{name}\" allows traffic from any address"
                ),
            );
        }
        return;
    }
    if let Some(a) = annotations.and_then(|a| a.get(ANNOTATION))
        && let Some(v) = a.as_str()
        && !v.trim().is_empty()
    {
        if v.split(',').any(open) {
            out.at(
                a,
                stockade_model::format_exact!("metadata.annotations.{ANNOTATION}"),
                stockade_model::format_exact!(
                    "LoadBalancer Service \"{name}\" allows traffic from any address"
                ),
            );
        }
        return;
    }
    out.at(
        t,
        "spec.type",
        stockade_model::format_exact!(
            "LoadBalancer Service \"{name}\" sets no loadBalancerSourceRanges"
        ),
    );
}
