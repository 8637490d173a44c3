//! ## What it does
//! Flags a `backendRef` of a Gateway API route (HTTPRoute, GRPCRoute, TLSRoute, TCPRoute,
//! UDPRoute in `gateway.networking.k8s.io`) that names a Service not in the scanned input, in
//! the route's namespace or the `namespace` the reference gives. References to other kinds
//! (`kind:` other than Service, or a non-core `group:`) are not judged. The check runs only
//! when the input holds at least one Service, so a directory of routes alone is not reported.
//!
//! ## Why it matters
//! A dangling backend makes the gateway answer 500 (or drop the connection) for that rule, and
//! the first Service someone later creates under that name receives the traffic: a name that
//! points nowhere today is a route to whoever claims it tomorrow.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//!   namespace: shop
//! spec:
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata:
//!   name: shop
//!   namespace: shop
//! spec:
//!   parentRefs:
//!     - name: public
//!   rules:
//!     - backendRefs:
//!         - name: web-v2 # finding
//!           port: 80
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//!   namespace: shop
//! spec:
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//! ---
//! apiVersion: gateway.networking.k8s.io/v1
//! kind: HTTPRoute
//! metadata:
//!   name: shop
//!   namespace: shop
//! spec:
//!   parentRefs:
//!     - name: public
//!   rules:
//!     - backendRefs:
//!         - name: web
//!           port: 80
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select gateway-route-backend-missing`). Operators often create
//! the Services that routes point at (KubeRay's `<name>-head-svc`, Knative, Argo Rollouts
//! preview Services), which a scan of the manifests does not see.

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use crate::checks::helpers::NameIndex;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK757",
    name: "gateway-route-backend-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: false,
    summary: "Gateway API route backendRef names a Service that is not in the input",
    remediation: "Point the backendRef at an existing Service, or add the Service to the manifests.",
    references: &[],
    aliases: &["kubescape:C-0302"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_route(o: &Object) -> bool {
    o.group() == "gateway.networking.k8s.io"
        && matches!(
            o.kind.as_str(),
            "HTTPRoute" | "GRPCRoute" | "TLSRoute" | "TCPRoute" | "UDPRoute"
        )
}

fn is_service(o: &Object) -> bool {
    o.kind == "Service" && o.group().is_empty()
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_route(o) || is_service(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let mut services = NameIndex::default();
    for s in ctx.objects.iter().filter(|o| is_service(o)) {
        services.insert(s.namespace.as_deref(), &s.name);
    }
    if services.is_empty() {
        return;
    }
    for route in ctx.objects.iter().filter(|o| is_route(o)) {
        let Some(rules) = route.root.at(&["spec", "rules"]) else {
            continue;
        };
        for (i, rule) in rules.items().iter().enumerate() {
            let mut refs = Vec::new();
            if let Some(b) = rule.get("backendRefs") {
                for (j, r) in b.items().iter().enumerate() {
                    refs.push((
                        r,
                        stockade_model::format_exact!("spec.rules[{i}].backendRefs[{j}]"),
                    ));
                }
            }
            // HTTPRoute filters can mirror requests to another backend.
            if let Some(filters) = rule.get("filters") {
                for (j, f) in filters.items().iter().enumerate() {
                    if let Some(r) = f.at(&["requestMirror", "backendRef"]) {
                        refs.push((
                            r,
                            stockade_model::format_exact!(
                                "spec.rules[{i}].filters[{j}].requestMirror.backendRef"
                            ),
                        ));
                    }
                }
            }
            for (r, path) in refs {
                let kind = r.str_at("kind").unwrap_or("Service");
                let group = r.str_at("group").unwrap_or("");
                if kind != "Service" || !(group.is_empty() || group == "core") {
                    continue;
                }
                let Some(node) = r.get("name") else { continue };
                let Some(name) = node.as_str() else { continue };
                let ns = r.str_at("namespace").or(route.namespace.as_deref());
                if !services.contains(ns, name) {
                    out.at(
                        route,
                        node,
                        stockade_model::format_exact!("{path}.name"),
                        stockade_model::format_exact!(
                            "{} backend Service \"{name}\" is not in the input (namespace {})",
                            route.kind,
                            super::helpers::ns_label(ns)
                        ),
                    );
                }
            }
        }
    }
}
