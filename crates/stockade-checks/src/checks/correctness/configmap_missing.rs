//! ## What it does
//! Flags a pod's reference to a ConfigMap that is not in the scanned input, in the workload's
//! namespace: `configMap` and projected volumes, `envFrom[].configMapRef` and
//! `env[].valueFrom.configMapKeyRef`, in every container. References marked `optional: true`
//! are not flagged.
//!
//! ## Why it matters
//! A pod whose required ConfigMap is missing never starts (`CreateContainerConfigError` or a
//! volume that cannot mount). With generated names (Kustomize's hash suffix, Helm's release
//! prefix) a stale reference is easy to miss in review.
//!
//! ## Example
//! ```yaml
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
//!           volumeMounts:
//!             - {name: conf, mountPath: /etc/nginx/conf.d}
//!       volumes:
//!         - name: conf
//!           configMap:
//!             name: web-conf # finding
//! ---
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: web-config
//! data:
//!   default.conf: "server { listen 8080; }"
//! ```
//! Fixed:
//! ```yaml
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
//!           volumeMounts:
//!             - {name: conf, mountPath: /etc/nginx/conf.d}
//!       volumes:
//!         - name: conf
//!           configMap:
//!             name: web-config
//! ---
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: web-config
//! data:
//!   default.conf: "server { listen 8080; }"
//! ```
//!
//! ## Options
//! None. The check only runs when the input holds at least one ConfigMap, so a folder of
//! workloads whose configuration ships separately is not judged. `kube-root-ca.crt` and
//! `openshift-service-ca.crt`, which the cluster creates in every namespace, are never
//! flagged. An unset namespace on either side matches any namespace.

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use super::helpers::{RefKind, ns_label, pod_refs};
use crate::checks::helpers::NameIndex;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK747",
    name: "configmap-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Pod references a ConfigMap that is not in the input",
    remediation: "Add the ConfigMap to the manifests, fix the name, or mark the reference `optional: true` if the pod can run without it.",
    references: &[],
    aliases: &["kube-linter:env-value-from"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

/// ConfigMaps the cluster publishes into every namespace.
const CLUSTER_PROVIDED: &[&str] = &["kube-root-ca.crt", "openshift-service-ca.crt"];

fn is_configmap(o: &Object) -> bool {
    o.kind == "ConfigMap" && o.group().is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_configmap(o) || !pods.is_empty()
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let mut maps = NameIndex::default();
    for o in ctx.objects.iter().filter(|o| is_configmap(o)) {
        maps.insert(o.namespace.as_deref(), &o.name);
    }
    if maps.is_empty() {
        return;
    }
    for obj in ctx.objects.iter().filter(|o| !is_configmap(o)) {
        let ns = obj.namespace.as_deref();
        for pod in ctx.pods(obj) {
            for r in pod_refs(pod) {
                if r.kind != RefKind::ConfigMap
                    || r.optional
                    || CLUSTER_PROVIDED.contains(&r.name)
                    || maps.contains(ns, r.name)
                {
                    continue;
                }
                out.at(
                    obj,
                    r.node,
                    r.path(),
                    stockade_model::format_exact!(
                        "ConfigMap \"{}\" used by {} is not in the input (namespace {})",
                        r.name,
                        r.used_by(),
                        ns_label(ns)
                    ),
                );
            }
        }
    }
}
