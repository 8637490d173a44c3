//! ## What it does
//! Flags a Service `targetPort` written as a name that no container of the pods the Service
//! selects declares (`ports[].name`), and a `targetPort` written as a quoted number
//! (`"8080"`), which Kubernetes reads as a port name and rejects.
//!
//! ## Why it matters
//! A named target port resolves per pod; when no container declares the name, the Service has
//! no ready endpoints and traffic fails, typically after a container port was renamed
//! (`http` to `web`). Numeric target ports need no declaration and are not checked.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//!       targetPort: http # finding
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27.3
//!           ports:
//!             - {name: web, containerPort: 8080}
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Service
//! metadata:
//!   name: web
//! spec:
//!   selector: {app: web}
//!   ports:
//!     - port: 80
//!       targetPort: web
//! ---
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: web
//! spec:
//!   selector:
//!     matchLabels: {app: web}
//!   template:
//!     metadata:
//!       labels: {app: web}
//!     spec:
//!       containers:
//!         - name: web
//!           image: nginx:1.27.3
//!           ports:
//!             - {name: web, containerPort: 8080}
//! ```
//!
//! ## Options
//! None. A Service whose selector matches no pod template in the input is left to
//! `service-selects-no-pods`; a quoted number is flagged in any case. Regular and init
//! containers' ports count. An unset namespace on either side matches any namespace.

use stockade_model::PodSpec;
use stockade_model::{ContainerKind, Object, Severity, Value};

use super::helpers::PodIndex;
use crate::{Category, Check, SetContext, SetEmit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK749",
    name: "service-target-port-not-exposed",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Service targetPort names a port no selected container declares",
    remediation: "Use a port name that the selected containers declare in `ports[].name`, or the numeric container port (unquoted).",
    references: &[],
    aliases: &[],
    run: crate::Run::Set {
        wants,
        run,
        metadata_only: None,
    },
};

fn is_service(o: &Object) -> bool {
    o.kind == "Service" && o.group().is_empty()
}

fn wants(o: &Object, pods: &[PodSpec<'_>]) -> bool {
    is_service(o) || !pods.is_empty()
}

fn run(ctx: &SetContext, out: &mut SetEmit) {
    let index = PodIndex::build(
        ctx.objects.iter().filter(|o| !is_service(o)).map(|o| &**o),
        ctx.pods,
    );
    for svc in ctx.objects.iter().filter(|o| is_service(o)) {
        let Some(ports) = svc.root.at(&["spec", "ports"]) else {
            continue;
        };
        let mut selected: Option<Vec<usize>> = None;
        for (i, p) in ports.items().iter().enumerate() {
            let Some(tp) = p.get("targetPort") else {
                continue;
            };
            let Value::Scalar { text, plain } = &tp.value else {
                continue;
            };
            let path = stockade_model::format_exact!("spec.ports[{i}].targetPort");
            if tp.as_i64().is_some() {
                continue;
            }
            if !plain && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
                out.at(
                    svc,
                    tp,
                    path,
                    stockade_model::format_exact!("targetPort \"{text}\" is quoted, so it is read as a port name, and a port name needs a letter; write the number unquoted"),
                );
                continue;
            }
            let Some(name) = tp.as_str() else { continue };
            let selected =
                selected.get_or_insert_with(|| match svc.root.at(&["spec", "selector"]) {
                    Some(sel) => index.select_map(svc.namespace.as_deref(), sel),
                    None => Vec::new(),
                });
            if selected.is_empty() {
                continue;
            }
            let declared = selected.iter().any(|&t| {
                index.templates[t].1.containers.iter().any(|c| {
                    c.kind != ContainerKind::Ephemeral
                        && c.node.get("ports").is_some_and(|ps| {
                            ps.items().iter().any(|p| p.str_at("name") == Some(name))
                        })
                })
            });
            if !declared {
                out.at(
                    svc,
                    tp,
                    path,
                    stockade_model::format_exact!(
                        "targetPort \"{name}\" is not a port name declared by any container the Service selects"
                    ),
                );
            }
        }
    }
}
