//! ## What it does
//! Flags a pod's reference to a Secret that is not in the scanned input, in the workload's
//! namespace: `secret` and projected volumes, `envFrom[].secretRef` and
//! `env[].valueFrom.secretKeyRef`, in every container. References marked `optional: true` are
//! not flagged.
//!
//! ## Why it matters
//! A pod whose required Secret is missing never starts (`CreateContainerConfigError` or a
//! volume that cannot mount), and the error only shows once it is deployed. A typo in a Secret
//! name is easy to make and hard to see in review.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: ghcr.io/acme/api:1.4.2
//!           env:
//!             - name: DB_PASSWORD
//!               valueFrom:
//!                 secretKeyRef:
//!                   name: api-db # finding
//!                   key: password
//! ---
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: api-database
//! type: Opaque
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: ghcr.io/acme/api:1.4.2
//!           env:
//!             - name: DB_PASSWORD
//!               valueFrom:
//!                 secretKeyRef:
//!                   name: api-database
//!                   key: password
//! ---
//! apiVersion: v1
//! kind: Secret
//! metadata:
//!   name: api-database
//! type: Opaque
//! ```
//!
//! ## Options
//! None. GitOps repositories often keep Secrets out of Git, so the check only runs when the
//! input holds at least one Secret or an object that produces one: a Bitnami `SealedSecret`,
//! an External Secrets `ExternalSecret` (its `spec.target.name`) or a cert-manager
//! `Certificate` (its `spec.secretName`). An unset namespace on either side matches any
//! namespace.

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use super::helpers::{RefKind, ns_label, pod_refs};
use crate::checks::helpers::{NameIndex, provided_secret, provides_secret};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK746",
    name: "secret-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Pod references a Secret that is not in the input",
    remediation: "Add the Secret (or the object that produces it) to the manifests, fix the name, or mark the reference `optional: true` if the pod can run without it.",
    references: &[],
    aliases: &["kube-linter:env-value-from"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    provides_secret(o) || !pods.is_empty()
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let mut secrets = NameIndex::default();
    for o in ctx.objects.iter() {
        if let Some(s) = provided_secret(o) {
            secrets.insert(o.namespace.as_deref(), s.name);
        }
    }
    if secrets.is_empty() {
        return;
    }
    for obj in ctx.objects.iter() {
        let ns = obj.namespace.as_deref();
        for pod in ctx.pods(obj) {
            for r in pod_refs(pod) {
                if r.kind != RefKind::Secret || r.optional || secrets.contains(ns, r.name) {
                    continue;
                }
                out.at(
                    obj,
                    r.node,
                    r.path(),
                    stockade_model::format_exact!(
                        "Secret \"{}\" used by {} is not in the input (namespace {})",
                        r.name,
                        r.used_by(),
                        ns_label(ns)
                    ),
                );
            }
        }
    }
}
