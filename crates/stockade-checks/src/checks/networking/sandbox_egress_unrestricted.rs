//! ## What it does
//! Flags Agent Sandbox `SandboxTemplate`s (`extensions.agents.x-k8s.io`) whose sandboxes may
//! send traffic anywhere:
//! - `spec.networkPolicyManagement` set to anything but `Managed` (the controller then creates
//!   no NetworkPolicy for the sandboxes);
//! - managed, but no `spec.networkPolicy`: the controller's secure default still allows egress
//!   to the public internet;
//! - a `spec.networkPolicy.egress` rule without `to`, or with a peer that has no `ipBlock.cidr`,
//!   `podSelector` or `namespaceSelector`: it allows every destination.
//!
//! ## Why it matters
//! Code in an agent sandbox is untrusted by design. Open egress lets it exfiltrate what it can
//! read (prompts, files, tokens), download tools, and reach the cloud metadata service or
//! internal services. Egress limited to the endpoints the agent needs closes that path.
//!
//! ## Example
//! ```yaml
//! apiVersion: extensions.agents.x-k8s.io/v1alpha1
//! kind: SandboxTemplate
//! metadata:
//!   name: python
//! spec:
//!   networkPolicy:
//!     egress:
//!       - ports: # finding
//!           - port: 443
//!   podTemplate:
//!     spec:
//!       runtimeClassName: gvisor
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
//!   networkPolicy:
//!     egress:
//!       - to:
//!           - ipBlock:
//!               cidr: 203.0.113.10/32
//!         ports:
//!           - port: 443
//!   podTemplate:
//!     spec:
//!       runtimeClassName: gvisor
//!       containers:
//!         - name: python
//!           image: python:3.12-slim
//! ```
//!
//! ## Options
//! None. Opt-in: select it (`--select sandbox-egress-unrestricted`); templates often get their
//! egress limits from a separate NetworkPolicy or egress gateway that this check cannot see.
//!
//! ## References
//! - Agent Sandbox: <https://github.com/kubernetes-sigs/agent-sandbox>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK619",
    name: "sandbox-egress-unrestricted",
    category: Category::Networking,
    severity: Severity::High,
    default_on: false,
    summary: "Agent SandboxTemplate lets its sandboxes send traffic anywhere",
    remediation: "Keep `networkPolicyManagement: Managed` and write a `networkPolicy` whose egress rules name their destinations.",
    references: &[],
    aliases: &["kubescape:C-0301"],
    run: crate::Run::Object(run),
};

fn scoped_peer(peer: &stockade_model::Node) -> bool {
    peer.at(&["ipBlock", "cidr"])
        .and_then(|c| c.as_str())
        .is_some_and(|c| !c.is_empty())
        || peer.get("podSelector").is_some_and(|s| s.is_map())
        || peer.get("namespaceSelector").is_some_and(|s| s.is_map())
}

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    if o.kind != "SandboxTemplate" || o.group() != "extensions.agents.x-k8s.io" {
        return;
    }
    let Some(spec) = o.root.get("spec").filter(|s| s.is_map()) else {
        return;
    };
    if let Some(m) = spec.get("networkPolicyManagement")
        && let Some(mode) = m.as_str()
        && mode != "Managed"
    {
        out.at(
            m,
            "spec.networkPolicyManagement",
            stockade_model::format_exact!(
                "SandboxTemplate \"{}\" sets networkPolicyManagement {mode}: no NetworkPolicy limits its sandboxes' traffic",
                o.name
            ),
        );
        return;
    }
    let Some(np) = spec.get("networkPolicy").filter(|n| !n.is_null()) else {
        out.at(
            spec,
            "spec.networkPolicy",
            stockade_model::format_exact!(
                "SandboxTemplate \"{}\" has no networkPolicy: the default lets its sandboxes reach the public internet",
                o.name
            ),
        );
        return;
    };
    let Some(egress) = np.get("egress") else {
        return;
    };
    for (i, rule) in egress.items().iter().enumerate() {
        let to = rule.get("to").map_or(&[][..], |t| t.items());
        if !to.is_empty() && to.iter().all(scoped_peer) {
            continue;
        }
        out.at(
            rule,
            stockade_model::format_exact!("spec.networkPolicy.egress[{i}]"),
            stockade_model::format_exact!(
                "SandboxTemplate \"{}\" egress rule {i} names no destination: it allows traffic to any address",
                o.name
            ),
        );
    }
}
