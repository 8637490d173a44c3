//! ## What it does
//! Flags containers (regular, init and ephemeral) whose effective `seLinuxOptions` (the
//! container's, else the pod's; the kubelet replaces the whole struct, it does not merge
//! fields) go beyond what the Pod Security Standards baseline allows:
//! - `type` set to anything other than `container_t`, `container_init_t`, `container_kvm_t`
//!   or `container_engine_t` (empty is fine);
//! - `user` or `role` set to a non-empty value.
//!
//! One finding per offending field. `level` (MCS categories) is allowed.
//!
//! ## Why it matters
//! SELinux is what confines a container on RHEL, Fedora and OpenShift nodes. A type such as
//! `spc_t` ("super privileged container") or `unconfined_t` removes that confinement, and a
//! custom user or role can grant access to host files labelled for other domains.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: agent
//! spec:
//!   securityContext:
//!     seLinuxOptions:
//!       type: spc_t # finding
//!   containers:
//!     - name: agent
//!       image: agent:1.0
//!     - name: helper
//!       image: helper:1.0
//!       securityContext:
//!         seLinuxOptions:
//!           user: system_u # finding
//!           role: system_r # finding
//!           type: container_t
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: agent
//! spec:
//!   securityContext:
//!     seLinuxOptions:
//!       level: "s0:c123,c456"
//!   containers:
//!     - name: agent
//!       image: agent:1.0
//!     - name: helper
//!       image: helper:1.0
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{origin, shown};
use crate::{Category, Check, Context, Emit};

/// SELinux types the Pod Security Standards baseline allows.
const ALLOWED_TYPES: &[&str] = &[
    "container_t",
    "container_init_t",
    "container_kvm_t",
    "container_engine_t",
];

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK014",
    name: "custom-selinux-options",
    category: Category::SecurityContext,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container sets a custom SELinux type, user or role",
    remediation: "Remove `seLinuxOptions.type` (or use `container_t`), and remove `seLinuxOptions.user` and `.role`; set only `level` if you need MCS categories.",
    references: &[
        "PSS baseline: seLinuxOptions",
        "NSA/CISA: hardening container environments (SELinux)",
    ],
    aliases: &[
        "trivy:KSV-0025",
        "datree:EKS_INVALID_SELINUXOPTIONS_TYPE_VALUE",
        "datree:EKS_INVALID_SELINUXOPTIONS_USER_VALUE",
        "datree:EKS_INVALID_SELINUXOPTIONS_ROLE_VALUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(opts) = c.security("seLinuxOptions") else {
            continue;
        };
        for field in ["user", "role", "type"] {
            let Some(n) = opts.node.get(field).filter(|n| !n.is_null()) else {
                continue;
            };
            let value = n.as_str().unwrap_or_default();
            let bad = match field {
                "type" => !value.is_empty() && !ALLOWED_TYPES.contains(&value),
                _ => !value.is_empty() || n.as_str().is_none(),
            };
            if bad {
                out.container(
                    c,
                    Some((n, &stockade_model::format_exact!("{}.{field}", opts.path))),
                    stockade_model::format_exact!(
                        "{} sets SELinux {field} {}{}",
                        c.label(),
                        shown(n),
                        origin(&opts)
                    ),
                );
            }
        }
    }
}
