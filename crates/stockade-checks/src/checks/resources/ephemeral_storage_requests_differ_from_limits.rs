//! ## What it does
//! Flags regular and init containers that set an `ephemeral-storage` limit whose request is
//! different (a request set without a limit counts as different too). Quantities are
//! compared by value (`1Gi` equals `1024Mi`); a missing request with a limit counts as
//! equal, because the API server copies the limit into it. Off by default.
//!
//! ## Why it matters
//! The scheduler places pods by their ephemeral-storage requests, but the kubelet evicts a
//! pod as soon as its usage passes the limit, and under node disk pressure it evicts first
//! the pods using more than they requested. A request well below the limit lets the node be
//! overcommitted on disk, so a logging burst in one pod gets its neighbours evicted. Equal
//! values make disk use as predictable as Guaranteed CPU and memory.
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
//!         requests: {ephemeral-storage: 1Gi}
//!         limits: {ephemeral-storage: 4Gi} # finding
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
//!         requests: {ephemeral-storage: 2Gi}
//!         limits: {ephemeral-storage: 2048Mi}
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/#local-ephemeral-storage>

use stockade_model::{ContainerKind, Severity};

use super::helpers::quantity_nanos;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK311",
    name: "ephemeral-storage-requests-differ-from-limits",
    category: Category::Resources,
    severity: Severity::Low,
    default_on: false,
    summary: "Container's ephemeral-storage request differs from its limit",
    remediation: "Set the `ephemeral-storage` request equal to the limit.",
    references: &[],
    aliases: &["kube-score:container-ephemeral-storage-request-equals-limit"],
    run: crate::Run::Object(run),
};

fn quantity(n: &stockade_model::Node) -> Option<i128> {
    n.as_str()
        .map(str::to_string)
        .or_else(|| n.as_i64().map(|v| v.to_string()))
        .and_then(|s| quantity_nanos(&s))
}

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        if c.kind == ContainerKind::Ephemeral {
            continue;
        }
        let Some(res) = c.node.get("resources") else {
            continue;
        };
        let req = res
            .at(&["requests", "ephemeral-storage"])
            .filter(|n| !n.is_null());
        let lim = res
            .at(&["limits", "ephemeral-storage"])
            .filter(|n| !n.is_null());
        let (node, path, what) = match (req, lim) {
            (Some(r), None) => (
                r,
                "requests",
                "sets an ephemeral-storage request but no limit",
            ),
            (Some(r), Some(l)) => match (quantity(r), quantity(l)) {
                (Some(a), Some(b)) if a != b => (
                    l,
                    "limits",
                    "has an ephemeral-storage request different from its limit",
                ),
                _ => continue,
            },
            _ => continue,
        };
        out.container(
            c,
            Some((
                node,
                &stockade_model::format_exact!("{}.resources.{path}.ephemeral-storage", c.path),
            )),
            stockade_model::format_exact!("{} {what}", c.label()),
        );
    }
}
