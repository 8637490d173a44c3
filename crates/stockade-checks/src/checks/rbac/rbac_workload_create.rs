//! ## What it does
//! Flags each subject of a binding whose role allows `create`, `update` or `patch` on pods,
//! ReplicationControllers, Deployments, DaemonSets, StatefulSets, ReplicaSets, Jobs or
//! CronJobs. The finding points at the subject in the binding and names the binding, the role
//! and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! Whoever creates a pod chooses its ServiceAccount, volumes and image: they get every Secret,
//! token and hostPath the namespace's pod security allows, so this is as strong as the
//! strongest identity in the namespace. The severity is the risk's own: a grant through a
//! ClusterRoleBinding (cluster-wide) of a high risk is critical, and a rule limited by
//! `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: deployer
//!   namespace: team
//! rules:
//!   - apiGroups: ["apps"]
//!     resources: ["deployments"]
//!     verbs: ["get", "list", "create", "update"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: deployer
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: deployer
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
//!   name: deployer
//!   namespace: team
//! rules:
//!   - apiGroups: ["apps"]
//!     resources: ["deployments"]
//!     verbs: ["get", "list", "watch"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: deployer
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: deployer
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

use stockade_rbac::risks::WORKLOAD_CREATE as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject can create or change pods or workloads",
    remediation: KIND.remediation,
    references: &["CIS 5.1.4"],
    aliases: &[
        "kube-linter:access-to-create-pods",
        "trivy:KSV-0048",
        "kubescape:C-0188",
        "datree:CIS_INVALID_VALUE_CREATE_POD",
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
