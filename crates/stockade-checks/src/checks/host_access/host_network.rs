//! ## What it does
//! Flags pods that set `hostNetwork: true`.
//!
//! ## Why it matters
//! A pod in the host's network namespace sees every interface of the node, can bind any
//! host port, can sniff traffic of other pods on the node and reaches services bound to
//! localhost (the kubelet's read-only port, node-local agents). NetworkPolicies do not apply to it.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: agent
//! spec:
//!   selector:
//!     matchLabels: {app: agent}
//!   template:
//!     metadata:
//!       labels: {app: agent}
//!     spec:
//!       hostNetwork: true # finding
//!       containers:
//!         - name: agent
//!           image: agent:1.0
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: DaemonSet
//! metadata:
//!   name: agent
//! spec:
//!   selector:
//!     matchLabels: {app: agent}
//!   template:
//!     metadata:
//!       labels: {app: agent}
//!     spec:
//!       containers:
//!         - name: agent
//!           image: agent:1.0
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK101",
    name: "host-network",
    category: Category::HostAccess,
    severity: Severity::High,
    default_on: true,
    summary: "Pod shares the host's network namespace",
    remediation: "Remove `hostNetwork: true`; expose the workload through a Service instead.",
    references: &[
        "CIS 5.2.5",
        "PSS baseline: hostNamespaces",
        "NSA/CISA: pod security",
    ],
    aliases: &[
        "kube-linter:host-network",
        "polaris:hostNetworkSet",
        "kubesec:HostNetwork",
        "checkov:CKV_K8S_19",
        "trivy:KSV-0009",
        "kubescape:C-0041",
        "kubescape:C-0196",
        "kubescape:C-0216",
        "datree:CONTAINERS_INCORRECT_HOSTNETWORK_VALUE_TRUE",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if let Some(n) = pod.field("hostNetwork")
            && n.as_bool() == Some(true)
        {
            out.at(
                n,
                stockade_model::format_exact!("{}.hostNetwork", pod.path),
                "pod uses the host network (hostNetwork: true)",
            );
        }
    }
}
