//! ## What it does
//! Flags each subject of a binding whose role allows `create` on `serviceaccounts/token` (a
//! rule limited by resourceNames is not flagged: create requests carry no name). The finding
//! points at the subject in the binding and names the binding, the role and the rule that
//! grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! A token created for a ServiceAccount lets the holder act as that ServiceAccount, with all
//! its permissions. The severity is the risk's own: a grant through a ClusterRoleBinding
//! (cluster-wide) of a high risk is critical, and a rule limited by `resourceNames` is one
//! level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: token-minter
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["serviceaccounts/token"]
//!     verbs: ["create"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: token-minter
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: token-minter
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
//!   name: token-minter
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["serviceaccounts"]
//!     verbs: ["get", "list"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: token-minter
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: token-minter
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

use stockade_rbac::risks::TOKEN_CREATE as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject can create ServiceAccount tokens",
    remediation: KIND.remediation,
    references: &["CIS 5.1.13"],
    aliases: &["kubescape:C-0282"],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
