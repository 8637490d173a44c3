//! ## What it does
//! Flags pods that run as their namespace's `default` ServiceAccount: `serviceAccountName`
//! missing, empty or `default`. The deprecated `serviceAccount` field is read when
//! `serviceAccountName` is absent, as the API server does. For Argo Workflows the
//! workflow-wide `spec.serviceAccountName` applies to templates that do not set one; Tekton
//! Tasks are skipped (their TaskRun or PipelineRun chooses the account).
//!
//! ## Why it matters
//! Every pod that names no account shares `default`, so any permission granted to it (often by
//! a Helm chart or an operator "just to make it work") goes to every such pod in the
//! namespace, and audit logs cannot tell them apart. A dedicated ServiceAccount per workload
//! keeps RBAC, cloud workload identity and image pull secrets scoped to the workload that
//! needs them.
//!
//! ## Example
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
//!       serviceAccountName: default # finding
//!       containers:
//!         - name: web
//!           image: nginx:1.27
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
//!       serviceAccountName: web
//!       containers:
//!         - name: web
//!           image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{account_set_by_run, pod_field};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK504",
    name: "default-service-account",
    category: Category::Secrets,
    severity: Severity::Low,
    default_on: true,
    summary: "Pod runs as the namespace's default service account",
    remediation: "Create a ServiceAccount for the workload and set `serviceAccountName` to it.",
    references: &[
        "CIS 5.1.5",
        "NSA/CISA: least privilege for service accounts",
    ],
    aliases: &[
        "kube-linter:default-service-account",
        "datree:ARGO_WORKFLOW_INCORRECT_SERVICE_ACCOUNT_NAME_VALUE_DEFAULT",
        "kubesec:ServiceAccountName",
        "checkov:CKV_K8S_42",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    if account_set_by_run(ctx.object) {
        return;
    }
    for pod in ctx.pods {
        let named = ["serviceAccountName", "serviceAccount"]
            .into_iter()
            .find_map(|f| pod_field(ctx.object, pod, f).map(|(n, p)| (f, n, p)));
        match named {
            Some((field, n, path)) => match n.as_str().map(str::trim) {
                Some("default") => out.at(
                    n,
                    path,
                    stockade_model::format_exact!(
                        "pod runs as the default service account ({field}: default)"
                    ),
                ),
                Some("") | None => out.at(
                    n,
                    path,
                    stockade_model::format_exact!(
                        "pod runs as the namespace's default service account ({field} is empty)"
                    ),
                ),
                Some(_) => {}
            },
            None => out.at(
                pod.spec,
                pod.path.clone(),
                "pod runs as the namespace's default service account (serviceAccountName not set)",
            ),
        }
    }
}
