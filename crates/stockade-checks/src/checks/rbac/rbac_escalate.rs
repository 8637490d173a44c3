//! ## What it does
//! Flags each subject of a binding whose role allows the `escalate` verb on `roles` or
//! `clusterroles` in rbac.authorization.k8s.io. Without it the API server refuses a role change
//! that would grant more than the editor holds. The finding points at the subject in the
//! binding and names the binding, the role and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! With `escalate` a subject can add any permission to a role it can edit and then use it: it
//! is not bounded by its own rights. The severity is the risk's own: a grant through a
//! ClusterRoleBinding (cluster-wide) of a high risk is critical, and a rule limited by
//! `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRole
//! metadata:
//!   name: role-editor
//! rules:
//!   - apiGroups: ["rbac.authorization.k8s.io"]
//!     resources: ["roles", "clusterroles"]
//!     verbs: ["get", "update", "escalate"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: role-editor
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: role-editor
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
//!   name: role-editor
//! rules:
//!   - apiGroups: ["rbac.authorization.k8s.io"]
//!     resources: ["roles", "clusterroles"]
//!     verbs: ["get", "update"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: role-editor
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: role-editor
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

use stockade_rbac::risks::ESCALATE as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject can escalate roles",
    remediation: KIND.remediation,
    references: &["CIS 5.1.8"],
    aliases: &[
        "checkov:CKV_K8S_158",
        "trivy:KSV-0050",
        "kubescape:C-0191",
        "datree:CIS_INVALID_VALUE_BIND_IMPERSONATE_ESCALATE",
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
