//! ## What it does
//! Flags RoleBindings and ClusterRoleBindings whose `roleRef` is the ClusterRole
//! `cluster-admin`. The built-in role is not in most inputs, so the RBAC engine's checks cannot
//! see what it grants; this check reads the name.
//!
//! ## Why it matters
//! `cluster-admin` can do anything to every object; through a ClusterRoleBinding, in every
//! namespace. Whoever holds it (or can act as a ServiceAccount that holds it) owns the
//! cluster. CIS 5.1.1 asks that it be used only where required; most tools and operators
//! need a narrower role.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: ci-admin
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: cluster-admin # finding
//! subjects:
//!   - kind: ServiceAccount
//!     name: ci
//!     namespace: ci
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: ci-deployer
//!   namespace: shop
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: edit
//! subjects:
//!   - kind: ServiceAccount
//!     name: ci
//!     namespace: ci
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{binding_scope, cluster_role_ref};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK815",
    name: "cluster-admin-binding",
    category: Category::Rbac,
    severity: Severity::High,
    default_on: true,
    summary: "Binding grants the cluster-admin ClusterRole",
    remediation: "Bind a role limited to what the subjects need instead of cluster-admin.",
    references: &["CIS 5.1.1"],
    aliases: &[
        "kube-linter:cluster-admin-role-binding",
        "datree:CIS_INVALID_ROLE_CLUSTER_ADMIN",
        "kubescape:C-0035",
        "trivy:KSV-0111",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if let Some(name) = cluster_role_ref(o)
        && name.as_str() == Some("cluster-admin")
    {
        let scope = binding_scope(o);
        out.at(
            name,
            "roleRef.name",
            stockade_model::format_exact!("{} \"{}\" grants cluster-admin {scope}", o.kind, o.name),
        );
    }
}
