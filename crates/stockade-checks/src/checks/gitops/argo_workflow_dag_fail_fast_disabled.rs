//! ## What it does
//! Flags Argo Workflows templates (in Workflows, WorkflowTemplates, ClusterWorkflowTemplates
//! and CronWorkflows) whose `dag` sets `failFast: false`. Off by default.
//!
//! ## Why it matters
//! By default a DAG stops scheduling new tasks as soon as one fails. With `failFast: false`
//! every other branch still runs to completion after a failure: expensive jobs burn compute
//! on a run that is already lost, and tasks with side effects (deployments, data writes)
//! carry on from a state the workflow author did not plan for.
//!
//! It is opt-in because some DAGs run independent branches on purpose.
//!
//! ## Example
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Workflow
//! metadata:
//!   name: build
//! spec:
//!   entrypoint: main
//!   templates:
//!     - name: main
//!       dag:
//!         failFast: false # finding
//!         tasks:
//!           - {name: test, template: test}
//!     - name: test
//!       container: {image: "builder:1.2.0"}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: argoproj.io/v1alpha1
//! kind: Workflow
//! metadata:
//!   name: build
//! spec:
//!   entrypoint: main
//!   templates:
//!     - name: main
//!       dag:
//!         tasks:
//!           - {name: test, template: test}
//!     - name: test
//!       container: {image: "builder:1.2.0"}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://argo-workflows.readthedocs.io/en/latest/walk-through/dag/>

use stockade_model::Severity;

use super::helpers::workflow_templates;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK917",
    name: "argo-workflow-dag-fail-fast-disabled",
    category: Category::Gitops,
    severity: Severity::Low,
    default_on: false,
    summary: "Argo Workflows DAG keeps running after a task fails",
    remediation: "Remove `failFast: false` so the DAG stops scheduling tasks after the first failure.",
    references: &[],
    aliases: &["datree:ARGO_WORKFLOW_INCORRECT_FAILFAST_VALUE_FALSE"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    for (t, path) in workflow_templates(o) {
        let Some(ff) = t.at(&["dag", "failFast"]) else {
            continue;
        };
        if ff.as_bool() == Some(false) {
            out.at(
                ff,
                stockade_model::format_exact!("{path}.dag.failFast"),
                stockade_model::format_exact!(
                    "{} \"{}\" template \"{}\" sets dag.failFast to false",
                    o.kind,
                    o.name,
                    t.str_at("name").unwrap_or_default()
                ),
            );
        }
    }
}
