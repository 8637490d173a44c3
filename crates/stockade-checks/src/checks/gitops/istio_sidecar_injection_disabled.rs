//! ## What it does
//! Flags explicit opt-outs of Istio sidecar injection: a Namespace labelled
//! `istio-injection: disabled`, and a pod template labelled or annotated
//! `sidecar.istio.io/inject: "false"`. The system namespaces `kube-system`, `kube-public`,
//! `kube-node-lease` and `istio-system`, and objects in them, are skipped.
//!
//! ## Why it matters
//! Pods without a sidecar are outside the mesh: their traffic is not encrypted with mTLS,
//! they have no mesh identity, and AuthorizationPolicies do not apply to them. When other
//! workloads require STRICT mTLS they fail to talk to them, which invites PERMISSIVE
//! exceptions. An opt-out should be a reviewed decision; this finding is how it gets seen.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: shop
//!   labels:
//!     istio-injection: disabled # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: shop
//!   labels:
//!     istio-injection: enabled
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Severity};

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK912",
    name: "istio-sidecar-injection-disabled",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: true,
    summary: "Istio sidecar injection is disabled",
    remediation: "Enable injection (`istio-injection: enabled` or an `istio.io/rev` label), or document why the workload stays outside the mesh and suppress the finding.",
    references: &["Istio: sidecar injection"],
    aliases: &[],
    run: crate::Run::Object(run),
};

const SYSTEM: &[&str] = &[
    "kube-system",
    "kube-public",
    "kube-node-lease",
    "istio-system",
];
const INJECT: &str = "sidecar.istio.io/inject";

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if obj.kind == "Namespace" && obj.group().is_empty() {
        if SYSTEM.contains(&obj.name.as_str()) {
            return;
        }
        if let Some(l) = obj.metadata().at(&["labels", "istio-injection"])
            && l.as_str() == Some("disabled")
        {
            out.at(
                l,
                "metadata.labels.istio-injection",
                stockade_model::format_exact!(
                    "Namespace \"{}\" disables Istio sidecar injection",
                    obj.name
                ),
            );
        }
        return;
    }
    if obj
        .namespace
        .as_deref()
        .is_some_and(|ns| SYSTEM.contains(&ns))
    {
        return;
    }
    for pod in ctx.pods {
        let Some(meta) = pod.metadata else { continue };
        for field in ["labels", "annotations"] {
            if let Some(v) = meta.at(&[field, INJECT])
                && is_false(v)
            {
                out.at(
                    v,
                    stockade_model::format_exact!("{}.{field}.{INJECT}", pod.metadata_path),
                    stockade_model::format_exact!(
                        "{} \"{}\" opts its pods out of Istio sidecar injection",
                        obj.kind,
                        obj.name
                    ),
                );
            }
        }
    }
}

fn is_false(v: &Node) -> bool {
    v.as_bool() == Some(false) || v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("false"))
}
