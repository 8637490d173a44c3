//! ## What it does
//! Flags pods that set `hostPID: true`.
//!
//! ## Why it matters
//! A pod in the host's PID namespace sees every process on the node, with its command line and
//! environment (often holding credentials). Running as root, or with `CAP_SYS_PTRACE`, it can
//! signal, trace or inject code into them, and `/proc/1/root` reaches the host's filesystem.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: profiler
//! spec:
//!   selector:
//!     matchLabels: {app: profiler}
//!   template:
//!     metadata:
//!       labels: {app: profiler}
//!     spec:
//!       hostPID: true # finding
//!       containers:
//!         - name: profiler
//!           image: profiler:2.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: profiler
//! spec:
//!   selector:
//!     matchLabels: {app: profiler}
//!   template:
//!     metadata:
//!       labels: {app: profiler}
//!     spec:
//!       containers:
//!         - name: profiler
//!           image: profiler:2.1
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK102",
    name: "host-pid",
    category: Category::HostAccess,
    severity: Severity::High,
    default_on: true,
    summary: "Pod shares the host's process ID namespace",
    remediation: "Remove `hostPID: true`; to share processes between containers of one pod use `shareProcessNamespace` instead.",
    references: &[
        "CIS 5.2.3",
        "PSS baseline: hostNamespaces",
        "NSA/CISA: pod security",
    ],
    aliases: &[
        "kube-linter:host-pid",
        "polaris:hostPIDSet",
        "kubesec:HostPID",
        "checkov:CKV_K8S_17",
        "trivy:KSV-0010",
        "kubescape:C-0038",
        "datree:CONTAINERS_INCORRECT_HOSTPID_VALUE_TRUE",
        "kubescape:C-0194",
        "kubescape:C-0214",
        "kubescape:C-0275",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if let Some(n) = pod.field("hostPID")
            && n.as_bool() == Some(true)
        {
            out.at(
                n,
                stockade_model::format_exact!("{}.hostPID", pod.path),
                "pod shares the host's process namespace (hostPID: true)",
            );
        }
    }
}
