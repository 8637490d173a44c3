//! ## What it does
//! Flags Linux pods that do not set `hostUsers: false`, so their containers share the node's
//! user namespace. Off by default: user namespaces need Kubernetes 1.33+ (beta before, on by
//! default since 1.33) and a runtime and filesystem that support ID-mapped mounts; enable it
//! where the cluster does.
//!
//! ## Why it matters
//! With `hostUsers: false` the pod gets its own user namespace: root in the container is an
//! unprivileged ID on the node, so a process that escapes the container, or reaches a host
//! file, has no more rights than nobody. Several container-escape CVEs are blocked by this
//! alone.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec: # finding
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   hostUsers: false
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use super::helpers::is_windows;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK025",
    name: "host-users-enabled",
    category: Category::SecurityContext,
    severity: Severity::Low,
    default_on: false,
    summary: "Pod shares the node's user namespace (hostUsers not false)",
    remediation: "Set `spec.hostUsers: false` to give the pod its own user namespace.",
    references: &["KEP-127: user namespaces"],
    aliases: &["kubesec:HostUsers"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if is_windows(pod) {
            continue;
        }
        match pod.field("hostUsers") {
            Some(n) if n.as_bool() == Some(false) => {}
            Some(n) => out.at(
                n,
                stockade_model::format_exact!("{}.hostUsers", pod.path),
                "pod sets hostUsers: true and shares the node's user namespace",
            ),
            None => out.at(
                pod.spec,
                pod.path.clone(),
                "pod does not set hostUsers: false and shares the node's user namespace",
            ),
        }
    }
}
