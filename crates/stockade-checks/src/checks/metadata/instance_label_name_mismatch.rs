//! ## What it does
//! Flags objects whose `app.kubernetes.io/instance` label is set to something other than
//! their own `metadata.name`. Objects without the label are not flagged. Off by default.
//!
//! ## Why it matters
//! `app.kubernetes.io/instance` names the instance of an application, and dashboards,
//! cost reports and `kubectl get -l` queries group objects by it. A value copied from another
//! manifest (the usual cause) puts the object in someone else's group: its pods show up under
//! the wrong application, and a cleanup by label deletes the wrong things.
//!
//! It is opt-in because Helm charts set the label to the release name, which differs from the
//! object names by design.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: billing
//!   labels:
//!     app.kubernetes.io/instance: checkout # finding
//! data:
//!   currency: EUR
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: billing
//!   labels:
//!     app.kubernetes.io/instance: billing
//! data:
//!   currency: EUR
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/overview/working-with-objects/common-labels/>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK716",
    name: "instance-label-name-mismatch",
    category: Category::Metadata,
    severity: Severity::Info,
    default_on: false,
    summary: "app.kubernetes.io/instance label differs from the object's name",
    remediation: "Set the `app.kubernetes.io/instance` label to the object's `metadata.name`.",
    references: &[],
    aliases: &["polaris:metadataAndInstanceMismatched"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let Some(node) = o
        .root
        .at(&["metadata", "labels", "app.kubernetes.io/instance"])
    else {
        return;
    };
    let Some(v) = node.as_str() else { return };
    if v == o.name || o.name.is_empty() || v.contains("{{") || o.name.contains("{{") {
        return;
    }
    out.at(
        node,
        "metadata.labels.app.kubernetes.io/instance",
        stockade_model::format_exact!(
            "{} \"{}\" has app.kubernetes.io/instance \"{v}\", not its name",
            o.kind,
            o.name
        ),
    );
}
