//! ## What it does
//! Flags each subject of a binding whose role allows `create` (or `get`, which older API
//! servers accepted for the websocket upgrade) on `pods/exec` or `pods/attach`. The finding
//! points at the subject in the binding and names the binding, the role and the rule that
//! grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! Exec or attach runs commands inside a running container, with its files, environment and
//! mounted ServiceAccount token. The severity is the risk's own: a grant through a
//! ClusterRoleBinding (cluster-wide) of a high risk is critical, and a rule limited by
//! `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: debugger
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["pods/exec"]
//!     verbs: ["create"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: debugger
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: debugger
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
//!   name: debugger
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["pods/log"]
//!     verbs: ["get"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: debugger
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: debugger
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

use stockade_rbac::risks::POD_EXEC as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject can exec or attach into pods",
    remediation: KIND.remediation,
    references: &[],
    aliases: &[
        "trivy:KSV-0053",
        "trivy:KSV-0054",
        "polaris:rolebindingRolePodExecAttach",
        "polaris:rolebindingClusterRolePodExecAttach",
        "polaris:clusterrolebindingPodExecAttach",
        "polaris:clusterrolePodExecAttach",
        "polaris:rolePodExecAttach",
        "kubescape:C-0002",
        "datree:CONTAINERS_INCORRECT_RESOURCES_VERBS_VALUE",
        "checkov:CKV2_K8S_2",
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
