//! ## What it does
//! Flags Istio `PeerAuthentication` objects that set mutual TLS to `PERMISSIVE` or
//! `DISABLE`, for the whole selection (`spec.mtls.mode`) or for a port
//! (`spec.portLevelMtls.<port>.mode`).
//!
//! ## Why it matters
//! In `PERMISSIVE` mode a workload accepts plain-text connections alongside mTLS, so any pod
//! (or anything that reaches the pod network) can talk to it without a mesh identity, and
//! AuthorizationPolicies based on principals or namespaces no longer hold for that traffic.
//! `DISABLE` turns mTLS off entirely. `PERMISSIVE` is meant for migrations and should not
//! stay.
//!
//! ## Example
//! ```yaml
//! apiVersion: security.istio.io/v1
//! kind: PeerAuthentication
//! metadata:
//!   name: default
//!   namespace: shop
//! spec:
//!   mtls:
//!     mode: PERMISSIVE # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: security.istio.io/v1
//! kind: PeerAuthentication
//! metadata:
//!   name: default
//!   namespace: shop
//! spec:
//!   mtls:
//!     mode: STRICT
//! ```
//!
//! ## Options
//! None. `UNSET` (inherit from the namespace or mesh policy) is not flagged.

use stockade_model::Severity;

use super::helpers::is;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK910",
    name: "istio-peer-authentication-not-strict",
    category: Category::Gitops,
    severity: Severity::Medium,
    default_on: true,
    summary: "Istio PeerAuthentication accepts plain-text traffic",
    remediation: "Set `spec.mtls.mode: STRICT` once every client has a sidecar; keep PERMISSIVE only for the duration of a migration.",
    references: &["Istio security best practices: mutual TLS"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn weak(mode: Option<&str>) -> bool {
    matches!(mode, Some("PERMISSIVE" | "DISABLE"))
}

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if !is(obj, "security.istio.io", "PeerAuthentication") {
        return;
    }
    let name = &obj.name;
    if let Some(m) = obj.root.at(&["spec", "mtls", "mode"])
        && weak(m.as_str())
    {
        out.at(
            m,
            "spec.mtls.mode",
            stockade_model::format_exact!(
                "PeerAuthentication \"{name}\" sets mTLS mode {}",
                m.as_str().unwrap_or("")
            ),
        );
    }
    if let Some(ports) = obj.root.at(&["spec", "portLevelMtls"]) {
        for e in ports.entries() {
            if let Some(m) = e.value.get("mode")
                && weak(m.as_str())
            {
                out.at(
                    m,
                    stockade_model::format_exact!("spec.portLevelMtls.{}.mode", e.key),
                    stockade_model::format_exact!(
                        "PeerAuthentication \"{name}\" sets mTLS mode {} on port {}",
                        m.as_str().unwrap_or(""),
                        e.key
                    ),
                );
            }
        }
    }
}
