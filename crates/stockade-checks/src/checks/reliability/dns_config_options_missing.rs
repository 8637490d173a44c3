//! ## What it does
//! Flags pod specs of workloads that set no `dnsConfig.options` (for example `ndots`).
//! Pods with `dnsPolicy: None` must set their own `dnsConfig` and are judged the same way.
//! Off by default.
//!
//! ## Why it matters
//! With the cluster default `ndots: 5`, every lookup of an external name with fewer than five
//! dots (`api.example.com`) is first tried against each search domain of the pod
//! (`<ns>.svc.cluster.local`, `svc.cluster.local`, `cluster.local`, and the node's own): four
//! or more wasted queries, each over UDP with its own timeout, before the real one. Under
//! load this multiplies CoreDNS traffic, hits conntrack races and adds seconds of latency.
//! Setting `ndots` (usually 2) and, where needed, `single-request-reopen` or `timeout` in
//! `dnsConfig.options` keeps resolution predictable.
//!
//! It is opt-in because the default suits workloads that mostly call in-cluster Services.
//!
//! ## Example
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec: # finding
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: apps/v1
//! kind: Deployment
//! metadata:
//!   name: api
//! spec:
//!   selector:
//!     matchLabels: {app: api}
//!   template:
//!     metadata:
//!       labels: {app: api}
//!     spec:
//!       dnsConfig:
//!         options:
//!           - name: ndots
//!             value: "2"
//!       containers:
//!         - name: api
//!           image: api:2.3.1
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://kubernetes.io/docs/concepts/services-networking/dns-pod-service/#pod-dns-config>

use stockade_model::Severity;

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK432",
    name: "dns-config-options-missing",
    category: Category::Reliability,
    severity: Severity::Info,
    default_on: false,
    summary: "Pod sets no dnsConfig options",
    remediation: "Set `dnsConfig.options` on the pod, for example `ndots: \"2\"`.",
    references: &[],
    aliases: &["kube-linter:dnsconfig-options"],
    run: crate::Run::Object(run),
};

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    for pod in ctx.pods {
        let has = pod
            .field("dnsConfig")
            .and_then(|d| d.get("options"))
            .is_some_and(|opts| !opts.items().is_empty());
        if !has {
            out.at(
                pod.spec,
                pod.path.clone(),
                stockade_model::format_exact!(
                    "{} \"{}\" sets no dnsConfig options in {}",
                    o.kind,
                    o.name,
                    pod.path
                ),
            );
        }
    }
}
