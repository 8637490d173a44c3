//! ## What it does
//! Flags a HorizontalPodAutoscaler whose `scaleTargetRef` names an object (kind and name) that
//! is not in the scanned input, in the autoscaler's namespace.
//!
//! ## Why it matters
//! An autoscaler without its target does nothing: the workload keeps its static replica count
//! under load. It usually follows a rename of the Deployment that the HPA was not updated for.
//!
//! ## Example
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: api
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: api-server # finding
//!   minReplicas: 2
//!   maxReplicas: 10
//! ---
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
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: api
//! spec:
//!   scaleTargetRef:
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: api
//!   minReplicas: 2
//!   maxReplicas: 10
//! ---
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
//! ```
//!
//! ## Options
//! None. A target is only judged when the input holds at least one object of the target's
//! kind, so an HPA shipped apart from its workload is not flagged. Kinds are compared without
//! their API version (an `apps/v1` target matches a Deployment of any version); an unset
//! namespace on either side matches any namespace.

use foldhash::{HashMap, HashMapExt};
use stockade_model::PodSpec;

use stockade_model::{Object, Severity};

use crate::checks::helpers::NameIndex;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK742",
    name: "hpa-target-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "HorizontalPodAutoscaler targets an object that is not in the input",
    remediation: "Point `scaleTargetRef` at the workload's kind and name, or add the workload to the manifests.",
    references: &[],
    aliases: &[
        "kube-linter:dangling-horizontalpodautoscaler",
        "kube-score:horizontalpodautoscaler-has-target",
        "kubescape:C-0300",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_hpa(o: &Object) -> bool {
    o.kind == "HorizontalPodAutoscaler" && o.group() == "autoscaling"
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_hpa(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    // Any kind with a scale subresource can be a target (Argo Rollouts, custom resources), so
    // targets are looked up among every object of the input, by identity.
    let mut by_kind: HashMap<&str, NameIndex> = HashMap::new();
    for o in ctx.inventory {
        by_kind
            .entry(o.kind.as_str())
            .or_default()
            .insert(o.namespace.as_deref(), &o.name);
    }
    for hpa in ctx.objects.iter().filter(|o| is_hpa(o)) {
        let Some(target) = hpa.root.at(&["spec", "scaleTargetRef"]) else {
            continue;
        };
        let (Some(kind), Some(name_node)) = (target.str_at("kind"), target.get("name")) else {
            continue;
        };
        let Some(name) = name_node.as_str() else {
            continue;
        };
        let Some(index) = by_kind.get(kind) else {
            continue;
        };
        let ns = hpa.namespace.as_deref();
        if !index.contains(ns, name) {
            out.at(
                hpa,
                name_node,
                "spec.scaleTargetRef.name",
                stockade_model::format_exact!(
                    "HorizontalPodAutoscaler target {kind} \"{name}\" is not in the input (namespace {})",
                    super::helpers::ns_label(ns)
                ),
            );
        }
    }
}
