//! ## What it does
//! Flags containers (regular, init and ephemeral) that set `resources.limits.cpu`. Off by
//! default; the opposite of `cpu-limits-missing`, for teams that follow the "requests, no CPU
//! limits" practice.
//!
//! ## Why it matters
//! The CPU request already guarantees a container its share when the node is busy. A CPU
//! limit adds CFS quota throttling on top, even when the node has idle cores: latency-
//! sensitive services stall in 100 ms periods, multi-threaded runtimes burn their quota in a
//! fraction of the period, and the throttling rarely shows in average utilisation graphs.
//! Without a limit the container can use idle CPU and gives it back when others need it.
//!
//! It is opt-in because capping CPU is the right choice in multi-tenant or cost-capped
//! namespaces.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   containers:
//!     - name: api
//!       image: api:2.3.1
//!       resources:
//!         requests: {cpu: 500m, memory: 256Mi}
//!         limits:
//!           cpu: "1" # finding
//!           memory: 256Mi
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: api
//! spec:
//!   containers:
//!     - name: api
//!       image: api:2.3.1
//!       resources:
//!         requests: {cpu: 500m, memory: 256Mi}
//!         limits: {memory: 256Mi}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://aws.github.io/aws-eks-best-practices/reliability/docs/dataplane/#configure-and-size-resource-requestslimits-for-all-workloads>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK310",
    name: "cpu-limit-set",
    category: Category::Resources,
    severity: Severity::Info,
    default_on: false,
    summary: "Container sets a CPU limit",
    remediation: "Remove `resources.limits.cpu` and size `resources.requests.cpu` for the load instead.",
    references: &[],
    aliases: &["datree:EKS_INVALID_CPU_LIMIT"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(cpu) = c
            .node
            .at(&["resources", "limits", "cpu"])
            .filter(|n| !n.is_null())
        else {
            continue;
        };
        out.container(
            c,
            Some((
                cpu,
                &stockade_model::format_exact!("{}.resources.limits.cpu", c.path),
            )),
            stockade_model::format_exact!("{} sets a CPU limit", c.label()),
        );
    }
}
