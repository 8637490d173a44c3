//! ## What it does
//! Flags Flux `HelmRelease` objects whose chart version is not pinned: no
//! `spec.chart.spec.version` (Flux then installs the latest), `*`, or a range such as
//! `>=1.0.0`, `^1.2.0`, `~1.2` or `1.x`.
//!
//! Not flagged: charts taken from a `GitRepository` or `Bucket` source (Flux ignores the
//! version there; the source's ref pins them), releases using `spec.chartRef` (the
//! referenced OCIRepository or HelmChart pins the version), and templated values
//! (`${CHART_VERSION}` post-build substitution).
//!
//! ## Why it matters
//! A range upgrades the release whenever the chart repository publishes a matching version:
//! new defaults, new RBAC, new images land in the cluster without a reviewed change, and a
//! compromised chart repository can push code straight into it. The repository also no
//! longer records what is deployed, so rollbacks are guesswork.
//!
//! ## Example
//! ```yaml
//! apiVersion: helm.toolkit.fluxcd.io/v2
//! kind: HelmRelease
//! metadata:
//!   name: ingress-nginx
//!   namespace: ingress
//! spec:
//!   interval: 10m
//!   chart:
//!     spec:
//!       chart: ingress-nginx
//!       version: ">=4.0.0" # finding
//!       sourceRef:
//!         kind: HelmRepository
//!         name: ingress-nginx
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: helm.toolkit.fluxcd.io/v2
//! kind: HelmRelease
//! metadata:
//!   name: ingress-nginx
//!   namespace: ingress
//! spec:
//!   interval: 10m
//!   chart:
//!     spec:
//!       chart: ingress-nginx
//!       version: 4.11.3
//!       sourceRef:
//!         kind: HelmRepository
//!         name: ingress-nginx
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{is, templated, version_range};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK916",
    name: "flux-helm-release-unpinned-chart",
    category: Category::Gitops,
    severity: Severity::Medium,
    default_on: true,
    summary: "Flux HelmRelease does not pin its chart version",
    remediation: "Set `spec.chart.spec.version` to an exact version and upgrade through a reviewed change (Renovate or Dependabot can open it).",
    references: &["OpenSSF SLSA: pinned dependencies"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if !is(obj, "helm.toolkit.fluxcd.io", "HelmRelease") {
        return;
    }
    let Some(chart) = obj.root.at(&["spec", "chart", "spec"]) else {
        return;
    };
    if matches!(
        chart.at(&["sourceRef", "kind"]).and_then(|k| k.as_str()),
        Some("GitRepository" | "Bucket")
    ) {
        return;
    }
    let version = chart.get("version").filter(|n| !n.is_null());
    let text = version.and_then(|v| v.as_str()).unwrap_or("").trim();
    if templated(text) || !version_range(text) {
        return;
    }
    let name = chart.str_at("chart").unwrap_or("");
    match version {
        Some(v) => out.at(
            v,
            "spec.chart.spec.version",
            stockade_model::format_exact!(
                "HelmRelease \"{}\" accepts any chart {name} version matching {text}",
                obj.name
            ),
        ),
        None => out.at(
            chart,
            "spec.chart.spec",
            stockade_model::format_exact!(
                "HelmRelease \"{}\" sets no version and installs the latest chart {name}",
                obj.name
            ),
        ),
    }
}
