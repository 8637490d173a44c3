//! ## What it does
//! Flags each subject of a RoleBinding or ClusterRoleBinding whose role allows `get`, `list` or
//! `watch` on `secrets`. The finding points at the subject in the binding and names the
//! binding, the role and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! Secrets hold passwords, keys and ServiceAccount tokens; reading them is usually a step to
//! acting as someone else. `list` and `watch` return every Secret's content, not just names.
//! The severity is the risk's own: a grant through a ClusterRoleBinding (cluster-wide) of a
//! high risk is critical, and a rule limited by `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: reader
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["secrets"]
//!     verbs: ["get", "list", "watch"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: reader
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: reader
//! subjects:
//!   - kind: ServiceAccount # finding
//!     name: app
//!     namespace: team
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: reader
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["get", "list", "watch"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: reader
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: reader
//! subjects:
//!   - kind: ServiceAccount
//!     name: app
//!     namespace: team
//! ```
//!
//! ## Options
//! None. The RBAC checks read the Roles, ClusterRoles and bindings of the whole input
//! (aggregated ClusterRoles are resolved as the controller does); a binding to a role that is
//! not in the input is reported by `rbac-missing-role` instead.

use stockade_rbac::risks::SECRETS_READ as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject can read Secrets",
    remediation: KIND.remediation,
    references: &["CIS 5.1.2"],
    aliases: &[
        "kube-linter:access-to-secrets",
        "trivy:KSV-0041",
        "trivy:KSV-0113",
        "kubescape:C-0015",
        "kubescape:C-0186",
        "datree:CIS_INVALID_VERB_SECRETS",
        "checkov:CKV2_K8S_5",
    ],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
