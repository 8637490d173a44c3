//! ## What it does
//! Flags a RoleBinding or ClusterRoleBinding whose `roleRef` names a Role or ClusterRole that
//! the scanned input does not contain, at its `roleRef`.
//!
//! ## Why it matters
//! A binding to a missing role grants nothing now, so it is easily left behind; whoever later
//! creates a role of that name (with `create` on roles in the namespace) silently grants its
//! permissions to the binding's subjects.
//!
//! ## Example
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: reader
//!   namespace: team
//! roleRef: # finding
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: reader
//! subjects:
//!   - kind: ServiceAccount
//!     name: app
//!     namespace: team
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: Role
//! metadata:
//!   name: reader
//!   namespace: team
//! rules:
//!   - apiGroups: [""]
//!     resources: ["configmaps"]
//!     verbs: ["get"]
//! ---
//! apiVersion: rbac.authorization.k8s.io/v1
//! kind: RoleBinding
//! metadata:
//!   name: reader
//!   namespace: team
//! roleRef:
//!   apiGroup: rbac.authorization.k8s.io
//!   kind: Role
//!   name: reader
//! subjects:
//!   - kind: ServiceAccount
//!     name: app
//!     namespace: team
//! ```
//!
//! ## Options
//! None. Scan the roles together with their bindings: a binding to a role defined in another
//! folder or created by the cluster (`cluster-admin`, `view`, `edit` ...) is flagged when the
//! role is not in the input.

use stockade_rbac::risks::MISSING_ROLE as KIND;

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: KIND.id,
    name: KIND.name,
    category: Category::Rbac,
    severity: KIND.severity,
    default_on: true,
    summary: "Binding refers to a role that is not in the input",
    remediation: KIND.remediation,
    references: &[],
    aliases: &[],
    run: crate::Run::Set {
        wants: super::helpers::wants,
        run,
        metadata_only: None,
    },
};

fn run(ctx: &SetContext, out: &mut SetEmit) {
    super::helpers::emit(&KIND, ctx, out);
}
