//! Invariants of the engine: adding a policy never widens what an isolated pod accepts in that
//! direction, and a deny-all policy empties that direction.

use proptest::prelude::*;
use stockade_netpol::{Cluster, Direction, Engine, IpSet, Peer};

fn workloads_yaml(labels: &[(u8, u8)]) -> String {
    labels
        .iter()
        .enumerate()
        .map(|(i, (ns, tier))| {
            format!(
                "apiVersion: v1\nkind: Pod\nmetadata:\n  name: p{i}\n  namespace: ns{ns}\n  labels: {{tier: t{tier}}}\nspec:\n  containers:\n  - name: c\n    image: x\n    ports:\n    - {{name: web, containerPort: 80}}\n---\n"
            )
        })
        .collect()
}

/// A random policy: selector, direction, one rule with random peers and ports.
#[derive(Debug, Clone)]
struct Policy {
    ns: u8,
    tier: Option<u8>,
    egress: bool,
    peer: u8,
    port: u8,
    deny_all: bool,
}

fn policy_yaml(i: usize, p: &Policy) -> String {
    let sel = match p.tier {
        Some(t) => format!("{{matchLabels: {{tier: t{t}}}}}"),
        None => "{}".to_string(),
    };
    let dir = if p.egress { "Egress" } else { "Ingress" };
    let key = if p.egress { "egress" } else { "ingress" };
    let peers_key = if p.egress { "to" } else { "from" };
    let rule = if p.deny_all {
        String::new()
    } else {
        let peer = match p.peer % 4 {
            0 => format!(
                "    - podSelector: {{matchLabels: {{tier: t{}}}}}\n",
                p.peer % 3
            ),
            1 => format!(
                "    - namespaceSelector: {{matchLabels: {{kubernetes.io/metadata.name: ns{}}}}}\n",
                p.peer % 3
            ),
            2 => "    - ipBlock: {cidr: 10.0.0.0/8, except: [10.1.0.0/16]}\n".to_string(),
            _ => String::new(),
        };
        let peers = if peer.is_empty() {
            String::new()
        } else {
            format!("    {peers_key}:\n{peer}")
        };
        let port = match p.port % 4 {
            0 => "    ports: [{port: 80}]\n",
            1 => "    ports: [{port: web}]\n",
            2 => "    ports: [{protocol: UDP, port: 50, endPort: 60}]\n",
            _ => "",
        };
        format!("  {key}:\n  - {{}}\n{peers}{port}").replace("  - {}\n    ", "  - ")
    };
    format!(
        "apiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: np{i}\n  namespace: ns{}\nspec:\n  podSelector: {sel}\n  policyTypes: [{dir}]\n{rule}---\n",
        p.ns
    )
}

fn cluster(yaml: &str) -> Cluster {
    let loaded = stockade_model::load("p.yaml", yaml.as_bytes());
    assert!(loaded.errors.is_empty(), "{:?}\n{yaml}", loaded.errors);
    Cluster::from_objects(&loaded.objects)
}

fn policy() -> impl Strategy<Value = Policy> {
    (
        0u8..3,
        proptest::option::of(0u8..3),
        any::<bool>(),
        0u8..12,
        0u8..8,
        proptest::bool::weighted(0.2),
    )
        .prop_map(|(ns, tier, egress, peer, port, deny_all)| Policy {
            ns,
            tier,
            egress,
            peer,
            port,
            deny_all,
        })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// NetworkPolicies are additive allow-lists, so adding one never widens a direction in
    /// which a pod was not isolated, never narrows one in which it was, and widens by at most
    /// what the new policy allows on its own.
    #[test]
    fn adding_a_policy_widens_by_at_most_what_it_allows(
        pods in proptest::collection::vec((0u8..3, 0u8..3), 2..6),
        base in proptest::collection::vec(policy(), 0..4),
        extra in policy(),
    ) {
        let pods_yaml = workloads_yaml(&pods);
        let before_yaml: String = base.iter().enumerate().map(|(i, p)| policy_yaml(i, p)).collect();
        let extra_yaml = policy_yaml(99, &extra);
        let before = cluster(&format!("{pods_yaml}{before_yaml}"));
        let after = cluster(&format!("{pods_yaml}{before_yaml}{extra_yaml}"));
        let alone = cluster(&format!("{pods_yaml}{extra_yaml}"));
        let (eb, ea, ex) = (Engine::new(&before), Engine::new(&after), Engine::new(&alone));
        let ip = IpSet::from_cidr("10.2.0.0/16").unwrap();
        for dir in [Direction::Ingress, Direction::Egress] {
            for i in 0..before.workloads.len() {
                let (wb, wa, wx) = (&before.workloads[i], &after.workloads[i], &alone.workloads[i]);
                let isolated = eb.is_isolated(Peer::Workload(wb), dir);
                let selected_by_extra = ex.is_isolated(Peer::Workload(wx), dir);
                for j in 0..=before.workloads.len() {
                    let n = before.workloads.len();
                    let (ob, oa, ox) = if j < n {
                        (
                            Peer::Workload(&before.workloads[j]),
                            Peer::Workload(&after.workloads[j]),
                            Peer::Workload(&alone.workloads[j]),
                        )
                    } else {
                        (Peer::Ip(&ip), Peer::Ip(&ip), Peer::Ip(&ip))
                    };
                    let b = eb.allowed(Peer::Workload(wb), ob, dir);
                    let a = ea.allowed(Peer::Workload(wa), oa, dir);
                    let own = if selected_by_extra {
                        ex.allowed(Peer::Workload(wx), ox, dir)
                    } else {
                        stockade_netpol::ConnSet::none()
                    };
                    if isolated {
                        prop_assert!(b.is_subset(&a), "{dir:?} of {} narrowed: {b} -> {a}", wb.key());
                        prop_assert!(a.is_subset(&b.union(&own)), "{dir:?} of {} widened beyond the new policy: {b} -> {a}", wb.key());
                    } else {
                        prop_assert!(a.is_subset(&b), "{dir:?} of {} widened: {b} -> {a}", wb.key());
                    }
                    if !selected_by_extra {
                        prop_assert_eq!(&a, &b);
                    }
                }
            }
        }
    }

    #[test]
    fn deny_all_empties_the_direction(
        pods in proptest::collection::vec((0u8..3, 0u8..3), 2..6),
        base in proptest::collection::vec(policy(), 0..4),
        ns in 0u8..3,
        egress in any::<bool>(),
    ) {
        let deny = Policy { ns, tier: None, egress, peer: 0, port: 0, deny_all: true };
        let yaml: String = base.iter().enumerate().map(|(i, p)| policy_yaml(i, p)).collect();
        let c = cluster(&format!("{}{yaml}{}", workloads_yaml(&pods), policy_yaml(99, &deny)));
        let e = Engine::new(&c);
        let dir = if egress { Direction::Egress } else { Direction::Ingress };
        let ip = IpSet::from_cidr("10.2.0.0/16").unwrap();
        for w in c.workloads.iter().filter(|w| w.namespace == format!("ns{ns}")) {
            // Other policies may allow more: deny-all only isolates. Without them, nothing.
            let allowing = e.selecting_policies(Peer::Workload(w), dir).count() > 1;
            for o in c.workloads.iter().map(Peer::Workload).chain([Peer::Ip(&ip)]) {
                let got = e.allowed(Peer::Workload(w), o, dir);
                if !allowing {
                    prop_assert!(got.is_empty(), "{dir:?} of {} not empty: {got}", w.key());
                }
            }
        }
    }
}
