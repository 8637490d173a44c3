//! ## What it does
//! When the `required-annotations` option lists annotation keys, flags every object that
//! lacks one of them in `metadata.annotations`. One finding per object names all the missing
//! keys. Without the option the check is on but reports nothing.
//!
//! ## Why it matters
//! Annotations carry what tools and people need to act on an object: a runbook link, a
//! contact address, a change ticket. Requiring them in CI keeps that context from going
//! missing on the objects where it is needed most.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   annotations: # finding
//!     example.com/owner: payments@example.com
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: ghcr.io/acme/api:1.4.2
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//!   annotations:
//!     example.com/owner: payments@example.com
//!     example.com/runbook: https://runbooks.example.com/api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       containers:
//!         - name: api
//!           image: ghcr.io/acme/api:1.4.2
//! ```
//!
//! ## Options
//! `required-annotations`: annotation keys every object must carry; empty (the default)
//! requires none. Pod template annotations are not checked.
//!
//! ```yaml
//! options:
//!   required-annotations: [example.com/owner, example.com/runbook]
//! ```

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK711",
    name: "required-annotation-missing",
    category: Category::Metadata,
    severity: Severity::Low,
    default_on: true,
    summary: "Object lacks an annotation that the configuration requires",
    remediation: "Add the missing annotations to `metadata.annotations`.",
    references: &[],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    super::helpers::report_missing_keys(
        ctx,
        out,
        "annotations",
        "annotation",
        &ctx.options.required_annotations,
    );
}
