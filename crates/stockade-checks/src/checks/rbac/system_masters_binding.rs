//! ## What it does
//! Flags subjects of RoleBindings and ClusterRoleBindings that are the group
//! `system:masters`.
//!
//! ## Why it matters
//! Members of `system:masters` bypass authorization entirely: the API server allows their
//! every request before RBAC is consulted, and their rights cannot be revoked by editing a
//! binding, only by revoking their credentials. A binding to the group is at best a no-op and
//! usually a sign that someone meant to hand out unlimited access; CIS 5.1.7 asks that the
//! group not be used.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: ops
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: view
//! subjects:
//!   - kind: Group # finding
//!     name: system:masters
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: ops
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: view
//! subjects:
//!   - kind: Group
//!     name: ops
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK816",
    name: "system-masters-binding",
    category: Category::Rbac,
    severity: Severity::High,
    default_on: true,
    summary: "Binding names the system:masters group",
    remediation: "Bind a named group of your own; issue no credentials in system:masters outside break-glass use.",
    references: &["CIS 5.1.7"],
    aliases: &["trivy:KSV-0123", "datree:CIS_INVALID_VALUE_SYSTEM_MASTERS"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.group() != "rbac.authorization.k8s.io"
        || !matches!(o.kind.as_str(), "RoleBinding" | "ClusterRoleBinding")
    {
        return;
    }
    let Some(subjects) = o.root.get("subjects") else {
        return;
    };
    for (i, s) in subjects.items().iter().enumerate() {
        if s.str_at("kind") == Some("Group") && s.str_at("name") == Some("system:masters") {
            out.at(
                s.get("kind").unwrap_or(s),
                stockade_model::format_exact!("subjects[{i}].kind"),
                stockade_model::format_exact!(
                    "{} \"{}\" names the group system:masters",
                    o.kind,
                    o.name
                ),
            );
        }
    }
}
