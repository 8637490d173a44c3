//! ## What it does
//! Flags RoleBindings and ClusterRoleBindings whose `roleRef` is the built-in `admin` or `edit`
//! ClusterRole. The finding points at `roleRef.name`. Bindings to `cluster-admin` are reported
//! by `cluster-admin-binding`.
//!
//! ## Why it matters
//! `admin` and `edit` are user-facing roles: they read every Secret of the namespace, create
//! and exec into pods and (for `admin`) hand out roles. Bound with a ClusterRoleBinding they do so
//! in every namespace. Workloads and automation rarely need them; a role listing what is
//! needed keeps a leaked token from becoming namespace (or cluster) takeover.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: deployer
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: edit # finding
//! subjects:
//!   - kind: ServiceAccount
//!     name: ci
//!     namespace: team
//! ```
//! Fixed:
//! ```yaml
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
//!     name: ci
//!     namespace: team
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select admin-role-binding`).
//!
//! ## References
//! - CIS 5.1.1 (use cluster-admin and other broad roles only where required)

use stockade_model::Severity;

use super::helpers::{binding_scope, cluster_role_ref};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK824",
    name: "admin-role-binding",
    category: Category::Rbac,
    severity: Severity::Medium,
    default_on: false,
    summary: "Binding grants the built-in admin or edit ClusterRole",
    remediation: "Bind a role that lists the verbs and resources the subjects need instead of admin or edit.",
    references: &["CIS 5.1.1"],
    aliases: &["trivy:KSV-0111"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let Some(name) = cluster_role_ref(o) else {
        return;
    };
    let Some(which @ ("admin" | "edit")) = name.as_str() else {
        return;
    };
    let scope = binding_scope(o);
    out.at(
        name,
        "roleRef.name",
        stockade_model::format_exact!(
            "{} \"{}\" grants the built-in ClusterRole {which} {scope}",
            o.kind,
            o.name
        ),
    );
}
