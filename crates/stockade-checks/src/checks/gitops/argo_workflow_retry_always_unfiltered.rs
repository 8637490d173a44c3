//! ## What it does
//! Flags Argo Workflows `retryStrategy` blocks, on a template or workflow-wide, with
//! `retryPolicy: Always` and no `expression` to filter what is retried. Off by default.
//!
//! ## Why it matters
//! `Always` retries every failure, including a step's own non-zero exit: a bug or bad input
//! is retried as many times as the limit allows, wasting compute and delaying the failure
//! report, and steps with side effects repeat them. What usually deserves a retry is a
//! system-level error (the node was preempted, the pod deleted), which `OnError` alone
//! misses when the kubelet reports a graceful shutdown as a failure. `Always` together with
//! an `expression` such as `lastRetry.status == "Error"` retries those and nothing else.
//!
//! It is opt-in because some steps are idempotent and safe to retry on any failure.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Workflow
//! metadata:
//!   name: etl
//! spec:
//!   entrypoint: load
//!   templates:
//!     - name: load
//!       retryStrategy:
//!         limit: "3"
//!         retryPolicy: Always # finding
//!       container: {image: "etl:2.0.1"}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Workflow
//! metadata:
//!   name: etl
//! spec:
//!   entrypoint: load
//!   templates:
//!     - name: load
//!       retryStrategy:
//!         limit: "3"
//!         retryPolicy: Always
//!         expression: lastRetry.status == "Error" or (lastRetry.status == "Failed" and asInt(lastRetry.exitCode) not in [0])
//!       container: {image: "etl:2.0.1"}
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
    id: "STK925",
    name: "argo-workflow-retry-always-unfiltered",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: false,
    summary: "Argo Workflows retries every failure, bugs included",
    remediation: "Add a retry `expression` that keeps only system-level errors, or use `retryPolicy: OnTransientError`.",
    references: &[],
    aliases: &["datree:ARGO_WORKFLOW_ENSURE_RETRY_ON_BOTH_ERROR_AND_TRANSIENT_ERROR"],
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
        let Some(rs) = node.get("retryStrategy") else {
            continue;
        };
        let Some(policy) = rs
            .get("retryPolicy")
            .filter(|p| p.as_str() == Some("Always"))
        else {
            continue;
        };
        if rs.get("expression").is_none_or(|e| e.is_null()) {
            out.at(
                policy,
                stockade_model::format_exact!("{path}.retryStrategy.retryPolicy"),
                stockade_model::format_exact!(
                    "{} \"{}\": {what} retries Always with no expression",
                    o.kind,
                    o.name
                ),
            );
        }
    }
}
