//! ## What it does
//! Flags containers (regular, init and ephemeral) with no AppArmor profile at all: no
//! `appArmorProfile` on the container or the pod, and no legacy
//! `container.apparmor.security.beta.kubernetes.io/<container>` annotation. Off by default:
//! on nodes with AppArmor the runtime already applies its default profile to unprivileged
//! containers, so this only matters where you want the manifest itself to state the profile
//! (for example to require a `Localhost` profile). Pods with `spec.os.name: windows` are
//! skipped.
//!
//! ## Why it matters
//! Stating the profile makes the confinement visible in review and independent of node
//! defaults, and is required by some hardening baselines.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web # finding
//!       image: nginx:1.27
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   securityContext:
//!     appArmorProfile:
//!       type: RuntimeDefault
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{apparmor, is_windows};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK013",
    name: "apparmor-profile-missing",
    category: Category::SecurityContext,
    severity: Severity::Info,
    default_on: false,
    summary: "Container does not state an AppArmor profile",
    remediation: "Set `securityContext.appArmorProfile.type` (`RuntimeDefault` or `Localhost`) on the pod or container.",
    references: &["NSA/CISA: hardening container environments (AppArmor)"],
    aliases: &["kubesec:ApparmorAny"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if !is_windows(pod) && apparmor(pod, c).is_none() {
            out.container(
                c,
                None,
                stockade_model::format_exact!("{} does not set an AppArmor profile", c.label()),
            );
        }
    }
}
