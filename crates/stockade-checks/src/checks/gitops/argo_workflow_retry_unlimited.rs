//! ## What it does
//! Flags Argo Workflows `retryStrategy` blocks, on a template or workflow-wide, that set no
//! `limit`. Off by default.
//!
//! ## Why it matters
//! A retry strategy without a limit retries a failing step forever: a permanent error (a bad
//! image, a missing Secret, a bug) keeps the workflow running and its pods being created
//! until someone notices, holding quota and cost. A limit makes the failure visible.
//!
//! It is opt-in because some teams deliberately retry until an outside condition changes.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: WorkflowTemplate
//! metadata:
//!   name: sync
//! spec:
//!   entrypoint: sync
//!   templates:
//!     - name: sync
//!       retryStrategy: {} # finding
//!       container: {image: "sync:3.1.0"}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: WorkflowTemplate
//! metadata:
//!   name: sync
//! spec:
//!   entrypoint: sync
//!   templates:
//!     - name: sync
//!       retryStrategy:
//!         limit: "3"
//!         retryPolicy: OnTransientError
//!       container: {image: "sync:3.1.0"}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://argo-workflows.readthedocs.io/en/latest/retries/>

use stockade_model::Severity;

use super::helpers::{workflow_spec, workflow_templates};
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK918",
    name: "argo-workflow-retry-unlimited",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: false,
    summary: "Argo Workflows retryStrategy sets no limit",
    remediation: "Set `retryStrategy.limit` to the number of retries a transient failure deserves.",
    references: &[],
    aliases: &["datree:ARGO_WORKFLOW_INCORRECT_RETRY_STRATEGY_VALUE_EMPTY"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let mut places = Vec::new();
    if let Some((spec, base)) = workflow_spec(o) {
        places.push((spec, base.to_string(), "the workflow".to_string()));
    }
    for (t, path) in workflow_templates(o) {
        let what =
            stockade_model::format_exact!("template \"{}\"", t.str_at("name").unwrap_or_default());
        places.push((t, path, what));
    }
    for (node, path, what) in places {
        let Some(rs) = node
            .get("retryStrategy")
            .filter(|r| r.is_map() || r.is_null())
        else {
            continue;
        };
        if rs.get("limit").is_none_or(|l| l.is_null()) {
            out.at(
                rs,
                stockade_model::format_exact!("{path}.retryStrategy"),
                stockade_model::format_exact!(
                    "{} \"{}\": {what} has a retryStrategy with no limit",
                    o.kind,
                    o.name
                ),
            );
        }
    }
}
