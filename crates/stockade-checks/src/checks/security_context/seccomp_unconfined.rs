//! ## What it does
//! Flags containers (regular, init and ephemeral) whose effective seccomp profile is
//! `Unconfined`. The effective profile is found in the kubelet's order, the first one set
//! wins:
//! 1. the container's `securityContext.seccompProfile`;
//! 2. the legacy pod annotation `container.seccomp.security.alpha.kubernetes.io/<container>`;
//! 3. the pod's `securityContext.seccompProfile`;
//! 4. the legacy pod annotation `seccomp.security.alpha.kubernetes.io/pod`.
//!
//! So a pod-level `Unconfined` is not reported for a container that sets its own
//! `RuntimeDefault`, and is reported once for each container that inherits it.
//!
//! ## Why it matters
//! Seccomp filters the system calls a container may make. The runtime's default profile blocks
//! about 50 calls that containers do not need and that most kernel exploits and escapes use
//! (`unshare`, `keyctl`, `bpf`, `mount`, `ptrace` on older kernels). `Unconfined` removes the
//! filter, so every kernel bug reachable by a system call is reachable from the container.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//!   annotations:
//!     container.seccomp.security.alpha.kubernetes.io/sidecar: unconfined # finding
//! spec:
//!   securityContext:
//!     seccompProfile:
//!       type: Unconfined # finding
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//!     - name: sidecar
//!       image: envoy:1.30
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
//!     - name: sidecar
//!       image: envoy:1.30
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{ProfileKind, seccomp};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK010",
    name: "seccomp-unconfined",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Container runs without seccomp filtering (Unconfined)",
    remediation: "Set `seccompProfile.type: RuntimeDefault` (or `Localhost` with a custom profile) in the pod securityContext and remove `Unconfined`.",
    references: &[
        "CIS 5.7.2",
        "PSS baseline: seccompProfile_baseline",
        "NSA/CISA: hardening container environments (seccomp)",
    ],
    aliases: &["kubesec:SeccompUnconfined", "trivy:KSV-0104"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if let Some(p) = seccomp(pod, c)
            && p.kind == ProfileKind::Unconfined
        {
            out.container(
                c,
                Some((p.node, &p.path)),
                stockade_model::format_exact!(
                    "{} runs with seccomp Unconfined{}",
                    c.label(),
                    p.origin()
                ),
            );
        }
    }
}
