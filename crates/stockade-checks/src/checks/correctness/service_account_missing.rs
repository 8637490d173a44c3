//! ## What it does
//! Flags a pod spec whose `serviceAccountName` (or the deprecated `serviceAccount`) names a
//! ServiceAccount that is not in the scanned input, in the workload's namespace.
//!
//! ## Why it matters
//! The API server refuses to create pods for a ServiceAccount that does not exist, so the
//! workload's controller retries forever with no pod running. It usually follows a rename, or
//! a chart value that disabled the ServiceAccount while the workload still names it.
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
//!       serviceAccountName: api-server # finding
//!       containers:
//!         - name: api
//!           image: ghcr.io/acme/api:1.4.2
//! ---
//! apiVersion: v1
//! kind: ServiceAccount
//! metadata:
//!   name: api
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
//!       serviceAccountName: api
//!       containers:
//!         - name: api
//!           image: ghcr.io/acme/api:1.4.2
//! ---
//! apiVersion: v1
//! kind: ServiceAccount
//! metadata:
//!   name: api
//! ```
//!
//! ## Options
//! None. The check only runs when the input holds at least one ServiceAccount: a repository
//! that keeps ServiceAccounts elsewhere is not judged. `default` (created in every namespace)
//! is never flagged, and neither are Tekton Tasks, whose account comes from the run. An unset
//! namespace on either side matches any namespace.

use stockade_model::PodSpec;
use stockade_model::{Object, Severity};

use crate::checks::helpers::NameIndex;
use crate::checks::secrets::helpers::account_set_by_run;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK745",
    name: "service-account-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Pod uses a ServiceAccount that is not in the input",
    remediation: "Add the ServiceAccount to the manifests, or name one that exists.",
    references: &[],
    aliases: &[
        "kube-linter:non-existent-service-account",
        "kubescape:C-0307",
    ],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_sa(o: &Object) -> bool {
    o.kind == "ServiceAccount" && o.group().is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_sa(o) || !pods.is_empty()
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let mut accounts = NameIndex::default();
    for sa in ctx.objects.iter().filter(|o| is_sa(o)) {
        accounts.insert(sa.namespace.as_deref(), &sa.name);
    }
    if accounts.is_empty() {
        return;
    }
    for obj in ctx
        .objects
        .iter()
        .filter(|o| !is_sa(o) && !account_set_by_run(o))
    {
        let ns = obj.namespace.as_deref();
        for pod in ctx.pods(obj) {
            let Some((key, node)) = ["serviceAccountName", "serviceAccount"]
                .into_iter()
                .find_map(|k| pod.field(k).map(|n| (k, n)))
            else {
                continue;
            };
            let Some(name) = node.as_str() else { continue };
            if name == "default" || accounts.contains(ns, name) {
                continue;
            }
            out.at(
                obj,
                node,
                stockade_model::format_exact!("{}.{key}", pod.path),
                stockade_model::format_exact!(
                    "ServiceAccount \"{name}\" is not in the input (namespace {})",
                    super::helpers::ns_label(ns)
                ),
            );
        }
    }
}
