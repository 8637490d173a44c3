//! ## What it does
//! Flags containers (regular, init and ephemeral) that set `securityContext.privileged: true`.
//!
//! ## Why it matters
//! A privileged container runs with every capability, sees every host device and is not
//! confined by seccomp, AppArmor or SELinux. Anyone who controls its process controls the node,
//! and from the node every pod scheduled on it.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: debug
//! spec:
//!   containers:
//!     - name: shell
//!       image: busybox:1.36
//!       securityContext:
//!         privileged: true # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: debug
//! spec:
//!   containers:
//!     - name: shell
//!       image: busybox:1.36
//!       securityContext:
//!         privileged: false
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK001",
    name: "privileged-container",
    category: Category::SecurityContext,
    severity: Severity::Critical,
    default_on: true,
    summary: "Container runs privileged",
    remediation: "Remove `securityContext.privileged` or set it to false; grant only the specific capabilities the workload needs.",
    references: &[
        "CIS 5.2.2",
        "PSS baseline: privileged",
        "NSA/CISA: non-root and unprivileged containers",
    ],
    aliases: &[
        "kube-linter:privileged-container",
        "polaris:privilegedContainer",
        "kubesec:Privileged",
        "kube-score:container-security-context-privileged",
        "checkov:CKV_K8S_16",
        "trivy:KSV-0017",
        "kubescape:C-0057",
        "polaris:runAsPrivileged",
        "kubescape:C-0193",
        "kubescape:C-0213",
        "datree:CONTAINERS_INCORRECT_PRIVILEGED_VALUE_TRUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(p) = c.security("privileged")
            && p.node.as_bool() == Some(true)
        {
            out.container(
                c,
                Some((p.node, &p.path)),
                stockade_model::format_exact!("{} runs privileged", c.label()),
            );
        }
    }
}
