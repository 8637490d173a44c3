//! ## What it does
//! Flags each subject of a binding whose role allows `create`, `update`, `patch` or `delete` on
//! `validatingwebhookconfigurations` or `mutatingwebhookconfigurations` in
//! admissionregistration.k8s.io. The finding points at the subject in the binding and names the
//! binding, the role and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! Admission webhooks see and can change every object they match; changing their configuration
//! can disable policy enforcement or send Secrets to an outside server. The severity is the
//! risk's own: a grant through a ClusterRoleBinding (cluster-wide) of a high risk is critical,
//! and a rule limited by `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRole
//! metadata:
//!   name: webhook-admin
//! rules:
//!   - apiGroups: ["admissionregistration.k8s.io"]
//!     resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]
//!     verbs: ["get", "list", "patch"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: webhook-admin
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: webhook-admin
//! subjects:
//!   - kind: Group # finding
//!     name: platform
//!     apiGroup: rbac.authorization.k8s.io
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRole
//! metadata:
//!   name: webhook-admin
//! rules:
//!   - apiGroups: ["admissionregistration.k8s.io"]
//!     resources: ["validatingwebhookconfigurations", "mutatingwebhookconfigurations"]
//!     verbs: ["get", "list"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: webhook-admin
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: webhook-admin
//! subjects:
//!   - kind: Group
//!     name: platform
//!     apiGroup: rbac.authorization.k8s.io
//! ```
//!
//! ## Options
//! None. The RBAC checks read the Roles, ClusterRoles and bindings of the whole input
//! (aggregated ClusterRoles are resolved as the controller does); a binding to a role that is
//! not in the input is reported by `rbac-missing-role` instead.

use stockade_rbac::risks::WEBHOOK_EDIT as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject can change admission webhook configurations",
    remediation: KIND.remediation,
    references: &["CIS 5.1.12"],
    aliases: &["checkov:CKV_K8S_155", "trivy:KSV-0114", "kubescape:C-0281"],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
