//! ## What it does
//! Flags containers running a version of a cluster component with a known critical flaw:
//! - Argo CD before 2.1.9, 2.2.x before 2.2.4 (`argocd:v…`): CVE-2022-24348, path traversal in
//!   Helm chart values that reads files (and secrets) of other applications;
//! - Grafana 9.2.0 to 9.2.3 (`grafana:9.2.x`, `-ubuntu` variants too): CVE-2022-39328,
//!   authentication bypass;
//! - Kyverno 1.8.3 and 1.8.4 (`kyverno:v1.8.x`): CVE-2022-47633, image signature
//!   verification bypass;
//! - the community ingress-nginx controller (`ingress-nginx/controller`,
//!   `registry.k8s.io/ingress-nginx/…`, `k8s.gcr.io/ingress-nginx/…`), which reached its end of
//!   life in March 2026: no fixes for new vulnerabilities.
//!
//! Versions are read from the image tag; an image pinned by digest alone is not judged.
//!
//! ## Why it matters
//! Each of these components holds cluster-wide power (GitOps deployer, admission policy,
//! edge proxy) or guards sensitive data, and the flaws are public with exploits. A manifest that
//! pins a vulnerable version redeploys it on every rollout.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: argocd-repo-server
//!   namespace: argocd
//! spec:
//!   selector:
//!     matchLabels: {app: argocd-repo-server}
//!   template:
//!     metadata:
//!       labels: {app: argocd-repo-server}
//!     spec:
//!       containers:
//!         - name: repo-server
//!           image: quay.io/argoproj/argocd:v2.2.2 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: argocd-repo-server
//!   namespace: argocd
//! spec:
//!   selector:
//!     matchLabels: {app: argocd-repo-server}
//!   template:
//!     metadata:
//!       labels: {app: argocd-repo-server}
//!     spec:
//!       containers:
//!         - name: repo-server
//!           image: quay.io/argoproj/argocd:v2.13.1
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select known-vulnerable-component-image`). For every package of
//! every image, scan the images themselves (`stockade vuln`).
//!
//! ## References
//! - CVE-2022-24348
//! - CVE-2022-39328
//! - CVE-2022-47633
//! - Ingress NGINX retirement: <https://kubernetes.io/blog/2025/11/11/ingress-nginx-retirement/>

use stockade_model::Severity;

use super::helpers::ImageRef;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK211",
    name: "known-vulnerable-component-image",
    category: Category::Images,
    severity: Severity::High,
    default_on: false,
    summary: "Container runs a component version with a known critical flaw or past its end of life",
    remediation: "Upgrade to a fixed release (Argo CD 2.2.4+, Grafana 9.2.4+, Kyverno 1.8.5+) or replace ingress-nginx with a maintained Ingress or Gateway controller.",
    references: &["CVE-2022-24348", "CVE-2022-39328", "CVE-2022-47633"],
    aliases: &[
        "kubescape:C-0081",
        "kubescape:C-0090",
        "kubescape:C-0091",
        "kubescape:C-0292",
    ],
    run: crate::Run::Object(run),
};

/// `major.minor.patch` from a tag such as `v2.2.2`, `9.2.3-ubuntu`.
fn triplet(tag: &str, v_prefix: bool) -> Option<(u32, u32, u32)> {
    let t = if v_prefix {
        tag.strip_prefix('v')?
    } else {
        tag
    };
    let t = t.strip_suffix("-ubuntu").unwrap_or(t);
    let mut it = t.split('.');
    let parts = (
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
        it.next()?.parse().ok()?,
    );
    it.next().is_none().then_some(parts)
}

/// Why `image` is flagged, if it is.
fn verdict(image: &str) -> Option<String> {
    let r = ImageRef::parse(image);
    let name = r.repository.rsplit('/').next().unwrap_or(r.repository);
    let full = stockade_model::format_exact!("{}/{}", r.registry, r.repository);
    if full.contains("ingress-nginx/controller")
        || full.starts_with("registry.k8s.io/ingress-nginx/")
        || full.starts_with("k8s.gcr.io/ingress-nginx/")
    {
        return Some(
            "runs the community ingress-nginx controller, which reached its end of life in March 2026 (no more security fixes)".into(),
        );
    }
    let tag = r.tag?;
    match name {
        "argocd" => {
            let (ma, mi, pa) = triplet(tag, true)?;
            let vulnerable =
                ma == 1 || (ma == 2 && (mi == 0 || (mi == 1 && pa < 9) || (mi == 2 && pa < 4)));
            vulnerable.then(|| {
                stockade_model::format_exact!("runs Argo CD {tag}, vulnerable to CVE-2022-24348 (fixed in 2.1.9, 2.2.4, 2.3.0)")
            })
        }
        "grafana" => {
            let (ma, mi, pa) = triplet(tag, false)?;
            (ma == 9 && mi == 2 && pa < 4).then(|| {
                stockade_model::format_exact!(
                    "runs Grafana {tag}, vulnerable to CVE-2022-39328 (fixed in 9.2.4)"
                )
            })
        }
        "kyverno" => {
            let (ma, mi, pa) = triplet(tag, true)?;
            (ma == 1 && mi == 8 && (3..5).contains(&pa)).then(|| {
                stockade_model::format_exact!(
                    "runs Kyverno {tag}, vulnerable to CVE-2022-47633 (fixed in 1.8.5)"
                )
            })
        }
        _ => None,
    }
}

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(image) = c.image() else { continue };
        if let Some(why) = verdict(image.trim()) {
            let node = c.node.get("image").unwrap_or(c.node);
            out.container(
                c,
                Some((node, &stockade_model::format_exact!("{}.image", c.path))),
                stockade_model::format_exact!("{} {why}", c.label()),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::verdict;

    #[test]
    fn versions_at_the_edges_of_each_range() {
        for (image, flagged) in [
            ("argocd:v2.1.8", true),
            ("argocd:v2.1.9", false),
            ("quay.io/argoproj/argocd:v2.2.3", true),
            ("quay.io/argoproj/argocd:v2.2.4", false),
            ("argoproj/argocd:v1.8.7", true),
            ("argoproj/argocd:v2.3.0", false),
            ("grafana/grafana:9.2.3", true),
            ("grafana/grafana:9.2.3-ubuntu", true),
            ("grafana/grafana:9.2.4", false),
            ("grafana/grafana:9.1.8", false),
            ("ghcr.io/kyverno/kyverno:v1.8.2", false),
            ("ghcr.io/kyverno/kyverno:v1.8.3", true),
            ("ghcr.io/kyverno/kyverno:v1.8.4", true),
            ("ghcr.io/kyverno/kyverno:v1.8.5", false),
            (
                "registry.k8s.io/ingress-nginx/controller:v1.12.0@sha256:abc",
                true,
            ),
            ("k8s.gcr.io/ingress-nginx/kube-webhook-certgen:v1.1.1", true),
            ("nginx/nginx-ingress:3.4.0", false),
            ("grafana/grafana@sha256:abc", false),
            ("argocd", false),
        ] {
            assert_eq!(verdict(image).is_some(), flagged, "{image}");
        }
    }
}
