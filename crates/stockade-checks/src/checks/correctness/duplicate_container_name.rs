//! ## What it does
//! Flags a container name used twice in one pod spec, across `containers`, `initContainers`
//! and `ephemeralContainers`. The finding points at the later container.
//!
//! ## Why it matters
//! Container names must be unique within a pod: the API server rejects the object, so the
//! rollout fails at apply time. It often comes from a sidecar added by copy and paste.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   initContainers:
//!     - name: web
//!       image: busybox:1.36
//!       command: [sh, -c, "cp -r /seed/. /data"]
//!   containers:
//!     - name: web # finding
//!       image: nginx:1.27.3
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   initContainers:
//!     - name: seed
//!       image: busybox:1.36
//!       command: [sh, -c, "cp -r /seed/. /data"]
//!   containers:
//!     - name: web
//!       image: nginx:1.27.3
//! ```
//!
//! ## Options
//! None.

use foldhash::{HashMap, HashMapExt};

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK750",
    name: "duplicate-container-name",
    category: Category::Correctness,
    severity: Severity::Medium,
    default_on: true,
    summary: "Container name used twice in one pod",
    remediation: "Give every container, init container and ephemeral container of the pod its own name.",
    references: &[],
    aliases: &[],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        let mut seen: HashMap<&str, String> = HashMap::new();
        // Source order, so the finding lands on the container written second.
        let mut containers: Vec<_> = pod.containers.iter().collect();
        containers.sort_by_key(|c| c.node.pos);
        for c in containers {
            if c.name.is_empty() {
                continue;
            }
            // Argo's implicit `main` is not written in the source.
            let Some(node) = c.node.get("name") else {
                continue;
            };
            if let Some(first) = seen.get(c.name) {
                out.container(
                    c,
                    Some((node, &stockade_model::format_exact!("{}.name", c.path))),
                    stockade_model::format_exact!(
                        "{} has the same name as the container at {first}; the API server rejects the pod",
                        c.label()
                    ),
                );
            } else {
                seen.insert(c.name, c.path.clone());
            }
        }
    }
}
