//! ## What it does
//! Flags each subject of a binding whose role allows `create`, `update`, `patch`, `delete` or
//! `deletecollection` on `services`, `services/status` or `endpoints` (core),
//! `endpointslices` (`discovery.k8s.io`), `networkpolicies` or `ingresses` (`networking.k8s.io`). The finding points at the subject in
//! the binding and names the binding, the role and the rule that grants it.
//!
//! A role that no binding in the input puts in force is reported at its rule instead: one
//! severity level lower, since it grants nothing until someone binds it, or at the same level
//! when it is labelled to aggregate into the `admin`, `edit` or `view` ClusterRoles, which
//! every cluster binds.
//!
//! ## Why it matters
//! Whoever controls Services and endpoints decides which pods receive traffic (interception); whoever
//! controls NetworkPolicies lifts the isolation between workloads. Writing `services/status` lets a
//! subject set `status.loadBalancer.ingress[].ip` and intercept traffic for that address cluster-wide
//! (CVE-2020-8554, unfixed upstream).
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
//!     resources: ["services"]
//!     verbs: ["get", "create", "update"]
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
//!     resources: ["services"]
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
//! None. Opt-in: select it (`--select rbac-network-write` or the `rbac` category). The RBAC checks read the
//! Roles, ClusterRoles and bindings of the whole input (aggregated ClusterRoles are resolved as the
//! controller does); a rule that grants every verb on every resource is reported once, by
//! `rbac-wildcard`.
//!
//! ## References
//! - CVE-2020-8554

use stockade_rbac::risks::NETWORK_WRITE as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: false,
    summary: "Subject can change Services, endpoints, Ingresses or NetworkPolicies",
    remediation: KIND.remediation,
    references: &["CVE-2020-8554"],
    aliases: &["trivy:KSV-0056", "checkov:CKV2_K8S_4"],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
