//! ## What it does
//! Flags an object whose `apiVersion` is deprecated in the target Kubernetes version (option
//! `kube-version`) but still served, naming the version that removes it (if scheduled) and the
//! replacement. Without `kube-version` the newest Kubernetes version Stockade knows is the
//! target. API versions the target no longer serves are reported by `removed-api-version`
//! instead, never by both.
//!
//! ## Why it matters
//! A deprecated API version works today and breaks on a later cluster upgrade; the API server
//! already answers each use with a warning. Migrating while both versions are served lets the
//! change ship ahead of the upgrade instead of blocking it.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1beta1 # finding
//! kind: CronJob
//! metadata:
//!   name: report
//! spec:
//!   schedule: "0 3 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: report
//!               image: ghcr.io/acme/report:1.0.0
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: report
//! spec:
//!   schedule: "0 3 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: report
//!               image: ghcr.io/acme/report:1.0.0
//! ```
//!
//! ## Options
//! `kube-version`: the Kubernetes version the manifests are deployed to (`1.23`, `v1.23` or
//! `1.23.4`); unset means the newest version Stockade knows, where only API versions
//! deprecated without a removal date (`v1` Endpoints, `v1` ComponentStatus) remain.
//!
//! ```yaml
//! options:
//!   kube-version: "1.23"
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
    id: "STK781",
    name: "deprecated-api-version",
    category: Category::Deprecations,
    severity: Severity::Low,
    default_on: true,
    summary: "API version is deprecated in the target Kubernetes version",
    remediation: "Move the object to the replacement apiVersion named in the finding before upgrading to the version that removes it.",
    references: &["Kubernetes Deprecated API Migration Guide"],
    aliases: &[
        "datree:K8S_DEPRECATED_APIVERSION_1.17",
        "datree:K8S_DEPRECATED_APIVERSION_1.19",
        "datree:K8S_DEPRECATED_APIVERSION_1.21",
        "datree:K8S_DEPRECATED_APIVERSION_1.22",
        "datree:K8S_DEPRECATED_APIVERSION_1.23",
        "datree:K8S_DEPRECATED_APIVERSION_1.24",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let Some(d) = lookup(&o.api_version, &o.kind) else {
        return;
    };
    let target = ctx.options.kube_minor().unwrap_or(NEWEST_MINOR);
    if d.deprecated_in > target || d.removed_in.is_some_and(|r| r <= target) {
        return;
    }
    let node = o.root.get("apiVersion").unwrap_or(&o.root);
    let removal = match d.removed_in {
        Some(r) => stockade_model::format_exact!(", removed in 1.{r}"),
        None => String::new(),
    };
    out.at(
        node,
        "apiVersion",
        stockade_model::format_exact!(
            "{} {} is deprecated since Kubernetes 1.{}{removal} (target 1.{target}); use {}",
            o.api_version,
            o.kind,
            d.deprecated_in,
            d.replacement
        ),
    );
}
