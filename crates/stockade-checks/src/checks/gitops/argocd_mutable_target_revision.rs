//! ## What it does
//! Flags Argo CD Applications and ApplicationSet templates whose sources track a revision
//! that moves:
//!
//! - Git sources: `targetRevision` missing, empty or `HEAD`, or anything other than a commit
//!   SHA (7 to 40 hex digits) or a version tag (`v1.4.2`, `2.0.0-rc.1`). Names such as
//!   `main`, `master` or `release-1.2` are taken to be branches.
//! - Helm chart sources (`chart:` set): a missing `targetRevision`, or a range or wildcard
//!   (`*`, `1.x`, `^1.2.0`, `>=1.0.0`).
//!
//! Templated values (`{{ .revision }}` in an ApplicationSet) are skipped.
//!
//! ## Why it matters
//! With a moving revision, whatever lands on the branch or chart repository is deployed on
//! the next sync, without a change in the GitOps repository that a reviewer approves: a
//! compromised or careless push to `main` goes straight to the cluster, and the repository
//! no longer says what runs. Pinning makes every deployment a reviewed commit and makes
//! rollbacks exact.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Application
//! metadata:
//!   name: shop
//!   namespace: argocd
//! spec:
//!   project: default
//!   source:
//!     repoURL: https://github.com/example/shop.git
//!     path: deploy/prod
//!     targetRevision: main # finding
//!   destination:
//!     server: https://kubernetes.default.svc
//!     namespace: shop
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Application
//! metadata:
//!   name: shop
//!   namespace: argocd
//! spec:
//!   project: default
//!   source:
//!     repoURL: https://github.com/example/shop.git
//!     path: deploy/prod
//!     targetRevision: v2.3.1
//!   destination:
//!     server: https://kubernetes.default.svc
//!     namespace: shop
//! ```
//!
//! ## Options
//! None. Environments that deliberately follow a branch (a staging Application tracking
//! `main`) can suppress the finding on that object.

use stockade_model::Severity;

use super::helpers::{argo_sources, commit_sha, exact_version, templated, version_range};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK913",
    name: "argocd-mutable-target-revision",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: true,
    summary: "Argo CD Application tracks a moving revision",
    remediation: "Set `targetRevision` to a commit SHA or a release tag (for Helm charts, an exact chart version) and bump it through a reviewed change.",
    references: &["OpenSSF SLSA: pinned dependencies"],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let obj = ctx.object;
    for (source, path) in argo_sources(obj) {
        let rev = source.get("targetRevision").filter(|n| !n.is_null());
        let text = rev.and_then(|r| r.as_str()).unwrap_or("").trim();
        if templated(text) {
            continue;
        }
        let helm = source.get("chart").is_some();
        let why = if helm {
            if !version_range(text) {
                continue;
            }
            if text.is_empty() {
                "no chart version (latest)".to_string()
            } else {
                stockade_model::format_exact!("chart version range {text}")
            }
        } else {
            if commit_sha(text) || exact_version(text) {
                continue;
            }
            match text {
                "" => "no targetRevision (HEAD)".to_string(),
                "HEAD" => "HEAD".to_string(),
                branch => stockade_model::format_exact!("branch {branch}"),
            }
        };
        let (at, at_path) = match rev {
            Some(r) => (r, stockade_model::format_exact!("{path}.targetRevision")),
            None => (source, path.clone()),
        };
        out.at(
            at,
            at_path,
            stockade_model::format_exact!("{} \"{}\" tracks {why}", obj.kind, obj.name),
        );
    }
}
