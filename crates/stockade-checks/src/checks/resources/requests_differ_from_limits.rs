//! ## What it does
//! Flags regular and init containers whose CPU or memory request is not equal to its limit,
//! or that have no CPU or memory limit at all: the containers that keep their pod out of the
//! Guaranteed QoS class. Quantities are compared by value (`1` equals `1000m`, `1Gi` equals
//! `1024Mi`); a missing request counts as equal to its limit, because the API server copies
//! the limit into it. When the pod sets pod-level resources (`spec.resources`, Kubernetes
//! 1.32+) the pod-level values are checked instead of the containers'. Ephemeral containers
//! are not checked. Off by default.
//!
//! ## Why it matters
//! Only Guaranteed pods are sure to get what they asked for: they are the last to be evicted
//! under node memory pressure, and with the static CPU manager they get exclusive cores. A
//! container allowed to burst above its request takes memory that the node may have to
//! reclaim by killing it. Latency-sensitive and stateful workloads (databases, brokers) are
//! usually run Guaranteed for this reason.
//!
//! It is opt-in because equal requests and limits cost capacity (nothing can burst) and
//! because CPU limits have their own trade-off (see `cpu-limits-missing`). Enable it for the
//! namespaces or workloads that must be Guaranteed.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//! spec:
//!   serviceName: db
//!   selector:
//!     matchLabels: {app: db}
//!   template:
//!     metadata:
//!       labels: {app: db}
//!     spec:
//!       containers:
//!         - name: postgres
//!           image: postgres:16.4
//!           resources:
//!             requests:
//!               cpu: "1"
//!               memory: 2Gi # finding
//!             limits:
//!               cpu: 1000m
//!               memory: 4Gi
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//! spec:
//!   serviceName: db
//!   selector:
//!     matchLabels: {app: db}
//!   template:
//!     metadata:
//!       labels: {app: db}
//!     spec:
//!       containers:
//!         - name: postgres
//!           image: postgres:16.4
//!           resources:
//!             requests:
//!               cpu: "1"
//!               memory: 4Gi
//!             limits:
//!               cpu: 1000m
//!               memory: 4Gi
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/pods/pod-qos/#guaranteed>

use stockade_model::{ContainerKind, Node, Severity};

use super::helpers::quantity_nanos;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK307",
    name: "requests-differ-from-limits",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: false,
    summary: "Container's CPU or memory requests differ from its limits (pod is not Guaranteed QoS)",
    remediation: "Set `resources.limits` for CPU and memory and make each request equal to its limit (or omit the requests).",
    references: &[],
    aliases: &[
        "kube-score:container-resource-requests-equal-limits",
        "kube-score:container-cpu-requests-equal-limits",
        "kube-score:container-memory-requests-equal-limits",
        "datree:EKS_INVALID_MEMORY_REQUEST_LIMIT",
    ],
    run: crate::Run::Object(run),
};

/// The first offending field (if any is present) and the problems, for one `resources` block.
fn problems<'n>(
    resources: Option<&'n Node>,
    path: &str,
) -> (Option<(&'n Node, String)>, Vec<String>) {
    let mut at = None;
    let mut found = Vec::new();
    for res in ["cpu", "memory"] {
        let get = |list: &str| {
            resources
                .and_then(|r| r.at(&[list, res]))
                .filter(|n| !n.is_null())
        };
        let Some(limit) = get("limits") else {
            found.push(stockade_model::format_exact!("no {res} limit"));
            continue;
        };
        let Some(request) = get("requests") else {
            continue;
        };
        let (r, l) = (request.as_str().unwrap_or(""), limit.as_str().unwrap_or(""));
        let equal = match (quantity_nanos(r), quantity_nanos(l)) {
            (Some(a), Some(b)) => a == b,
            _ => r == l,
        };
        if !equal {
            found.push(stockade_model::format_exact!(
                "{res} request {r} differs from limit {l}"
            ));
            at.get_or_insert((
                request,
                stockade_model::format_exact!("{path}.requests.{res}"),
            ));
        }
    }
    (at, found)
}

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if let Some(pod_res) = pod.field("resources")
            && ["limits", "requests"].iter().any(|l| {
                ["cpu", "memory"]
                    .iter()
                    .any(|r| pod_res.at(&[l, r]).is_some())
            })
        {
            let path = stockade_model::format_exact!("{}.resources", pod.path);
            let (at, found) = problems(Some(pod_res), &path);
            if !found.is_empty() {
                let (node, path) = at.unwrap_or((pod_res, path));
                out.at(
                    node,
                    path,
                    stockade_model::format_exact!(
                        "pod-level resources are not Guaranteed: {}",
                        found.join("; ")
                    ),
                );
            }
            continue;
        }
        for c in &pod.containers {
            if c.kind == ContainerKind::Ephemeral {
                continue;
            }
            let path = stockade_model::format_exact!("{}.resources", c.path);
            let (at, found) = problems(c.node.get("resources"), &path);
            if found.is_empty() {
                continue;
            }
            let message = stockade_model::format_exact!(
                "{} is not Guaranteed: {}",
                c.label(),
                found.join("; ")
            );
            match at {
                Some((n, p)) => out.container(c, Some((n, &p)), message),
                None => out.container(c, None, message),
            }
        }
    }
}
