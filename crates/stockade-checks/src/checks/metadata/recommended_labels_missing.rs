//! ## What it does
//! Opt-in. Flags workloads (any object with a pod template) and Services that lack the
//! recommended labels `app.kubernetes.io/name` or `app.kubernetes.io/instance` in
//! `metadata.labels`.
//!
//! ## Why it matters
//! The `app.kubernetes.io/*` labels are the shared vocabulary that dashboards, `kubectl`,
//! cost tools and service meshes use to group objects into applications. Name and instance
//! are the two that identify one installation of one application; the others (`version`,
//! `component`, `part-of`, `managed-by`) are welcome but not required here.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   labels: # finding
//!     app: api
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
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   labels:
//!     app.kubernetes.io/name: api
//!     app.kubernetes.io/instance: api-prod
//! spec:
//!   selector:
//!     matchLabels: {app.kubernetes.io/name: api, app.kubernetes.io/instance: api-prod}
//!   template:
//!     metadata:
//!       labels: {app.kubernetes.io/name: api, app.kubernetes.io/instance: api-prod}
//!     spec:
//!       containers:
//!         - name: api
//!           image: ghcr.io/acme/api:1.4.2
//! ```
//!
//! ## Options
//! None; off by default, enable it with `--select recommended-labels-missing`. For other
//! keys, use `required-labels`.
//!
//! ## References
//! Kubernetes Recommended Labels,
//! <https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/>.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK712",
    name: "recommended-labels-missing",
    category: Category::Metadata,
    severity: Severity::Info,
    default_on: false,
    summary: "Workload or Service lacks the recommended app.kubernetes.io labels",
    remediation: "Add `app.kubernetes.io/name` and `app.kubernetes.io/instance` to `metadata.labels`.",
    references: &["Kubernetes Recommended Labels"],
    aliases: &["kubescape:C-0077"],
    run: crate::Run::Object(run),
};

const RECOMMENDED: &[&str] = &["app.kubernetes.io/name", "app.kubernetes.io/instance"];

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let service = o.kind == "Service" && o.group().is_empty();
    if ctx.pods.is_empty() && !service {
        return;
    }
    let meta = o.metadata();
    let labels = meta.get("labels");
    let missing: Vec<&str> = RECOMMENDED
        .iter()
        .copied()
        .filter(|k| labels.and_then(|l| l.get(k)).is_none())
        .collect();
    if missing.is_empty() {
        return;
    }
    let (node, path) = match labels {
        Some(l) => (l, "metadata.labels"),
        None if meta.pos.line > 0 => (meta, "metadata"),
        None => (&o.root, "metadata"),
    };
    out.at(
        node,
        path,
        stockade_model::format_exact!(
            "{} \"{}\" lacks recommended label{} {}",
            o.kind,
            o.name,
            if missing.len() > 1 { "s" } else { "" },
            missing.join(", ")
        ),
    );
}
