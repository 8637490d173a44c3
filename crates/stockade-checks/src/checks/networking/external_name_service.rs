//! ## What it does
//! Flags Services of type `ExternalName`.
//!
//! ## Why it matters
//! An ExternalName Service makes a cluster DNS name an alias (CNAME) for any host. Whoever can
//! create one can redirect in-cluster clients of that name to an outside server, and ingress
//! controllers that route to it can be turned into a proxy towards internal addresses
//! (CVE-2021-25740). Unless the target is reviewed, prefer a Service with explicit endpoints.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: payments
//! spec:
//!   type: ExternalName # finding
//!   externalName: payments.example.com
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: payments
//! spec:
//!   type: ClusterIP
//!   selector: {app: payments}
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
    id: "STK612",
    name: "external-name-service",
    category: Category::Networking,
    severity: Severity::Low,
    default_on: true,
    summary: "Service is of type ExternalName",
    remediation: "Point clients at the external host directly, or use a selector-less Service with explicit EndpointSlices.",
    references: &["CVE-2021-25740"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    if !is_core_service(ctx.object) {
        return;
    }
    if let Some(t) = ctx.object.root.at(&["spec", "type"])
        && t.as_str() == Some("ExternalName")
    {
        let target = ctx
            .object
            .root
            .at(&["spec", "externalName"])
            .and_then(|n| n.as_str())
            .unwrap_or("(unset)");
        out.at(
            t,
            "spec.type",
            stockade_model::format_exact!(
                "Service \"{}\" is of type ExternalName (alias for {target})",
                ctx.object.name
            ),
        );
    }
}
