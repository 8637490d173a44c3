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
//! None. Services without a selector (manual endpoints) and ExternalName Services are not
//! checked. Objects without a namespace are compared as being in the same namespace, since
//! they are applied together. When the scanned input holds no workload at all (a folder of
//! Services only) the check stays silent rather than flag every Service.

use std::sync::Arc;

use stockade_model::{Object, Severity, labels::map_selects, pod_specs};

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
    ],
    run: crate::Run::Set { wants, run },
};

fn is_service(o: &Object) -> bool {
    o.kind == "Service" && o.api_version == "v1"
}

fn wants(o: &Object) -> bool {
    is_service(o) || !pod_specs(o).is_empty()
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let workloads: Vec<&Arc<Object>> = ctx.objects.iter().filter(|o| !is_service(o)).collect();
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
        let selected = workloads
            .iter()
            .filter(|w| w.namespace.as_deref().unwrap_or("") == ns)
            .any(|w| {
                pod_specs(w)
                    .iter()
                    .any(|p| map_selects(selector, p.metadata.and_then(|m| m.get("labels"))))
            });
        if !selected {
            let pairs: Vec<String> = selector
                .entries()
                .iter()
                .map(|e| format!("{}={}", e.key, e.value.as_str().unwrap_or("")))
                .collect();
            out.at(
                svc,
                selector,
                "spec.selector",
                format!(
                    "Service selector {} matches no pod template in namespace {}",
                    pairs.join(","),
                    if ns.is_empty() { "(unset)" } else { ns }
                ),
            );
        }
    }
}
