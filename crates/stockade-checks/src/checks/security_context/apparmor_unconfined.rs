//! ## What it does
//! Flags containers (regular, init and ephemeral) whose effective AppArmor profile is
//! `Unconfined`. The first one set wins:
//! 1. the container's `securityContext.appArmorProfile`;
//! 2. the legacy pod annotation `container.apparmor.security.beta.kubernetes.io/<container>`;
//! 3. the pod's `securityContext.appArmorProfile`.
//!
//! So a pod-level `Unconfined` is not reported for a container that sets its own profile.
//!
//! ## Why it matters
//! On nodes with AppArmor (Ubuntu, Debian, COS, Bottlerocket) the runtime confines every
//! container with a default profile that denies writes to `/proc` and `/sys`, mounting, and
//! other paths used by container escapes. `Unconfined` turns that off for the container.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!       annotations:
//!         container.apparmor.security.beta.kubernetes.io/web: unconfined # finding
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//!         - name: agent
//!           image: agent:1.0
//!           securityContext:
//!             appArmorProfile:
//!               type: Unconfined # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       securityContext:
//!         appArmorProfile:
//!           type: RuntimeDefault
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//!         - name: agent
//!           image: agent:1.0
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{ProfileKind, apparmor};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK012",
    name: "apparmor-unconfined",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Container runs without AppArmor confinement (Unconfined)",
    remediation: "Remove the `Unconfined` AppArmor profile; use `appArmorProfile.type: RuntimeDefault` or a `Localhost` profile.",
    references: &[
        "PSS baseline: appArmorProfile",
        "NSA/CISA: hardening container environments (AppArmor)",
    ],
    aliases: &["kubesec:ApparmorUnconfined", "trivy:KSV-0002"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if let Some(p) = apparmor(pod, c)
            && p.kind == ProfileKind::Unconfined
        {
            out.container(
                c,
                Some((p.node, &p.path)),
                stockade_model::format_exact!(
                    "{} runs with AppArmor Unconfined{}",
                    c.label(),
                    p.origin()
                ),
            );
        }
    }
}
