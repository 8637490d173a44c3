//! ## What it does
//! Flags webhooks whose `admissionReviewVersions` does not list `v1` (in
//! `admissionregistration.k8s.io/v1beta1` a missing list means `[v1beta1]`).
//!
//! ## Why it matters
//! `admission.k8s.io/v1beta1` AdmissionReview was removed from the API server in
//! Kubernetes 1.22. A webhook that only speaks v1beta1 is a webhook whose server has not
//! been maintained since; on a current cluster the configuration is rejected or the webhook
//! fails every call, which with `failurePolicy: Fail` blocks the resources it intercepts.
//!
//! ## Example
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: legacy
//! webhooks:
//!   - name: legacy.example.com
//!     sideEffects: None
//!     admissionReviewVersions: [v1beta1] # finding
//!     clientConfig:
//!       service: {name: legacy, namespace: legacy}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: legacy
//! webhooks:
//!   - name: legacy.example.com
//!     sideEffects: None
//!     admissionReviewVersions: [v1, v1beta1]
//!     clientConfig:
//!       service: {name: legacy, namespace: legacy}
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Severity};

use super::helpers::webhooks;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK944",
    name: "webhook-without-admission-review-v1",
    category: Category::Admission,
    severity: Severity::Low,
    default_on: true,
    summary: "Admission webhook does not accept AdmissionReview v1",
    remediation: "Update the webhook server to handle `admission.k8s.io/v1` and list `v1` first in `admissionReviewVersions`.",
    references: &["Kubernetes 1.22 removed APIs"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for w in webhooks(ctx.object) {
        let versions: Vec<&str> = w
            .node
            .get("admissionReviewVersions")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .collect();
        if versions.contains(&"v1") {
            continue;
        }
        let (at, path) = w.at("admissionReviewVersions");
        out.at(
            at,
            path,
            stockade_model::format_exact!(
                "{} accepts AdmissionReview {}",
                w.label(),
                if versions.is_empty() && w.beta {
                    "v1beta1 only (unset)".to_string()
                } else if versions.is_empty() {
                    "no version (unset)".to_string()
                } else {
                    versions.join(", ")
                }
            ),
        );
    }
}
