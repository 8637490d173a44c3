//! ## What it does
//! Flags containers (regular, init and ephemeral) that do not set
//! `securityContext.allowPrivilegeEscalation: false`: those that set it to true, and those that
//! leave it unset, because the kubelet then allows escalation (it sets the kernel's
//! `no_new_privs` flag only when the field is explicitly false). It also flags
//! `allowPrivilegeEscalation: false` on a container that is privileged or adds
//! `CAP_SYS_ADMIN` (or `ALL`): such a container can always escalate, and the API server rejects
//! the combination.
//!
//! Pods with `spec.os.name: windows` are skipped: the field does not exist on Windows.
//!
//! ## Why it matters
//! Without `no_new_privs`, a process can gain privileges it did not start with: by running a
//! setuid-root binary such as `su`, `sudo` or `ping`, or a file with file capabilities. An
//! attacker with code execution as a non-root user in the container becomes root there, which
//! is the usual first step of a container escape.
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
//!     - name: worker
//!       image: worker:2.1
//!       securityContext:
//!         allowPrivilegeEscalation: true # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//!       securityContext:
//!         allowPrivilegeEscalation: false
//!     - name: worker
//!       image: worker:2.1
//!       securityContext:
//!         allowPrivilegeEscalation: false
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{cap_items, is_windows, shown};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK002",
    name: "privilege-escalation-allowed",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Container allows privilege escalation",
    remediation: "Set `securityContext.allowPrivilegeEscalation: false` on every container, and do not make it privileged or add CAP_SYS_ADMIN.",
    references: &[
        "CIS 5.2.6",
        "PSS restricted: allowPrivilegeEscalation",
        "NSA/CISA: non-root and unprivileged containers",
    ],
    aliases: &[
        "kube-linter:privilege-escalation-container",
        "polaris:privilegeEscalationAllowed",
        "kubesec:AllowPrivilegeEscalation",
        "checkov:CKV_K8S_20",
        "trivy:KSV-0001",
        "kubescape:C-0016",
        "datree:CONTAINERS_MISSING_KEY_ALLOWPRIVILEGEESCALATION",
        "kubescape:C-0197",
        "kubescape:C-0217",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if is_windows(pod) {
            continue;
        }
        let Some(ape) = c.security("allowPrivilegeEscalation") else {
            out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} does not set allowPrivilegeEscalation: false (escalation is allowed by default)",
                    c.label()
                ),
            );
            continue;
        };
        let at = Some((ape.node, ape.path.as_str()));
        match ape.node.as_bool() {
            Some(true) => out.container(
                c,
                at,
                stockade_model::format_exact!("{} sets allowPrivilegeEscalation: true", c.label()),
            ),
            Some(false) => {
                let privileged = c
                    .security("privileged")
                    .is_some_and(|p| p.node.as_bool() == Some(true));
                let sys_admin = cap_items(c, "add")
                    .iter()
                    .any(|i| i.name == "SYS_ADMIN" || i.name == "ALL");
                let why = if privileged {
                    "is privileged"
                } else if sys_admin {
                    "adds CAP_SYS_ADMIN"
                } else {
                    continue;
                };
                out.container(
                    c,
                    at,
                    stockade_model::format_exact!(
                        "{} sets allowPrivilegeEscalation: false but {why}, which always allows escalation",
                        c.label()
                    ),
                );
            }
            None => out.container(
                c,
                at,
                stockade_model::format_exact!(
                    "{} sets allowPrivilegeEscalation to {}, which is not the boolean false",
                    c.label(),
                    shown(ape.node)
                ),
            ),
        }
    }
}
