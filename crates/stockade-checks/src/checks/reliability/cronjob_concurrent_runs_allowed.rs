//! ## What it does
//! Flags CronJobs whose `spec.concurrencyPolicy` is `Allow`, explicitly or by default (the
//! field is unset). Off by default.
//!
//! ## Why it matters
//! With `Allow`, a new run starts on schedule even when the previous one is still running.
//! A job that slows down (more data, a slow dependency) then overlaps with itself: two
//! backups write the same file, two migrations race, and each extra run slows the others
//! until the namespace fills with stuck pods. `Forbid` skips a run while the previous one is
//! active; `Replace` stops the old run in favour of the new one.
//!
//! It is opt-in because many jobs are idempotent and short, and overlapping runs are harmless
//! for them.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: backup
//! spec:
//!   schedule: "*/30 * * * *"
//!   concurrencyPolicy: Allow # finding
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: backup
//!               image: backup:2.0.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: backup
//! spec:
//!   schedule: "*/30 * * * *"
//!   concurrencyPolicy: Forbid
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: backup
//!               image: backup:2.0.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#concurrency-policy>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK419",
    name: "cronjob-concurrent-runs-allowed",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: false,
    summary: "CronJob lets runs overlap (concurrencyPolicy Allow)",
    remediation: "Set `spec.concurrencyPolicy` to `Forbid` (or `Replace`) unless overlapping runs are safe.",
    references: &[],
    aliases: &["datree:CRONJOB_MISSING_CONCURRENCYPOLICY_KEY"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "CronJob" || o.group() != "batch" {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    match spec.get("concurrencyPolicy").filter(|n| !n.is_null()) {
        None => out.at(
            spec,
            "spec",
            stockade_model::format_exact!(
                "CronJob \"{}\" sets no concurrencyPolicy, so runs may overlap (Allow)",
                o.name
            ),
        ),
        Some(p) if p.as_str() == Some("Allow") => out.at(
            p,
            "spec.concurrencyPolicy",
            stockade_model::format_exact!(
                "CronJob \"{}\" allows overlapping runs (concurrencyPolicy Allow)",
                o.name
            ),
        ),
        Some(_) => {}
    }
}
