//! ## What it does
//! Flags ServiceAccount objects named `default` that do not set
//! `automountServiceAccountToken: false`.
//!
//! ## Why it matters
//! Every pod of the namespace that names no ServiceAccount runs as `default`, and unless the
//! pod or the ServiceAccount says otherwise it gets that account's token mounted. Turning the
//! mount off on the `default` account (CIS 5.1.5) means only workloads that ask for an
//! identity carry a credential for the API server. Pods are checked on their own by
//! `service-account-token-automounted` (STK503).
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ServiceAccount
//! metadata:
//!   name: default # finding
//!   namespace: shop
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ServiceAccount
//! metadata:
//!   name: default
//!   namespace: shop
//! automountServiceAccountToken: false
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK508",
    name: "default-service-account-token-automounted",
    category: Category::Secrets,
    severity: Severity::Low,
    default_on: true,
    summary: "Namespace's default ServiceAccount mounts its token into pods",
    remediation: "Set `automountServiceAccountToken: false` on the `default` ServiceAccount.",
    references: &["CIS 5.1.5"],
    aliases: &[
        "checkov:CKV_K8S_41",
        "datree:CIS_INVALID_VALUE_AUTOMOUNTSERVICEACCOUNTTOKEN",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "ServiceAccount" || !o.group().is_empty() || o.name != "default" {
        return;
    }
    match o.root.get("automountServiceAccountToken") {
        Some(n) if n.as_bool() == Some(false) => {}
        Some(n) if !n.is_null() => out.at(
            n,
            "automountServiceAccountToken",
            stockade_model::format_exact!(
                "default ServiceAccount of namespace {} sets automountServiceAccountToken: true",
                o.namespace.as_deref().unwrap_or("(unset)")
            ),
        ),
        _ => {
            let at = o.root.nearest(&["metadata", "name"]);
            out.at(
                at,
                "metadata.name",
                stockade_model::format_exact!(
                    "default ServiceAccount of namespace {} does not set automountServiceAccountToken: false",
                    o.namespace.as_deref().unwrap_or("(unset)")
                ),
            );
        }
    }
}
