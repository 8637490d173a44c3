//! ## What it does
//! Flags a Service whose selector matches the pod template labels of no workload in the same
//! namespace of the scanned input (a directory, a chart's output or a cluster dump is one set).
//!
//! ## Why it matters
//! A Service that selects nothing has no endpoints: traffic to it fails, usually because a
//! label was renamed on one side only. In a review it also hides which workload the Service
//! was meant to expose.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   selector: # finding
//!     app: web-frontend
//!   ports:
//!     - port: 80
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27.3
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   selector:
//!     app: web
//!   ports:
//!     - port: 80
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27.3
//! ```
//!
//! ## Options
//! None. To stay quiet where the input cannot show the pods, a Service is not judged when:
//! - it has no selector (manual endpoints) or is of type ExternalName;
//! - its selector uses a label that a controller adds to the pods it creates (`job-name`,
//!   `statefulset.kubernetes.io/pod-name`, `pod-template-hash`, `controller-revision-hash`,
//!   labels under `leaderworkerset.sigs.k8s.io/`, `jobset.sigs.k8s.io/`, `batch.kubernetes.io/`,
//!   `apps.kubernetes.io/` ...);
//! - its namespace holds a custom resource (a Prometheus, a database cluster ...) whose
//!   operator creates pods the input does not show, or is `kube-system` (static pods);
//! - the scanned input holds no workload at all (a folder of Services only).
//!
//! Objects without a namespace are compared as being in the same namespace, since they are
//! applied together.

use foldhash::{HashMap, HashMapExt, HashSet};
use std::sync::Arc;
use stockade_model::PodSpec;

use stockade_model::{Object, Severity, labels::map_selects};

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK604",
    name: "service-selects-no-pods",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "Service selector matches no workload in the input",
    remediation: "Make the Service's selector match the pod template labels of the workload it exposes.",
    references: &[],
    aliases: &[
        "kube-linter:dangling-service",
        "kube-score:service-targets-pod",
        "datree:SERVICE_INCORRECT_SELECTOR",
        "kubescape:C-0293",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: Some(metadata_only),
    },
};

fn is_service(o: &Object) -> bool {
    o.kind == "Service" && o.api_version == "v1"
}

/// A custom resource (not a built-in API group): its operator may create pods.
fn is_custom_resource(o: &Object) -> bool {
    let g = o.group();
    g.contains('.') && !g.ends_with(".k8s.io") && !g.ends_with(".kubernetes.io")
}

/// Of an object that is not a Service and has no pod template (a custom resource, kept as a
/// possible owner of operator-made pods), only the namespace and labels are read.
fn metadata_only(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    !is_service(o) && pods.is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_service(o) || is_custom_resource(o) || !pods.is_empty()
}

/// Labels a controller puts on the pods it creates; the pod template never shows them.
fn controller_label(key: &str) -> bool {
    matches!(
        key,
        "job-name"
            | "controller-uid"
            | "pod-template-hash"
            | "controller-revision-hash"
            | "statefulset.kubernetes.io/pod-name"
            | "pod-template-generation"
    ) || [
        "batch.kubernetes.io/",
        "apps.kubernetes.io/",
        "leaderworkerset.sigs.k8s.io/",
        "jobset.sigs.k8s.io/",
        "ray.io/",
    ]
    .iter()
    .any(|p| key.starts_with(p))
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let mut workloads: HashMap<&str, Vec<&Arc<Object>>> = HashMap::new();
    let mut operated: HashSet<&str> = HashSet::from_iter(["kube-system"]);
    for o in ctx.objects.iter().filter(|o| !is_service(o)) {
        let ns = o.namespace.as_deref().unwrap_or("");
        if is_custom_resource(o) {
            operated.insert(ns);
        }
        workloads.entry(ns).or_default().push(o);
    }
    if workloads.is_empty() {
        return;
    }
    for svc in ctx.objects.iter().filter(|o| is_service(o)) {
        let Some(selector) = svc.root.at(&["spec", "selector"]) else {
            continue;
        };
        if selector.entries().is_empty()
            || svc.root.at(&["spec", "type"]).and_then(|t| t.as_str()) == Some("ExternalName")
        {
            continue;
        }
        let ns = svc.namespace.as_deref().unwrap_or("");
        if operated.contains(ns) || selector.entries().iter().any(|e| controller_label(&e.key)) {
            continue;
        }
        let selected = workloads.get(ns).is_some_and(|ws| {
            ws.iter().any(|w| {
                ctx.pods(w)
                    .iter()
                    .any(|p| map_selects(selector, p.metadata.and_then(|m| m.get("labels"))))
            })
        });
        if !selected {
            let pairs: Vec<String> = selector
                .entries()
                .iter()
                .map(|e| {
                    stockade_model::format_exact!("{}={}", e.key, e.value.as_str().unwrap_or(""))
                })
                .collect();
            out.at(
                svc,
                selector,
                "spec.selector",
                stockade_model::format_exact!(
                    "Service selector {} matches no pod template in namespace {}",
                    pairs.join(","),
                    if ns.is_empty() { "(unset)" } else { ns }
                ),
            );
        }
    }
}
