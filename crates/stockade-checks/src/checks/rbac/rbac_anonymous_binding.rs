//! ## What it does
//! Flags each subject `system:anonymous`, `system:unauthenticated` (critical) or
//! `system:authenticated` (high) of a binding whose role grants anything, except the discovery
//! roles the bootstrap policy binds to everyone on purpose (`system:discovery`, `system:basic-
//! user`, `system:public-info-viewer`). The finding points at the subject in the binding and
//! names the binding, the role and the rule that grants it.
//!
//! ## Why it matters
//! Every client that can reach the API server, with or without credentials (or with any
//! credential, for `system:authenticated`), gets the role's permissions. The severity is the
//! risk's own: a grant through a ClusterRoleBinding (cluster-wide) of a high risk is critical,
//! and a rule limited by `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRole
//! metadata:
//!   name: public-config
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["get"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: public-config
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: public-config
//! subjects:
//!   - kind: Group # finding
//!     name: system:unauthenticated
//!     apiGroup: rbac.authorization.k8s.io
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRole
//! metadata:
//!   name: public-config
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["get"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: public-config
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: public-config
//! subjects:
//!   - kind: Group
//!     name: readers
//!     apiGroup: rbac.authorization.k8s.io
//! ```
//!
//! ## Options
//! None. The RBAC checks read the Roles, ClusterRoles and bindings of the whole input
//! (aggregated ClusterRoles are resolved as the controller does); a binding to a role that is
//! not in the input is reported by `rbac-missing-role` instead.

use stockade_rbac::risks::ANONYMOUS as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Binding grants permissions to anonymous or all users",
    remediation: KIND.remediation,
    references: &[],
    aliases: &[
        "kubesec:BindingsToSystemAnonymous",
        "trivy:KSV-0122",
        "trivy:KSV-01011",
        "kubescape:C-0262",
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
