//! ## What it does
//! Flags StatefulSet `volumeClaimTemplates` with no `spec.resources.requests.storage`.
//!
//! ## Why it matters
//! Every replica of a StatefulSet gets a PersistentVolumeClaim made from these templates, and
//! a claim without a storage request is rejected by the API server: the StatefulSet
//! controller keeps failing to create the first pod's claim, and the workload never starts.
//! The requested size is also what the provisioner creates and what quotas count, so it
//! should be stated rather than left to a storage class default.
//!
//! ## Example
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
//!   volumeClaimTemplates:
//!     - metadata:
//!         name: data
//!       spec: # finding
//!         accessModes: [ReadWriteOnce]
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
//!   volumeClaimTemplates:
//!     - metadata:
//!         name: data
//!       spec:
//!         accessModes: [ReadWriteOnce]
//!         resources:
//!           requests: {storage: 20Gi}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/statefulset/#volume-claim-templates>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK435",
    name: "volume-claim-template-storage-missing",
    category: Category::Reliability,
    severity: Severity::Medium,
    default_on: true,
    summary: "StatefulSet volumeClaimTemplate requests no storage",
    remediation: "Set `spec.resources.requests.storage` on every volumeClaimTemplate.",
    references: &[],
    aliases: &["kubesec:VolumeClaimRequestsStorage"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "StatefulSet" || o.group() != "apps" {
        return;
    }
    let Some(vcts) = o.root.at(&["spec", "volumeClaimTemplates"]) else {
        return;
    };
    for (i, t) in vcts.items().iter().enumerate() {
        let spec = t.get("spec");
        let storage = spec
            .and_then(|s| s.at(&["resources", "requests", "storage"]))
            .is_some_and(|s| !s.is_null());
        if !storage {
            let name = t
                .get("metadata")
                .and_then(|m| m.str_at("name"))
                .unwrap_or_default();
            // The nearest enclosing field there is.
            let at = spec
                .and_then(|s| {
                    s.at(&["resources", "requests", "storage"])
                        .or_else(|| s.at(&["resources", "requests"]))
                        .or_else(|| s.get("resources"))
                })
                .or(spec)
                .unwrap_or(t);
            out.at(
                at,
                stockade_model::format_exact!(
                    "spec.volumeClaimTemplates[{i}].spec.resources.requests.storage"
                ),
                stockade_model::format_exact!(
                    "StatefulSet \"{}\" volumeClaimTemplate \"{name}\" requests no storage",
                    o.name
                ),
            );
        }
    }
}
