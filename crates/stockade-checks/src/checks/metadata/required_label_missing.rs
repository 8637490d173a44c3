//! ## What it does
//! When the `required-labels` option lists label keys, flags every object that lacks one of
//! them in `metadata.labels`. One finding per object names all the missing keys. Without the
//! option the check is on but reports nothing.
//!
//! ## Why it matters
//! Organisation labels (`owner`, `team`, `cost-center`) are how an incident reaches the right
//! people and how spend is attributed. An object without them is orphaned the day it lands.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: settings
//!   labels: # finding
//!     team: payments
//! data:
//!   mode: fast
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: ConfigMap
//! metadata:
//!   name: settings
//!   labels:
//!     team: payments
//!     owner: alice
//! data:
//!   mode: fast
//! ```
//!
//! ## Options
//! `required-labels`: label keys every object must carry; empty (the default) requires none.
//! A label with an empty value counts as present. To match kube-linter's `required-label-owner`
//! or Datree's owner rule, list `owner`.
//!
//! ```yaml
//! options:
//!   required-labels: [owner, team]
//! ```

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK710",
    name: "required-label-missing",
    category: Category::Metadata,
    severity: Severity::Low,
    default_on: true,
    summary: "Object lacks a label that the configuration requires",
    remediation: "Add the missing labels to `metadata.labels`.",
    references: &[],
    aliases: &[
        "kube-linter:required-label-owner",
        "datree:WORKLOAD_MISSING_LABEL_OWNER_VALUE",
        "datree:DEPLOYMENT_MISSING_LABEL_ENV_VALUE",
        "kubescape:C-0076",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    super::helpers::report_missing_keys(ctx, out, "labels", "label", &ctx.options.required_labels);
}
