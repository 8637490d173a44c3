//! ## What it does
//! Flags NetworkPolicy egress rules that let pods reach the cloud instance metadata service
//! (`169.254.169.254`, and AWS's IPv6 `fd00:ec2::254`) over HTTP:
//!
//! - a rule whose destinations are unrestricted (`to` missing or empty), or that lists an
//!   `ipBlock` whose `cidr` contains the address while no `except` entry covers it; and
//! - whose ports are unrestricted or include TCP port 80 (a numeric `port`, or a range up to
//!   `endPort`). Named ports never match the metadata service, which is not a pod.
//!
//! Rules that allow all egress (`egress: [{}]`, an unexcepted `0.0.0.0/0` on every port)
//! are reported once, by `network-policy-allows-all-egress` (STK608), not again here. Pods
//! that no policy isolates for egress reach the metadata service too; that gap is reported
//! per namespace by `namespace-without-default-deny` (STK606).
//!
//! ## Why it matters
//! The metadata service hands out the node's cloud credentials (AWS instance profile, GCP
//! and Azure managed identities) to anything that can reach it. A compromised pod that can
//! reach `169.254.169.254` can act in the cloud account with the node's permissions, which
//! often include pulling every image and reading every volume.
//!
//! ## Example
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: web-egress
//! spec:
//!   podSelector:
//!     matchLabels: {app: web}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
//!         - ipBlock:
//!             cidr: 0.0.0.0/0 # finding
//!             except: [10.0.0.0/8]
//! ```
//! Fixed:
//! ```yaml
//! apiVersion: networking.k8s.io/v1
//! kind: NetworkPolicy
//! metadata:
//!   name: web-egress
//! spec:
//!   podSelector:
//!     matchLabels: {app: web}
//!   policyTypes: [Egress]
//!   egress:
//!     - to:
//!         - ipBlock:
//!             cidr: 0.0.0.0/0
//!             except: [10.0.0.0/8, 169.254.169.254/32]
//! ```
//!
//! ## Options
//! None.

use std::net::IpAddr;

use stockade_model::{Node, Severity};

use super::helpers::{Direction, cidr_contains, is_network_policy, rule_admits_all};
use crate::checks::helpers::port_number;
use crate::{Category, Check, Context, Emit};

/// See the module documentation.
pub static CHECK: Check = Check {
    id: "STK609",
    name: "egress-to-cloud-metadata-allowed",
    category: Category::Networking,
    severity: Severity::Medium,
    default_on: true,
    summary: "NetworkPolicy allows egress to the cloud metadata service",
    remediation: "Add `169.254.169.254/32` to the ipBlock's `except` list, or narrow the egress rule to the destinations the pods need.",
    references: &[
        "NSA/CISA: network separation and hardening",
        "CIS EKS 5.4.1 (restrict access to the instance metadata service)",
    ],
    aliases: &[],
    run: crate::Run::Object(run),
};

const METADATA: [&str; 2] = ["169.254.169.254", "fd00:ec2::254"];

/// True when the rule's ports are unrestricted or let TCP port 80 through.
fn ports_allow_http(rule: &Node) -> bool {
    let ports = rule.get("ports").map(Node::items).unwrap_or_default();
    ports.is_empty()
        || ports.iter().any(|p| {
            let tcp = p.str_at("protocol").is_none_or(|proto| proto == "TCP");
            let Some(port) = p.get("port") else {
                return tcp; // no port: every port of the protocol
            };
            let Some(start) = port_number(port) else {
                return false; // a named port
            };
            let end = p.get("endPort").and_then(port_number).unwrap_or(start);
            tcp && (start..=end).contains(&80)
        })
}

/// The metadata address a peer's ipBlock lets through, with the `cidr` node.
fn peer_reaches_metadata(peer: &Node) -> Option<(&Node, &'static str)> {
    let block = peer.get("ipBlock")?;
    let cidr_node = block.get("cidr")?;
    let cidr = cidr_node.as_str()?;
    METADATA.iter().find_map(|addr| {
        let ip: IpAddr = addr.parse().ok()?;
        let excepted = block
            .get("except")
            .map(Node::items)
            .unwrap_or_default()
            .iter()
            .filter_map(Node::as_str)
            .any(|e| cidr_contains(e, ip) == Some(true));
        (cidr_contains(cidr, ip) == Some(true) && !excepted).then_some((cidr_node, *addr))
    })
}

fn run(ctx: &Context, out: &mut Emit) {
    if !is_network_policy(ctx.object) {
        return;
    }
    let Some(rules) = ctx.object.root.at(&["spec", "egress"]) else {
        return;
    };
    for (i, rule) in rules.items().iter().enumerate() {
        if !ports_allow_http(rule) || rule_admits_all(rule, Direction::Egress).is_some() {
            continue;
        }
        let peers = rule.get("to").map(Node::items).unwrap_or_default();
        // The rule when it names no destination, else the CIDR that takes in the address.
        let hit = if peers.is_empty() {
            Some((rule, None, "any destination, including 169.254.169.254"))
        } else {
            peers
                .iter()
                .enumerate()
                .find_map(|(j, p)| peer_reaches_metadata(p).map(|(at, what)| (at, Some(j), what)))
        };
        if let Some((at, peer, what)) = hit {
            out.at(
                at,
                match peer {
                    None => stockade_model::format_exact!("spec.egress[{i}]"),
                    Some(j) => {
                        stockade_model::format_exact!("spec.egress[{i}].to[{j}].ipBlock.cidr")
                    }
                },
                stockade_model::format_exact!(
                    "NetworkPolicy \"{}\" egress rule {i} allows {what} (cloud metadata service)",
                    ctx.object.name
                ),
            );
        }
    }
}
