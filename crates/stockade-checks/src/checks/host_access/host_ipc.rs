//! ## What it does
//! Flags pods that set `hostIPC: true`.
//!
//! ## Why it matters
//! A pod in the host's IPC namespace can read and write the System V shared memory segments,
//! semaphores and message queues of every process on the node that uses them (databases,
//! other pods with `hostIPC`), and leave data there for them to consume.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: shm
//! spec:
//!   hostIPC: true # finding
//!   containers:
//!     - name: app
//!       image: app:3.0
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: shm
//! spec:
//!   containers:
//!     - name: app
//!       image: app:3.0
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK103",
    name: "host-ipc",
    category: Category::HostAccess,
    severity: Severity::High,
    default_on: true,
    summary: "Pod shares the host's IPC namespace",
    remediation: "Remove `hostIPC: true`; containers of one pod already share an IPC namespace, and a memory-backed `emptyDir` at /dev/shm covers shared memory needs.",
    references: &[
        "CIS 5.2.4",
        "PSS baseline: hostNamespaces",
        "NSA/CISA: pod security",
    ],
    aliases: &[
        "kube-linter:host-ipc",
        "polaris:hostIPCSet",
        "kubesec:HostIPC",
        "checkov:CKV_K8S_18",
        "trivy:KSV-0008",
        "kubescape:C-0038",
        "datree:CONTAINERS_INCORRECT_HOSTIPC_VALUE_TRUE",
        "kubescape:C-0195",
        "kubescape:C-0215",
        "kubescape:C-0276",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if let Some(n) = pod.field("hostIPC")
            && n.as_bool() == Some(true)
        {
            out.at(
                n,
                stockade_model::format_exact!("{}.hostIPC", pod.path),
                "pod shares the host's IPC namespace (hostIPC: true)",
            );
        }
    }
}
