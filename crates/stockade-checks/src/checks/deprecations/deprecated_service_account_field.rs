//! ## What it does
//! Flags pod specs that set `serviceAccount`, the deprecated alias of `serviceAccountName`.
//!
//! ## Why it matters
//! `serviceAccount` has been deprecated since Kubernetes 1.8. The API server still copies it
//! into `serviceAccountName` when only the old field is set, but when both are set and differ
//! the pod runs as `serviceAccountName`, so the manifest says one identity and the pod uses
//! another; tools and policies that read only `serviceAccountName` also miss the old field.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   serviceAccount: web # finding
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   serviceAccountName: web
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK782",
    name: "deprecated-service-account-field",
    category: Category::Deprecations,
    severity: Severity::Low,
    default_on: true,
    summary: "Pod uses the deprecated serviceAccount field",
    remediation: "Rename `serviceAccount` to `serviceAccountName`.",
    references: &[],
    aliases: &[
        "kube-linter:deprecated-service-account-field",
        "kubescape:C-0294",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        let Some(n) = pod.field("serviceAccount") else {
            continue;
        };
        let old = n.as_str().unwrap_or("");
        let message = match pod.field("serviceAccountName").and_then(|m| m.as_str()) {
            Some(new) if new != old => stockade_model::format_exact!(
                "pod sets the deprecated serviceAccount \"{old}\", which differs from serviceAccountName \"{new}\" (the pod runs as \"{new}\")"
            ),
            _ => stockade_model::format_exact!(
                "pod sets the deprecated serviceAccount field (\"{old}\")"
            ),
        };
        out.at(
            n,
            stockade_model::format_exact!("{}.serviceAccount", pod.path),
            message,
        );
    }
}
