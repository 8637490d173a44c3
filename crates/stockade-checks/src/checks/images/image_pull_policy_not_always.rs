//! ## What it does
//! Flags containers (regular, init and ephemeral) whose image is not pinned by digest and
//! whose effective `imagePullPolicy` is not `Always`. When the field is missing the API server
//! fills it in: `Always` for an image with no tag or the `latest` tag, `IfNotPresent`
//! otherwise; the check applies the same default, so `app:1.2` without a policy is reported
//! (at the container) and `app:latest` without one is not.
//!
//! ## Why it matters
//! With `IfNotPresent` or `Never`, a node reuses whatever image it already has under that tag.
//! Two problems follow. A re-pushed tag (a hotfix, or a tampered image) runs in some places and
//! not others. And the kubelet does not check that this pod may pull the image: any pod on the
//! node can start a private image that another tenant's credentials pulled earlier (the reason
//! for the `AlwaysPullImages` admission plugin). `Always` costs a manifest request to the
//! registry per start, not a full download: layers already present are reused.
//!
//! A digest-pinned image is not reported: its content cannot change.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   containers:
//!     - name: api
//!       image: registry.example.com/api:2.3.1
//!       imagePullPolicy: IfNotPresent # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   containers:
//!     - name: api
//!       image: registry.example.com/api:2.3.1
//!       imagePullPolicy: Always
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::ImageRef;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK203",
    name: "image-pull-policy-not-always",
    category: Category::Images,
    severity: Severity::Low,
    default_on: true,
    summary: "Image pull policy is not Always for an image not pinned by digest",
    remediation: "Set `imagePullPolicy: Always`, or pin the image by digest.",
    references: &["CIS 1.2.11 (AlwaysPullImages admission plugin)"],
    aliases: &[
        "polaris:pullPolicyNotAlways",
        "kube-score:container-image-pull-policy",
        "checkov:CKV_K8S_15",
        "kubescape:C-0075",
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
        match c.node.get("imagePullPolicy").filter(|p| !p.is_null()) {
            Some(p) => {
                let policy = p.as_str().unwrap_or("(not a string)");
                if policy != "Always" {
                    out.container(
                        c,
                        Some((p, &stockade_model::format_exact!("{}.imagePullPolicy", c.path))),
                        stockade_model::format_exact!(
                            "{} pulls image `{image}` with imagePullPolicy {policy}",
                            c.label()
                        ),
                    );
                }
            }
            None if matches!(r.tag, None | Some("latest")) => {}
            None => out.container(
                c,
                None,
                stockade_model::format_exact!(
                    "{} has no imagePullPolicy; image `{image}` has a tag, so it defaults to IfNotPresent",
                    c.label()
                ),
            ),
        }
    }
}
