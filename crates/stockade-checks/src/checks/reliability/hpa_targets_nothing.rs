//! ## What it does
//! Flags a HorizontalPodAutoscaler whose `scaleTargetRef` (kind and name) names no object of
//! the same namespace in the scanned input (a directory, a chart's output or a cluster dump
//! is one set). Any kind counts as a target, so HPAs of Argo Rollouts or other CRDs with a
//! scale subresource are matched too. When the input holds no workload at all (no object
//! with `spec.template` or `spec.replicas`, such as a folder of HPAs only) the check stays
//! silent rather than flag every HPA.
//!
//! ## Why it matters
//! An HPA whose target does not exist scales nothing: the workload it was meant for keeps a
//! fixed replica count, usually because the workload was renamed and the HPA was not. The
//! HPA only reports the problem in its status, which nobody reads until the next traffic peak.
//!
//! ## Example
//! ```yaml
//! apiVersion: autoscaling/v2
//! kind: HorizontalPodAutoscaler
//! metadata:
//!   name: api
//! spec:
//!   scaleTargetRef: # finding
//!     apiVersion: apps/v1
//!     kind: Deployment
//!     name: api-server
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
//!           image: api:2.3.1
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
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None. Objects without a namespace are compared as being in the same namespace, since
//! they are applied together.

use foldhash::HashSet;
use stockade_model::PodSpec;

use stockade_model::{Object, Severity};

use super::helpers::{is_hpa, namespace};
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK412",
    name: "hpa-targets-nothing",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "HorizontalPodAutoscaler targets no object in the input",
    remediation: "Make `scaleTargetRef` name the kind and name of the workload the HPA should scale.",
    references: &[],
    aliases: &[
        "kube-linter:dangling-horizontalpodautoscaler",
        "kube-score:horizontalpodautoscaler-has-target",
        "kubescape:C-0300",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: Some(metadata_only),
    },
};

/// Objects that could be scaled: they have a pod template or a replica count.
fn is_scalable(o: &Object) -> bool {
    o.root
        .get("spec")
        .is_some_and(|s| s.get("template").is_some() || s.get("replicas").is_some())
}

/// Of a possible target, only its kind, name and namespace are read.
fn metadata_only(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    !is_hpa(o)
}

fn wants(o: &Object, _pods: &[PodSpec<'_>]) -> bool {
    is_hpa(o) || is_scalable(o)
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let targets: HashSet<(&str, &str, &str)> = ctx
        .objects
        .iter()
        .filter(|o| !is_hpa(o))
        .map(|o| (namespace(o), o.kind.as_str(), o.name.as_str()))
        .collect();
    if targets.is_empty() {
        return;
    }
    for hpa in ctx.objects.iter().filter(|o| is_hpa(o)) {
        let Some(target) = hpa.root.at(&["spec", "scaleTargetRef"]) else {
            continue;
        };
        let (Some(kind), Some(name)) = (target.str_at("kind"), target.str_at("name")) else {
            continue;
        };
        if !targets.contains(&(namespace(hpa), kind, name)) {
            let ns = namespace(hpa);
            out.at(
                hpa,
                target,
                "spec.scaleTargetRef",
                stockade_model::format_exact!(
                    "HorizontalPodAutoscaler \"{}\" targets {kind} \"{name}\", which is not in namespace {} of the input",
                    hpa.name,
                    if ns.is_empty() { "(unset)" } else { ns }
                ),
            );
        }
    }
}
