//! ## What it does
//! Flags containers (regular, init and ephemeral) whose effective `runAsUser` is 0: set on the
//! container, or inherited from the pod's `securityContext` when the container does not set it.
//! A pod-level `runAsUser: 0` is reported once per container that inherits it; a container that
//! overrides it with a non-zero user is not reported.
//!
//! ## Why it matters
//! Root in a container is root on the node's kernel. Together with any other weakness (a
//! writable host mount, an added capability, a kernel bug, a runtime escape such as
//! CVE-2019-5736) it turns into root on the node. Running as a non-zero UID removes that step.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       securityContext:
//!         runAsUser: 0 # finding
//!       containers:
//!         - name: api
//!           image: api:3.2
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       securityContext:
//!         runAsUser: 10001
//!         runAsNonRoot: true
//!       containers:
//!         - name: api
//!           image: api:3.2
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::origin;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK003",
    name: "runs-as-root-user",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Container runs as UID 0 (root)",
    remediation: "Set `runAsUser` to a non-zero UID (10000 or above avoids clashing with host users) and `runAsNonRoot: true`.",
    references: &[
        "CIS 5.2.7",
        "PSS restricted: runAsUser",
        "NSA/CISA: non-root and unprivileged containers",
    ],
    aliases: &["trivy:KSV-0105"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(u) = c.security("runAsUser")
            && u.node.as_i64() == Some(0)
        {
            out.container(
                c,
                Some((u.node, &u.path)),
                stockade_model::format_exact!(
                    "{} runs as root: runAsUser is 0{}",
                    c.label(),
                    origin(&u)
                ),
            );
        }
    }
}
