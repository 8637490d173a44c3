//! ## What it does
//! Flags each capability in a container's `securityContext.capabilities.add` other than
//! `NET_BIND_SERVICE` (written with or without `CAP_`, in any case), in regular, init and
//! ephemeral containers. Off by default: `dangerous-capability-added` (STK008) already reports,
//! by default, the capabilities that give power over the node; this check is for teams that
//! hold every workload to the Pod Security Standards' restricted level, where
//! `NET_BIND_SERVICE` is the only capability that may be added.
//!
//! ## Why it matters
//! Every added capability widens what a compromised process can do in the kernel (`CHOWN`
//! and `DAC_OVERRIDE` ignore file permissions, `SETUID` switches users, `SYS_TIME` changes
//! the node's clock). Most applications need none; the ones that bind a port below 1024
//! need only `NET_BIND_SERVICE`.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//!       securityContext:
//!         capabilities:
//!           drop: ["ALL"]
//!           add:
//!             - CHOWN # finding
//!             - NET_BIND_SERVICE
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//!       securityContext:
//!         capabilities:
//!           drop: ["ALL"]
//!           add:
//!             - NET_BIND_SERVICE
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::cap_items;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK018",
    name: "capability-added",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: false,
    summary: "Container adds a capability other than NET_BIND_SERVICE",
    remediation: "Remove the capability from `capabilities.add`; only NET_BIND_SERVICE is allowed at the restricted level.",
    references: &["CIS 5.2.8", "PSS restricted: capabilities"],
    aliases: &[
        "checkov:CKV_K8S_25",
        "trivy:KSV-0022",
        "trivy:KSV-0106",
        "kubescape:C-0200",
        "kubescape:C-0219",
    ],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        for item in cap_items(c, "add") {
            if item.name.is_empty() || item.name == "NET_BIND_SERVICE" {
                continue;
            }
            out.container(
                c,
                Some((item.node, &item.path)),
                stockade_model::format_exact!("{} adds capability {}", c.label(), item.written()),
            );
        }
    }
}
