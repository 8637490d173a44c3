//! ## What it does
//! Flags Argo CD's own ConfigMaps (`argocd-cm`, `argocd-rbac-cm`, `argocd-cmd-params-cm`,
//! `argocd-ssh-known-hosts-cm`, `argocd-tls-certs-cm`, `argocd-gpg-keys-cm`,
//! `argocd-notifications-cm`) that lack the label `app.kubernetes.io/part-of: argocd`.
//!
//! ## Why it matters
//! Argo CD only watches ConfigMaps carrying that label. Without it, the settings written in
//! the ConfigMap (RBAC policy, SSO, repository credentials templates, known hosts) are
//! silently ignored: an RBAC policy meant to restrict users never takes effect, and the
//! defaults apply instead.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata: # finding
//!   name: argocd-rbac-cm
//!   namespace: argocd
//! data:
//!   policy.default: role:readonly
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: argocd-rbac-cm
//!   namespace: argocd
//!   labels:
//!     app.kubernetes.io/part-of: argocd
//! data:
//!   policy.default: role:readonly
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://argo-cd.readthedocs.io/en/stable/operator-manual/declarative-setup/>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK919",
    name: "argocd-configmap-part-of-label-missing",
    category: Category::Gitops,
    severity: Severity::Medium,
    default_on: true,
    summary: "Argo CD ConfigMap lacks the app.kubernetes.io/part-of: argocd label",
    remediation: "Add the label `app.kubernetes.io/part-of: argocd` so Argo CD reads the ConfigMap.",
    references: &[],
    aliases: &["datree:ARGO_CONFIGMAP_MISSING_PART_OF_LABEL_VALUE_ARGOCD"],
    run: crate::Run::Object(run),
};

const NAMES: &[&str] = &[
    "argocd-cm",
    "argocd-rbac-cm",
    "argocd-cmd-params-cm",
    "argocd-ssh-known-hosts-cm",
    "argocd-tls-certs-cm",
    "argocd-gpg-keys-cm",
    "argocd-notifications-cm",
];

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "ConfigMap" || !o.group().is_empty() || !NAMES.contains(&o.name.as_str()) {
        return;
    }
    let label = o
        .root
        .at(&["metadata", "labels", "app.kubernetes.io/part-of"])
        .and_then(|l| l.as_str());
    if label != Some("argocd") {
        // The label if it is there, else the labels, else `metadata`: the nearest field.
        let node = o
            .root
            .at(&["metadata", "labels", "app.kubernetes.io/part-of"])
            .or_else(|| o.root.at(&["metadata", "labels"]))
            .or_else(|| o.root.get("metadata"))
            .unwrap_or(&o.root);
        out.at(
            node,
            "metadata.labels",
            stockade_model::format_exact!(
                "ConfigMap \"{}\" lacks the label app.kubernetes.io/part-of: argocd, so Argo CD ignores it",
                o.name
            ),
        );
    }
}
