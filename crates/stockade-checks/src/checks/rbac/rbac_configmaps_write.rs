//! ## What it does
//! Flags each subject of a binding whose role allows `create`, `update`, `patch`, `delete` or
//! `deletecollection` on `configmaps`. This includes the ConfigMaps that steer the cluster itself:
//! CoreDNS's `coredns` in kube-system (DNS poisoning) and EKS's `aws-auth` (who is cluster admin). The finding points at the subject in
//! the binding and names the binding, the role and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! ConfigMaps hold settings that workloads trust: changing one changes what a pod does on its next
//! start, without touching its spec. A rule limited by `resourceNames` is reported one level lower.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: ops
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["get", "update", "patch"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: ops
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: ops
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
//!   name: ops
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["get", "list", "watch"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: ops
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: ops
//! subjects:
//!   - kind: ServiceAccount
//!     name: app
//!     namespace: team
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select rbac-configmaps-write` or the `rbac` category). The RBAC checks read the
//! Roles, ClusterRoles and bindings of the whole input (aggregated ClusterRoles are resolved as the
//! controller does); a rule that grants every verb on every resource is reported once, by
//! `rbac-wildcard`.

use stockade_rbac::risks::CONFIGMAPS_WRITE as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: false,
    summary: "Subject can create, change or delete ConfigMaps",
    remediation: KIND.remediation,
    references: &[],
    aliases: &["trivy:KSV-0049", "trivy:KSV-0115", "kubescape:C-0037"],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
