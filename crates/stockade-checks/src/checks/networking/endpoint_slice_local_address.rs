//! ## What it does
//! Flags EndpointSlices (`discovery.k8s.io`) and Endpoints whose addresses are loopback
//! (`127.0.0.0/8`, `::1`) or link-local (`169.254.0.0/16`, `fe80::/10`).
//!
//! ## Why it matters
//! kube-proxy forwards traffic for a Service to whatever its endpoints name. An endpoint on
//! a loopback or link-local address makes every node send that traffic to itself: to
//! services bound to localhost on the node (the kubelet's read-only port, a local database,
//! the cloud metadata service at 169.254.169.254). CVE-2021-25737 showed that anyone who may
//! write EndpointSlices could do this; the API server now rejects such addresses, so one in
//! a manifest is either an attack or a mistake that will not apply.
//!
//! ## Example
//! ```yaml
//! apiVersion: discovery.k8s.io/v1
//! kind: EndpointSlice
//! metadata:
//!   name: metadata-proxy
//!   labels: {kubernetes.io/service-name: metadata-proxy}
//! addressType: IPv4
//! ports:
//!   - port: 80
//! endpoints:
//!   - addresses: ["169.254.169.254"] # finding
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: discovery.k8s.io/v1
//! kind: EndpointSlice
//! metadata:
//!   name: legacy-db
//!   labels: {kubernetes.io/service-name: legacy-db}
//! addressType: IPv4
//! ports:
//!   - port: 5432
//! endpoints:
//!   - addresses: ["10.20.0.15"]
//! ```
//!
//! ## Options
//! None.
//!
//! ## References
//! - <https://github.com/kubernetes/kubernetes/issues/102106>
//! - CVE-2021-25737

use std::net::IpAddr;

use stockade_model::{Node, Severity};

use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK616",
    name: "endpoint-slice-local-address",
    category: Category::Networking,
    severity: Severity::High,
    default_on: true,
    summary: "EndpointSlice or Endpoints address is loopback or link-local",
    remediation: "Point the endpoints at addresses of real backends; never at loopback or link-local addresses.",
    references: &["CVE-2021-25737"],
    aliases: &["datree:ENDPOINTSLICE_CVE2021_25373_INCORRECT_ADDRESSES_VALUE"],
    run: crate::Run::Object(run),
};

/// True for loopback and link-local addresses.
fn local(addr: &str) -> bool {
    match addr.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(a)) => a.is_loopback() || a.is_link_local(),
        Ok(IpAddr::V6(a)) => a.is_loopback() || (a.segments()[0] & 0xffc0) == 0xfe80,
        Err(_) => false,
    }
}

fn run(ctx: &Context, out: &mut Emit) {
    let o = ctx.object;
    let mut found: Vec<(&Node, String)> = Vec::new();
    if o.kind == "EndpointSlice" && o.group() == "discovery.k8s.io" {
        if let Some(eps) = o.root.get("endpoints") {
            for (i, ep) in eps.items().iter().enumerate() {
                if let Some(addrs) = ep.get("addresses") {
                    for (j, a) in addrs.items().iter().enumerate() {
                        found.push((
                            a,
                            stockade_model::format_exact!("endpoints[{i}].addresses[{j}]"),
                        ));
                    }
                }
            }
        }
    } else if o.kind == "Endpoints"
        && o.group().is_empty()
        && let Some(subsets) = o.root.get("subsets")
    {
        for (i, s) in subsets.items().iter().enumerate() {
            for key in ["addresses", "notReadyAddresses"] {
                if let Some(addrs) = s.get(key) {
                    for (j, a) in addrs.items().iter().enumerate() {
                        if let Some(ip) = a.get("ip") {
                            found.push((
                                ip,
                                stockade_model::format_exact!("subsets[{i}].{key}[{j}].ip"),
                            ));
                        }
                    }
                }
            }
        }
    }
    for (node, path) in found {
        let Some(addr) = node.as_str().filter(|a| local(a)) else {
            continue;
        };
        out.at(
            node,
            path,
            stockade_model::format_exact!(
                "{} \"{}\" has endpoint address {addr}, a loopback or link-local address",
                o.kind,
                o.name
            ),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::local;

    #[test]
    fn local_addresses() {
        for yes in [
            "127.0.0.1",
            "127.1.2.3",
            "169.254.169.254",
            "::1",
            "fe80::1",
        ] {
            assert!(local(yes), "{yes}");
        }
        for no in ["10.0.0.1", "8.8.8.8", "2001:db8::1", "not-an-ip"] {
            assert!(!local(no), "{no}");
        }
    }
}
