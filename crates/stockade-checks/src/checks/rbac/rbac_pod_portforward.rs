//! ## What it does
//! Flags each subject of a binding whose role allows `create` (or `get`, which older API servers
//! accepted for the stream upgrade) on `pods/portforward`. The finding points at the subject in
//! the binding and names the binding, the role and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! Port-forwarding opens a tunnel from the caller to any port of a pod through the API server and
//! the kubelet, past Services, Ingresses and NetworkPolicies: admin interfaces and databases that
//! listen only inside the pod become reachable.
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
//!     resources: ["pods/portforward"]
//!     verbs: ["create"]
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
//!     resources: ["pods/log"]
//!     verbs: ["get"]
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
//! None. Opt-in: select it (`--select rbac-pod-portforward` or the `rbac` category). The RBAC checks read the
//! Roles, ClusterRoles and bindings of the whole input (aggregated ClusterRoles are resolved as the
//! controller does); a rule that grants every verb on every resource is reported once, by
//! `rbac-wildcard`.

use stockade_rbac::risks::PORT_FORWARD as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: false,
    summary: "Subject can port-forward into pods",
    remediation: KIND.remediation,
    references: &[],
    aliases: &["kubescape:C-0063"],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
