//! ## What it does
//! Flags each Namespace object in the scanned input (a directory, a chart's output or a
//! cluster dump is one set) for which the input holds no ResourceQuota in that namespace.
//!
//! Only namespaces declared by a Namespace object are checked: an input that merely deploys
//! into a namespace (a chart installed with `-n`) does not own that namespace, and its quota
//! is someone else's concern. `kube-system`, `kube-public` and `kube-node-lease` are not
//! checked. A ResourceQuota without `metadata.namespace` counts for every namespace, since
//! where it lands is decided when it is applied.
//!
//! ## Why it matters
//! A ResourceQuota caps what one namespace can take from the cluster in total: CPU and
//! memory requests and limits, pods, Services of type LoadBalancer, storage. Without one, a
//! runaway autoscaler, a crash-looping Job or a compromised service account in one team's
//! namespace can consume the whole cluster and starve everyone else.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: team-a # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: team-a
//! ---
//! apiVersion: v1
//! kind: ResourceQuota
//! metadata:
//!   name: compute
//!   namespace: team-a
//! spec:
//!   hard:
//!     requests.cpu: "20"
//!     requests.memory: 64Gi
//!     limits.memory: 64Gi
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/policy/resource-quotas/>

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use super::helpers::{is_namespace, report_namespaces_without};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK308",
    name: "namespace-without-resource-quota",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: true,
    summary: "Namespace declared in the input has no ResourceQuota",
    remediation: "Add a ResourceQuota to the namespace that caps its CPU, memory and object counts.",
    references: &["NSA/CISA: resource policies"],
    aliases: &["trivy:KSV-0040"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_namespace(o) || (o.kind == "ResourceQuota" && o.group().is_empty())
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    report_namespaces_without(ctx, out, "ResourceQuota");
}
