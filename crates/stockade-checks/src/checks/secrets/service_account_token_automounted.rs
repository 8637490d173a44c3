//! ## What it does
//! Flags pods that do not set `automountServiceAccountToken: false`: at the field when it is
//! `true`, at the pod spec when it is missing.
//!
//! For Argo Workflows the workflow-wide `spec.automountServiceAccountToken` applies to
//! templates that do not set it; Tekton Tasks are skipped (their runs choose the account).
//!
//! The check looks at the pod only. A ServiceAccount with `automountServiceAccountToken:
//! false` also stops the mount when the pod leaves the field unset, but the scan cannot know
//! which ServiceAccount object the cluster will have; setting the field on the pod states the
//! intent where it is reviewed, and the pod's value wins over the ServiceAccount's.
//!
//! ## Why it matters
//! By default every pod gets a token for its ServiceAccount at
//! `/var/run/secrets/kubernetes.io/serviceaccount`. Most applications never call the
//! Kubernetes API, but an attacker who gets code execution in the container can use the token
//! with whatever RBAC the account has, and enumerate the cluster even with none. Pods that do
//! need the API (operators, controllers) should keep the mount and suppress this finding, or
//! mount a projected token with a short lifetime and a specific audience.
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
//!     spec: # finding
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
//!       automountServiceAccountToken: false
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
    id: "STK503",
    name: "service-account-token-automounted",
    category: Category::Secrets,
    severity: Severity::Low,
    default_on: true,
    summary: "Pod mounts its service account token automatically",
    remediation: "Set `automountServiceAccountToken: false` on the pod unless it calls the Kubernetes API.",
    references: &[
        "CIS 5.1.6",
        "NSA/CISA: least privilege for service accounts",
    ],
    aliases: &[
        "polaris:automountServiceAccountToken",
        "kubesec:AutomountServiceAccountToken",
        "checkov:CKV_K8S_38",
        "trivy:KSV-0036",
        "kubescape:C-0034",
        "kubescape:C-0190",
        "datree:SRVACC_INCORRECT_AUTOMOUNTSERVICEACCOUNTTOKEN_VALUE",
        "kubescape:C-0053",
        "kubescape:C-0261",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    if account_set_by_run(ctx.object) {
        return;
    }
    for pod in ctx.pods {
        match pod_field(ctx.object, pod, "automountServiceAccountToken") {
            Some((n, _)) if n.as_bool() == Some(false) => {}
            Some((n, path)) => {
                let message = if n.as_bool() == Some(true) {
                    "pod mounts its service account token (automountServiceAccountToken: true)"
                        .to_string()
                } else {
                    stockade_model::format_exact!(
                        "pod mounts its service account token (automountServiceAccountToken: `{}` is not the boolean false)",
                        n.as_str().unwrap_or("?")
                    )
                };
                out.at(n, path, message);
            }
            None => out.at(
                pod.spec,
                pod.path.clone(),
                "pod mounts its service account token (automountServiceAccountToken not set to false)",
            ),
        }
    }
}
