//! ## What it does
//! Flags each capability in a container's `securityContext.capabilities.add` that gives power
//! over the node or other workloads, written with or without the `CAP_` prefix, in any case:
//!
//! | Capability | What it allows |
//! |---|---|
//! | `ALL` | every capability, as good as `privileged` |
//! | `SYS_ADMIN` | mount, namespaces, BPF maps, many escapes (cgroup `release_agent`) |
//! | `NET_ADMIN` | change interfaces, routes and iptables of the pod, sniff and redirect traffic |
//! | `SYS_PTRACE` | trace and inject code into other processes (with `hostPID`, the node's) |
//! | `SYS_MODULE` | load kernel modules, that is run code in the kernel |
//! | `SYS_RAWIO` | raw I/O ports and `/dev/mem` |
//! | `SYS_BOOT` | reboot the node, load a new kernel |
//! | `SYS_TIME` | set the node's clock, which is not namespaced |
//! | `DAC_READ_SEARCH` | open files by handle, which escapes to the host filesystem ("shocker") |
//! | `BPF`, `PERFMON` | load BPF programs, read kernel memory and other processes' data |
//! | `MAC_ADMIN`, `MAC_OVERRIDE` | change or bypass AppArmor and SELinux |
//!
//! One finding per listed capability, at its list item. Capabilities the runtime grants by
//! default (`CHOWN`, `DAC_OVERRIDE`, `SETUID` ...) are not flagged here; adding them back after
//! `drop: [ALL]` is normal. `NET_RAW` is reported by `net-raw-capability`.
//!
//! ## Why it matters
//! Each of these capabilities is a documented route from a container to the node: loading a
//! kernel module, mounting the host's cgroup filesystem, reading host files by handle, or
//! disabling the LSM that confines the container. A container that adds one is only as safe as
//! the code running in it.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: netd
//! spec:
//!   selector:
//!     matchLabels: {app: netd}
//!   template:
//!     metadata:
//!       labels: {app: netd}
//!     spec:
//!       containers:
//!         - name: netd
//!           image: netd:0.9
//!           securityContext:
//!             capabilities:
//!               drop: [ALL]
//!               add:
//!                 - NET_BIND_SERVICE
//!                 - CAP_SYS_ADMIN # finding
//!                 - net_admin # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: netd
//! spec:
//!   selector:
//!     matchLabels: {app: netd}
//!   template:
//!     metadata:
//!       labels: {app: netd}
//!     spec:
//!       containers:
//!         - name: netd
//!           image: netd:0.9
//!           securityContext:
//!             capabilities:
//!               drop: [ALL]
//!               add:
//!                 - NET_BIND_SERVICE
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::cap_items;
use crate::{Category, Check, Context, Emit};

/// Capabilities that give control over the node or other workloads (normalised names).
const DANGEROUS: &[&str] = &[
    "ALL",
    "SYS_ADMIN",
    "NET_ADMIN",
    "SYS_PTRACE",
    "SYS_MODULE",
    "SYS_RAWIO",
    "SYS_BOOT",
    "SYS_TIME",
    "DAC_READ_SEARCH",
    "BPF",
    "PERFMON",
    "MAC_ADMIN",
    "MAC_OVERRIDE",
];

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK008",
    name: "dangerous-capability-added",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Container adds a capability that gives control over the node",
    remediation: "Remove the capability from `securityContext.capabilities.add`; if the workload really needs it, isolate it on dedicated nodes and document why.",
    references: &[
        "CIS 5.2.9",
        "PSS baseline: capabilities_baseline",
        "NSA/CISA: non-root and unprivileged containers",
    ],
    aliases: &[
        "polaris:dangerousCapabilities",
        "kubesec:CapSysAdmin",
        "checkov:CKV_K8S_39",
        "trivy:KSV-0005",
        "trivy:KSV-0120",
        "kubescape:C-0046",
        "datree:CONTAINERS_INVALID_CAPABILITIES_VALUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        for item in cap_items(c, "add") {
            if DANGEROUS.contains(&item.name.as_str()) {
                let written = item.node.as_str().unwrap_or_default().trim();
                out.container(
                    c,
                    Some((item.node, &item.path)),
                    stockade_model::format_exact!(
                        "{} adds the dangerous capability {written}",
                        c.label()
                    ),
                );
            }
        }
    }
}
