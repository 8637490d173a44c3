//! ## What it does
//! Flags each Namespace object in the scanned input (a directory, a chart's output or a
//! cluster dump is one set) for which the input holds no LimitRange in that namespace.
//!
//! As with `namespace-without-resource-quota`, only namespaces declared by a Namespace object
//! are checked, `kube-system`, `kube-public` and `kube-node-lease` are skipped, and a
//! LimitRange without `metadata.namespace` counts for every namespace.
//!
//! ## Why it matters
//! A LimitRange gives containers that set no requests or limits a default, and bounds what a
//! single container may ask for. Without one, a pod with no resources is scheduled as if it
//! needed nothing, lands in the BestEffort QoS class (first to be evicted), and can use all
//! the memory of its node. In a namespace with a ResourceQuota on CPU or memory, a pod without
//! requests is even rejected outright — a LimitRange default is what keeps such pods running.
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
//! kind: LimitRange
//! metadata:
//!   name: defaults
//!   namespace: team-a
//! spec:
//!   limits:
//!     - type: Container
//!       defaultRequest: {cpu: 100m, memory: 128Mi}
//!       default: {memory: 512Mi}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/policy/limit-range/>

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use super::helpers::{is_namespace, report_namespaces_without};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK309",
    name: "namespace-without-limit-range",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: true,
    summary: "Namespace declared in the input has no LimitRange",
    remediation: "Add a LimitRange to the namespace with default requests and limits for containers.",
    references: &["NSA/CISA: resource policies"],
    aliases: &["trivy:KSV-0039"],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_namespace(o) || (o.kind == "LimitRange" && o.group().is_empty())
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    report_namespaces_without(ctx, out, "LimitRange");
}
