//! ## What it does
//! Flags objects placed in the `kube-system` namespace. Off by default: cluster add-ons
//! (CNI, DNS, CSI drivers, metrics) are installed there on purpose; enable it for
//! repositories that hold applications only.
//!
//! ## Why it matters
//! `kube-system` holds the control plane's add-ons and their highly privileged
//! ServiceAccounts and Secrets. An application deployed there sits next to them, is exempt
//! from many admission policies and network policies that skip the namespace, and anyone who
//! can manage it can reach those credentials.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: shop-settings
//!   namespace: kube-system # finding
//! data:
//!   currency: EUR
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: shop-settings
//!   namespace: shop
//! data:
//!   currency: EUR
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK702",
    name: "kube-system-namespace",
    category: Category::Namespaces,
    severity: Severity::Medium,
    default_on: false,
    summary: "Object is placed in the kube-system namespace",
    remediation: "Deploy applications to a namespace of their own.",
    references: &[],
    aliases: &["trivy:KSV-0037"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.namespace.as_deref() != Some("kube-system") {
        return;
    }
    let at = o.metadata().get("namespace").unwrap_or(&o.root);
    out.at(
        at,
        "metadata.namespace",
        stockade_model::format_exact!("{} \"{}\" is placed in kube-system", o.kind, o.name),
    );
}
