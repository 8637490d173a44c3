//! `stockade netpol suggest`: least-privilege NetworkPolicies from a declared list of flows,
//! verified by the engine to allow exactly those flows between the declared workloads.
//!
//! Per namespace in scope: a default-deny for ingress and egress (and, unless turned off, a
//! policy letting every pod resolve names through kube-dns); per declared workload of those
//! namespaces, one policy allowing its declared inbound flows (ingress) and outbound flows
//! (egress), each peer selected by the fewest pod labels that tell it apart from the other
//! workloads of its namespace.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use serde::Deserialize;
use stockade_model::Object;

use crate::cluster::{Cluster, NS_NAME_LABEL, Workload};
use crate::conn::{ConnSet, PortSet, Protocol};
use crate::eval::{Engine, Peer};
use crate::ip::IpSet;
use crate::selector::Labels;

/// One declared flow, as written in the flows file.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Flow {
    /// `ns/name` (optionally `ns/name[Kind]`) of a workload, or an IPv4 CIDR.
    pub from: String,
    /// `ns/name` (optionally `ns/name[Kind]`) of a workload.
    pub to: String,
    /// Destination port; absent means every port of the protocol.
    #[serde(default)]
    pub port: Option<u32>,
    /// `TCP` (default), `UDP` or `SCTP`.
    #[serde(default)]
    pub protocol: Option<String>,
}

/// Problems with the flows file or its references; every flow is checked before failing.
#[derive(Debug, thiserror::Error)]
pub enum SuggestError {
    /// The file is not a YAML list of flows.
    #[error("{file}: {message}")]
    Parse {
        /// The flows file.
        file: String,
        /// The parser's message (with line and column).
        message: String,
    },
    /// Flows that name unknown workloads or bad ports.
    #[error("{file}: {}", problems.join("; "))]
    Flows {
        /// The flows file.
        file: String,
        /// One message per problem, naming the flow.
        problems: Vec<String>,
    },
}

/// Parses a flows file: a YAML list of `{from, to, port, protocol}`.
pub fn parse_flows(file: &str, text: &str) -> Result<Vec<Flow>, SuggestError> {
    serde_saphyr::from_str::<Vec<Flow>>(text).map_err(|e| SuggestError::Parse {
        file: file.to_string(),
        message: e.to_string(),
    })
}

/// Suggest options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Only write policies for this namespace (flows touching it are used).
    pub namespace: Option<String>,
    /// Do not add the policy that lets pods reach kube-dns.
    pub no_dns: bool,
}

/// A flow that does not come out as declared after the suggested policies are added.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mismatch {
    /// Source.
    pub src: String,
    /// Destination.
    pub dst: String,
    /// What the flows declare.
    pub expected: ConnSet,
    /// What the engine allows.
    pub allowed: ConnSet,
}

/// The suggested policies and their verification.
#[derive(Debug, Clone)]
pub struct Suggestion {
    /// Ready-to-apply YAML (documents separated by `---`).
    pub yaml: String,
    /// Number of NetworkPolicies in `yaml`.
    pub policies: usize,
    /// Ordered pairs of declared endpoints that were checked.
    pub pairs_checked: usize,
    /// Flows used (those touching the namespaces in scope).
    pub flows_used: usize,
    /// Pairs where the engine's answer differs from the declared flows (empty: verified).
    pub mismatches: Vec<Mismatch>,
    /// Notes, e.g. workloads whose labels cannot be told apart.
    pub warnings: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
enum End {
    Workload(usize),
    Cidr(String),
}

struct Resolved {
    from: End,
    to: usize,
    conn: ConnSet,
    protocol: Protocol,
    port: Option<u32>,
}

fn resolve_workload(cluster: &Cluster, s: &str) -> Result<usize, String> {
    let (ns, rest) = s
        .split_once('/')
        .ok_or_else(|| format!("`{s}` is not ns/name"))?;
    let (name, kind) = match rest.strip_suffix(']').and_then(|r| r.split_once('[')) {
        Some((n, k)) => (n, Some(k)),
        None => (rest, None),
    };
    let found: Vec<usize> = cluster
        .workloads
        .iter()
        .enumerate()
        .filter(|(_, w)| w.namespace == ns && w.name == name && kind.is_none_or(|k| w.kind == k))
        .map(|(i, _)| i)
        .collect();
    match found.as_slice() {
        [i] => Ok(*i),
        [] => Err(format!("no workload {s} in the input")),
        many => Err(format!(
            "{s} is ambiguous ({}); write ns/name[Kind]",
            many.iter()
                .map(|&i| cluster.workloads[i].key())
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

fn resolve(cluster: &Cluster, flows: &[Flow]) -> (Vec<Resolved>, Vec<String>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for (n, f) in flows.iter().enumerate() {
        let what = format!("flow #{} ({} -> {})", n + 1, f.from, f.to);
        let from = if f.from.contains('/') && IpSet::from_cidr(&f.from).is_some() {
            Ok(End::Cidr(f.from.trim().to_string()))
        } else {
            resolve_workload(cluster, &f.from).map(End::Workload)
        };
        let to = resolve_workload(cluster, &f.to);
        let protocol = match &f.protocol {
            None => Ok(Protocol::Tcp),
            Some(p) => Protocol::parse(p).ok_or_else(|| format!("unknown protocol `{p}`")),
        };
        let port = match f.port {
            Some(p) if !(1..=65535).contains(&p) => Err(format!("port {p} is not in 1-65535")),
            p => Ok(p),
        };
        match (from, to, protocol, port) {
            (Ok(from), Ok(to), Ok(protocol), Ok(port)) => {
                if from == End::Workload(to) {
                    problems.push(format!(
                        "{what}: a workload's traffic to itself is not policed"
                    ));
                    continue;
                }
                let ports = port.map_or_else(PortSet::all, |p| PortSet::range(p, p));
                out.push(Resolved {
                    from,
                    to,
                    conn: ConnSet::ports(protocol, ports),
                    protocol,
                    port,
                });
            }
            (from, to, protocol, port) => {
                for e in [from.err(), to.err(), protocol.err(), port.err()]
                    .into_iter()
                    .flatten()
                {
                    problems.push(format!("{what}: {e}"));
                }
            }
        }
    }
    (out, problems)
}

/// Label keys tried first when choosing a selector: the ones meant to name an app.
const PREFERRED_KEYS: &[&str] = &[
    "app.kubernetes.io/name",
    "app.kubernetes.io/instance",
    "app.kubernetes.io/component",
    "app",
    "k8s-app",
    "name",
    "component",
    "tier",
];

/// The fewest labels of workload `i` (preferred keys first) that no other workload of its
/// namespace also carries; all its labels when no subset tells it apart (with a warning).
fn selector_for(cluster: &Cluster, i: usize, warnings: &mut Vec<String>) -> Labels {
    let w = &cluster.workloads[i];
    let others: Vec<&Workload> = cluster
        .workloads
        .iter()
        .enumerate()
        .filter(|(j, o)| *j != i && o.namespace == w.namespace)
        .map(|(_, o)| o)
        .collect();
    let mut keys: Vec<&String> = w.labels.keys().collect();
    keys.sort_by_key(|k| {
        (
            PREFERRED_KEYS
                .iter()
                .position(|p| p == k)
                .unwrap_or(PREFERRED_KEYS.len()),
            (*k).clone(),
        )
    });
    let matches_other = |sel: &Labels| {
        others
            .iter()
            .filter(|o| sel.iter().all(|(k, v)| o.labels.get(k) == Some(v)))
            .map(|o| o.key())
            .collect::<Vec<_>>()
    };
    // One label, then greedily more, in preference order.
    for k in &keys {
        let sel = Labels::from([((*k).clone(), w.labels[*k].clone())]);
        if matches_other(&sel).is_empty() {
            return sel;
        }
    }
    let mut sel = Labels::new();
    for k in &keys {
        sel.insert((*k).clone(), w.labels[*k].clone());
        if matches_other(&sel).is_empty() {
            return sel;
        }
    }
    let also = matches_other(&sel);
    if !also.is_empty() {
        warnings.push(format!(
            "{}: its pod labels also match {}; a policy cannot tell them apart",
            w.key(),
            also.join(", ")
        ));
    }
    sel
}

/// A YAML scalar: plain when that reads back as the same string, else double-quoted.
fn yaml_str(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
        && s.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && !matches!(
            s.to_ascii_lowercase().as_str(),
            "y" | "n" | "yes" | "no" | "on" | "off" | "true" | "false" | "null"
        );
    if plain {
        s.to_string()
    } else {
        serde_json::to_string(s).unwrap_or_default()
    }
}

fn labels_yaml(labels: &Labels) -> String {
    let inner: Vec<String> = labels
        .iter()
        .map(|(k, v)| format!("{}: {}", yaml_str(k), yaml_str(v)))
        .collect();
    format!("{{{}}}", inner.join(", "))
}

/// A DNS-1123 name from a workload's name and kind.
fn policy_name(w: &Workload, taken: &mut BTreeSet<(String, String)>) -> String {
    let base = format!("allow-{}", w.name);
    let name = if taken.insert((w.namespace.clone(), base.clone())) {
        base
    } else {
        let n = format!("allow-{}-{}", w.name, w.kind.to_ascii_lowercase());
        taken.insert((w.namespace.clone(), n.clone()));
        n
    };
    name.chars().take(253).collect()
}

/// Writes the policies for `flows` over the workloads of `objects`, adds them to the
/// objects and checks, with the engine, that exactly the declared flows are allowed
/// between the declared endpoints (pairs with at least one end in scope).
pub fn suggest(
    objects: &[Object],
    flows_file: &str,
    flows: &[Flow],
    options: &Options,
) -> Result<Suggestion, SuggestError> {
    let cluster = Cluster::from_objects(objects);
    let (resolved, problems) = resolve(&cluster, flows);
    if !problems.is_empty() {
        return Err(SuggestError::Flows {
            file: flows_file.to_string(),
            problems,
        });
    }
    let ns_of = |e: &End| match e {
        End::Workload(i) => Some(cluster.workloads[*i].namespace.clone()),
        End::Cidr(_) => None,
    };
    let in_scope = |ns: &str| options.namespace.as_deref().is_none_or(|s| s == ns);
    let used: Vec<&Resolved> = resolved
        .iter()
        .filter(|r| {
            in_scope(&cluster.workloads[r.to].namespace)
                || ns_of(&r.from).is_some_and(|ns| in_scope(&ns))
        })
        .collect();

    let mut namespaces: BTreeSet<String> = BTreeSet::new();
    let mut declared: BTreeSet<usize> = BTreeSet::new();
    for r in &used {
        declared.insert(r.to);
        if let End::Workload(i) = r.from {
            declared.insert(i);
        }
    }
    for &i in &declared {
        let ns = &cluster.workloads[i].namespace;
        if in_scope(ns) {
            namespaces.insert(ns.clone());
        }
    }
    if let Some(ns) = &options.namespace {
        namespaces.insert(ns.clone());
    }

    let mut warnings = Vec::new();
    let mut selectors: BTreeMap<usize, Labels> = BTreeMap::new();
    for &i in &declared {
        if cluster.workloads[i].labels.is_empty() {
            warnings.push(format!(
                "{}: its pods have no labels; no policy can select it",
                cluster.workloads[i].key()
            ));
        }
        selectors.insert(i, selector_for(&cluster, i, &mut warnings));
    }

    let mut yaml = String::new();
    let mut policies = 0;
    let doc = |yaml: &mut String, text: &str| {
        if !yaml.is_empty() {
            yaml.push_str("---\n");
        }
        yaml.push_str(text);
    };
    for ns in &namespaces {
        let mut t = String::new();
        let _ = write!(
            t,
            "# Deny all traffic to and from the pods of {ns} except what the policies below allow.\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: default-deny\n  namespace: {}\nspec:\n  podSelector: {{}}\n  policyTypes: [Ingress, Egress]\n",
            yaml_str(ns)
        );
        doc(&mut yaml, &t);
        policies += 1;
        if !options.no_dns {
            let mut t = String::new();
            let _ = write!(
                t,
                "# Name resolution through kube-dns for every pod of {ns}.\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: allow-dns\n  namespace: {}\nspec:\n  podSelector: {{}}\n  policyTypes: [Egress]\n  egress:\n    - to:\n        - namespaceSelector:\n            matchLabels: {{{NS_NAME_LABEL}: kube-system}}\n          podSelector:\n            matchLabels: {{k8s-app: kube-dns}}\n      ports:\n        - {{protocol: UDP, port: 53}}\n        - {{protocol: TCP, port: 53}}\n",
                yaml_str(ns)
            );
            doc(&mut yaml, &t);
            policies += 1;
        }
    }

    let peer_yaml = |e: &End, own_ns: &str| -> String {
        match e {
            End::Cidr(c) => format!("        - ipBlock:\n            cidr: {c}\n"),
            End::Workload(i) => {
                let w = &cluster.workloads[*i];
                let pods = format!(
                    "podSelector:\n            matchLabels: {}\n",
                    labels_yaml(&selectors[i])
                );
                if w.namespace == own_ns {
                    format!("        - {pods}")
                } else {
                    format!(
                        "        - namespaceSelector:\n            matchLabels: {{{NS_NAME_LABEL}: {}}}\n          {pods}",
                        yaml_str(&w.namespace)
                    )
                }
            }
        }
    };
    let ports_yaml = |rs: &[&&Resolved]| -> String {
        let mut seen = BTreeSet::new();
        let mut s = String::from("      ports:\n");
        for r in rs {
            if !seen.insert((r.protocol, r.port)) {
                continue;
            }
            match r.port {
                Some(p) => {
                    let _ = writeln!(
                        s,
                        "        - {{protocol: {}, port: {p}}}",
                        r.protocol.as_str()
                    );
                }
                None => {
                    let _ = writeln!(s, "        - {{protocol: {}}}", r.protocol.as_str());
                }
            }
        }
        s
    };
    let mut taken = BTreeSet::new();
    for &i in &declared {
        let w = &cluster.workloads[i];
        if !in_scope(&w.namespace) {
            continue;
        }
        let mut inbound: BTreeMap<&End, Vec<&&Resolved>> = BTreeMap::new();
        let mut outbound: BTreeMap<usize, Vec<&&Resolved>> = BTreeMap::new();
        for r in &used {
            if r.to == i {
                inbound.entry(&r.from).or_default().push(r);
            }
            if r.from == End::Workload(i) {
                outbound.entry(r.to).or_default().push(r);
            }
        }
        let mut types = Vec::new();
        if !inbound.is_empty() {
            types.push("Ingress");
        }
        if !outbound.is_empty() {
            types.push("Egress");
        }
        let mut t = String::new();
        let _ = write!(
            t,
            "# Declared flows of {}.\napiVersion: networking.k8s.io/v1\nkind: NetworkPolicy\nmetadata:\n  name: {}\n  namespace: {}\nspec:\n  podSelector:\n    matchLabels: {}\n  policyTypes: [{}]\n",
            w.key(),
            yaml_str(&policy_name(w, &mut taken)),
            yaml_str(&w.namespace),
            labels_yaml(&selectors[&i]),
            types.join(", ")
        );
        if !inbound.is_empty() {
            t.push_str("  ingress:\n");
            for (from, rs) in &inbound {
                t.push_str("    - from:\n");
                t.push_str(&peer_yaml(from, &w.namespace));
                t.push_str(&ports_yaml(rs));
            }
        }
        if !outbound.is_empty() {
            t.push_str("  egress:\n");
            for (to, rs) in &outbound {
                t.push_str("    - to:\n");
                t.push_str(&peer_yaml(&End::Workload(*to), &w.namespace));
                t.push_str(&ports_yaml(rs));
            }
        }
        doc(&mut yaml, &t);
        policies += 1;
    }

    // Verification: the input plus the suggestion, read back from the YAML written.
    let added = stockade_model::load("<suggested>", yaml.as_bytes());
    let mut all: Vec<&Object> = objects.iter().collect();
    all.extend(added.objects.iter());
    let after = Cluster::from_objects(all);
    let engine = Engine::new(&after);
    let index_after = |i: usize| {
        let key = cluster.workloads[i].key();
        after.workloads.iter().position(|w| w.key() == key)
    };
    let mut expected: BTreeMap<(End, usize), ConnSet> = BTreeMap::new();
    for r in &used {
        let e = expected.entry((r.from.clone(), r.to)).or_default();
        *e = e.union(&r.conn);
    }
    let mut mismatches = Vec::new();
    let mut pairs_checked = 0;
    let mut check = |src: &End, dst: usize, src_name: String| {
        let Some(d) = index_after(dst) else { return };
        let dst_w = &after.workloads[d];
        let allowed = match src {
            End::Workload(s) => {
                let Some(s) = index_after(*s) else { return };
                engine.connection(Peer::Workload(&after.workloads[s]), Peer::Workload(dst_w))
            }
            End::Cidr(c) => {
                let ip = IpSet::from_cidr(c).unwrap_or_default();
                engine.connection(Peer::Ip(&ip), Peer::Workload(dst_w))
            }
        };
        pairs_checked += 1;
        let want = expected
            .get(&(src.clone(), dst))
            .cloned()
            .unwrap_or_default();
        if allowed != want {
            mismatches.push(Mismatch {
                src: src_name,
                dst: dst_w.key(),
                expected: want,
                allowed,
            });
        }
    };
    let cidrs: BTreeSet<&End> = used
        .iter()
        .map(|r| &r.from)
        .filter(|e| matches!(e, End::Cidr(_)))
        .collect();
    for &d in &declared {
        let dst_in = in_scope(&cluster.workloads[d].namespace);
        for &s in &declared {
            if s == d || !(dst_in || in_scope(&cluster.workloads[s].namespace)) {
                continue;
            }
            check(&End::Workload(s), d, cluster.workloads[s].key());
        }
        if dst_in {
            for c in &cidrs {
                if let End::Cidr(text) = c {
                    check(c, d, format!("{text}[External]"));
                }
            }
        }
    }
    mismatches.sort_by(|a, b| (&a.src, &a.dst).cmp(&(&b.src, &b.dst)));
    Ok(Suggestion {
        yaml,
        policies,
        pairs_checked,
        flows_used: used.len(),
        mismatches,
        warnings,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn objects(yaml: &str) -> Vec<Object> {
        stockade_model::load("t.yaml", yaml.as_bytes()).objects
    }

    fn pod(name: &str, labels: &str) -> String {
        format!(
            "apiVersion: v1\nkind: Pod\nmetadata:\n  name: {name}\n  namespace: a\n  labels: {labels}\nspec:\n  containers: [{{name: c, image: x}}]\n---\n"
        )
    }

    #[test]
    fn yaml_scalars_that_would_read_back_differently_are_quoted() {
        assert_eq!(yaml_str("web"), "web");
        assert_eq!(yaml_str("app.kubernetes.io/name"), "app.kubernetes.io/name");
        assert_eq!(yaml_str("yes"), "\"yes\"");
        assert_eq!(yaml_str("8080"), "\"8080\"");
        assert_eq!(yaml_str("a b"), "\"a b\"");
        assert_eq!(yaml_str(""), "\"\"");
    }

    #[test]
    fn selectors_use_the_fewest_labels_that_tell_workloads_apart() {
        let objs = objects(&format!(
            "{}{}{}",
            pod("x", "{app: shop, component: api, version: v1}"),
            pod("y", "{app: shop, component: db, version: v1}"),
            pod("z", "{app: shop, component: db, version: v1}")
        ));
        let cluster = Cluster::from_objects(&objs);
        let mut warnings = Vec::new();
        let x = selector_for(&cluster, 0, &mut warnings);
        assert_eq!(x, Labels::from([("component".into(), "api".into())]));
        assert!(warnings.is_empty());
        let y = selector_for(&cluster, 1, &mut warnings);
        assert_eq!(y.len(), 3);
        assert_eq!(
            warnings,
            ["a/y[Pod]: its pod labels also match a/z[Pod]; a policy cannot tell them apart"]
        );
    }

    #[test]
    fn identical_labels_make_the_verification_fail() {
        let objs = objects(&format!(
            "{}{}{}",
            pod("x", "{app: x}"),
            pod("y", "{app: same}"),
            pod("z", "{app: same}")
        ));
        let flows = parse_flows("f.yaml", "- {from: a/x, to: a/y, port: 80}\n").unwrap();
        let s = suggest(&objs, "f.yaml", &flows, &Options::default()).unwrap();
        // z is not declared, so only x and y are checked: verified.
        assert!(s.mismatches.is_empty(), "{:?}", s.mismatches);
        let flows = parse_flows(
            "f.yaml",
            "- {from: a/x, to: a/y, port: 80}\n- {from: a/z, to: a/x, port: 81}\n",
        )
        .unwrap();
        let s = suggest(&objs, "f.yaml", &flows, &Options::default()).unwrap();
        // y and z share their labels: the policy for one admits the other's traffic too.
        let got: Vec<String> = s
            .mismatches
            .iter()
            .map(|m| format!("{} => {} : {} / {}", m.src, m.dst, m.expected, m.allowed))
            .collect();
        assert_eq!(
            got,
            [
                "a/x[Pod] => a/z[Pod] : No Connections / TCP 80",
                "a/y[Pod] => a/x[Pod] : No Connections / TCP 81"
            ]
        );
    }
}
