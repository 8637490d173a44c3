//! ## What it does
//! Flags containers (regular, init and ephemeral) whose effective
//! `windowsOptions.hostProcess` is true. The kubelet merges `windowsOptions` field by field, so
//! the container's `hostProcess` wins when set, else the pod's applies.
//!
//! ## Why it matters
//! A Windows HostProcess container is a process on the node, not a container: it shares the
//! host's network, sees the host's filesystem and processes, and usually runs as SYSTEM or a
//! local administrator. It is the Windows equivalent of a privileged container with every host
//! namespace.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: win-agent
//! spec:
//!   selector:
//!     matchLabels: {app: win-agent}
//!   template:
//!     metadata:
//!       labels: {app: win-agent}
//!     spec:
//!       os: {name: windows}
//!       hostNetwork: true
//!       securityContext:
//!         windowsOptions:
//!           hostProcess: true # finding
//!           runAsUserName: "NT AUTHORITY\\SYSTEM"
//!       containers:
//!         - name: agent
//!           image: agent:1.0-windows
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: win-agent
//! spec:
//!   selector:
//!     matchLabels: {app: win-agent}
//!   template:
//!     metadata:
//!       labels: {app: win-agent}
//!     spec:
//!       os: {name: windows}
//!       securityContext:
//!         windowsOptions:
//!           runAsUserName: ContainerUser
//!       containers:
//!         - name: agent
//!           image: agent:1.0-windows
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{origin, windows_option};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK017",
    name: "windows-host-process",
    category: Category::SecurityContext,
    severity: Severity::Critical,
    default_on: true,
    summary: "Windows container runs as a HostProcess container",
    remediation: "Remove `windowsOptions.hostProcess: true`; run node agents that need host access in a tightly controlled namespace.",
    references: &[
        "CIS 5.2.11",
        "PSS baseline: windowsHostProcess",
        "NSA/CISA: pod security",
    ],
    aliases: &[
        "polaris:hostProcess",
        "trivy:KSV-0103",
        "kubescape:C-0202",
        "datree:EKS_INVALID_HOSTPROCESS_VALUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(h) = windows_option(c, "hostProcess")
            && h.node.as_bool() == Some(true)
        {
            out.container(
                c,
                Some((h.node, &h.path)),
                stockade_model::format_exact!(
                    "{} runs as a Windows HostProcess container{}",
                    c.label(),
                    origin(&h)
                ),
            );
        }
    }
}
