//! ## What it does
//! Flags containers (regular, init and ephemeral) that set `securityContext.procMount:
//! Unmasked`.
//!
//! ## Why it matters
//! The runtime normally masks and makes read-only sensitive parts of `/proc` and `/sys`
//! (`/proc/kcore`, `/proc/sysrq-trigger`, `/proc/sys`, `/sys/firmware` ...). `Unmasked` removes
//! those protections, which exposes kernel memory and host-wide kernel settings. It is meant
//! only for nested containers in user namespaces.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: builder
//! spec:
//!   hostUsers: false
//!   containers:
//!     - name: builder
//!       image: buildkit:0.16
//!       securityContext:
//!         procMount: Unmasked # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: builder
//! spec:
//!   hostUsers: false
//!   containers:
//!     - name: builder
//!       image: buildkit:0.16
//!       securityContext:
//!         procMount: Default
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK015",
    name: "unmasked-proc-mount",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Container mounts /proc unmasked",
    remediation: "Remove `securityContext.procMount` or set it to `Default`.",
    references: &["PSS baseline: procMount", "NSA/CISA: pod security"],
    aliases: &[
        "kube-linter:unsafe-proc-mount",
        "polaris:procMount",
        "kubesec:ProcMount",
        "trivy:KSV-0027",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(p) = c.security("procMount")
            && p.node.as_str() == Some("Unmasked")
        {
            out.container(
                c,
                Some((p.node, &p.path)),
                stockade_model::format_exact!(
                    "{} mounts /proc unmasked (procMount: Unmasked)",
                    c.label()
                ),
            );
        }
    }
}
