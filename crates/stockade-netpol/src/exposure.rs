//! `--exposure`: what each policy admits from or to any workload its selectors match,
//! deployed or not. Selectors are printed as label expressions (`app=web,tier in (a,b)`),
//! so the answer holds for workloads added later.

use std::fmt::Write as _;

use serde::Serialize;

use crate::cluster::{
    Action, AdminPeer, AdminPolicy, AdminPort, AdminRule, Cluster, NS_NAME_LABEL, NetworkPolicy,
    NpPeer, NpPort, NpRule, PortRef,
};
use crate::selector::{Op, Selector};

/// A selector as a label expression: `app=web,tier in (a,b),!debug`; `*` matches all.
pub fn selector_expr(s: &Selector) -> String {
    if s.is_empty() {
        return "*".to_string();
    }
    let mut parts: Vec<String> = s.labels.iter().map(|(k, v)| format!("{k}={v}")).collect();
    for e in &s.exprs {
        parts.push(match e.op {
            Op::In => format!("{} in ({})", e.key, e.values.join(",")),
            Op::NotIn => format!("{} notin ({})", e.key, e.values.join(",")),
            Op::Exists => e.key.clone(),
            Op::DoesNotExist => format!("!{}", e.key),
        });
    }
    parts.join(",")
}

/// Namespaces a selector picks: `namespace shop` when it only names one, else the expression.
fn namespaces_expr(s: &Selector) -> String {
    if s.is_empty() {
        return "all namespaces".to_string();
    }
    if s.exprs.is_empty()
        && let [(k, v)] = s.labels.as_slice()
        && k == NS_NAME_LABEL
    {
        return format!("namespace {v}");
    }
    format!("namespaces [{}]", selector_expr(s))
}

fn pods_expr(s: &Selector) -> String {
    if s.is_empty() {
        "all pods".to_string()
    } else {
        format!("pods [{}]", selector_expr(s))
    }
}

fn np_peer(policy_ns: &str, p: &NpPeer) -> String {
    match p {
        NpPeer::IpBlock(set) if set.is_empty() => "no address (invalid ipBlock)".to_string(),
        NpPeer::IpBlock(set) => format!("ipBlock {set}"),
        NpPeer::Pods {
            namespaces: None,
            pods: None,
        } => "nothing (empty peer)".to_string(),
        NpPeer::Pods {
            namespaces: None,
            pods: Some(p),
        } => format!("{} in namespace {policy_ns}", pods_expr(p)),
        NpPeer::Pods {
            namespaces: Some(n),
            pods,
        } => format!(
            "{} in {}",
            pods_expr(pods.as_ref().unwrap_or(&Selector::default())),
            namespaces_expr(n)
        ),
    }
}

fn np_ports(ports: &[NpPort]) -> String {
    if ports.is_empty() {
        return "All Connections".to_string();
    }
    ports
        .iter()
        .map(|p| {
            let proto = p.protocol.as_str();
            match (&p.port, p.end_port) {
                (None, _) => format!("{proto} all ports"),
                (Some(PortRef::Number(n)), Some(e)) if e > *n => format!("{proto} {n}-{e}"),
                (Some(PortRef::Number(n)), _) => format!("{proto} {n}"),
                (Some(PortRef::Name(name)), _) => format!("{proto} named port '{name}'"),
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

fn admin_peer(p: &AdminPeer) -> String {
    match p {
        AdminPeer::Namespaces(n) => format!("all pods in {}", namespaces_expr(n)),
        AdminPeer::Pods { namespaces, pods } => {
            format!("{} in {}", pods_expr(pods), namespaces_expr(namespaces))
        }
        AdminPeer::Networks(set) => format!("networks {set}"),
        AdminPeer::Unsupported => "nodes or other peers (not analysed)".to_string(),
    }
}

fn admin_ports(ports: &Option<Vec<AdminPort>>) -> String {
    let Some(ports) = ports else {
        return "All Connections".to_string();
    };
    ports
        .iter()
        .map(|p| match p {
            AdminPort::Number(proto, n) => format!("{} {n}", proto.as_str()),
            AdminPort::Range(proto, s, e) => format!("{} {s}-{e}", proto.as_str()),
            AdminPort::Named(name) => format!("named port '{name}'"),
        })
        .collect::<Vec<_>>()
        .join(",")
}

/// One rule of a policy, as exposure.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RuleExposure {
    /// 1-based rule number in its direction.
    pub rule: usize,
    /// `Allow`, `Deny` or `Pass` (NetworkPolicy rules always allow).
    pub action: &'static str,
    /// The admin rule's name, if any.
    #[serde(skip_serializing_if = "String::is_empty")]
    pub name: String,
    /// Who: pods by label expression and namespace, ipBlocks, or `any peer`.
    pub peers: Vec<String>,
    /// What: `All Connections` or protocols with ports (named ports by name).
    pub ports: String,
}

/// One direction of a policy.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DirectionExposure {
    /// Whether the policy restricts this direction for the pods it selects (for admin
    /// policies: whether it has rules in it).
    pub restricts: bool,
    /// Its rules, in order.
    pub rules: Vec<RuleExposure>,
}

/// One policy's exposure.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PolicyExposure {
    /// `NetworkPolicy`, `AdminNetworkPolicy` or `BaselineAdminNetworkPolicy`.
    pub kind: &'static str,
    /// `ns/name` for a NetworkPolicy, the name for admin policies.
    pub name: String,
    /// An AdminNetworkPolicy's priority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub priority: Option<i64>,
    /// The pods it applies to, as a label expression, whether deployed or not.
    pub applies_to: String,
    /// The workloads of the input it applies to now.
    pub deployed: Vec<String>,
    /// Ingress.
    pub ingress: DirectionExposure,
    /// Egress.
    pub egress: DirectionExposure,
}

fn np_rules(policy: &NetworkPolicy, rules: &[NpRule], any: &str) -> Vec<RuleExposure> {
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| RuleExposure {
            rule: i + 1,
            action: "Allow",
            name: String::new(),
            peers: match &r.peers {
                None => vec![any.to_string()],
                Some(ps) => ps.iter().map(|p| np_peer(&policy.namespace, p)).collect(),
            },
            ports: np_ports(&r.ports),
        })
        .collect()
}

fn admin_rules(rules: &[AdminRule]) -> Vec<RuleExposure> {
    rules
        .iter()
        .enumerate()
        .map(|(i, r)| RuleExposure {
            rule: i + 1,
            action: match r.action {
                Action::Allow => "Allow",
                Action::Deny => "Deny",
                Action::Pass => "Pass",
            },
            name: r.name.clone(),
            peers: r.peers.iter().map(admin_peer).collect(),
            ports: admin_ports(&r.ports),
        })
        .collect()
}

/// Every policy's exposure: NetworkPolicies in input order, then AdminNetworkPolicies by
/// priority, then the baseline.
pub fn exposure(cluster: &Cluster) -> Vec<PolicyExposure> {
    let mut out = Vec::new();
    for p in &cluster.policies {
        out.push(PolicyExposure {
            kind: "NetworkPolicy",
            name: p.full_name(),
            priority: None,
            applies_to: format!(
                "{} in namespace {}",
                pods_expr(&p.pod_selector),
                p.namespace
            ),
            deployed: cluster
                .workloads
                .iter()
                .filter(|w| w.namespace == p.namespace && p.pod_selector.matches(&w.labels))
                .map(|w| w.key())
                .collect(),
            ingress: DirectionExposure {
                restricts: p.affects_ingress,
                rules: np_rules(p, &p.ingress, "any source (all pods, all addresses)"),
            },
            egress: DirectionExposure {
                restricts: p.affects_egress,
                rules: np_rules(p, &p.egress, "any destination (all pods, all addresses)"),
            },
        });
    }
    let admin = |p: &AdminPolicy, kind: &'static str| {
        let subject_matches = |w: &crate::cluster::Workload| {
            let ns = cluster.namespace_labels(&w.namespace);
            match &p.subject {
                AdminPeer::Namespaces(n) => n.matches(&ns),
                AdminPeer::Pods { namespaces, pods } => {
                    namespaces.matches(&ns) && pods.matches(&w.labels)
                }
                _ => false,
            }
        };
        PolicyExposure {
            kind,
            name: p.name.clone(),
            priority: p.priority,
            applies_to: admin_peer(&p.subject),
            deployed: cluster
                .workloads
                .iter()
                .filter(|w| subject_matches(w))
                .map(|w| w.key())
                .collect(),
            ingress: DirectionExposure {
                restricts: !p.ingress.is_empty(),
                rules: admin_rules(&p.ingress),
            },
            egress: DirectionExposure {
                restricts: !p.egress.is_empty(),
                rules: admin_rules(&p.egress),
            },
        }
    };
    for p in &cluster.admin_policies {
        out.push(admin(p, "AdminNetworkPolicy"));
    }
    if let Some(b) = &cluster.baseline {
        out.push(admin(b, "BaselineAdminNetworkPolicy"));
    }
    out
}

/// The exposure as text, one block per policy.
pub fn to_text(items: &[PolicyExposure]) -> String {
    let mut out = String::new();
    for (i, p) in items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = write!(out, "{} {}", p.kind, p.name);
        if let Some(prio) = p.priority {
            let _ = write!(out, " (priority {prio})");
        }
        out.push('\n');
        let _ = writeln!(out, "  applies to: {}", p.applies_to);
        let deployed = if p.deployed.is_empty() {
            "none".to_string()
        } else {
            p.deployed.join(", ")
        };
        let _ = writeln!(out, "  deployed now: {deployed}");
        for (word, from_to, d) in [("ingress", "from", &p.ingress), ("egress", "to", &p.egress)] {
            if !d.restricts {
                let _ = writeln!(out, "  {word}: not restricted by this policy");
                continue;
            }
            if d.rules.is_empty() {
                let _ = writeln!(out, "  {word}: nothing allowed by this policy (deny all)");
                continue;
            }
            let _ = writeln!(out, "  {word}:");
            for r in &d.rules {
                let name = if r.name.is_empty() {
                    String::new()
                } else {
                    format!(" '{}'", r.name)
                };
                let _ = writeln!(
                    out,
                    "    rule #{}{name}: {} {from_to} {} : {}",
                    r.rule,
                    r.action,
                    r.peers.join(" | "),
                    r.ports
                );
            }
        }
    }
    out
}
