//! ## What it does
//! When the `allowed-registries` option is set, flags containers (regular, init and
//! ephemeral) whose image does not come from one of the listed registries, and the `images:`
//! entries of a Kustomization (or Component) whose `newName` does not (the images transformer
//! gives that name to every container of the image). Without the option the check is on but
//! reports nothing.
//!
//! An entry is a registry host (`registry.example.com`, `localhost:5000`), a host with a
//! leading wildcard label (`*.dkr.ecr.eu-west-1.amazonaws.com`), or a registry and repository
//! prefix (`ghcr.io/acme`). Prefixes match whole path components, so `ghcr.io/acme` does not
//! allow `ghcr.io/acme-evil`. Images without a registry are Docker Hub's: `nginx` matches
//! `docker.io`, `docker.io/nginx` and `docker.io/library`.
//!
//! ## Why it matters
//! Images from unvetted registries bypass the organisation's scanning, signing and mirroring,
//! and a typo in a public image name is a classic supply-chain attack. Restricting registries
//! in CI complements an admission policy that enforces the same list in the cluster.
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
//!       containers:
//!         - name: api
//!           image: registry.example.com/api:2.3.1
//!         - name: proxy
//!           image: envoyproxy/envoy:v1.31.0 # finding
//! ```
//! Fixed (mirror the image into an allowed registry):
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
//!       containers:
//!         - name: api
//!           image: registry.example.com/api:2.3.1
//!         - name: proxy
//!           image: ghcr.io/acme/mirror/envoy:v1.31.0
//! ```
//!
//! ## Options
//! `allowed-registries`: the registries and prefixes images may come from; empty (the default)
//! allows all.
//!
//! ```yaml
//! options:
//!   allowed-registries: [registry.example.com, ghcr.io/acme]
//! ```

use stockade_model::Severity;

use super::helpers::{ImageRef, kustomize_images, registry_allowed};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK204",
    name: "image-registry-not-allowed",
    category: Category::Images,
    severity: Severity::High,
    default_on: true,
    summary: "Image comes from a registry that is not allowed",
    remediation: "Pull the image from an allowed registry (mirror it there), or add its registry to `allowed-registries` after review.",
    references: &["NSA/CISA: image scanning and trusted registries"],
    aliases: &[
        "trivy:KSV-0125",
        "kubescape:C-0078",
        "trivy:KSV-0032",
        "trivy:KSV-0033",
        "trivy:KSV-0034",
        "trivy:KSV-0035",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let allowed = &ctx.options.allowed_registries;
    if allowed.is_empty() {
        return;
    }
    for (_, c) in ctx.containers() {
        let Some(image) = c.image() else { continue };
        if registry_allowed(&ImageRef::parse(image), allowed) {
            continue;
        }
        let node = c.node.get("image").unwrap_or(c.node);
        out.container(
            c,
            Some((node, &stockade_model::format_exact!("{}.image", c.path))),
            stockade_model::format_exact!(
                "{} image `{image}` is not from an allowed registry ({})",
                c.label(),
                allowed.join(", ")
            ),
        );
    }
    // A kustomization's `newName` moves every container of an image to another registry.
    for k in kustomize_images(ctx.object) {
        let Some(node) = k.new_name else { continue };
        let new_name = node.as_str().unwrap_or_default();
        if registry_allowed(&ImageRef::parse(new_name), allowed) {
            continue;
        }
        out.at(
            node,
            stockade_model::format_exact!("images[{}].newName", k.index),
            stockade_model::format_exact!(
                "Kustomize renames image `{}` to `{new_name}`, which is not from an allowed registry ({})",
                k.name,
                allowed.join(", ")
            ),
        );
    }
}
