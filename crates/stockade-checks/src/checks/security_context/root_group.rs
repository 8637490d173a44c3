//! ## What it does
//! Flags processes that run with the root group (GID 0):
//! - a container (regular, init or ephemeral) whose effective `runAsGroup` is 0, set on the
//!   container or inherited from the pod's `securityContext`;
//! - a pod whose `securityContext.fsGroup` is 0;
//! - a pod whose `securityContext.supplementalGroups` lists 0, one finding per such item.
//!
//! ## Why it matters
//! Many files on the node and in images are owned by group 0 and group-writable (`/etc` files
//! on some distributions, OpenShift-style images made writable for GID 0). A process in group 0
//! can read or change them, and after a container escape it keeps that access on the host.
//! `fsGroup: 0` also makes every volume of the pod owned by group 0.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: files
//! spec:
//!   securityContext:
//!     fsGroup: 0 # finding
//!     supplementalGroups:
//!       - 0 # finding
//!   containers:
//!     - name: files
//!       image: files:1.0
//!       securityContext:
//!         runAsGroup: 0 # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: files
//! spec:
//!   securityContext:
//!     fsGroup: 10001
//!     supplementalGroups:
//!       - 10002
//!   containers:
//!     - name: files
//!       image: files:1.0
//!       securityContext:
//!         runAsGroup: 10001
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::origin;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK005",
    name: "root-group",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: true,
    summary: "Container or pod runs with the root group (GID 0)",
    remediation: "Set `runAsGroup` and `fsGroup` to a non-zero GID and remove 0 from `supplementalGroups`.",
    references: &["NSA/CISA: non-root and unprivileged containers"],
    aliases: &["trivy:KSV-0116"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if let Some(n) = pod.spec.at(&["securityContext", "fsGroup"])
            && n.as_i64() == Some(0)
        {
            out.at(
                n,
                stockade_model::format_exact!("{}.securityContext.fsGroup", pod.path),
                "pod sets fsGroup: 0, so its volumes are owned by the root group",
            );
        }
        if let Some(list) = pod.spec.at(&["securityContext", "supplementalGroups"]) {
            for (i, g) in list.items().iter().enumerate() {
                if g.as_i64() == Some(0) {
                    out.at(
                        g,
                        stockade_model::format_exact!(
                            "{}.securityContext.supplementalGroups[{i}]",
                            pod.path
                        ),
                        "pod adds the root group (0) to supplementalGroups",
                    );
                }
            }
        }
        for c in &pod.containers {
            if let Some(g) = c.security("runAsGroup")
                && g.node.as_i64() == Some(0)
            {
                out.container(
                    c,
                    Some((g.node, &g.path)),
                    stockade_model::format_exact!(
                        "{} runs with the root group: runAsGroup is 0{}",
                        c.label(),
                        origin(&g)
                    ),
                );
            }
        }
    }
}
