//! ## What it does
//! Flags Argo CD AppProjects and Applications whose `metadata.namespace` is set to something
//! other than `argocd`. Objects with no namespace are not flagged (the namespace is chosen
//! at apply time). Off by default.
//!
//! ## Why it matters
//! Argo CD reads AppProjects, and by default Applications, only from its own namespace. An
//! object elsewhere is ignored unless the "applications in any namespace" feature is set up
//! for that namespace, so a project's restrictions (allowed repositories, destinations,
//! cluster-scoped kinds) silently do not apply. Anyone able to create objects in the
//! control namespace has admin-level power over Argo CD, so keeping its objects there and
//! nowhere else also keeps that boundary clear.
//!
//! It is opt-in because installations that rename the namespace or use applications in any
//! namespace are legitimate.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: AppProject
//! metadata:
//!   name: team-a
//!   namespace: team-a # finding
//! spec:
//!   sourceRepos: ["https://github.com/example/team-a.git"]
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: AppProject
//! metadata:
//!   name: team-a
//!   namespace: argocd
//! spec:
//!   sourceRepos: ["https://github.com/example/team-a.git"]
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://argo-cd.readthedocs.io/en/stable/operator-manual/app-any-namespace/>

use stockade_model::Severity;

use super::helpers::is;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK920",
    name: "argocd-object-outside-argocd-namespace",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: false,
    summary: "Argo CD Application or AppProject is not in the argocd namespace",
    remediation: "Put Argo CD Applications and AppProjects in the `argocd` namespace.",
    references: &[],
    aliases: &["datree:ARGO_APP_PROJECT_INCORRECT_NAMESPACE_VALUE"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is(o, "argoproj.io", "AppProject") && !is(o, "argoproj.io", "Application") {
        return;
    }
    let Some(node) = o.root.at(&["metadata", "namespace"]) else {
        return;
    };
    let Some(ns) = node.as_str() else { return };
    if ns != "argocd" && !super::helpers::templated(ns) {
        out.at(
            node,
            "metadata.namespace",
            stockade_model::format_exact!(
                "{} \"{}\" is in namespace \"{ns}\", not argocd",
                o.kind,
                o.name
            ),
        );
    }
}
