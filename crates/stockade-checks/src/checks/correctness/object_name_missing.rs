//! ## What it does
//! Flags objects with no `metadata.name` and no `metadata.generateName` (or an empty one).
//! Kustomize and other tools' configuration files (`*.config.k8s.io` groups) and `List`
//! kinds are skipped, since they are not applied as objects.
//!
//! ## Why it matters
//! The API server rejects an object without a name (except when `generateName` asks it to
//! make one up), so the whole `kubectl apply` of a file fails, or a GitOps sync stays
//! broken, on a field that is usually lost to a template conditional or a typo in
//! `metadata` (`Name:`, a wrong indentation).
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata: # finding
//!   labels: {app: api}
//! data:
//!   mode: production
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: api-config
//!   labels: {app: api}
//! data:
//!   mode: production
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/overview/working-with-objects/names/>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK756",
    name: "object-name-missing",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Object has no metadata.name",
    remediation: "Set `metadata.name` (or `metadata.generateName` for objects created with `kubectl create`).",
    references: &[],
    aliases: &["datree:RESOURCE_MISSING_NAME"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind.is_empty() || o.kind.ends_with("List") || o.group().ends_with("config.k8s.io") {
        return;
    }
    let meta = o.root.get("metadata").filter(|m| !m.is_null());
    let named = |key: &str| {
        meta.and_then(|m| m.get(key))
            .is_some_and(|n| n.as_str().is_none_or(|s| !s.trim().is_empty()) && !n.is_null())
    };
    if named("name") || named("generateName") {
        return;
    }
    // An empty `name:` if there is one, else `metadata`, else the object.
    out.at(
        meta.and_then(|m| m.get("name")).or(meta).unwrap_or(&o.root),
        "metadata.name",
        stockade_model::format_exact!("{} has no metadata.name", o.kind),
    );
}
