//! ## What it does
//! Flags Linux containers (regular, init and ephemeral) that use none of the kernel's
//! hardening mechanisms: no effective seccomp profile other than `Unconfined`, no effective
//! AppArmor profile other than `Unconfined`, no `seLinuxOptions`, and no
//! `capabilities.drop`. Off by default: `seccomp-profile-missing` (STK011) and
//! `capabilities-not-dropped` (STK007) report each mechanism on its own, by default; this
//! check is the looser "at least one" rule of Polaris and Kubescape.
//!
//! ## Why it matters
//! A container with none of them runs with the runtime's full default set of system calls
//! and capabilities, and no mandatory access control: the widest kernel surface a
//! non-privileged container can have, and the one container escapes go through.
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
//!     seccompProfile:
//!       type: RuntimeDefault
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{ProfileKind, apparmor, cap_items, is_windows, seccomp};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK024",
    name: "linux-hardening-missing",
    category: Category::SecurityContext,
    severity: Severity::Medium,
    default_on: false,
    summary: "Container uses no seccomp, AppArmor, SELinux or capability drop",
    remediation: "Set a RuntimeDefault seccomp profile (pod securityContext) and drop ALL capabilities.",
    references: &["NSA/CISA: pod security"],
    aliases: &["polaris:linuxHardening", "kubescape:C-0055"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if is_windows(pod) {
            continue;
        }
        let confined = |k: &ProfileKind| !matches!(k, ProfileKind::Unconfined);
        let hardened = seccomp(pod, c).is_some_and(|p| confined(&p.kind))
            || apparmor(pod, c).is_some_and(|p| confined(&p.kind))
            || c.security("seLinuxOptions").is_some()
            || !cap_items(c, "drop").is_empty();
        if !hardened {
            out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} has no confining seccomp or AppArmor profile, no SELinux options and drops no capabilities",
                    c.label()
                ),
            );
        }
    }
}
