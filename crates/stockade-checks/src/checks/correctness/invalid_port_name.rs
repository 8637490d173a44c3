//! ## What it does
//! Flags port names that are not valid IANA service names, which the API server rejects:
//! container `ports[].name`, and Service `ports[].targetPort` given as a name. A valid name
//! has at most 15 characters, only lowercase letters, digits and `-`, at least one letter,
//! and no leading, trailing or doubled `-`.
//!
//! ## Why it matters
//! The object fails validation at apply time, usually in a pipeline long after review. A
//! Service whose `targetPort` names no valid port also cannot route to the pods.
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
//!         - name: http_metrics_endpoint # finding
//!           containerPort: 9113
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
//!       ports:
//!         - name: metrics
//!           containerPort: 9113
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK753",
    name: "invalid-port-name",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Port name is not a valid IANA service name",
    remediation: "Use at most 15 lowercase letters, digits and single hyphens, with at least one letter.",
    references: &[],
    aliases: &[
        "kube-linter:invalid-target-ports",
        "kube-score:container-ports-check",
    ],
    run: crate::Run::Object(run),
};

/// Why `name` is not an IANA_SVC_NAME (RFC 6335), if it is not.
fn problem(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        Some("is empty")
    } else if name.len() > 15 {
        Some("is longer than 15 characters")
    } else if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    {
        Some("may hold only lowercase letters, digits and '-'")
    } else if !name.bytes().any(|b| b.is_ascii_lowercase()) {
        Some("needs at least one letter")
    } else if name.starts_with('-') || name.ends_with('-') || name.contains("--") {
        Some("may not start or end with '-' or hold '--'")
    } else {
        None
    }
}

fn run(ctx: &Context, out: &mut Emit) {
    for (_, c) in ctx.containers() {
        let Some(ports) = c.node.get("ports") else {
            continue;
        };
        for (i, p) in ports.items().iter().enumerate() {
            let Some(n) = p.get("name") else {
                continue;
            };
            let Some(name) = n.as_str() else {
                continue;
            };
            if let Some(why) = problem(name) {
                out.container(
                    c,
                    Some((
                        n,
                        &stockade_model::format_exact!("{}.ports[{i}].name", c.path),
                    )),
                    stockade_model::format_exact!("{} port name \"{name}\" {why}", c.label()),
                );
            }
        }
    }
    let o = ctx.object;
    if o.kind != "Service" || !o.group().is_empty() {
        return;
    }
    let Some(ports) = o.root.at(&["spec", "ports"]) else {
        return;
    };
    for (i, p) in ports.items().iter().enumerate() {
        let Some(t) = p.get("targetPort") else {
            continue;
        };
        // A number, or a string of digits, is a port number, not a name.
        let Some(name) = t
            .as_str()
            .filter(|s| !s.bytes().all(|b| b.is_ascii_digit()))
        else {
            continue;
        };
        if let Some(why) = problem(name) {
            out.at(
                t,
                stockade_model::format_exact!("spec.ports[{i}].targetPort"),
                stockade_model::format_exact!(
                    "Service \"{}\" targetPort name \"{name}\" {why}",
                    o.name
                ),
            );
        }
    }
}
