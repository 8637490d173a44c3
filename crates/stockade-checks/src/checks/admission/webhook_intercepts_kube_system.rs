//! ## What it does
//! Flags webhooks that intercept requests in the `kube-system` namespace: their rules cover
//! namespaced resources (`scope` `*`, `Namespaced` or unset) and their `namespaceSelector`
//! (missing: every namespace) selects a namespace labelled only
//! `kubernetes.io/metadata.name: kube-system`, the label the API server sets on every
//! namespace. A webhook whose `matchConditions` mention `kube-system` is taken to exclude
//! it there.
//!
//! Selectors on other labels (`admission.gatekeeper.sh/ignore DoesNotExist`) count as
//! intercepting, because the label on kube-system lives in the cluster, not in the
//! manifest; exclude kube-system by its name label to make the intent visible.
//!
//! ## Why it matters
//! When the webhook is down, slow or broken, requests it intercepts fail (with
//! `failurePolicy: Fail`) or skip it. In kube-system that means DNS, the CNI and other
//! add-ons cannot be updated or restarted, which can take the cluster down and prevent the
//! webhook itself from coming back. A mutating webhook there can also alter control-plane
//! workloads.
//!
//! ## Example
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: policy
//! webhooks:
//!   - name: pods.policy.example.com # finding
//!     failurePolicy: Fail
//!     sideEffects: None
//!     admissionReviewVersions: [v1]
//!     rules:
//!       - apiGroups: [""]
//!         apiVersions: [v1]
//!         operations: [CREATE]
//!         resources: [pods]
//!     clientConfig:
//!       service: {name: policy, namespace: policy}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: admissionregistration.k8s.io/v1
//! kind: ValidatingWebhookConfiguration
//! metadata:
//!   name: policy
//! webhooks:
//!   - name: pods.policy.example.com
//!     failurePolicy: Fail
//!     sideEffects: None
//!     admissionReviewVersions: [v1]
//!     namespaceSelector:
//!       matchExpressions:
//!         - key: kubernetes.io/metadata.name
//!           operator: NotIn
//!           values: [kube-system]
//!     rules:
//!       - apiGroups: [""]
//!         apiVersions: [v1]
//!         operations: [CREATE]
//!         resources: [pods]
//!     clientConfig:
//!       service: {name: policy, namespace: policy}
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Pos, Severity, Value, labels::selector_selects};

use super::helpers::webhooks;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK942",
    name: "webhook-intercepts-kube-system",
    category: Category::Admission,
    severity: Severity::Medium,
    default_on: true,
    summary: "Admission webhook intercepts requests in kube-system",
    remediation: "Add a namespaceSelector with `kubernetes.io/metadata.name NotIn [kube-system]` (and the webhook's own namespace).",
    references: &["Kubernetes: admission webhook good practices (avoid kube-system)"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn kube_system_labels() -> Node {
    let scalar = |t: &str| Node {
        value: Value::Scalar {
            text: t.into(),
            plain: true,
        },
        pos: Pos::default(),
    };
    Node {
        value: Value::Map(vec![stockade_model::Entry {
            key: "kubernetes.io/metadata.name".into(),
            value: scalar("kube-system"),
        }]),
        pos: Pos::default(),
    }
}

/// True when some rule covers namespaced resources.
fn namespaced_rules(webhook: &Node) -> bool {
    webhook
        .get("rules")
        .map(Node::items)
        .unwrap_or_default()
        .iter()
        .any(|r| matches!(r.str_at("scope"), None | Some("*" | "Namespaced")))
}

fn run(ctx: &Context, out: &mut Emit) {
    let labels = kube_system_labels();
    for w in webhooks(ctx.object) {
        if !namespaced_rules(w.node) {
            continue;
        }
        let mentions = w
            .node
            .get("matchConditions")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(|c| c.str_at("expression"))
            .any(|e| e.contains("kube-system"));
        if mentions {
            continue;
        }
        let selected = match w.node.get("namespaceSelector") {
            Some(s) if !s.is_null() => selector_selects(s, Some(&labels)),
            _ => true,
        };
        if selected {
            let (at, path) = w.at("name");
            out.at(
                at,
                path,
                stockade_model::format_exact!(
                    "{} intercepts requests in kube-system (failurePolicy {})",
                    w.label(),
                    w.str("failurePolicy")
                        .unwrap_or(if w.beta { "Ignore" } else { "Fail" })
                ),
            );
        }
    }
}
