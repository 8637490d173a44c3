//! ## What it does
//! Flags containers (regular, init and ephemeral) that may run as root because nothing rules
//! it out: the effective `runAsNonRoot` (container, else pod) is not `true`, and no effective
//! `runAsUser` (container, else pod) above 0 is set, so the user comes from the image, which a
//! manifest cannot see. A container whose pod sets `runAsNonRoot: true` or a non-zero
//! `runAsUser` is not reported.
//!
//! A container whose effective `runAsUser` is 0 is reported by `runs-as-root-user` instead.
//! Pods with `spec.os.name: windows` are skipped.
//!
//! ## Why it matters
//! Most images run as root unless told otherwise. `runAsNonRoot: true` makes the kubelet
//! refuse to start a container whose user is 0, so an image change or a missing `USER` line
//! cannot silently bring root back.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1
//! kind: Job
//! metadata:
//!   name: migrate
//! spec:
//!   template:
//!     spec:
//!       restartPolicy: Never
//!       containers:
//!         - name: migrate # finding
//!           image: migrate:1.4
//!         - name: report
//!           image: report:1.0
//!           securityContext:
//!             runAsNonRoot: false # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: Job
//! metadata:
//!   name: migrate
//! spec:
//!   template:
//!     spec:
//!       restartPolicy: Never
//!       securityContext:
//!         runAsNonRoot: true
//!       containers:
//!         - name: migrate
//!           image: migrate:1.4
//!         - name: report
//!           image: report:1.0
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{is_windows, origin, shown};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK004",
    name: "run-as-non-root-not-set",
    category: Category::SecurityContext,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container may run as root: runAsNonRoot is not true and no non-zero runAsUser is set",
    remediation: "Set `runAsNonRoot: true` in the pod or container securityContext (and a non-zero `runAsUser` if the image has no non-root USER).",
    references: &[
        "CIS 5.2.7",
        "PSS restricted: runAsNonRoot",
        "NSA/CISA: non-root and unprivileged containers",
    ],
    aliases: &[
        "kube-linter:run-as-non-root",
        "polaris:runAsRootAllowed",
        "kubesec:RunAsNonRoot",
        "checkov:CKV_K8S_23",
        "trivy:KSV-0012",
        "kubescape:C-0013",
        "datree:CONTAINERS_INCORRECT_RUNASNONROOT_VALUE",
        "kubescape:C-0198",
        "kubescape:C-0218",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if is_windows(pod) {
            continue;
        }
        let non_root = c.security("runAsNonRoot");
        if non_root
            .as_ref()
            .is_some_and(|n| n.node.as_bool() == Some(true))
        {
            continue;
        }
        let user = c.security("runAsUser").and_then(|u| u.node.as_i64());
        if user.is_some_and(|u| u >= 0) {
            // > 0 proves non-root; 0 is runs-as-root-user's finding.
            continue;
        }
        match non_root {
            Some(n) => out.container(
                c,
                Some((n.node, &n.path)),
                stockade_model::format_exact!(
                    "{} sets runAsNonRoot: {}{} and no non-zero runAsUser, so it may run as root",
                    c.label(),
                    shown(n.node),
                    origin(&n)
                ),
            ),
            None => out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} sets neither runAsNonRoot: true nor a non-zero runAsUser, so it runs as the image's user, which may be root",
                    c.label()
                ),
            ),
        }
    }
}
