//! ## What it does
//! Flags pods whose spec sets no `securityContext` (or an empty one), and containers (regular,
//! init and ephemeral) that set none of their own. Off by default: the checks for each field
//! (`run-as-non-root-not-set`, `privilege-escalation-allowed`, `capabilities-not-dropped` ...)
//! already say what is missing and why; this check is for policies that require both contexts
//! to be written out.
//!
//! ## Why it matters
//! Without a security context every setting is the runtime's default: the image's user, a
//! writable root filesystem, privilege escalation allowed, the default capabilities. Writing
//! the context out, even when it repeats defaults, makes each workload's privileges reviewable
//! in the manifest.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec: # finding
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
//!     runAsNonRoot: true
//!     seccompProfile:
//!       type: RuntimeDefault
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//!       securityContext:
//!         allowPrivilegeEscalation: false
//!         readOnlyRootFilesystem: true
//!         capabilities:
//!           drop: ["ALL"]
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Severity};

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK022",
    name: "security-context-missing",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: false,
    summary: "Pod or container sets no securityContext",
    remediation: "Write a `securityContext` on the pod and on each container (runAsNonRoot, seccompProfile, allowPrivilegeEscalation, capabilities).",
    references: &["CIS 5.7.3"],
    aliases: &[
        "checkov:CKV_K8S_29",
        "checkov:CKV_K8S_30",
        "trivy:KSV-0118",
        "kubescape:C-0211",
        "datree:CIS_MISSING_KEY_SECURITYCONTEXT",
    ],
    run: crate::Run::Object(run),
};

fn empty(n: Option<&Node>) -> bool {
    n.is_none_or(|n| n.is_null() || (n.is_map() && n.entries().is_empty()))
}

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if empty(pod.spec.get("securityContext")) {
            out.at(pod.spec, pod.path.clone(), "pod sets no securityContext");
        }
        for c in &pod.containers {
            if empty(c.node.get("securityContext")) {
                out.container(
                    c,
                    None,
                    stockade_model::format_exact!("{} sets no securityContext", c.label()),
                );
            }
        }
    }
}
