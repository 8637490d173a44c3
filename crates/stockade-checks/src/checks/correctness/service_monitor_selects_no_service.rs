//! ## What it does
//! Flags Prometheus Operator ServiceMonitors (`monitoring.coreos.com`) whose `spec.selector`
//! matches the labels of no Service of the input in the namespaces it looks at: its own
//! namespace, the `namespaceSelector.matchNames` list, or any namespace with
//! `namespaceSelector.any: true`. Empty selectors are not flagged, nor are monitors that
//! look only at namespaces where the input holds no Service (the control plane's Services,
//! or another repository's). Off by default: monitors of the control plane (kubelet,
//! CoreDNS, the API server) select Services that the cluster creates, not the manifests.
//!
//! ## Why it matters
//! A ServiceMonitor that selects no Service produces no scrape target, and Prometheus says
//! nothing about it: the dashboards go flat and the alerts built on those metrics never fire.
//! The usual cause is a selector written against the pod labels, or a Service label renamed
//! by a chart upgrade. Note that the selector matches the Service's own `metadata.labels`,
//! not its `spec.selector`.
//!
//! ## Example
//! ```yaml
//! apiVersion: monitoring.coreos.com/v1
//! kind: ServiceMonitor
//! metadata:
//!   name: api
//!   namespace: shop
//! spec:
//!   selector: # finding
//!     matchLabels: {app.kubernetes.io/name: api-server}
//!   endpoints:
//!     - port: metrics
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: api
//!   namespace: shop
//!   labels: {app.kubernetes.io/name: api}
//! spec:
//!   selector: {app.kubernetes.io/name: api}
//!   ports:
//!     - {name: metrics, port: 9090}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: monitoring.coreos.com/v1
//! kind: ServiceMonitor
//! metadata:
//!   name: api
//!   namespace: shop
//! spec:
//!   selector:
//!     matchLabels: {app.kubernetes.io/name: api}
//!   endpoints:
//!     - port: metrics
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: api
//!   namespace: shop
//!   labels: {app.kubernetes.io/name: api}
//! spec:
//!   selector: {app.kubernetes.io/name: api}
//!   ports:
//!     - {name: metrics, port: 9090}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://prometheus-operator.dev/docs/developer/getting-started/#using-servicemonitors>

use stockade_model::{Object, PodSpec, Severity, labels};

use foldhash::{HashMap, HashMapExt};

use super::helpers::{ByLabel, candidates, index_labels, match_labels, same_namespace};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK755",
    name: "service-monitor-selects-no-service",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: false,
    summary: "ServiceMonitor selector matches no Service in the input",
    remediation: "Make `spec.selector` match the `metadata.labels` of the Service that exposes the metrics port, and `namespaceSelector` its namespace.",
    references: &[],
    aliases: &["kube-linter:dangling-servicemonitor"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_monitor(o: &Object) -> bool {
    o.kind == "ServiceMonitor" && o.group() == "monitoring.coreos.com"
}

fn is_service(o: &Object) -> bool {
    o.kind == "Service" && o.group().is_empty()
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_monitor(o) || is_service(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let services: Vec<&Object> = ctx
        .objects
        .iter()
        .filter(|o| is_service(o))
        .map(|o| &**o)
        .collect();
    if services.is_empty() {
        return;
    }
    // Services by label pair, and how many there are in each namespace: a monitor asks only
    // the Services carrying its rarest `matchLabels` pair, not every Service in scope.
    let mut by_label = ByLabel::new();
    let mut per_namespace: HashMap<Option<&str>, usize> = HashMap::new();
    for (i, svc) in services.iter().enumerate() {
        index_labels(&mut by_label, svc.metadata().get("labels"), i);
        *per_namespace.entry(svc.namespace.as_deref()).or_default() += 1;
    }
    let unset = per_namespace.get(&None).copied().unwrap_or(0);
    for sm in ctx.objects.iter().filter(|o| is_monitor(o)) {
        let Some(selector) = sm.root.at(&["spec", "selector"]).filter(|s| s.is_map()) else {
            continue;
        };
        if selector
            .get("matchLabels")
            .is_none_or(|m| m.entries().is_empty())
            && selector
                .get("matchExpressions")
                .is_none_or(|m| m.items().is_empty())
        {
            continue;
        }
        let ns_sel = sm.root.at(&["spec", "namespaceSelector"]);
        let any = ns_sel.and_then(|n| n.get("any")).and_then(|a| a.as_bool()) == Some(true);
        let names: Vec<&str> = ns_sel
            .and_then(|n| n.get("matchNames"))
            .map(|m| m.items().iter().filter_map(|n| n.as_str()).collect())
            .unwrap_or_default();
        let in_scope = |svc: &Object| {
            let ns = svc.namespace.as_deref();
            any || if names.is_empty() {
                same_namespace(sm.namespace.as_deref(), ns)
            } else {
                ns.is_none() || names.iter().any(|n| Some(*n) == ns)
            }
        };
        // No Service of the input where the monitor looks: those Services are deployed from
        // elsewhere (the control plane's, another repository's), so nothing can be said.
        let scoped = any
            || if names.is_empty() {
                match sm.namespace.as_deref() {
                    None => true,
                    ns => unset > 0 || per_namespace.contains_key(&ns),
                }
            } else {
                unset > 0 || names.iter().any(|n| per_namespace.contains_key(&Some(*n)))
            };
        if !scoped {
            continue;
        }
        let found = candidates(&by_label, services.len(), &match_labels(selector))
            .into_iter()
            .map(|i| services[i])
            .any(|svc| {
                in_scope(svc) && labels::selector_selects(selector, svc.metadata().get("labels"))
            });
        if !found {
            let scope = if any {
                "any namespace".to_string()
            } else if names.is_empty() {
                stockade_model::format_exact!(
                    "namespace {}",
                    sm.namespace.as_deref().unwrap_or("(unset)")
                )
            } else {
                stockade_model::format_exact!("namespaces {}", names.join(", "))
            };
            out.at(
                sm,
                selector,
                "spec.selector",
                stockade_model::format_exact!(
                    "ServiceMonitor \"{}\" selector matches no Service in {scope}",
                    sm.name
                ),
            );
        }
    }
}
