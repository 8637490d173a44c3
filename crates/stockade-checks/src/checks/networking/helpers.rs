//! Helpers shared by the networking checks.

use std::net::IpAddr;

use stockade_model::{Node, Object};

/// True for a core `v1` Service (a Knative `serving.knative.dev` Service is not one).
pub fn is_core_service(obj: &Object) -> bool {
    obj.kind == "Service" && obj.group().is_empty()
}

/// True for a `networking.k8s.io` NetworkPolicy (not Calico's or Cilium's own kinds).
pub fn is_network_policy(obj: &Object) -> bool {
    obj.kind == "NetworkPolicy" && obj.group() == "networking.k8s.io"
}

/// True for a core `v1` Namespace.
pub fn is_namespace(obj: &Object) -> bool {
    obj.kind == "Namespace" && obj.group().is_empty()
}

/// True for a `networking.k8s.io` (or old `extensions`) Ingress.
pub fn is_ingress(obj: &Object) -> bool {
    obj.kind == "Ingress" && matches!(obj.group(), "networking.k8s.io" | "extensions")
}

/// A traffic direction of a NetworkPolicy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// `ingress` rules, peers under `from`.
    Ingress,
    /// `egress` rules, peers under `to`.
    Egress,
}

impl Direction {
    /// The rules' field name.
    pub fn rules_key(self) -> &'static str {
        match self {
            Self::Ingress => "ingress",
            Self::Egress => "egress",
        }
    }

    /// The peers' field name in a rule.
    pub fn peers_key(self) -> &'static str {
        match self {
            Self::Ingress => "from",
            Self::Egress => "to",
        }
    }

    /// The `policyTypes` entry.
    pub fn policy_type(self) -> &'static str {
        match self {
            Self::Ingress => "Ingress",
            Self::Egress => "Egress",
        }
    }
}

/// True when the policy isolates the pods it selects in `dir`, as the API server defaults
/// `policyTypes`: Ingress always, Egress when the policy has `egress` rules.
pub fn isolates(policy: &Node, dir: Direction) -> bool {
    match policy.at(&["spec", "policyTypes"]) {
        Some(types) if types.is_seq() => types
            .items()
            .iter()
            .any(|t| t.as_str() == Some(dir.policy_type())),
        _ => match dir {
            Direction::Ingress => true,
            Direction::Egress => policy.at(&["spec", "egress"]).is_some(),
        },
    }
}

/// True for a label selector that selects everything (`{}`, null or without terms).
pub fn selects_all(selector: Option<&Node>) -> bool {
    let Some(s) = selector else { return true };
    s.is_null()
        || (s.get("matchLabels").is_none_or(|m| m.entries().is_empty())
            && s.get("matchExpressions")
                .is_none_or(|m| m.items().is_empty()))
}

/// Why a peer admits any address, if it does, with the field that says so: `0.0.0.0/0` or
/// `::/0` with no `except`, or a namespace selector matching every namespace without a pod
/// selector narrowing it.
pub fn peer_admits_all(peer: &Node) -> Option<(&Node, &'static str, &'static str)> {
    if let Some(block) = peer.get("ipBlock") {
        let cidr = block.get("cidr")?;
        let open = matches!(cidr.as_str().map(str::trim), Some("0.0.0.0/0" | "::/0"));
        let except = block.get("except").is_some_and(|e| !e.items().is_empty());
        return (open && !except).then_some((cidr, ".ipBlock.cidr", "any address (ipBlock /0)"));
    }
    let ns = peer.get("namespaceSelector");
    let pods = peer.get("podSelector");
    if let Some(n) = ns
        && selects_all(ns)
        && selects_all(pods)
    {
        return Some((n, ".namespaceSelector", "every pod in every namespace"));
    }
    if ns.is_none() && pods.is_none() {
        // An empty peer is rejected by the API server; read literally it restricts nothing.
        return Some((peer, "", "any peer (empty peer)"));
    }
    None
}

/// Where a rule admits all traffic: the rule itself, or its peer at an index, the field of the
/// peer that admits all following the index (`.ipBlock.cidr`, `.namespaceSelector`, nothing).
pub type AdmitsAll<'a> = (&'a Node, Option<(usize, &'static str)>, &'static str);

/// Why a rule of `dir` admits all traffic, if it does, with the field to point at: no port
/// restriction, and no peers (or an empty peer list) or a peer that admits everything.
pub fn rule_admits_all(rule: &Node, dir: Direction) -> Option<AdmitsAll<'_>> {
    if rule.get("ports").is_some_and(|p| !p.items().is_empty()) {
        return None;
    }
    let all = match dir {
        Direction::Ingress => "traffic from any source on every port",
        Direction::Egress => "traffic to any destination on every port",
    };
    match rule.get(dir.peers_key()) {
        None => Some((rule, None, all)),
        Some(p) if p.items().is_empty() => Some((rule, None, all)),
        Some(p) => p.items().iter().enumerate().find_map(|(j, peer)| {
            peer_admits_all(peer).map(|(at, field, why)| (at, Some((j, field)), why))
        }),
    }
}

/// Reports each rule of a NetworkPolicy that admits all traffic in `dir` (shared by the
/// allow-all ingress and egress checks).
pub fn report_allow_all(ctx: &crate::Context, out: &mut crate::Emit, dir: Direction) {
    if !is_network_policy(ctx.object) {
        return;
    }
    let key = dir.rules_key();
    let Some(rules) = ctx.object.root.at(&["spec", key]) else {
        return;
    };
    for (i, rule) in rules.items().iter().enumerate() {
        if let Some((at, peer, why)) = rule_admits_all(rule, dir) {
            let path = match peer {
                None => stockade_model::format_exact!("spec.{key}[{i}]"),
                Some((j, field)) => {
                    let peers = dir.peers_key();
                    stockade_model::format_exact!("spec.{key}[{i}].{peers}[{j}]{field}")
                }
            };
            out.at(
                at,
                path,
                stockade_model::format_exact!(
                    "NetworkPolicy \"{}\" {key} rule {i} allows {why}",
                    ctx.object.name
                ),
            );
        }
    }
}

/// Whether `cidr` contains `ip`; `None` when `cidr` is not a CIDR of the same family.
pub fn cidr_contains(cidr: &str, ip: IpAddr) -> Option<bool> {
    let (addr, len) = cidr.trim().split_once('/')?;
    let addr: IpAddr = addr.parse().ok()?;
    let len: u32 = len.parse().ok()?;
    match (addr, ip) {
        (IpAddr::V4(a), IpAddr::V4(b)) if len <= 32 => {
            let mask = u32::MAX.checked_shl(32 - len).unwrap_or(0);
            Some(u32::from(a) & mask == u32::from(b) & mask)
        }
        (IpAddr::V6(a), IpAddr::V6(b)) if len <= 128 => {
            let mask = u128::MAX.checked_shl(128 - len).unwrap_or(0);
            Some(u128::from(a) & mask == u128::from(b) & mask)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::cidr_contains;

    #[test]
    fn cidrs() {
        let ip = "169.254.169.254".parse().unwrap();
        assert_eq!(cidr_contains("0.0.0.0/0", ip), Some(true));
        assert_eq!(cidr_contains("169.254.0.0/16", ip), Some(true));
        assert_eq!(cidr_contains("169.254.169.254/32", ip), Some(true));
        assert_eq!(cidr_contains("10.0.0.0/8", ip), Some(false));
        assert_eq!(cidr_contains("::/0", ip), None);
        assert_eq!(cidr_contains("10.0.0.0/33", ip), None);
        assert_eq!(cidr_contains("garbage", ip), None);
        let v6 = "fd00:ec2::254".parse().unwrap();
        assert_eq!(cidr_contains("::/0", v6), Some(true));
        assert_eq!(cidr_contains("fd00::/8", v6), Some(true));
        assert_eq!(cidr_contains("2001:db8::/32", v6), Some(false));
    }
}
