//! ## What it does
//! When the `denied-registries` option is set, flags containers (regular, init and ephemeral)
//! whose image comes from one of the listed registries, and the `images:` entries of a
//! Kustomization (or Component) whose `newName` does (the images transformer gives that name to
//! every container of the image). Without the option the check is on but reports nothing.
//!
//! Entries take the same forms as `allowed-registries`: a registry host
//! (`registry.example.com`, `localhost:5000`), a host with a leading wildcard label
//! (`*.example.net`), or a registry and repository prefix (`docker.io/bitnami`). Prefixes match
//! whole path components; images without a registry are Docker Hub's.
//!
//! ## Why it matters
//! A deny list closes the registries an organisation has decided against: a deprecated one
//! (`k8s.gcr.io`, frozen since 2023), a public hub that rate-limits and is not scanned, or a
//! vendor namespace that moved. It complements an allow list where one is too strict.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: metrics
//! spec:
//!   containers:
//!     - name: metrics-server
//!       image: k8s.gcr.io/metrics-server/metrics-server:v0.6.4 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: metrics
//! spec:
//!   containers:
//!     - name: metrics-server
//!       image: registry.k8s.io/metrics-server/metrics-server:v0.7.2
//! ```
//!
//! ## Options
//! `denied-registries`: the registries and prefixes images must not come from; empty (the
//! default) denies none.
//!
//! ```yaml
//! options:
//!   denied-registries: [k8s.gcr.io, docker.io/bitnami]
//! ```

use stockade_model::Severity;

use super::helpers::{ImageRef, kustomize_images, registry_allowed};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK205",
    name: "image-registry-denied",
    category: Category::Images,
    severity: Severity::High,
    default_on: true,
    summary: "Image comes from a denied registry",
    remediation: "Pull the image from another registry (mirror it), or remove the registry from `denied-registries` after review.",
    references: &["NSA/CISA: image scanning and trusted registries"],
    aliases: &["kubescape:C-0001"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let denied = &ctx.options.denied_registries;
    if denied.is_empty() {
        return;
    }
    for (_, c) in ctx.containers() {
        let Some(image) = c.image() else { continue };
        // `registry_allowed` answers "does an entry match", which for a deny list is a hit.
        let Some(entry) = denied
            .iter()
            .find(|d| registry_allowed(&ImageRef::parse(image), std::slice::from_ref(d)))
        else {
            continue;
        };
        let node = c.node.get("image").unwrap_or(c.node);
        out.container(
            c,
            Some((node, &stockade_model::format_exact!("{}.image", c.path))),
            stockade_model::format_exact!(
                "{} image `{image}` comes from denied registry {entry}",
                c.label()
            ),
        );
    }
    // A kustomization's `newName` moves every container of an image to another registry.
    for k in kustomize_images(ctx.object) {
        let Some(node) = k.new_name else { continue };
        let new_name = node.as_str().unwrap_or_default();
        let Some(entry) = denied
            .iter()
            .find(|d| registry_allowed(&ImageRef::parse(new_name), std::slice::from_ref(d)))
        else {
            continue;
        };
        out.at(
            node,
            stockade_model::format_exact!("images[{}].newName", k.index),
            stockade_model::format_exact!(
                "Kustomize renames image `{}` to `{new_name}`, from denied registry {entry}",
                k.name
            ),
        );
    }
}
