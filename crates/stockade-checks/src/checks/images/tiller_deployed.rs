//! ## What it does
//! Flags Helm v2's server component, Tiller: containers whose image repository is `tiller`
//! (`gcr.io/kubernetes-helm/tiller`, `ghcr.io/helm/tiller`), and Services named
//! `tiller-deploy` or selecting `app: helm, name: tiller`.
//!
//! ## Why it matters
//! Helm v2 reached end of life in November 2020. Tiller runs with cluster-wide rights
//! (usually `cluster-admin`) and, by default, serves its gRPC API without authentication on
//! port 44134: any pod that can reach it can install anything in the cluster. Helm v3 has no
//! server component. A Tiller limited to `--listen=localhost:44134` (Checkov's CKV_K8S_45
//! passes it) is still flagged: it is still Helm v2, unmaintained, with cluster-wide rights.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: tiller-deploy
//!   namespace: kube-system
//! spec:
//!   selector:
//!     matchLabels: {app: helm, name: tiller}
//!   template:
//!     metadata:
//!       labels: {app: helm, name: tiller}
//!     spec:
//!       containers:
//!         - name: tiller
//!           image: gcr.io/kubernetes-helm/tiller:v2.17.0 # finding
//! ```
//! Fixed: remove Tiller and use Helm v3, which needs nothing in the cluster.
//! ```yaml
//! apiVersion: v1
//! kind: Namespace
//! metadata:
//!   name: shop
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK209",
    name: "tiller-deployed",
    category: Category::Images,
    severity: Severity::High,
    default_on: true,
    summary: "Helm v2 Tiller is deployed",
    remediation: "Remove Tiller (and its Service and ServiceAccount) and manage releases with Helm v3.",
    references: &[],
    aliases: &[
        "checkov:CKV_K8S_34",
        "checkov:CKV_K8S_44",
        "checkov:CKV_K8S_45",
        "trivy:KSV-0102",
    ],
    run: crate::Run::Object(run),
};

fn is_tiller_image(image: &str) -> bool {
    let no_digest = image.split('@').next().unwrap_or("");
    let last = no_digest.rsplit('/').next().unwrap_or("");
    last.split(':').next() == Some("tiller")
}

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if let Some(image) = c.image()
            && is_tiller_image(image.trim())
        {
            let node = c.node.get("image").unwrap_or(c.node);
            out.container(
                c,
                Some((node, &stockade_model::format_exact!("{}.image", c.path))),
                stockade_model::format_exact!("{} runs Helm v2 Tiller ({image})", c.label()),
            );
        }
    }
    let o = ctx.object;
    if o.kind != "Service" || !o.group().is_empty() {
        return;
    }
    let selector = o.root.at(&["spec", "selector"]);
    let selects_tiller = selector
        .is_some_and(|s| s.str_at("app") == Some("helm") && s.str_at("name") == Some("tiller"));
    if o.name == "tiller-deploy" || selects_tiller {
        let at = selector
            .or_else(|| o.metadata().get("name"))
            .unwrap_or(&o.root);
        let path = if selector.is_some() {
            "spec.selector"
        } else {
            "metadata.name"
        };
        out.at(
            at,
            path,
            stockade_model::format_exact!("Service \"{}\" exposes Helm v2 Tiller", o.name),
        );
    }
}
