//! ## What it does
//! Flags GitOps sources fetched without transport security:
//!
//! - Argo CD Applications and ApplicationSet templates with a source `repoURL` starting
//!   with `http://`, and ApplicationSet Git generators with such a `repoURL`;
//! - Argo CD repository Secrets (label `argocd.argoproj.io/secret-type: repository` or
//!   `repo-creds`) with an `http://` URL in `stringData`, or `insecure: "true"`;
//! - Flux `GitRepository` and `HelmRepository` objects with an `http://` `spec.url`, and
//!   Flux sources with `spec.insecure: true` (`OCIRepository`, `HelmRepository`, `Bucket`).
//!
//! ## Why it matters
//! The GitOps controller deploys whatever it fetches, usually with cluster-admin rights.
//! Over plain HTTP anyone on the network path (a compromised node, a proxy, DNS spoofing)
//! can substitute manifests or charts and run their own workloads in the cluster.
//!
//! ## Example
//! ```yaml
//! apiVersion: source.toolkit.fluxcd.io/v1
//! kind: GitRepository
//! metadata:
//!   name: shop
//!   namespace: flux-system
//! spec:
//!   interval: 5m
//!   url: http://git.example.com/shop.git # finding
//!   ref:
//!     tag: v2.3.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: source.toolkit.fluxcd.io/v1
//! kind: GitRepository
//! metadata:
//!   name: shop
//!   namespace: flux-system
//! spec:
//!   interval: 5m
//!   url: https://git.example.com/shop.git
//!   ref:
//!     tag: v2.3.1
//! ```
//!
//! ## Options
//! None.

use stockade_model::{Node, Severity};

use super::helpers::argo_sources;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK914",
    name: "gitops-repository-plain-http",
    category: Category::Gitops,
    severity: Severity::High,
    default_on: true,
    summary: "GitOps source is fetched over plain HTTP or without TLS verification",
    remediation: "Use an `https://` (or `ssh://`, `oci://`) URL with TLS verification, and verify commit signatures or OCI artifact signatures where the controller supports it.",
    references: &["OpenSSF SLSA: source integrity"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn plain_http(n: &Node) -> bool {
    n.as_str()
        .is_some_and(|u| u.trim().to_ascii_lowercase().starts_with("http://"))
}

/// An object as messages name it: `Kind "name"`.
struct Named<'a>(&'a stockade_model::Object);

impl std::fmt::Display for Named<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} \"{}\"", self.0.kind, self.0.name)
    }
}

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    // Written only into a finding: most objects are not GitOps sources.
    let what = Named(obj);
    // Argo CD Applications and ApplicationSets.
    for (source, path) in argo_sources(obj) {
        if let Some(u) = source.get("repoURL")
            && plain_http(u)
        {
            out.at(
                u,
                stockade_model::format_exact!("{path}.repoURL"),
                stockade_model::format_exact!(
                    "{what} fetches {} over plain HTTP",
                    u.as_str().unwrap_or("")
                ),
            );
        }
    }
    if obj.group() == "argoproj.io" && obj.kind == "ApplicationSet" {
        let generators = obj.root.at(&["spec", "generators"]);
        for (i, g) in generators
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .enumerate()
        {
            if let Some(u) = g.at(&["git", "repoURL"])
                && plain_http(u)
            {
                out.at(
                    u,
                    stockade_model::format_exact!("spec.generators[{i}].git.repoURL"),
                    stockade_model::format_exact!(
                        "{what} generator fetches {} over plain HTTP",
                        u.as_str().unwrap_or("")
                    ),
                );
            }
        }
    }
    // Argo CD repository Secrets.
    if obj.kind == "Secret" && obj.group().is_empty() {
        let kind = obj
            .metadata()
            .at(&["labels", "argocd.argoproj.io/secret-type"])
            .and_then(Node::as_str);
        if matches!(kind, Some("repository" | "repo-creds")) {
            if let Some(u) = obj.root.at(&["stringData", "url"])
                && plain_http(u)
            {
                out.at(
                    u,
                    "stringData.url",
                    stockade_model::format_exact!("Argo CD repository {what} uses plain HTTP"),
                );
            }
            if let Some(i) = obj.root.at(&["stringData", "insecure"])
                && i.as_str().is_some_and(|v| v.eq_ignore_ascii_case("true"))
            {
                out.at(
                    i,
                    "stringData.insecure",
                    stockade_model::format_exact!(
                        "Argo CD repository {what} skips TLS verification"
                    ),
                );
            }
        }
    }
    // Flux sources.
    if obj.group() == "source.toolkit.fluxcd.io" {
        let spec = obj.root.get("spec");
        if matches!(obj.kind.as_str(), "GitRepository" | "HelmRepository")
            && let Some(u) = spec.and_then(|s| s.get("url"))
            && plain_http(u)
        {
            out.at(
                u,
                "spec.url",
                stockade_model::format_exact!(
                    "{what} fetches {} over plain HTTP",
                    u.as_str().unwrap_or("")
                ),
            );
        }
        if let Some(i) = spec.and_then(|s| s.get("insecure"))
            && i.as_bool() == Some(true)
        {
            out.at(
                i,
                "spec.insecure",
                stockade_model::format_exact!(
                    "{what} allows plain HTTP or unverified TLS (insecure: true)"
                ),
            );
        }
    }
}
