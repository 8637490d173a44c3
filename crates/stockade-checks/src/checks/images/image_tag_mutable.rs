//! ## What it does
//! Flags containers whose image has no tag or the `latest` tag, and is not pinned by digest;
//! and the `images:` entries of a Kustomization (or Component) that give an image the `latest`
//! tag (`newTag: latest` without a `digest`): the images transformer sets it on every container
//! of that image, whatever tag the manifests beside it write.
//!
//! ## Why it matters
//! A missing or `latest` tag means the code that runs changes whenever someone pushes, nodes
//! can run different versions of the same workload, and a rollback cannot restore the previous
//! version. It also hides which version a vulnerability report is about.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:latest # finding
//!     - name: sidecar
//!       image: envoyproxy/envoy # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27.3
//!     - name: sidecar
//!       image: envoyproxy/envoy@sha256:7e3b3ea2f1d6fbb4c6a8a38a5e6ac52a37dc1fa6bd1a44bd6d8e5cb4b7a9f0a1
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{ImageRef, kustomize_images};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK201",
    name: "image-tag-mutable",
    category: Category::Images,
    severity: Severity::Medium,
    default_on: true,
    summary: "Image has no tag or uses `latest`",
    remediation: "Reference a specific version tag (`nginx:1.27.3`) or, better, a digest (`nginx@sha256:...`).",
    references: &["NSA/CISA: image scanning and immutable images"],
    aliases: &[
        "kube-linter:latest-tag",
        "polaris:tagNotSpecified",
        "kube-score:container-image-tag",
        "checkov:CKV_K8S_14",
        "trivy:KSV-0013",
        "datree:CONTAINERS_MISSING_IMAGE_VALUE_VERSION",
        "kubescape:C-0304",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(image) = c.image() else { continue };
        let r = ImageRef::parse(image);
        if r.digest.is_some() {
            continue;
        }
        let node = c.node.get("image").unwrap_or(c.node);
        let path = stockade_model::format_exact!("{}.image", c.path);
        match r.tag {
            None => out.container(
                c,
                Some((node, &path)),
                stockade_model::format_exact!(
                    "{} image `{image}` has no tag (defaults to latest)",
                    c.label()
                ),
            ),
            Some("latest") => out.container(
                c,
                Some((node, &path)),
                stockade_model::format_exact!(
                    "{} image `{image}` uses the mutable `latest` tag",
                    c.label()
                ),
            ),
            Some(_) => {}
        }
    }
    // A kustomization's images transformer gives its tag to every container of the image.
    for k in kustomize_images(ctx.object) {
        if k.digest.is_some() {
            continue;
        }
        if let Some(tag) = k.new_tag.filter(|t| t.as_str() == Some("latest")) {
            out.at(
                tag,
                stockade_model::format_exact!("images[{}].newTag", k.index),
                stockade_model::format_exact!(
                    "Kustomize gives image `{}` the mutable `latest` tag",
                    k.name
                ),
            );
        }
    }
}
