//! ## What it does
//! Flags webhooks whose `timeoutSeconds` is above 10, the API server's default in
//! `admissionregistration.k8s.io/v1`; in `v1beta1` a missing `timeoutSeconds` means 30 and
//! is flagged too.
//!
//! ## Why it matters
//! The API server waits for the webhook on every matching request. A long timeout turns a
//! slow or hung webhook into slow `kubectl apply`s, controller backlogs and, with several
//! webhooks in a chain, requests that exceed the API server's own deadline. Webhooks
//! should answer in milliseconds; 10 seconds is already generous.
//!
//! ## Example
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: MutatingWebhookConfiguration
//! metadata:
//!   name: sidecar-injector
//! webhooks:
//!   - name: inject.example.com
//!     timeoutSeconds: 30 # finding
//!     sideEffects: None
//!     admissionReviewVersions: [v1]
//!     clientConfig:
//!       service: {name: injector, namespace: injector}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: MutatingWebhookConfiguration
//! metadata:
//!   name: sidecar-injector
//! webhooks:
//!   - name: inject.example.com
//!     timeoutSeconds: 5
//!     sideEffects: None
//!     admissionReviewVersions: [v1]
//!     clientConfig:
//!       service: {name: injector, namespace: injector}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::webhooks;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK941",
    name: "webhook-timeout-too-long",
    category: Category::Admission,
    severity: Severity::Low,
    default_on: true,
    summary: "Admission webhook timeout is above the API server's default of 10 seconds",
    remediation: "Set `timeoutSeconds` to 10 or less (a few seconds is typical) and make the webhook answer fast.",
    references: &["Kubernetes: admission webhook good practices (timeouts)"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for w in webhooks(ctx.object) {
        let seconds = match w.node.get("timeoutSeconds") {
            Some(n) if !n.is_null() => n.as_i64(),
            _ => w.beta.then_some(30),
        };
        if let Some(s) = seconds.filter(|s| *s > 10) {
            let (at, path) = w.at("timeoutSeconds");
            out.at(
                at,
                path,
                stockade_model::format_exact!(
                    "{} waits up to {s}s per request (API server default 10s)",
                    w.label()
                ),
            );
        }
    }
}
