//! ## What it does
//! Flags webhooks that look security-related and fail open: `failurePolicy: Ignore`, or no
//! `failurePolicy` in `admissionregistration.k8s.io/v1beta1` (where the default is `Ignore`).
//!
//! A webhook looks security-related when its name, its service's name or namespace, or its
//! URL contains (case-insensitively) one of `policy`, `gatekeeper`, `kyverno`, `kubewarden`,
//! `opa`, `security`, `psa`, `falco` or `stockade`.
//!
//! ## Why it matters
//! A policy webhook that fails open enforces nothing while it is down, slow or unreachable,
//! and an attacker who can disturb it (overload it, delete its pods, break its network
//! path) can then admit privileged pods unchecked. Security controls should fail closed,
//! with a highly available deployment and a namespace selector that keeps the control
//! plane working when the webhook is down.
//!
//! ## Example
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: gatekeeper-validating-webhook-configuration
//! webhooks:
//!   - name: validation.gatekeeper.sh
//!     failurePolicy: Ignore # finding
//!     sideEffects: None
//!     admissionReviewVersions: [v1]
//!     clientConfig:
//!       service: {name: gatekeeper-webhook-service, namespace: gatekeeper-system}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: gatekeeper-validating-webhook-configuration
//! webhooks:
//!   - name: validation.gatekeeper.sh
//!     failurePolicy: Fail
//!     sideEffects: None
//!     admissionReviewVersions: [v1]
//!     clientConfig:
//!       service: {name: gatekeeper-webhook-service, namespace: gatekeeper-system}
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{Webhook, webhooks};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK940",
    name: "security-webhook-fails-open",
    category: Category::Admission,
    severity: Severity::High,
    default_on: true,
    summary: "Security admission webhook fails open",
    remediation: "Set `failurePolicy: Fail`, run the webhook with several replicas and a PodDisruptionBudget, and exclude kube-system with a namespaceSelector.",
    references: &["Kubernetes: admission webhook good practices (fail closed)"],
    aliases: &[],
    run: crate::Run::Object(run),
};

const SECURITY_WORDS: &[&str] = &[
    "policy",
    "gatekeeper",
    "kyverno",
    "kubewarden",
    "opa",
    "security",
    "psa",
    "falco",
    "stockade",
];

fn security_related(w: &Webhook) -> bool {
    let service = w.node.at(&["clientConfig", "service"]);
    [
        Some(w.name),
        service.and_then(|s| s.str_at("name")),
        service.and_then(|s| s.str_at("namespace")),
        w.node.at(&["clientConfig", "url"]).and_then(|u| u.as_str()),
    ]
    .into_iter()
    .flatten()
    .map(str::to_ascii_lowercase)
    .any(|s| SECURITY_WORDS.iter().any(|w| s.contains(w)))
}

fn run(ctx: &Context, out: &mut Emit) {
    for w in webhooks(ctx.object) {
        let fails_open = match w.str("failurePolicy") {
            Some(p) => p == "Ignore",
            None => w.beta,
        };
        if fails_open && security_related(&w) {
            let (at, path) = w.at("failurePolicy");
            out.at(
                at,
                path,
                stockade_model::format_exact!(
                    "{} looks security-related but fails open (failurePolicy Ignore)",
                    w.label()
                ),
            );
        }
    }
}
