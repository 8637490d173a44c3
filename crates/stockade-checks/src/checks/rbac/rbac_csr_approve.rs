//! ## What it does
//! Flags each subject of a binding whose role allows `update` or `patch` on
//! `certificatesigningrequests/approval` in certificates.k8s.io. The finding points at the
//! subject in the binding and names the binding, the role and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! An approved CertificateSigningRequest for the kube-apiserver-client signer yields a client
//! certificate for any user or group, `system:masters` included. The severity is the risk's
//! own: a grant through a ClusterRoleBinding (cluster-wide) of a high risk is critical, and a
//! rule limited by `resourceNames` is one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRole
//! metadata:
//!   name: csr-approver
//! rules:
//!   - apiGroups: ["certificates.k8s.io"]
//!     resources: ["certificatesigningrequests", "certificatesigningrequests/approval"]
//!     verbs: ["get", "list", "update"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: csr-approver
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: csr-approver
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
//!   name: csr-approver
//! rules:
//!   - apiGroups: ["certificates.k8s.io"]
//!     resources: ["certificatesigningrequests"]
//!     verbs: ["get", "list"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: ClusterRoleBinding
//! metadata:
//!   name: csr-approver
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: ClusterRole
//!   name: csr-approver
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

use stockade_rbac::risks::CSR_APPROVE as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Subject can approve certificate signing requests",
    remediation: KIND.remediation,
    references: &["CIS 5.1.11"],
    aliases: &["checkov:CKV_K8S_156", "kubescape:C-0280"],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
