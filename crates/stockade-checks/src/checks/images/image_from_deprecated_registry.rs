//! ## What it does
//! Flags containers (regular, init and ephemeral) whose image comes from `k8s.gcr.io` (or a
//! regional `*.k8s.gcr.io`), the Kubernetes project's registry that was frozen in April 2023;
//! and the `images:` entries of a Kustomization (or Component) whose `newName` points there.
//!
//! ## Why it matters
//! The frozen registry receives no new images or security fixes, and its images are being
//! removed: a pod that pulls from it runs outdated software today and fails to start once the
//! image is gone. The same images are published on `registry.k8s.io`.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: metrics
//! spec:
//!   containers:
//!     - name: metrics
//!       image: k8s.gcr.io/metrics-server/metrics-server:v0.6.2 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: metrics
//! spec:
//!   containers:
//!     - name: metrics
//!       image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::kustomize_images;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK208",
    name: "image-from-deprecated-registry",
    category: Category::Images,
    severity: Severity::Medium,
    default_on: true,
    summary: "Image comes from the frozen k8s.gcr.io registry",
    remediation: "Pull the image from registry.k8s.io instead of k8s.gcr.io.",
    references: &["https://kubernetes.io/blog/2023/02/06/k8s-gcr-io-freeze-announcement/"],
    aliases: &["kubescape:C-0253"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(image) = c.image() else {
            continue;
        };
        if frozen(image) {
            let node = c.node.get("image").unwrap_or(c.node);
            out.container(
                c,
                Some((node, &stockade_model::format_exact!("{}.image", c.path))),
                stockade_model::format_exact!(
                    "{} pulls {image} from the frozen k8s.gcr.io registry",
                    c.label()
                ),
            );
        }
    }
    // A kustomization's `newName` moves every container of an image to another registry.
    for k in kustomize_images(ctx.object) {
        let Some(node) = k.new_name else { continue };
        let new_name = node.as_str().unwrap_or_default();
        if frozen(new_name) {
            out.at(
                node,
                stockade_model::format_exact!("images[{}].newName", k.index),
                stockade_model::format_exact!(
                    "Kustomize renames image `{}` to `{new_name}`, in the frozen k8s.gcr.io registry",
                    k.name
                ),
            );
        }
    }
}

/// Whether an image (or a Kustomize `newName`) comes from `k8s.gcr.io` or a regional mirror.
fn frozen(image: &str) -> bool {
    let host = image
        .trim()
        .split('/')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    host == "k8s.gcr.io" || host.ends_with(".k8s.gcr.io")
}
