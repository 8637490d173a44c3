//! ## What it does
//! Flags pods that set `hostAliases`: entries the kubelet writes into the pod's `/etc/hosts`.
//!
//! ## Why it matters
//! `hostAliases` override name resolution for the whole pod, around DNS and around the
//! Services and NetworkPolicies that reviewers look at: a name such as an internal API or a
//! registry can be pointed at any address, and the override is easy to miss in review. The
//! kubelet manages the file, so the containers also cannot change it after the pod starts.
//! Use a Service (or an ExternalName/selector-less Service) or fix DNS instead.
//!
//! ## Example
//! ```yaml
//! apiVersion: v1
//! kind: Pod
//! metadata:
//!   name: web
//! spec:
//!   hostAliases: # finding
//!     - ip: 10.0.0.12
//!       hostnames: ["api.internal"]
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
//!   containers:
//!     - name: web
//!       image: nginx:1.27
//! ```
//!
//! ## Options
//! None.

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK109",
    name: "host-aliases",
    category: Category::HostAccess,
    severity: Severity::Low,
    default_on: true,
    summary: "Pod overrides /etc/hosts with hostAliases",
    remediation: "Remove `hostAliases`; resolve the names through DNS or a Service.",
    references: &[],
    aliases: &["kubesec:HostAliases", "trivy:KSV-0007"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    for pod in ctx.pods {
        if let Some(n) = pod.field("hostAliases")
            && !n.items().is_empty()
        {
            let names: Vec<&str> = n
                .items()
                .iter()
                .filter_map(|a| a.get("hostnames"))
                .flat_map(|h| h.items().iter().filter_map(|x| x.as_str()))
                .collect();
            out.at(
                n,
                stockade_model::format_exact!("{}.hostAliases", pod.path),
                stockade_model::format_exact!(
                    "pod overrides /etc/hosts for {}",
                    if names.is_empty() {
                        "(no hostnames)".to_string()
                    } else {
                        names.join(", ")
                    }
                ),
            );
        }
    }
}
