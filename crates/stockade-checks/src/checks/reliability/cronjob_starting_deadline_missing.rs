//! ## What it does
//! Flags CronJobs that do not set `spec.startingDeadlineSeconds`.
//!
//! ## Why it matters
//! Without a starting deadline, a CronJob whose run was missed (controller down, cluster
//! upgrade, CronJob suspended and resumed) may start the missed run whenever it can, however
//! late — a nightly report at noon, a "before business hours" cleanup during business hours.
//! And when more than 100 schedules were missed since the last run, the controller stops
//! scheduling the CronJob altogether and only logs an error. A deadline bounds how late a run
//! may start and how far back the controller looks.
//!
//! ## Example
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: report
//! spec: # finding
//!   schedule: "0 6 * * *"
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: report
//!               image: report:1.8.2
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: batch/v1
//! kind: CronJob
//! metadata:
//!   name: report
//! spec:
//!   schedule: "0 6 * * *"
//!   startingDeadlineSeconds: 600
//!   jobTemplate:
//!     spec:
//!       template:
//!         spec:
//!           restartPolicy: OnFailure
//!           containers:
//!             - name: report
//!               image: report:1.8.2
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/#job-creation>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK418",
    name: "cronjob-starting-deadline-missing",
    category: Category::Reliability,
    severity: Severity::Low,
    default_on: true,
    summary: "CronJob sets no startingDeadlineSeconds",
    remediation: "Set `spec.startingDeadlineSeconds` to how late a missed run may still start.",
    references: &[],
    aliases: &[
        "kube-score:cronjob-has-deadline",
        "datree:CRONJOB_MISSING_STARTINGDEADLINESECOND_KEY",
    ],
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
    if spec
        .get("startingDeadlineSeconds")
        .is_none_or(|t| t.is_null())
    {
        out.at(
            spec,
            "spec",
            stockade_model::format_exact!("CronJob \"{}\" sets no startingDeadlineSeconds", o.name),
        );
    }
}
