//! ## What it does
//! Flags port 22 where a workload or Service exposes it: a container's `containerPort: 22`
//! (regular, init and ephemeral containers), and a core Service port whose `port` or
//! `targetPort` is 22. Ports written as quoted strings count too.
//!
//! ## Why it matters
//! An SSH server in a container is a second way in that bypasses `kubectl exec`, its RBAC and
//! its audit log, usually with long-lived keys or passwords baked into the image. It often
//! means the container is treated like a VM, with a shell and tools an attacker can use.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: box
//! spec:
//!   containers:
//!     - name: box
//!       image: box:1.0
//!       ports:
//!         - containerPort: 22 # finding
//!         - containerPort: 8080
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: box
//! spec:
//!   containers:
//!     - name: box
//!       image: box:1.0
//!       ports:
//!         - containerPort: 8080
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::is_core_service;
use crate::checks::helpers::port_number;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK603",
    name: "ssh-port-exposed",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container or Service exposes the SSH port (22)",
    remediation: "Remove the SSH server and port; use `kubectl exec` or ephemeral debug containers, which are authorised and audited.",
    references: &["NSA/CISA: pod security"],
    aliases: &["kube-linter:ssh-port", "kubescape:C-0042"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(ports) = c.node.get("ports") else {
            continue;
        };
        for (i, p) in ports.items().iter().enumerate() {
            if let Some(n) = p.get("containerPort")
                && port_number(n) == Some(22)
            {
                out.container(
                    c,
                    Some((
                        n,
                        &stockade_model::format_exact!("{}.ports[{i}].containerPort", c.path),
                    )),
                    stockade_model::format_exact!("{} exposes port 22 (SSH)", c.label()),
                );
            }
        }
    }
    if !is_core_service(ctx.object) {
        return;
    }
    let Some(ports) = ctx.object.root.at(&["spec", "ports"]) else {
        return;
    };
    for (i, p) in ports.items().iter().enumerate() {
        for field in ["port", "targetPort"] {
            if let Some(n) = p.get(field)
                && port_number(n) == Some(22)
            {
                out.at(
                    n,
                    stockade_model::format_exact!("spec.ports[{i}].{field}"),
                    stockade_model::format_exact!(
                        "Service \"{}\" {field} is 22 (SSH)",
                        ctx.object.name
                    ),
                );
                break;
            }
        }
    }
}
