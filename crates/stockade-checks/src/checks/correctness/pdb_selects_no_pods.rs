//! ## What it does
//! Flags a PodDisruptionBudget whose selector matches the pod template labels of no workload
//! in its namespace of the scanned input.
//!
//! ## Why it matters
//! A budget that selects nothing protects nothing: a node drain evicts every replica of the
//! workload it was written for at once. It usually follows a label rename on the workload.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: api
//! spec:
//!   minAvailable: 1
//!   selector: # finding
//!     matchLabels: {app: api-server}
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 3
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
//! apiVersion: policy/v1
//! kind: PodDisruptionBudget
//! metadata:
//!   name: api
//! spec:
//!   minAvailable: 1
//!   selector:
//!     matchLabels: {app: api}
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   replicas: 3
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
//! None. Pods created by operators have no template in the input: a custom resource (a
//! `monitoring.coreos.com` Prometheus, an Elastic `Kibana` ...) whose own labels the selector
//! matches counts as selected, since operators label their pods after the resource.
//!
//! Budgets with an empty or absent selector are not checked. When the input holds no pod
//! template at all the check stays silent. An unset namespace on either side matches any
//! namespace.

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use super::helpers::is_custom_resource;

use super::helpers::report_selectors_matching_nothing;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK743",
    name: "pdb-selects-no-pods",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "PodDisruptionBudget selector matches no workload in the input",
    remediation: "Make the budget's selector match the pod template labels of the workload it protects.",
    references: &[],
    aliases: &[],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: Some(metadata_only),
    },
};

fn is_pdb(o: &Object) -> bool {
    o.kind == "PodDisruptionBudget" && o.group() == "policy"
}

/// Of an object that is not a PodDisruptionBudget and has no pod template (a custom resource,
/// kept as a possible owner of operator-made pods), only the namespace and labels are read.
fn metadata_only(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    !is_pdb(o) && pods.is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_pdb(o) || is_custom_resource(o) || !pods.is_empty()
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    report_selectors_matching_nothing(
        ctx,
        out,
        is_pdb,
        &["spec", "selector"],
        "PodDisruptionBudget selector",
    );
}
