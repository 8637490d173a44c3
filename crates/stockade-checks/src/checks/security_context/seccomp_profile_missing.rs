//! ## What it does
//! Flags containers (regular, init and ephemeral) that have no effective seccomp profile of
//! type `RuntimeDefault` or `Localhost`. The effective profile is looked up as in
//! `seccomp-unconfined`: the container's `seccompProfile`, the legacy container annotation, the
//! pod's `seccompProfile`, the legacy pod annotation. The legacy values `runtime/default`,
//! `docker/default` and `localhost/<profile>` count.
//!
//! A container with no profile at all is reported at the container; one whose profile has an
//! unknown type at that field. A profile set to `Unconfined` is reported by
//! `seccomp-unconfined` instead. Pods with `spec.os.name: windows` are skipped: seccomp does
//! not exist there.
//!
//! ## Why it matters
//! Unless the kubelet runs with `seccompDefault: true` (off by default), a container without a
//! seccomp profile runs unconfined: every system call is allowed, including the ones most
//! kernel exploits and container escapes rely on. Setting `RuntimeDefault` once in the pod
//! securityContext covers every container.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: report
//! spec:
//!   schedule: "0 3 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: report # finding
//!               image: report:1.0
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: report
//! spec:
//!   schedule: "0 3 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           securityContext:
//!             seccompProfile:
//!               type: RuntimeDefault
//!           containers:
//!             - name: report
//!               image: report:1.0
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{ProfileKind, is_windows, seccomp};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK011",
    name: "seccomp-profile-missing",
    category: Category::SecurityContext,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container has no RuntimeDefault or Localhost seccomp profile",
    remediation: "Set `securityContext.seccompProfile.type: RuntimeDefault` on the pod (or `Localhost` with a custom profile).",
    references: &[
        "CIS 5.7.2",
        "PSS restricted: seccompProfile_restricted",
        "NSA/CISA: hardening container environments (seccomp)",
    ],
    aliases: &[
        "kubesec:SeccompAny",
        "kube-score:container-seccomp-profile",
        "checkov:CKV_K8S_31",
        "trivy:KSV-0030",
        "trivy:KSV-0104",
        "kubescape:C-0210",
        "datree:CIS_INVALID_VALUE_SECCOMP_PROFILE",
        "datree:CONTAINERS_INCORRECT_SECCOMP_PROFILE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (pod, c) in ctx.containers() {
        if is_windows(pod) {
            continue;
        }
        match seccomp(pod, c) {
            None => out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} has no seccomp profile, so it runs unconfined unless the kubelet enables seccompDefault",
                    c.label()
                ),
            ),
            Some(p) => {
                if let ProfileKind::Other(t) = &p.kind {
                    out.container(
                        c,
                        Some((p.node, &p.path)),
                        stockade_model::format_exact!(
                            "{} has a seccomp profile of unknown type `{t}`{}",
                            c.label(),
                            p.origin()
                        ),
                    );
                }
            }
        }
    }
}
