//! ## What it does
//! Flags an object whose `apiVersion` is no longer served by the target Kubernetes version
//! (option `kube-version`), naming the version that removed it and the replacement. Without
//! `kube-version` the newest Kubernetes version Stockade knows is the target, so every
//! removed API version is flagged.
//!
//! Covered: `extensions/v1beta1` and `apps/v1beta1`/`v1beta2` workloads, NetworkPolicy and
//! PodSecurityPolicy (removed in 1.16); `extensions/v1beta1` and `networking.k8s.io/v1beta1`
//! Ingress, IngressClass, `admissionregistration`, `apiextensions`, `apiregistration`,
//! `authentication`, `authorization`, `certificates`, `coordination`, `rbac`, `scheduling` and
//! `storage.k8s.io` (CSIDriver, CSINode, StorageClass, VolumeAttachment) `v1beta1` (1.22);
//! `batch/v1beta1` CronJob, `discovery.k8s.io/v1beta1`, `events.k8s.io/v1beta1`,
//! `autoscaling/v2beta1`, `policy/v1beta1` PodDisruptionBudget and PodSecurityPolicy,
//! `node.k8s.io/v1beta1` (1.25); `flowcontrol.apiserver.k8s.io/v1beta1` and
//! `autoscaling/v2beta2` (1.26); `storage.k8s.io/v1beta1` CSIStorageCapacity (1.27);
//! `flowcontrol.apiserver.k8s.io/v1beta2` (1.29) and `v1beta3` (1.32); the
//! `resource.k8s.io` alphas `v1alpha1` (1.27) and `v1alpha2` (1.31).
//!
//! ## Why it matters
//! The API server rejects objects of an API version it no longer serves (`no matches for
//! kind "Ingress" in version "extensions/v1beta1"`), so an upgrade of the cluster breaks the
//! next deploy of every manifest still written against it.
//!
//! ## Example
//! ```yaml
//! apiVersion: policy/v1beta1 # finding
//! kind: PodDisruptionBudget
//! metadata:
//!   name: api
//! spec:
//!   minAvailable: 1
//!   selector:
//!     matchLabels: {app: api}
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
//! ```
//!
//! ## Options
//! `kube-version`: the Kubernetes version the manifests are deployed to (`1.29`, `v1.29` or
//! `1.29.3`); unset means the newest version Stockade knows. API versions removed after the
//! target are left to `deprecated-api-version`.
//!
//! ```yaml
//! options:
//!   kube-version: "1.29"
//! ```
//!
//! ## References
//! Kubernetes Deprecated API Migration Guide,
//! <https://kubernetes.io/docs/reference/using-api/deprecation-guide/>.

use stockade_model::Severity;

use super::helpers::{NEWEST_MINOR, lookup};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK780",
    name: "removed-api-version",
    category: Category::Deprecations,
    severity: Severity::High,
    default_on: true,
    summary: "API version is no longer served by the target Kubernetes version",
    remediation: "Rewrite the object for the replacement apiVersion named in the finding (mind the field changes listed in the migration guide).",
    references: &["Kubernetes Deprecated API Migration Guide"],
    aliases: &[
        "kube-linter:no-extensions-v1beta",
        "kube-score:stable-version",
        "trivy:KSV-0107",
        "datree:K8S_DEPRECATED_APIVERSION_1.16",
        "datree:K8S_REMOVED_APIVERSION_1.22",
        "datree:K8S_REMOVED_APIVERSION_1.23",
        "datree:K8S_REMOVED_APIVERSION_1.24",
        "datree:K8S_REMOVED_APIVERSION_1.25",
        "datree:K8S_REMOVED_APIVERSION_1.26",
        "datree:K8S_REMOVED_APIVERSION_1.27",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let Some(d) = lookup(&o.api_version, &o.kind) else {
        return;
    };
    let target = ctx.options.kube_minor().unwrap_or(NEWEST_MINOR);
    let Some(removed) = d.removed_in.filter(|r| *r <= target) else {
        return;
    };
    let node = o.root.get("apiVersion").unwrap_or(&o.root);
    out.at(
        node,
        "apiVersion",
        stockade_model::format_exact!(
            "{} {} is not served since Kubernetes 1.{removed} (target 1.{target}); use {}",
            o.api_version,
            o.kind,
            d.replacement
        ),
    );
}

#[cfg(test)]
mod tests {
    use stockade_model::{load, pod_specs};

    use crate::{Options, run_check};

    fn lines(yaml: &str, kube_version: Option<&str>) -> Vec<u32> {
        let options = Options {
            kube_version: kube_version.map(str::to_string),
            ..Options::default()
        };
        let loaded = load("t", yaml.as_bytes());
        let mut out = Vec::new();
        for o in &loaded.objects {
            for check in [&super::CHECK, &super::super::deprecated_api_version::CHECK] {
                for h in run_check(check, o, &pod_specs(o), &options) {
                    out.push(h.pos.line * 10 + u32::from(check.id == "STK781"));
                }
            }
        }
        out
    }

    const YAML: &str = "apiVersion: flowcontrol.apiserver.k8s.io/v1beta3\nkind: FlowSchema\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Endpoints\nmetadata: {name: b}\n";

    #[test]
    fn without_a_target_the_newest_version_decides() {
        // v1beta3 is removed (1.32), Endpoints deprecated without removal.
        assert_eq!(lines(YAML, None), vec![10, 51]);
    }

    #[test]
    fn a_target_splits_removed_from_deprecated() {
        assert_eq!(lines(YAML, Some("1.31")), vec![11]);
        assert_eq!(lines(YAML, Some("1.28")), Vec::<u32>::new());
        assert_eq!(lines(YAML, Some("1.33")), vec![10, 51]);
    }
}
