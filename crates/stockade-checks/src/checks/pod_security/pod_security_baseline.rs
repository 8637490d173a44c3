//! ## What it does
//! Evaluates every pod and pod template against the Pod Security Standards **baseline** level,
//! exactly as the API server's Pod Security Admission does (the same evaluator as
//! `stockade pss`), and reports one finding per violated control, in kubectl's words:
//! `privileged: privileged (container "app" must not set securityContext.privileged=true)`.
//!
//! The controls are: `hostProcess` (Windows), `hostNamespaces`, `privileged`, `capabilities`
//! (baseline list), `hostPathVolumes`, `hostPorts`, `appArmorProfile`, `seLinuxOptions`,
//! `procMount`, `seccompProfile` (no `Unconfined`), `sysctls` and host probes/lifecycle hooks,
//! each with its version-specific behaviour.
//!
//! Off by default: it overlaps the individual checks (`privileged-container`, `host-network`
//! ...). Turn it on to ask "will a namespace labelled `enforce: baseline` admit this?" during a
//! scan; `stockade pss` answers the same question per object, and per namespace label.
//!
//! ## Why it matters
//! Baseline is the level most clusters enforce on application namespaces. A pod that violates
//! it is rejected at creation: for a Deployment, the apply succeeds (with a warning) but its
//! ReplicaSet never gets pods, which surfaces as a stuck rollout rather than an error.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: debug
//! spec:
//!   hostPID: true # finding
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
//! ```
//!
//! ## Options
//! - `pss-version`: the policy version, `latest` (default) or `v1.<minor>`, as the namespace's
//!   `pod-security.kubernetes.io/enforce-version` label would say. Invalid values are an error.
//!
//! ```yaml
//! enable: [pod-security-baseline]
//! options:
//!   pss-version: v1.29
//! ```
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/security/pod-security-standards/#baseline>
//! - <https://kubernetes.io/docs/concepts/security/pod-security-admission/>

use stockade_model::Severity;
use stockade_pss::Level;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK050",
    name: "pod-security-baseline",
    category: Category::PodSecurity,
    severity: Severity::High,
    default_on: false,
    summary: "Pod violates the Pod Security Standards baseline level",
    remediation: "Change the field the finding points at as its message says; `stockade pss --level baseline` shows every violation per object.",
    references: &[
        "PSS baseline (all controls)",
        "CIS 5.2",
        "NSA/CISA: pod security",
    ],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    super::helpers::run_level(Level::Baseline, ctx, out);
}
