//! ## What it does
//! Flags container ports whose `containerPort` is below 1024 (regular, init and ephemeral
//! containers; a port written as a quoted string counts too). Off by default: many images
//! listen on 80 or 443 and run fine with `NET_BIND_SERVICE`; enable it where workloads are
//! meant to run fully unprivileged.
//!
//! ## Why it matters
//! Binding a port below 1024 needs root or the `NET_BIND_SERVICE` capability inside the
//! container, so an image that listens there is usually built to start as root. Listening on
//! an unprivileged port (8080, 8443) and mapping it in the Service lets the container drop
//! every capability and run as a non-root user.
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
//!       ports:
//!         - containerPort: 80 # finding
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
//!       image: nginxinc/nginx-unprivileged:1.27
//!       ports:
//!         - containerPort: 8080
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::checks::helpers::port_number;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK019",
    name: "privileged-port",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: false,
    summary: "Container listens on a privileged port (below 1024)",
    remediation: "Listen on a port of 1024 or above and map it to the wanted port in the Service.",
    references: &[],
    aliases: &["kube-linter:privileged-ports", "trivy:KSV-0117"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(ports) = c.node.get("ports") else {
            continue;
        };
        for (i, p) in ports.items().iter().enumerate() {
            let Some(cp) = p.get("containerPort") else {
                continue;
            };
            let Some(n) = port_number(cp).filter(|&n| n > 0 && n < 1024) else {
                continue;
            };
            out.container(
                c,
                Some((
                    cp,
                    &stockade_model::format_exact!("{}.ports[{i}].containerPort", c.path),
                )),
                stockade_model::format_exact!("{} listens on privileged port {n}", c.label()),
            );
        }
    }
}
