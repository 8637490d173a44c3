//! ## What it does
//! Flags Pods (core `v1`) that no controller manages: no `ownerReferences`. Helm and Argo CD
//! hook pods (`helm.sh/hook`, `argocd.argoproj.io/hook` annotations), which run once by
//! design, are not flagged. Off by default: examples and tutorials are full of bare client and
//! debug Pods (90 on the real-world corpus); enable it for repositories that deploy
//! applications.
//!
//! ## Why it matters
//! Nothing recreates a bare Pod when its node fails, is drained or is upgraded: the workload
//! simply stops. A Deployment (or a Job for run-to-completion work) reschedules it, rolls out
//! changes and works with PodDisruptionBudgets.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod # finding
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27
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
//!           image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK423",
    name: "naked-pod",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "Pod is not managed by a controller",
    remediation: "Run the pod from a Deployment (or a Job for run-to-completion work) so it is recreated when its node goes away.",
    references: &[],
    aliases: &["kubescape:C-0073", "datree:K8S_INCORRECT_KIND_VALUE_POD"],
    run: crate::Run::Object(run),
};

const HOOK_ANNOTATIONS: &[&str] = &["helm.sh/hook", "argocd.argoproj.io/hook"];

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "Pod" || !o.group().is_empty() {
        return;
    }
    let meta = o.metadata();
    if meta
        .get("ownerReferences")
        .is_some_and(|r| !r.items().is_empty())
        || HOOK_ANNOTATIONS
            .iter()
            .any(|a| meta.at(&["annotations", a]).is_some())
    {
        return;
    }
    let at = o.root.get("kind").unwrap_or(&o.root);
    out.at(
        at,
        "kind",
        stockade_model::format_exact!("Pod \"{}\" is not managed by a controller", o.name),
    );
}
