//! ## What it does
//! Flags each subject of a binding whose role has a rule with `*` in `verbs`, `apiGroups`,
//! `resources` or `nonResourceURLs`. A rule with `*` in verbs, API groups and resources is full
//! control: it is reported once, as critical, instead of as each power it implies. The finding
//! points at the subject in the binding and names the binding, the role and the rule that
//! grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! `*` grants everything the API serves, today and after upgrades or new CRDs are installed, so
//! a role's reach cannot be reviewed from its text. The severity is the risk's own: a grant
//! through a ClusterRoleBinding (cluster-wide) of a high risk is critical, and a rule limited
//! by `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: config-editor
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["*"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: config-editor
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: config-editor
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
//!   name: config-editor
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["get", "list", "update"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: config-editor
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: config-editor
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

use stockade_rbac::risks::WILDCARD as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject is granted `*` in a role rule",
    remediation: KIND.remediation,
    references: &["CIS 5.1.3", "CIS 5.1.1"],
    aliases: &[
        "kube-linter:wildcard-in-rules",
        "checkov:CKV_K8S_49",
        "trivy:KSV-0044",
        "trivy:KSV-0045",
        "trivy:KSV-0046",
        "trivy:KSV-0112",
        "polaris:clusterrolebindingClusterAdmin",
        "polaris:rolebindingClusterAdminClusterRole",
        "polaris:rolebindingClusterAdminRole",
        "kubescape:C-0187",
        "datree:CIS_INVALID_WILDCARD_ROLE",
        "kubescape:C-0035",
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
