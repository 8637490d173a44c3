//! ## What it does
//! Flags webhooks whose `sideEffects` is `Unknown` or `Some`, or missing (required in
//! `admissionregistration.k8s.io/v1`, `Unknown` by default in `v1beta1`).
//!
//! ## Why it matters
//! A webhook with side effects changes something outside the object under review (creates
//! resources, calls an external system), so those changes happen even when the request is
//! later rejected or was a dry run. The API server refuses dry-run requests (`kubectl
//! apply --dry-run=server`, `kubectl diff`) on such webhooks, which breaks GitOps diffs and
//! previews.
//!
//! ## Example
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: audit
//! webhooks:
//!   - name: audit.example.com
//!     sideEffects: Unknown # finding
//!     admissionReviewVersions: [v1]
//!     clientConfig:
//!       service: {name: audit, namespace: audit}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: audit
//! webhooks:
//!   - name: audit.example.com
//!     sideEffects: NoneOnDryRun
//!     admissionReviewVersions: [v1]
//!     clientConfig:
//!       service: {name: audit, namespace: audit}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::webhooks;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK943",
    name: "webhook-side-effects-unknown",
    category: Category::Admission,
    severity: Severity::Low,
    default_on: true,
    summary: "Admission webhook declares side effects Unknown or Some",
    remediation: "Make the webhook free of side effects and declare `sideEffects: None`, or skip them on dry runs and declare `NoneOnDryRun`.",
    references: &["Kubernetes: admission webhook good practices (side effects)"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for w in webhooks(ctx.object) {
        let value = w.str("sideEffects");
        if matches!(value, Some("None" | "NoneOnDryRun")) {
            continue;
        }
        let (at, path) = w.at("sideEffects");
        out.at(
            at,
            path,
            stockade_model::format_exact!(
                "{} declares sideEffects {}",
                w.label(),
                value.unwrap_or("(unset, Unknown)")
            ),
        );
    }
}
