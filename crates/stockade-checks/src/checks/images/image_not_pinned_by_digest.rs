//! ## What it does
//! Flags containers (regular, init and ephemeral) whose image is not pinned by digest
//! (`@sha256:...`), and the `images:` entries of a Kustomization (or Component) that set a
//! `newTag` without a `digest` (the images transformer then replaces the tag and any digest of
//! every container of that image). Off by default: enable it where releases are built with
//! digests.
//!
//! ## Why it matters
//! A tag is a movable pointer: whoever can push to the repository (or compromise it) can
//! change what `app:1.4.2` runs without any change to the manifest, and nodes that pulled at
//! different times can run different code. A digest names the exact content, so what was
//! reviewed and scanned is what runs.
//!
//! It is off by default because pinning needs tooling (Renovate, `kustomize edit set image`,
//! `crane digest`) to keep digests current; without it, pinned images go stale and miss
//! security fixes.
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
//!       image: nginx:1.27.3 # finding
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
//!       image: nginx:1.27.3@sha256:0a399eb16751829e1af26fea27b20c3ec28d7ab1fb72182879dcae1cca21206a
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::{ImageRef, kustomize_images};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK202",
    name: "image-not-pinned-by-digest",
    category: Category::Images,
    severity: Severity::Low,
    default_on: false,
    summary: "Image is not pinned by digest",
    remediation: "Reference the image by digest (`app:1.4.2@sha256:...`) and let a bot such as Renovate keep the digest current.",
    references: &["NSA/CISA: image scanning and immutable images"],
    aliases: &[
        "checkov:CKV_K8S_43",
        "kubescape:C-0306",
        "datree:CONTAINERS_MISSING_IMAGE_VALUE_DIGEST",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(image) = c.image() else { continue };
        if ImageRef::parse(image).digest.is_some() {
            continue;
        }
        let node = c.node.get("image").unwrap_or(c.node);
        out.container(
            c,
            Some((node, &stockade_model::format_exact!("{}.image", c.path))),
            stockade_model::format_exact!("{} image `{image}` is not pinned by digest", c.label()),
        );
    }
    // A kustomization's `newTag` replaces the image's tag and digest in every container of it.
    for k in kustomize_images(ctx.object) {
        if k.digest.is_some() {
            continue;
        }
        if let Some(tag) = k.new_tag {
            out.at(
                tag,
                stockade_model::format_exact!("images[{}].newTag", k.index),
                stockade_model::format_exact!(
                    "Kustomize gives image `{}` the tag `{}` without a digest: it is not pinned",
                    k.name,
                    tag.as_str().unwrap_or_default()
                ),
            );
        }
    }
}
