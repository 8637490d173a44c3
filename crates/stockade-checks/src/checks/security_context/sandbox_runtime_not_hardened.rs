//! ## What it does
//! Flags Agent Sandbox objects (`SandboxTemplate` and `Sandbox` of `agents.x-k8s.io` and
//! `extensions.agents.x-k8s.io`) whose `spec.podTemplate.spec.runtimeClassName` is unset, empty
//! or not a sandboxing runtime: gVisor (`gvisor`, `runsc`) or Kata Containers (`kata`,
//! `kata-*`).
//!
//! ## Why it matters
//! Agent sandboxes run code that nobody reviewed, often written by a model on the fly. With the
//! node's default runtime (runc) that code shares the host kernel, and one kernel bug turns it
//! into a container escape. A user-space kernel (gVisor) or a micro-VM (Kata) puts a second
//! boundary around it, which is the point of the project.
//!
//! ## Example
//! ```yaml
//! apiVersion: extensions.agents.x-k8s.io/v1alpha1
//! kind: SandboxTemplate
//! metadata:
//!   name: python
//! spec:
//!   podTemplate:
//!     spec: # finding
//!       containers:
//!         - name: python
//!           image: python:3.12-slim
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: extensions.agents.x-k8s.io/v1alpha1
//! kind: SandboxTemplate
//! metadata:
//!   name: python
//! spec:
//!   podTemplate:
//!     spec:
//!       runtimeClassName: gvisor
//!       containers:
//!         - name: python
//!           image: python:3.12-slim
//! ```
//!
//! ## Options
//! None. Kubescape's default list holds `gvisor` only; Kata Containers isolates as strongly
//! (a VM per pod) and is accepted here too.
//!
//! ## References
//! - Agent Sandbox: <https://github.com/kubernetes-sigs/agent-sandbox>

use stockade_model::{Object, Severity};

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK027",
    name: "sandbox-runtime-not-hardened",
    category: Category::SecurityContext,
    severity: Severity::High,
    default_on: true,
    summary: "Agent sandbox runs without a sandboxing runtime (gVisor or Kata)",
    remediation: "Set `spec.podTemplate.spec.runtimeClassName` to a gVisor or Kata Containers RuntimeClass.",
    references: &[],
    aliases: &["kubescape:C-0297"],
    run: crate::Run::Object(run),
};

/// A `Sandbox` or `SandboxTemplate` of the Agent Sandbox project.
pub(crate) fn is_agent_sandbox(o: &Object) -> bool {
    matches!(o.kind.as_str(), "Sandbox" | "SandboxTemplate")
        && matches!(o.group(), "agents.x-k8s.io" | "extensions.agents.x-k8s.io")
}

fn hardened(runtime: &str) -> bool {
    matches!(runtime, "gvisor" | "runsc" | "kata") || runtime.starts_with("kata-")
}

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if !is_agent_sandbox(o) {
        return;
    }
    let Some(template) = o.root.at(&["spec", "podTemplate"]) else {
        return;
    };
    match template.at(&["spec", "runtimeClassName"]) {
        Some(rc) if rc.as_str().is_some_and(hardened) => {}
        Some(rc) if rc.as_str().is_some_and(|s| !s.is_empty()) => out.at(
            rc,
            "spec.podTemplate.spec.runtimeClassName",
            stockade_model::format_exact!(
                "{} \"{}\" runs in RuntimeClass {}, not gVisor or Kata Containers",
                o.kind,
                o.name,
                rc.as_str().unwrap_or_default()
            ),
        ),
        // An empty or odd `runtimeClassName:`, else the pod spec, else the template.
        rc => out.at(
            rc.or_else(|| template.get("spec")).unwrap_or(template),
            "spec.podTemplate.spec.runtimeClassName",
            stockade_model::format_exact!(
                "{} \"{}\" sets no runtimeClassName: its code runs on the node's default runtime, sharing the host kernel",
                o.kind, o.name
            ),
        ),
    }
}
