//! ## What it does
//! Evaluates every pod and pod template against the Pod Security Standards **restricted**
//! level, exactly as the API server's Pod Security Admission does (the same evaluator as
//! `stockade pss`), and reports one finding per violated control, in kubectl's words:
//! `runAsNonRoot: runAsNonRoot != true (pod or container "app" must set
//! securityContext.runAsNonRoot=true)`.
//!
//! Restricted includes baseline (with restricted's stricter variants of capabilities, volumes,
//! seccomp and procMount) plus `allowPrivilegeEscalation`, `capabilities` (drop `ALL`, add at
//! most `NET_BIND_SERVICE`), `restrictedVolumes`, `runAsNonRoot`, `runAsUser` and
//! `seccompProfile` (`RuntimeDefault` or `Localhost`), with their version-specific behaviour
//! (Windows pods and user namespaces relax some of them from the versions upstream does).
//!
//! Off by default: it overlaps the individual checks. Enable it instead of
//! `pod-security-baseline`, not with it, or baseline violations are reported twice.
//!
//! ## Why it matters
//! Restricted is current pod-hardening practice and what `enforce: restricted` namespaces
//! require. Finding the violations in review is cheaper than finding them as pods that never
//! start.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   securityContext:
//!     runAsNonRoot: false # finding
//!     seccompProfile:
//!       type: Unconfined # finding
//!   containers:
//!     - name: app
//!       image: nginx:1.27
//!       securityContext:
//!         allowPrivilegeEscalation: true # finding
//!         capabilities:
//!           drop: [ALL]
//!           add: [NET_ADMIN] # finding
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
//!     - name: app
//!       image: nginx:1.27
//!       securityContext:
//!         allowPrivilegeEscalation: false
//!         capabilities:
//!           drop: [ALL]
//! ```
//!
//! ## Options
//! - `pss-version`: the policy version, `latest` (default) or `v1.<minor>`, as the namespace's
//!   `pod-security.kubernetes.io/enforce-version` label would say. Invalid values are an error.
//!
//! ```yaml
//! enable: [pod-security-restricted]
//! options:
//!   pss-version: v1.29
//! ```
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#restricted>
//! - <https://kubernetes.io/docs/concepts/security/pod-security-admission/>

use stockade_model::Severity;
use stockade_pss::Level;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK051",
    name: "pod-security-restricted",
    category: Category::PodSecurity,
    severity: Severity::Medium,
    default_on: false,
    summary: "Pod violates the Pod Security Standards restricted level",
    remediation: "Change the field the finding points at as its message says; `stockade pss --level restricted` shows every violation per object, `stockade pss suggest` per namespace.",
    references: &[
        "PSS restricted (all controls)",
        "CIS 5.2",
        "NSA/CISA: pod security",
    ],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    super::helpers::run_level(Level::Restricted, ctx, out);
}
