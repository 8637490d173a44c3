//! ## What it does
//! Flags Flux `GitRepository` sources that follow a branch: `spec.ref` with only `branch`
//! set, or no `spec.ref` at all (Flux then follows `master`). A `commit`, `tag`, `semver`
//! or `name` reference takes precedence over `branch` and is not flagged.
//!
//! ## Why it matters
//! Every Kustomization and HelmRelease built from the source deploys whatever is pushed to
//! the branch on the next reconciliation, with the controller's rights. A compromised or
//! mistaken push reaches the cluster without a reviewed change in the GitOps repository,
//! and the repository no longer says which commit runs.
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
//!   url: https://github.com/example/shop.git
//!   ref:
//!     branch: main # finding
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
//!   url: https://github.com/example/shop.git
//!   ref:
//!     tag: v2.3.1
//! ```
//!
//! ## Options
//! None. Environments that deliberately follow a branch (staging tracking `main`) can
//! suppress the finding on that object.

use stockade_model::Severity;

use super::helpers::is;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK915",
    name: "flux-git-repository-branch",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: true,
    summary: "Flux GitRepository follows a branch",
    remediation: "Reference a `tag`, `semver` range of signed tags, or `commit` in `spec.ref`, and verify commits with `spec.verify`.",
    references: &["OpenSSF SLSA: pinned dependencies"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    if !is(obj, "source.toolkit.fluxcd.io", "GitRepository") {
        return;
    }
    let Some(spec) = obj.root.get("spec") else {
        return;
    };
    let Some(r) = spec.get("ref").filter(|r| r.is_map()) else {
        out.at(
            spec,
            "spec",
            stockade_model::format_exact!(
                "GitRepository \"{}\" sets no ref and follows branch master",
                obj.name
            ),
        );
        return;
    };
    let pinned = ["commit", "tag", "semver", "name"]
        .iter()
        .any(|k| r.str_at(k).is_some_and(|v| !v.trim().is_empty()));
    if pinned {
        return;
    }
    let (at, path, branch) = match r.get("branch") {
        Some(b) => (b, "spec.ref.branch", b.as_str().unwrap_or("master")),
        None => (r, "spec.ref", "master"),
    };
    out.at(
        at,
        path,
        stockade_model::format_exact!("GitRepository \"{}\" follows branch {branch}", obj.name),
    );
}
