//! The connectivity engine: what one peer may send to another under AdminNetworkPolicies,
//! NetworkPolicies and the BaselineAdminNetworkPolicy, and the resulting connection list.

use std::collections::BTreeMap;
use std::fmt;

use rayon::prelude::*;

use crate::cluster::{
    Action, AdminPeer, AdminPolicy, AdminPort, Cluster, NetworkPolicy, NpPeer, NpRule, PortRef,
    Workload,
};
use crate::conn::{ConnSet, PortSet, Protocol};
use crate::ip::{IpSet, disjoint_blocks};
use crate::selector::Labels;

/// Namespace of the stand-in pod for the ingress controller (as netpol-analyzer names it).
pub const INGRESS_CONTROLLER_NS: &str = "ingress-controller-ns";

/// One end of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Endpoint {
    /// A workload, by its `ns/name[Kind]` key.
    Workload(String),
    /// External addresses.
    External(IpSet),
    /// Traffic admitted through Ingress or Route objects.
    IngressController,
}

impl Endpoint {
    /// True for external addresses.
    pub fn is_external(&self) -> bool {
        matches!(self, Endpoint::External(_))
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Endpoint::Workload(k) => f.write_str(k),
            Endpoint::External(ips) => write!(f, "{ips}[External]"),
            Endpoint::IngressController => f.write_str("{ingress-controller}"),
        }
    }
}

/// An allowed connection between two different endpoints.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Connection {
    /// Source.
    pub src: Endpoint,
    /// Destination.
    pub dst: Endpoint,
    /// What is allowed.
    pub conn: ConnSet,
}

/// A peer as the engine sees it.
#[derive(Debug, Clone, Copy)]
pub enum Peer<'a> {
    /// A workload.
    Workload(&'a Workload),
    /// External addresses.
    Ip(&'a IpSet),
    /// The ingress controller: a pod with no labels in its own namespace.
    IngressController,
}

impl Peer<'_> {
    fn namespace(&self) -> Option<&str> {
        match self {
            Peer::Workload(w) => Some(&w.namespace),
            Peer::IngressController => Some(INGRESS_CONTROLLER_NS),
            Peer::Ip(_) => None,
        }
    }

    fn labels(&self) -> Option<&Labels> {
        static EMPTY: Labels = Labels::new();
        match self {
            Peer::Workload(w) => Some(&w.labels),
            Peer::IngressController => Some(&EMPTY),
            Peer::Ip(_) => None,
        }
    }

    fn workload(&self) -> Option<&Workload> {
        match self {
            Peer::Workload(w) => Some(w),
            _ => None,
        }
    }
}

/// Which way traffic is checked: the destination's ingress, or the source's egress.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Checked at the destination.
    Ingress,
    /// Checked at the source.
    Egress,
}

/// Evaluates connectivity over one [`Cluster`].
pub struct Engine<'c> {
    cluster: &'c Cluster,
    ns_labels: BTreeMap<String, Labels>,
    /// Each namespace's run of workloads (workloads are sorted by namespace), with the
    /// namespace's labels.
    ns_runs: Vec<(std::ops::Range<usize>, Labels)>,
    /// Per workload: indices of the policies isolating it for ingress, and for egress.
    selecting: Vec<[Vec<usize>; 2]>,
    /// Per policy, per direction (ingress, egress), per rule: what the rule selects,
    /// computed once so the pair loop does no selector matching.
    rules: Vec<[Vec<RulePre>; 2]>,
}

/// A NetworkPolicy rule, precomputed: which workloads its peers select (a bitset over
/// workload indices), whether it selects the ingress controller, and its traffic when that
/// does not depend on the destination (no named ports).
struct RulePre {
    selects: Vec<u64>,
    selects_ingress_controller: bool,
    conn: Option<ConnSet>,
}

impl RulePre {
    fn selects_workload(&self, i: usize) -> bool {
        self.selects[i / 64] & (1 << (i % 64)) != 0
    }
}

impl<'c> Engine<'c> {
    /// Prepares an engine.
    pub fn new(cluster: &'c Cluster) -> Self {
        let mut ns_labels = BTreeMap::new();
        let names = cluster
            .workloads
            .iter()
            .map(|w| w.namespace.as_str())
            .chain(cluster.policies.iter().map(|p| p.namespace.as_str()))
            .chain(cluster.namespaces.keys().map(String::as_str))
            .chain([INGRESS_CONTROLLER_NS]);
        for ns in names {
            if !ns_labels.contains_key(ns) {
                ns_labels.insert(ns.to_string(), cluster.namespace_labels(ns));
            }
        }
        // Which policies select each workload, per direction: a policy selects only pods of
        // its own namespace, so each policy visits that namespace's workloads. Policies are
        // visited in order, so each list is in policy order.
        let mut selecting: Vec<[Vec<usize>; 2]> =
            vec![[Vec::new(), Vec::new()]; cluster.workloads.len()];
        for (pi, p) in cluster.policies.iter().enumerate() {
            if !p.affects_ingress && !p.affects_egress {
                continue;
            }
            for wi in cluster.select_in(&p.namespace, &p.pod_selector) {
                if p.affects_ingress {
                    selecting[wi][0].push(pi);
                }
                if p.affects_egress {
                    selecting[wi][1].push(pi);
                }
            }
        }
        let mut runs: Vec<(&str, std::ops::Range<usize>)> = Vec::new();
        for (i, w) in cluster.workloads.iter().enumerate() {
            match runs.last_mut() {
                Some((ns, range)) if *ns == w.namespace => range.end = i + 1,
                _ => runs.push((&w.namespace, i..i + 1)),
            }
        }
        let ns_runs = runs
            .into_iter()
            .map(|(ns, range)| (range, ns_labels[ns].clone()))
            .collect();
        let mut engine = Self {
            cluster,
            ns_labels,
            ns_runs,
            selecting,
            rules: Vec::new(),
        };
        engine.rules = cluster
            .policies
            .iter()
            .map(|p| {
                [
                    engine.precompute(p, &p.ingress),
                    engine.precompute(p, &p.egress),
                ]
            })
            .collect();
        engine
    }

    fn precompute(&self, policy: &NetworkPolicy, rules: &[NpRule]) -> Vec<RulePre> {
        let words = self.cluster.workloads.len().div_ceil(64);
        rules
            .iter()
            .map(|rule| {
                let picks = |other: Peer<'_>| match &rule.peers {
                    None => true,
                    Some(peers) => peers.iter().any(|p| self.np_peer_matches(policy, p, other)),
                };
                let mut selects = vec![0u64; words];
                let mut set = |i: usize| selects[i / 64] |= 1 << (i % 64);
                match &rule.peers {
                    None => (0..self.cluster.workloads.len()).for_each(&mut set),
                    Some(peers) => {
                        for peer in peers {
                            match peer {
                                // Pods of the policy's own namespace: its workloads only.
                                NpPeer::Pods {
                                    namespaces: None,
                                    pods: Some(sel),
                                } => self
                                    .cluster
                                    .select_in(&policy.namespace, sel)
                                    .into_iter()
                                    .for_each(&mut set),
                                // Pods of the namespaces a selector picks: each namespace is
                                // matched once, not once per workload.
                                NpPeer::Pods {
                                    namespaces: Some(ns_sel),
                                    pods,
                                } => {
                                    for (range, labels) in &self.ns_runs {
                                        if !ns_sel.matches(labels) {
                                            continue;
                                        }
                                        match pods {
                                            Some(sel) => self
                                                .cluster
                                                .select_among(range.clone(), sel)
                                                .into_iter()
                                                .for_each(&mut set),
                                            None => range.clone().for_each(&mut set),
                                        }
                                    }
                                }
                                _ => {
                                    for (i, w) in self.cluster.workloads.iter().enumerate() {
                                        if self.np_peer_matches(policy, peer, Peer::Workload(w)) {
                                            set(i);
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
                let named = rule
                    .ports
                    .iter()
                    .any(|p| matches!(p.port, Some(PortRef::Name(_))));
                RulePre {
                    selects,
                    selects_ingress_controller: picks(Peer::IngressController),
                    conn: (!named).then(|| Self::rule_ports(rule, Peer::IngressController)),
                }
            })
            .collect()
    }

    /// The index of a workload of this cluster.
    fn workload_index(&self, w: &Workload) -> Option<usize> {
        let base = self.cluster.workloads.as_ptr() as usize;
        let addr = w as *const Workload as usize;
        let size = std::mem::size_of::<Workload>();
        let i = addr.checked_sub(base)? / size;
        (i < self.cluster.workloads.len() && std::ptr::eq(&self.cluster.workloads[i], w))
            .then_some(i)
    }

    /// The cluster.
    pub fn cluster(&self) -> &'c Cluster {
        self.cluster
    }

    fn ns_labels(&self, ns: &str) -> Labels {
        self.ns_labels
            .get(ns)
            .cloned()
            .unwrap_or_else(|| self.cluster.namespace_labels(ns))
    }

    fn ns_matches(&self, ns: &str, sel: &crate::selector::Selector) -> bool {
        match self.ns_labels.get(ns) {
            Some(l) => sel.matches(l),
            None => sel.matches(&self.ns_labels(ns)),
        }
    }

    /// NetworkPolicies that select `peer` and isolate it in `dir`.
    pub fn selecting_policies<'p>(
        &'p self,
        peer: Peer<'_>,
        dir: Direction,
    ) -> Box<dyn Iterator<Item = &'c NetworkPolicy> + 'p> {
        if let Peer::Workload(w) = peer
            && let Some(i) = self.workload_index(w)
        {
            let d = match dir {
                Direction::Ingress => 0,
                Direction::Egress => 1,
            };
            let policies = &self.cluster.policies;
            return Box::new(self.selecting[i][d].iter().map(move |&p| &policies[p]));
        }
        let ns = peer.namespace().map(str::to_string);
        let labels = peer.labels().cloned();
        Box::new(self.cluster.policies.iter().filter(move |p| {
            let (Some(ns), Some(labels)) = (&ns, &labels) else {
                return false;
            };
            let affects = match dir {
                Direction::Ingress => p.affects_ingress,
                Direction::Egress => p.affects_egress,
            };
            affects && &p.namespace == ns && p.pod_selector.matches(labels)
        }))
    }

    /// True when an AdminNetworkPolicy or the BaselineAdminNetworkPolicy has `peer` as its
    /// subject and rules in `dir`: admin policies then decide some of its traffic.
    pub fn admin_governs(&self, peer: Peer<'_>, dir: Direction) -> bool {
        self.cluster
            .admin_policies
            .iter()
            .chain(&self.cluster.baseline)
            .any(|p| {
                let rules = match dir {
                    Direction::Ingress => &p.ingress,
                    Direction::Egress => &p.egress,
                };
                !rules.is_empty() && self.admin_peer_matches(&p.subject, peer)
            })
    }

    /// True when some NetworkPolicy isolates `peer` in `dir`.
    pub fn is_isolated(&self, peer: Peer<'_>, dir: Direction) -> bool {
        self.selecting_policies(peer, dir).next().is_some()
    }

    fn np_peer_matches(&self, policy: &NetworkPolicy, rule_peer: &NpPeer, other: Peer<'_>) -> bool {
        match (rule_peer, other) {
            (NpPeer::IpBlock(block), Peer::Ip(ip)) => !block.is_empty() && ip.is_subset(block),
            (NpPeer::IpBlock(_), _) | (NpPeer::Pods { .. }, Peer::Ip(_)) => false,
            (NpPeer::Pods { namespaces, pods }, _) => {
                if namespaces.is_none() && pods.is_none() {
                    return false;
                }
                let (Some(ns), Some(labels)) = (other.namespace(), other.labels()) else {
                    return false;
                };
                let ns_ok = match namespaces {
                    None => ns == policy.namespace,
                    Some(sel) => self.ns_matches(ns, sel),
                };
                ns_ok && pods.as_ref().is_none_or(|s| s.matches(labels))
            }
        }
    }

    /// The traffic one NetworkPolicy rule allows to `dst`, if it selects `other`.
    pub fn np_rule_conns(
        &self,
        policy: &NetworkPolicy,
        rule: &NpRule,
        other: Peer<'_>,
        dst: Peer<'_>,
    ) -> Option<ConnSet> {
        let selected = match &rule.peers {
            None => true,
            Some(peers) => peers.iter().any(|p| self.np_peer_matches(policy, p, other)),
        };
        if !selected {
            return None;
        }
        Some(Self::rule_ports(rule, dst))
    }

    /// The traffic a NetworkPolicy rule's ports allow to `dst`.
    fn rule_ports(rule: &NpRule, dst: Peer<'_>) -> ConnSet {
        if rule.ports.is_empty() {
            return ConnSet::all();
        }
        let mut out = ConnSet::none();
        for p in &rule.ports {
            let ports = match &p.port {
                None => PortSet::all(),
                Some(PortRef::Number(n)) => {
                    let end = p.end_port.unwrap_or(*n);
                    PortSet::range(*n, end)
                }
                Some(PortRef::Name(name)) => {
                    match dst.workload().and_then(|w| w.named_port(name)) {
                        Some((proto, num)) if proto == p.protocol => PortSet::range(num, num),
                        _ => PortSet::empty(),
                    }
                }
            };
            out = out.union(&ConnSet::ports(p.protocol, ports));
        }
        out
    }

    fn admin_peer_matches(&self, peer_sel: &AdminPeer, peer: Peer<'_>) -> bool {
        match (peer_sel, peer) {
            (AdminPeer::Networks(set), Peer::Ip(ip)) => !set.is_empty() && ip.is_subset(set),
            (AdminPeer::Networks(_), _) | (AdminPeer::Unsupported, _) => false,
            (_, Peer::Ip(_)) => false,
            (AdminPeer::Namespaces(sel), p) => {
                p.namespace().is_some_and(|ns| self.ns_matches(ns, sel))
            }
            (AdminPeer::Pods { namespaces, pods }, p) => {
                p.namespace()
                    .is_some_and(|ns| self.ns_matches(ns, namespaces))
                    && p.labels().is_some_and(|l| pods.matches(l))
            }
        }
    }

    fn admin_rule_ports(ports: &Option<Vec<AdminPort>>, dst: Peer<'_>) -> ConnSet {
        let Some(ports) = ports else {
            return ConnSet::all();
        };
        let mut out = ConnSet::none();
        for p in ports {
            let c = match p {
                AdminPort::Number(proto, n) => ConnSet::ports(*proto, PortSet::range(*n, *n)),
                AdminPort::Range(proto, s, e) => ConnSet::ports(*proto, PortSet::range(*s, *e)),
                AdminPort::Named(name) => match dst.workload().and_then(|w| w.named_port(name)) {
                    Some((proto, num)) => ConnSet::ports(proto, PortSet::range(num, num)),
                    None => ConnSet::none(),
                },
            };
            out = out.union(&c);
        }
        out
    }

    /// Walks admin policies' rules in order; returns (allowed, denied, decided) for the
    /// subject's traffic with `other`.
    fn admin_layer<'p>(
        &self,
        policies: impl Iterator<Item = &'p AdminPolicy>,
        subject: Peer<'_>,
        other: Peer<'_>,
        dir: Direction,
    ) -> (ConnSet, ConnSet, ConnSet) {
        let (mut allowed, mut denied, mut decided) =
            (ConnSet::none(), ConnSet::none(), ConnSet::none());
        let dst = match dir {
            Direction::Ingress => subject,
            Direction::Egress => other,
        };
        for policy in policies {
            if !self.admin_peer_matches(&policy.subject, subject) {
                continue;
            }
            let rules = match dir {
                Direction::Ingress => &policy.ingress,
                Direction::Egress => &policy.egress,
            };
            for rule in rules {
                if !rule.peers.iter().any(|p| self.admin_peer_matches(p, other)) {
                    continue;
                }
                let new = Self::admin_rule_ports(&rule.ports, dst).subtract(&decided);
                match rule.action {
                    Action::Allow => allowed = allowed.union(&new),
                    Action::Deny => denied = denied.union(&new),
                    Action::Pass => {}
                }
                decided = decided.union(&new);
                if decided.is_all() {
                    return (allowed, denied, decided);
                }
            }
        }
        (allowed, denied, decided)
    }

    /// The rules of one admin policy that match this pair, in order, with the traffic each
    /// decides (what earlier rules of the same policy did not).
    pub fn allowed_by_admin_rules(
        &self,
        policy: &AdminPolicy,
        subject: Peer<'_>,
        other: Peer<'_>,
        dir: Direction,
    ) -> Vec<(usize, Action, ConnSet)> {
        let mut out = Vec::new();
        if !self.admin_peer_matches(&policy.subject, subject) {
            return out;
        }
        let dst = match dir {
            Direction::Ingress => subject,
            Direction::Egress => other,
        };
        let rules = match dir {
            Direction::Ingress => &policy.ingress,
            Direction::Egress => &policy.egress,
        };
        let mut decided = ConnSet::none();
        for (i, rule) in rules.iter().enumerate() {
            if !rule.peers.iter().any(|p| self.admin_peer_matches(p, other)) {
                continue;
            }
            let new = Self::admin_rule_ports(&rule.ports, dst).subtract(&decided);
            if !new.is_empty() {
                decided = decided.union(&new);
                out.push((i, rule.action, new));
            }
        }
        out
    }

    /// What `subject` allows in `dir` to or from `other`, all policy layers considered:
    /// AdminNetworkPolicies by priority (Allow/Deny final, Pass falls through), then
    /// NetworkPolicies (if any isolates the subject, only what they allow), else the baseline
    /// (its Deny rules), else allow.
    pub fn allowed(&self, subject: Peer<'_>, other: Peer<'_>, dir: Direction) -> ConnSet {
        if matches!(subject, Peer::Ip(_)) {
            return ConnSet::all();
        }
        let has_admin = !self.cluster.admin_policies.is_empty();
        let (anp_allowed, anp_denied) = if has_admin {
            let (a, d, _) =
                self.admin_layer(self.cluster.admin_policies.iter(), subject, other, dir);
            if a.union(&d).is_all() {
                return a;
            }
            (a, d)
        } else {
            (ConnSet::none(), ConnSet::none())
        };
        let dst = match dir {
            Direction::Ingress => subject,
            Direction::Egress => other,
        };
        let mut np_captured = false;
        let mut np_allowed = ConnSet::none();
        let d = match dir {
            Direction::Ingress => 0,
            Direction::Egress => 1,
        };
        let computed: Vec<usize>;
        let selecting: &[usize] = match subject.workload().and_then(|w| self.workload_index(w)) {
            Some(i) => &self.selecting[i][d],
            None => {
                let policies = &self.cluster.policies;
                computed = self
                    .selecting_policies(subject, dir)
                    .map(|p| {
                        policies
                            .iter()
                            .position(|q| std::ptr::eq(p, q))
                            .expect("a policy of this cluster")
                    })
                    .collect();
                &computed
            }
        };
        let other_index = other.workload().and_then(|w| self.workload_index(w));
        let mut dst_conns: Option<ConnSet> = None;
        'policies: for &pi in selecting {
            np_captured = true;
            let policy = &self.cluster.policies[pi];
            let rules = match dir {
                Direction::Ingress => &policy.ingress,
                Direction::Egress => &policy.egress,
            };
            for (rule, pre) in rules.iter().zip(&self.rules[pi][d]) {
                let selected = match (other, other_index) {
                    (_, Some(j)) => pre.selects_workload(j),
                    (Peer::IngressController, _) => pre.selects_ingress_controller,
                    _ => {
                        if let Some(c) = self.np_rule_conns(policy, rule, other, dst) {
                            dst_conns = Some(c);
                        }
                        false
                    }
                };
                let owned;
                let c = if selected {
                    match &pre.conn {
                        Some(c) => c,
                        None => {
                            owned = Self::rule_ports(rule, dst);
                            &owned
                        }
                    }
                } else if let Some(c) = dst_conns.take() {
                    owned = c;
                    &owned
                } else {
                    continue;
                };
                if c.is_all() {
                    np_allowed = ConnSet::all();
                    break 'policies;
                }
                np_allowed = np_allowed.union(c);
            }
        }
        if !has_admin && self.cluster.baseline.is_none() {
            return if np_captured {
                np_allowed
            } else {
                ConnSet::all()
            };
        }
        let lower = if np_captured {
            np_allowed
        } else {
            match &self.cluster.baseline {
                Some(b) => {
                    let (a, _d, dec) = self.admin_layer(std::iter::once(b), subject, other, dir);
                    a.union(&dec.complement())
                }
                None => ConnSet::all(),
            }
        };
        anp_allowed.union(&lower.subtract(&anp_denied))
    }

    /// What `src` may send to `dst`: its egress and the destination's ingress both allow it.
    pub fn connection(&self, src: Peer<'_>, dst: Peer<'_>) -> ConnSet {
        let egress = self.allowed(src, dst, Direction::Egress);
        if egress.is_empty() {
            return egress;
        }
        let ingress = self.allowed(dst, src, Direction::Ingress);
        if egress.is_all() {
            return ingress;
        }
        egress.intersect(&ingress)
    }

    /// External address blocks as sources (cut by ingress ipBlocks) and as destinations (cut by
    /// egress ipBlocks and admin `networks`).
    pub fn external_blocks(&self) -> (Vec<IpSet>, Vec<IpSet>) {
        let mut src = Vec::new();
        let mut dst = Vec::new();
        for p in &self.cluster.policies {
            for (rules, out) in [(&p.ingress, &mut src), (&p.egress, &mut dst)] {
                for r in rules {
                    for peer in r.peers.iter().flatten() {
                        if let NpPeer::IpBlock(b) = peer {
                            out.extend(b.split());
                        }
                    }
                }
            }
        }
        for a in self
            .cluster
            .admin_policies
            .iter()
            .chain(&self.cluster.baseline)
        {
            for r in &a.egress {
                for peer in &r.peers {
                    if let AdminPeer::Networks(n) = peer {
                        dst.extend(n.split());
                    }
                }
            }
        }
        (disjoint_blocks(&src), disjoint_blocks(&dst))
    }

    /// Every allowed connection between workloads, external blocks and the ingress controller,
    /// sorted by source then destination as printed. Self-connections are left out.
    pub fn connections(&self) -> Vec<Connection> {
        let workloads = &self.cluster.workloads;
        if workloads.is_empty() {
            return Vec::new();
        }
        let (src_ips, dst_ips) = self.external_blocks();
        // Endpoints by index: workloads, source blocks, destination blocks, the ingress
        // controller. Connections are gathered as index pairs and sorted by the rank of each
        // endpoint's printed form, so no strings are built or compared per connection.
        let n = workloads.len();
        let src_ip0 = n;
        let dst_ip0 = src_ip0 + src_ips.len();
        let ingress = dst_ip0 + dst_ips.len();
        let endpoint = |e: usize| -> Endpoint {
            if e < n {
                Endpoint::Workload(workloads[e].key())
            } else if e < dst_ip0 {
                Endpoint::External(src_ips[e - src_ip0].clone())
            } else if e < ingress {
                Endpoint::External(dst_ips[e - dst_ip0].clone())
            } else {
                Endpoint::IngressController
            }
        };
        let endpoints: Vec<Endpoint> = (0..=ingress).map(endpoint).collect();
        let mut order: Vec<usize> = (0..endpoints.len()).collect();
        let printed: Vec<String> = endpoints.iter().map(ToString::to_string).collect();
        // Ties (never expected: keys and blocks are distinct) go by index, so ranks are unique.
        order.sort_by(|&a, &b| printed[a].cmp(&printed[b]).then(a.cmp(&b)));
        let mut rank = vec![0u32; endpoints.len()];
        for (r, &e) in order.iter().enumerate() {
            rank[e] = r as u32;
        }
        drop(printed);

        let mut pairs: Vec<(u32, u32, ConnSet)> = Vec::new();
        for (b, ip) in src_ips.iter().enumerate() {
            for (j, w) in workloads.iter().enumerate() {
                let c = self.connection(Peer::Ip(ip), Peer::Workload(w));
                if !c.is_empty() {
                    pairs.push(((src_ip0 + b) as u32, j as u32, c));
                }
            }
        }
        let per_source: Vec<Vec<(u32, u32, ConnSet)>> = workloads
            .par_iter()
            .enumerate()
            .map(|(i, src)| {
                let mut out = Vec::new();
                for (b, ip) in dst_ips.iter().enumerate() {
                    let c = self.connection(Peer::Workload(src), Peer::Ip(ip));
                    if !c.is_empty() {
                        out.push((i as u32, (dst_ip0 + b) as u32, c));
                    }
                }
                for (j, dst) in workloads.iter().enumerate() {
                    if i == j {
                        continue;
                    }
                    let c = self.connection(Peer::Workload(src), Peer::Workload(dst));
                    if !c.is_empty() {
                        out.push((i as u32, j as u32, c));
                    }
                }
                out
            })
            .collect();
        pairs.extend(per_source.into_iter().flatten());
        for (j, c) in self.ingress_pairs() {
            pairs.push((ingress as u32, j as u32, c));
        }
        // Each (source, destination) pair occurs once and ranks are unique, so an unstable sort
        // gives the order the printed strings give.
        pairs.sort_unstable_by_key(|&(a, b, _)| {
            (u64::from(rank[a as usize]) << 32) | u64::from(rank[b as usize])
        });
        pairs
            .into_iter()
            .map(|(a, b, conn)| Connection {
                src: endpoints[a as usize].clone(),
                dst: endpoints[b as usize].clone(),
                conn,
            })
            .collect()
    }

    /// Workloads behind each Service: (namespace, name) to workload indices.
    fn service_backends(&self) -> BTreeMap<(&str, &str), (Vec<usize>, &crate::cluster::Service)> {
        let mut map = BTreeMap::new();
        for svc in &self.cluster.services {
            let peers = self.cluster.select_in(&svc.namespace, &svc.selector);
            if !peers.is_empty() {
                map.insert((svc.namespace.as_str(), svc.name.as_str()), (peers, svc));
            }
        }
        map
    }

    /// The workloads Ingress and Route objects expose, with the TCP ports they forward to,
    /// before policies are applied: workload index to ports.
    pub fn exposed_by_entry_points(&self) -> BTreeMap<usize, ConnSet> {
        let services = self.service_backends();
        let mut res: BTreeMap<usize, ConnSet> = BTreeMap::new();
        if services.is_empty() {
            return res;
        }
        for ep in &self.cluster.entry_points {
            for (svc_name, required) in &ep.backends {
                let Some((peers, svc)) = services.get(&(ep.namespace.as_str(), svc_name.as_str()))
                else {
                    continue;
                };
                for &i in peers {
                    let w = &self.cluster.workloads[i];
                    let c = entry_conn(w, svc, required.as_ref());
                    let e = res.entry(i).or_default();
                    *e = e.union(&c);
                }
            }
        }
        res
    }

    /// Workloads reachable through entry points, with what reaches them.
    fn ingress_pairs(&self) -> Vec<(usize, ConnSet)> {
        let mut out = Vec::new();
        for (i, c) in self.exposed_by_entry_points() {
            let w = &self.cluster.workloads[i];
            let allowed = self.connection(Peer::IngressController, Peer::Workload(w));
            let c = c.intersect(&allowed);
            if !c.is_empty() {
                out.push((i, c));
            }
        }
        out
    }
}

/// Sorts as netpol-analyzer prints: by source, then destination, as strings.
pub fn sort_connections(conns: &mut [Connection]) {
    conns.sort_by_cached_key(|c| (c.src.to_string(), c.dst.to_string()));
}

/// The TCP ports an entry point reaches on workload `w` through Service `svc`.
fn entry_conn(w: &Workload, svc: &crate::cluster::Service, required: Option<&PortRef>) -> ConnSet {
    let mut access: Vec<PortRef> = Vec::new();
    for sp in &svc.ports {
        let target = sp.target.clone().unwrap_or(PortRef::Number(sp.port));
        match required {
            None => access.push(target),
            Some(r) => {
                let by_name = matches!((r, &sp.name), (PortRef::Name(n), Some(s)) if n == s);
                let by_port = matches!(r, PortRef::Number(n) if *n == sp.port);
                let by_target = sp.target.as_ref() == Some(r);
                if by_name || by_port || by_target {
                    access.push(target);
                    break;
                }
            }
        }
    }
    let mut out = ConnSet::none();
    for a in access {
        let port = match a {
            PortRef::Number(n) => n,
            PortRef::Name(name) => match w.named_port(&name) {
                Some((Protocol::Tcp, n)) => n,
                _ => continue,
            },
        };
        // Upstream counts every declared container port as TCP here, whatever its protocol.
        if w.ports.iter().any(|p| p.port == port) {
            out = out.union(&ConnSet::ports(Protocol::Tcp, PortSet::range(port, port)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Workloads in namespaces that sort around each other (`a`, `a-b`, `ab`), some without a
    /// Namespace object; rules whose peers pick namespaces by selector, with and without a pod
    /// selector, by name only, and by pods of the policy's own namespace.
    const INPUT: &str = "
apiVersion: v1
kind: Namespace
metadata: {name: a, labels: {team: x}}
---
apiVersion: v1
kind: Namespace
metadata: {name: a-b, labels: {team: y}}
---
apiVersion: v1
kind: Namespace
metadata: {name: ab, labels: {team: x, env: prod}}
---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: p, namespace: a}
spec:
  podSelector: {}
  ingress:
    - from:
        - namespaceSelector: {}
    - from:
        - namespaceSelector: {matchLabels: {team: x}}
          podSelector: {matchLabels: {tier: web}}
    - from:
        - namespaceSelector:
            matchExpressions: [{key: team, operator: NotIn, values: [x]}]
    - from:
        - namespaceSelector: {matchLabels: {kubernetes.io/metadata.name: zz}}
          podSelector: {matchExpressions: [{key: tier, operator: Exists}]}
        - podSelector: {matchLabels: {tier: db}}
    - from:
        - ipBlock: {cidr: 10.0.0.0/8}
  egress:
    - to:
        - namespaceSelector: {matchLabels: {env: prod}}
";

    fn workloads() -> String {
        let mut out = String::new();
        for (i, ns) in ["a", "a-b", "ab", "zz", "default"].iter().enumerate() {
            for (j, tier) in ["web", "db", ""].iter().enumerate() {
                let labels = if tier.is_empty() {
                    String::new()
                } else {
                    format!("\n  labels: {{tier: {tier}}}")
                };
                out.push_str(&format!(
                    "---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}{j}\n  namespace: {ns}{labels}\nspec:\n  containers: [{{name: c, image: x}}]\n"
                ));
            }
        }
        out
    }

    #[test]
    fn precomputed_rule_peers_are_the_workloads_each_peer_matches() {
        let yaml = format!("{INPUT}{}", workloads());
        let loaded = stockade_model::load("t.yaml", yaml.as_bytes());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let cluster = Cluster::from_objects(&loaded.objects);
        assert_eq!(cluster.workloads.len(), 15);
        let engine = Engine::new(&cluster);
        let mut selected = 0;
        for (pi, p) in cluster.policies.iter().enumerate() {
            for (d, rules) in [&p.ingress, &p.egress].into_iter().enumerate() {
                for (ri, rule) in rules.iter().enumerate() {
                    let pre = &engine.rules[pi][d][ri];
                    for (wi, w) in cluster.workloads.iter().enumerate() {
                        let one_by_one = rule.peers.as_ref().is_none_or(|peers| {
                            peers
                                .iter()
                                .any(|x| engine.np_peer_matches(p, x, Peer::Workload(w)))
                        });
                        assert_eq!(
                            pre.selects_workload(wi),
                            one_by_one,
                            "direction {d} rule {ri}, workload {}",
                            w.key()
                        );
                        selected += usize::from(one_by_one);
                    }
                }
            }
        }
        // All 15 (any namespace); web of a, ab; all of a-b, zz, default; zz's two labelled and
        // a's db; none (ipBlock); all of ab.
        assert_eq!(selected, 15 + 2 + 9 + 3 + 3);
    }
}
