//! ## What it does
//! Flags an Ingress backend (a rule's path or the default backend) naming a Service that is
//! not in the scanned input, in the Ingress's namespace.
//!
//! ## Why it matters
//! The Ingress controller answers 503 for a backend whose Service does not exist, usually after
//! a Service was renamed and the Ingress was not. Reviewing the rendered manifests as a set
//! catches it before traffic does.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//! spec:
//!   rules:
//!     - host: shop.example.com
//!       http:
//!         paths:
//!           - path: /
//!             pathType: Prefix
//!             backend:
//!               service:
//!                 name: shop-frontend # finding
//!                 port: {number: 80}
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: frontend
//! spec:
//!   selector: {app: frontend}
//!   ports: [{port: 80}]
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: Ingress
//! metadata:
//!   name: shop
//! spec:
//!   rules:
//!     - host: shop.example.com
//!       http:
//!         paths:
//!           - path: /
//!             pathType: Prefix
//!             backend:
//!               service:
//!                 name: frontend
//!                 port: {number: 80}
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: frontend
//! spec:
//!   selector: {app: frontend}
//!   ports: [{port: 80}]
//! ```
//!
//! ## Options
//! None. The check only runs when the input holds at least one Service: a folder of Ingresses
//! alone (Services kept in another repository) is not judged. An unset namespace on either side
//! matches any namespace. `extensions/v1beta1` and `networking.k8s.io/v1beta1` Ingresses
//! (`serviceName`) are read too; resource backends are not checked.

use stockade_model::PodSpec;
use stockade_model::{Node, Object, Severity};

use crate::checks::helpers::NameIndex;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK741",
    name: "ingress-backend-service-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Ingress backend names a Service that is not in the input",
    remediation: "Point the backend at an existing Service, or add the Service to the manifests.",
    references: &[],
    aliases: &[
        "kube-linter:dangling-ingress",
        "kube-score:ingress-targets-service",
        "kubescape:C-0298",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_ingress(o: &Object) -> bool {
    o.kind == "Ingress" && matches!(o.group(), "networking.k8s.io" | "extensions")
}

fn is_service(o: &Object) -> bool {
    o.kind == "Service" && o.group().is_empty()
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_ingress(o) || is_service(o)
}

/// The Service name field of a backend, v1 (`service.name`) or v1beta1 (`serviceName`).
fn service_name<'a>(backend: &'a Node, path: &str) -> Option<(&'a Node, String)> {
    if let Some(n) = backend.at(&["service", "name"]) {
        return Some((n, stockade_model::format_exact!("{path}.service.name")));
    }
    backend
        .get("serviceName")
        .map(|n| (n, stockade_model::format_exact!("{path}.serviceName")))
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let mut services = NameIndex::default();
    for s in ctx.objects.iter().filter(|o| is_service(o)) {
        services.insert(s.namespace.as_deref(), &s.name);
    }
    if services.is_empty() {
        return;
    }
    for ing in ctx.objects.iter().filter(|o| is_ingress(o)) {
        let Some(spec) = ing.root.get("spec") else {
            continue;
        };
        let mut backends: Vec<(&Node, String)> = Vec::new();
        for key in ["defaultBackend", "backend"] {
            if let Some(b) = spec.get(key) {
                backends.push((b, stockade_model::format_exact!("spec.{key}")));
            }
        }
        if let Some(rules) = spec.get("rules") {
            for (i, r) in rules.items().iter().enumerate() {
                if let Some(paths) = r.at(&["http", "paths"]) {
                    for (j, p) in paths.items().iter().enumerate() {
                        if let Some(b) = p.get("backend") {
                            backends.push((
                                b,
                                stockade_model::format_exact!(
                                    "spec.rules[{i}].http.paths[{j}].backend"
                                ),
                            ));
                        }
                    }
                }
            }
        }
        let ns = ing.namespace.as_deref();
        for (b, path) in backends {
            let Some((node, path)) = service_name(b, &path) else {
                continue;
            };
            let Some(name) = node.as_str() else { continue };
            if !services.contains(ns, name) {
                out.at(
                    ing,
                    node,
                    path,
                    stockade_model::format_exact!(
                        "Ingress backend Service \"{name}\" is not in the input (namespace {})",
                        super::helpers::ns_label(ns)
                    ),
                );
            }
        }
    }
}
