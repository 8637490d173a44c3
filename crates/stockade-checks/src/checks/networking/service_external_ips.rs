//! ## What it does
//! Flags core Services that set `spec.externalIPs`.
//!
//! ## Why it matters
//! kube-proxy accepts traffic for a Service's external IPs on every node and forwards it to the
//! Service's pods, whatever the IP is. Anyone who can create or update a Service can therefore
//! claim any address, including another tenant's or an external service's, and intercept its
//! traffic inside the cluster (CVE-2020-8554, which has no patch: the fix is to forbid the
//! field with the `DenyServiceExternalIPs` admission plugin or a policy).
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//!   externalIPs: # finding
//!     - 203.0.113.10
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   type: LoadBalancer
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::is_core_service;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK602",
    name: "service-external-ips",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "Service sets externalIPs",
    remediation: "Remove `externalIPs`; use a LoadBalancer Service or an Ingress/Gateway, and enable the DenyServiceExternalIPs admission plugin.",
    references: &["CVE-2020-8554", "CIS 1.2.3 (DenyServiceExternalIPs)"],
    aliases: &["trivy:KSV-0108"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    if !is_core_service(ctx.object) {
        return;
    }
    let Some(ips) = ctx.object.root.at(&["spec", "externalIPs"]) else {
        return;
    };
    let list: Vec<&str> = match ips.as_str() {
        // Odd input: a single address written as a string.
        Some(one) => vec![one],
        None => ips.items().iter().filter_map(|i| i.as_str()).collect(),
    };
    if list.is_empty() {
        return;
    }
    out.at(
        ips,
        "spec.externalIPs",
        stockade_model::format_exact!(
            "Service \"{}\" claims external IPs {}",
            ctx.object.name,
            list.join(", ")
        ),
    );
}
