//! ## What it does
//! Flags StatefulSets (`apps`) whose `spec.serviceName` is unset, names a Service that is not
//! in the input (same namespace), or names a Service that is not headless
//! (`clusterIP: None`).
//!
//! ## Why it matters
//! A StatefulSet's pods get their stable DNS names (`db-0.db.shop.svc`) from the headless
//! Service it names. Without it, or with a normal ClusterIP Service, the names do not
//! resolve and peers of a clustered database or queue cannot find each other.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: StatefulSet
//! metadata:
//!   name: db
//! spec:
//!   serviceName: db # finding
//!   selector:
//!     matchLabels: {app: db}
//!   template:
//!     metadata:
//!       labels: {app: db}
//!     spec:
//!       containers:
//!         - name: db
//!           image: postgres:16.4
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: db
//! spec:
//!   selector: {app: db}
//!   ports:
//!     - port: 5432
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
//!         - name: db
//!           image: postgres:16.4
//! ---
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: db
//! spec:
//!   clusterIP: None
//!   selector: {app: db}
//!   ports:
//!     - port: 5432
//! ```
//!
//! ## Options
//! None.

use foldhash::{HashMap, HashMapExt};
use stockade_model::PodSpec;

use stockade_model::{Object, Severity};

use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK752",
    name: "statefulset-headless-service-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "StatefulSet has no headless Service in the input",
    remediation: "Set `spec.serviceName` to a Service with `clusterIP: None` that selects the StatefulSet's pods, and add it to the manifests.",
    references: &[],
    aliases: &["kube-score:statefulset-has-servicename"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_statefulset(o: &Object) -> bool {
    o.group() == "apps" && o.kind == "StatefulSet"
}

fn is_service(o: &Object) -> bool {
    o.kind == "Service" && o.group().is_empty()
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_statefulset(o) || is_service(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    // (namespace, name) -> headless?
    let mut services: HashMap<(Option<&str>, &str), bool> = HashMap::new();
    for s in ctx.objects.iter().filter(|o| is_service(o)) {
        let headless = s.root.at(&["spec", "clusterIP"]).and_then(|n| n.as_str()) == Some("None");
        services.insert((s.namespace.as_deref(), s.name.as_str()), headless);
    }
    for sts in ctx.objects.iter().filter(|o| is_statefulset(o)) {
        let Some(spec) = sts.root.get("spec").filter(|s| s.is_map()) else {
            continue;
        };
        let ns = sts.namespace.as_deref();
        let Some(node) = spec.get("serviceName").filter(|n| !n.is_null()) else {
            out.at(
                sts,
                spec,
                "spec",
                stockade_model::format_exact!("StatefulSet \"{}\" sets no serviceName", sts.name),
            );
            continue;
        };
        let name = node.as_str().unwrap_or("");
        let message = match services.get(&(ns, name)) {
            Some(true) => continue,
            Some(false) => stockade_model::format_exact!(
                "StatefulSet \"{}\" names Service \"{name}\", which is not headless (clusterIP: None)",
                sts.name
            ),
            None => stockade_model::format_exact!(
                "StatefulSet \"{}\" names Service \"{name}\", which is not in the input (namespace {})",
                sts.name,
                super::helpers::ns_label(ns)
            ),
        };
        out.at(sts, node, "spec.serviceName", message);
    }
}
