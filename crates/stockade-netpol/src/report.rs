//! The exposure report (`stockade netpol report`) and the same facts as scan findings
//! (STK850-STK855).

use std::borrow::Cow;
use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use serde::Serialize;
use stockade_model::{Finding, Object, ObjectRef, Severity};

use crate::Analysis;
use crate::cluster::{Cluster, PortRef, Service, Source, Workload};
use crate::conn::{ConnSet, PortSet, Protocol};
use crate::eval::{Direction, Engine, Peer};
use crate::ip::IpSet;
use crate::selector::Selector;

/// The cloud metadata address (AWS, GCP, Azure, OpenStack).
pub const METADATA_ADDRESS: &str = "169.254.169.254";

/// Report options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Selectors of workloads holding data (`app=postgres`); a workload matching any of them
    /// is a data store, and paths from exposed workloads to it are reported. Empty: no
    /// data-store analysis.
    pub data_stores: Vec<Selector>,
}

impl Options {
    /// Options with data stores given as `k=v,k2=v2` selectors (each one a conjunction; a
    /// workload matching any selector is a data store). Empty strings are skipped.
    pub fn with_data_stores<S: AsRef<str>>(selectors: &[S]) -> Result<Self, String> {
        let mut data_stores = Vec::new();
        for s in selectors {
            if let Some(sel) = parse_selector(s.as_ref())? {
                data_stores.push(sel);
            }
        }
        Ok(Self { data_stores })
    }

    fn is_data_store(&self, w: &Workload) -> bool {
        self.data_stores.iter().any(|s| s.matches(&w.labels))
    }
}

/// Parses `k=v,k2=v2` into a selector (`None` for the empty string).
pub fn parse_selector(s: &str) -> Result<Option<Selector>, String> {
    if s.trim().is_empty() {
        return Ok(None);
    }
    let mut sel = Selector::default();
    for part in s.split(',') {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| format!("`{part}` is not key=value"))?;
        if k.trim().is_empty() {
            return Err(format!("`{part}` has an empty key"));
        }
        sel.labels
            .push((k.trim().to_string(), v.trim().to_string()));
    }
    Ok(Some(sel))
}

/// How a workload is reachable from outside the cluster.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Exposure {
    /// The workload.
    pub workload: String,
    /// `external addresses: <ranges> (<conn>)`, `ingress-controller (<conn>)`,
    /// `Service <name> (LoadBalancer)`.
    pub via: Vec<String>,
}

/// A path from an internet-exposed workload to a data store.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct DataPath {
    /// Workloads from the exposed one to the data store.
    pub path: Vec<String>,
}

/// One namespace's part of the report.
#[derive(Debug, Clone, Serialize, Default)]
pub struct NamespaceReport {
    /// Workloads no NetworkPolicy isolates for ingress.
    pub not_isolated_ingress: Vec<String>,
    /// Workloads no NetworkPolicy isolates for egress.
    pub not_isolated_egress: Vec<String>,
    /// Whether a policy selects every pod of the namespace for ingress with no ingress rule.
    pub default_deny_ingress: bool,
    /// The same for egress.
    pub default_deny_egress: bool,
    /// Workloads reachable from outside the cluster.
    pub exposed: Vec<Exposure>,
    /// Workloads that may connect to the cloud metadata address, with what is allowed.
    pub metadata_egress: Vec<(String, String)>,
    /// Paths from internet-exposed workloads to data stores.
    pub data_paths: Vec<DataPath>,
}

/// The whole report, by namespace.
#[derive(Debug, Clone, Serialize, Default)]
pub struct Report {
    /// Namespaces with workloads.
    pub namespaces: BTreeMap<String, NamespaceReport>,
}

impl Report {
    /// As text, one section per namespace.
    pub fn to_text(&self) -> String {
        let mut out = String::new();
        for (ns, r) in &self.namespaces {
            let _ = writeln!(out, "namespace {ns}");
            let yes_no = |b: bool| if b { "yes" } else { "NO" };
            let _ = writeln!(
                out,
                "  default-deny: ingress {}, egress {}",
                yes_no(r.default_deny_ingress),
                yes_no(r.default_deny_egress)
            );
            let list = |out: &mut String, title: &str, items: &[String]| {
                if !items.is_empty() {
                    let _ = writeln!(out, "  {title}:");
                    for i in items {
                        let _ = writeln!(out, "    {i}");
                    }
                }
            };
            list(
                &mut out,
                "not isolated for ingress",
                &r.not_isolated_ingress,
            );
            list(&mut out, "not isolated for egress", &r.not_isolated_egress);
            let exposed: Vec<String> = r
                .exposed
                .iter()
                .map(|e| format!("{} via {}", e.workload, e.via.join("; ")))
                .collect();
            list(&mut out, "reachable from outside the cluster", &exposed);
            let md: Vec<String> = r
                .metadata_egress
                .iter()
                .map(|(w, c)| format!("{w} : {c}"))
                .collect();
            list(&mut out, &format!("egress to {METADATA_ADDRESS}"), &md);
            let paths: Vec<String> = r.data_paths.iter().map(|p| p.path.join(" => ")).collect();
            list(
                &mut out,
                "paths from exposed workloads to data stores",
                &paths,
            );
        }
        out
    }
}

/// The TCP ports a Service forwards to on workload `w` (its target ports, named ones resolved
/// against the workload's containers).
fn service_target_ports(w: &Workload, svc: &Service) -> ConnSet {
    let mut out = ConnSet::none();
    for sp in &svc.ports {
        let port = match sp.target.clone().unwrap_or(PortRef::Number(sp.port)) {
            PortRef::Number(n) => n,
            PortRef::Name(name) => match w.named_port(&name) {
                Some((Protocol::Tcp, n)) => n,
                _ => continue,
            },
        };
        out = out.union(&ConnSet::ports(Protocol::Tcp, PortSet::range(port, port)));
    }
    if svc.ports.is_empty() {
        out = ConnSet::protocol(Protocol::Tcp);
    }
    out
}

/// Workloads exposed at the edge: backends of LoadBalancer/NodePort Services (on the
/// Service's ports, when some external address may reach them) and of Ingress/Route objects
/// (when policies let the ingress controller through), with how. `outside[i]` is what
/// external addresses may send to workload `i`.
fn edge_exposed(engine: &Engine<'_>, outside: &[ConnSet]) -> BTreeMap<usize, Vec<String>> {
    let cluster = engine.cluster();
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for svc in &cluster.services {
        if !matches!(svc.service_type.as_str(), "LoadBalancer" | "NodePort") {
            continue;
        }
        for i in cluster.select_in(&svc.namespace, &svc.selector) {
            let w = &cluster.workloads[i];
            let allowed = service_target_ports(w, svc).intersect(&outside[i]);
            let via = format!("Service {} ({}, {allowed})", svc.name, svc.service_type);
            let list = out.entry(i).or_default();
            if !allowed.is_empty() && !list.contains(&via) {
                list.push(via);
            }
        }
    }
    for (i, c) in engine.exposed_by_entry_points() {
        let allowed = c.intersect(&engine.connection(
            Peer::IngressController,
            Peer::Workload(&cluster.workloads[i]),
        ));
        if !allowed.is_empty() {
            out.entry(i)
                .or_default()
                .push(format!("ingress-controller ({allowed})"));
        }
    }
    out.retain(|_, v| !v.is_empty());
    out
}

/// Whether a policy denies all traffic of `dir` to every pod of `ns`.
fn default_deny(cluster: &Cluster, ns: &str, dir: Direction) -> bool {
    cluster.policies.iter().any(|p| {
        let (affects, rules) = match dir {
            Direction::Ingress => (p.affects_ingress, &p.ingress),
            Direction::Egress => (p.affects_egress, &p.egress),
        };
        p.namespace == ns && affects && rules.is_empty() && p.pod_selector.is_empty()
    })
}

/// Builds the report from an analysis (its connection list is not needed).
pub fn report(analysis: &Analysis, options: &Options) -> Report {
    report_cluster(&analysis.cluster, options)
}

/// Builds the report over a cluster, evaluating only the pairs it needs: external blocks to
/// workloads, workloads to the metadata address and, with data stores configured, the
/// workload-to-workload edges reachable from exposed workloads.
pub fn report_cluster(cluster: &Cluster, options: &Options) -> Report {
    let engine = Engine::new(cluster);
    facts(&engine, options).report
}

/// Everything the report and the findings need, computed once.
struct Facts {
    report: Report,
    /// Edge exposure, by workload index.
    edge: BTreeMap<usize, Vec<String>>,
}

fn facts(engine: &Engine<'_>, options: &Options) -> Facts {
    let cluster = engine.cluster();
    let workloads = &cluster.workloads;
    let mut report = Report::default();
    let metadata_ip = IpSet::from_cidr(METADATA_ADDRESS).unwrap_or_default();

    let (src_blocks, _) = engine.external_blocks();
    let mut outside = vec![ConnSet::none(); workloads.len()];
    let mut from_outside: Vec<Vec<String>> = vec![Vec::new(); workloads.len()];
    for ip in &src_blocks {
        for (i, w) in workloads.iter().enumerate() {
            let c = engine.connection(Peer::Ip(ip), Peer::Workload(w));
            if !c.is_empty() {
                from_outside[i].push(format!("external addresses {ip} ({c})"));
                outside[i] = outside[i].union(&c);
            }
        }
    }
    let edge = edge_exposed(engine, &outside);

    for (i, w) in workloads.iter().enumerate() {
        let key = w.key();
        let r = report
            .namespaces
            .entry(w.namespace.clone())
            .or_insert_with(|| NamespaceReport {
                default_deny_ingress: default_deny(cluster, &w.namespace, Direction::Ingress),
                default_deny_egress: default_deny(cluster, &w.namespace, Direction::Egress),
                ..Default::default()
            });
        let peer = Peer::Workload(w);
        if !engine.is_isolated(peer, Direction::Ingress) {
            r.not_isolated_ingress.push(key.clone());
        }
        if !engine.is_isolated(peer, Direction::Egress) {
            r.not_isolated_egress.push(key.clone());
        }
        let mut via = std::mem::take(&mut from_outside[i]);
        via.extend(edge.get(&i).cloned().unwrap_or_default());
        if !via.is_empty() {
            r.exposed.push(Exposure {
                workload: key.clone(),
                via,
            });
        }
        let md = engine.connection(peer, Peer::Ip(&metadata_ip));
        if !md.is_empty() {
            r.metadata_egress.push((key.clone(), md.to_string()));
        }
    }

    if !options.data_stores.is_empty() {
        for path in data_paths(engine, &edge, options) {
            let ns = workloads[path[0]].namespace.clone();
            report
                .namespaces
                .entry(ns)
                .or_default()
                .data_paths
                .push(DataPath {
                    path: path.iter().map(|&i| workloads[i].key()).collect(),
                });
        }
    }
    Facts { report, edge }
}

/// Shortest paths (over allowed workload-to-workload connections, evaluated as the search
/// reaches them) from each edge-exposed workload to each data store, as workload indices.
fn data_paths(
    engine: &Engine<'_>,
    edge: &BTreeMap<usize, Vec<String>>,
    options: &Options,
) -> Vec<Vec<usize>> {
    let workloads = &engine.cluster().workloads;
    let stores: Vec<usize> = (0..workloads.len())
        .filter(|&i| options.is_data_store(&workloads[i]))
        .collect();
    if stores.is_empty() {
        return Vec::new();
    }
    let mut adjacency: Vec<Option<Vec<usize>>> = vec![None; workloads.len()];
    let mut out = Vec::new();
    for &start in edge.keys() {
        let mut prev: Vec<Option<usize>> = vec![None; workloads.len()];
        let mut seen = vec![false; workloads.len()];
        seen[start] = true;
        let mut queue = VecDeque::from([start]);
        while let Some(n) = queue.pop_front() {
            let next = adjacency[n].get_or_insert_with(|| {
                (0..workloads.len())
                    .filter(|&m| {
                        m != n
                            && !engine
                                .connection(
                                    Peer::Workload(&workloads[n]),
                                    Peer::Workload(&workloads[m]),
                                )
                                .is_empty()
                    })
                    .collect()
            });
            for &m in next.iter() {
                if !seen[m] {
                    seen[m] = true;
                    prev[m] = Some(n);
                    queue.push_back(m);
                }
            }
        }
        for &store in &stores {
            if store == start || !seen[store] {
                continue;
            }
            let mut path = vec![store];
            let mut cur = store;
            while let Some(p) = prev[cur] {
                path.push(p);
                cur = p;
            }
            path.reverse();
            out.push(path);
        }
    }
    out
}

/// A finding about an object the analysis read, at a field path of it.
fn finding(source: &Source, namespace: &str, path: &str, kind: &Kind, message: String) -> Finding {
    Finding {
        check: Cow::Borrowed(kind.id),
        name: Cow::Borrowed(kind.name),
        severity: kind.severity,
        message,
        file: source.file.clone(),
        template: None,
        line: source.line,
        column: source.column,
        object: std::sync::Arc::new(ObjectRef {
            api_version: source.api_version.clone(),
            kind: source.kind.clone(),
            namespace: Some(namespace.to_string()),
            name: source.name.clone(),
        }),
        container: None,
        path: path.to_string(),
        remediation: Cow::Borrowed(kind.remediation),
        aliases: &[],
    }
}

/// One kind of finding: ID, name, severity and remediation, shared with the check catalog.
#[derive(Debug)]
pub struct Kind {
    /// Stable check ID.
    pub id: &'static str,
    /// kebab-case name.
    pub name: &'static str,
    /// Default severity.
    pub severity: Severity,
    /// How to fix it.
    pub remediation: &'static str,
}

/// STK850.
pub const NOT_ISOLATED_INGRESS: Kind = Kind {
    id: "STK850",
    name: "workload-not-isolated-ingress",
    severity: Severity::Medium,
    remediation: "Add a NetworkPolicy selecting the workload with policyTypes [Ingress] that allows only the expected sources.",
};
/// STK851.
pub const NOT_ISOLATED_EGRESS: Kind = Kind {
    id: "STK851",
    name: "workload-not-isolated-egress",
    severity: Severity::Low,
    remediation: "Add a NetworkPolicy selecting the workload with policyTypes [Egress] that allows only the expected destinations (and DNS).",
};
/// STK852.
pub const NO_DEFAULT_DENY_INGRESS: Kind = Kind {
    id: "STK852",
    name: "namespace-without-default-deny-ingress",
    severity: Severity::Low,
    remediation: "Add a NetworkPolicy with `podSelector: {}`, `policyTypes: [Ingress]` and no ingress rules to the namespace, then allow what each workload needs.",
};
/// STK853.
pub const EXPOSED_OUTSIDE_CLUSTER: Kind = Kind {
    id: "STK853",
    name: "workload-exposed-outside-cluster",
    severity: Severity::Medium,
    remediation: "Make sure the exposure is intended; restrict ingress sources with a NetworkPolicy (ipBlock) or the Service's loadBalancerSourceRanges.",
};
/// STK854.
pub const METADATA_EGRESS: Kind = Kind {
    id: "STK854",
    name: "egress-to-cloud-metadata",
    severity: Severity::High,
    remediation: "Exclude 169.254.169.254/32 from the ipBlock rules that allow it (`except`), or narrow them to the destinations the workload needs.",
};
/// STK855.
pub const DATA_STORE_PATH: Kind = Kind {
    id: "STK855",
    name: "exposed-path-to-data-store",
    severity: Severity::High,
    remediation: "Restrict ingress to the data store to the workloads that need it, and those workloads' ingress to what the exposed ones need.",
};

/// Every kind of finding, by ID.
pub const KINDS: [&Kind; 6] = [
    &NOT_ISOLATED_INGRESS,
    &NOT_ISOLATED_EGRESS,
    &NO_DEFAULT_DENY_INGRESS,
    &EXPOSED_OUTSIDE_CLUSTER,
    &METADATA_EGRESS,
    &DATA_STORE_PATH,
];

/// The report's facts as scan findings, over the objects of one scan. Each is scoped so that
/// an input that leaves network policy to someone else (no NetworkPolicy at all) stays quiet
/// except for the exposure and data-store findings:
///
/// - STK850 `workload-not-isolated-ingress`: no NetworkPolicy isolates the workload for
///   ingress, in a namespace where some NetworkPolicy isolates pods for ingress.
/// - STK851 `workload-not-isolated-egress`: the same for egress.
/// - STK852 `namespace-without-default-deny-ingress`: a namespace with workloads and
///   NetworkPolicies, none of which denies all ingress to every pod; at its first policy.
/// - STK853 `workload-exposed-outside-cluster`: reachable from outside via a
///   LoadBalancer/NodePort Service or an Ingress/Route, and policies let that traffic in.
/// - STK854 `egress-to-cloud-metadata`: may connect to 169.254.169.254 on TCP port 80 (where
///   the metadata services answer) although a policy
///   restricts its egress (a NetworkPolicy isolates it for egress, or an admin policy has
///   egress rules for it) without opening it to every address; the message names the rules
///   that allow it.
/// - STK855 `exposed-path-to-data-store`: an edge-exposed workload reaches a data store
///   (only with `options.data_stores`), at the exposed workload.
///
/// Workload findings point at the workload object (`metadata.name`), STK852 at the policy.
/// Pure: no I/O; sorted by file, line and ID.
pub fn findings(objects: &[Object], options: &Options) -> Vec<Finding> {
    findings_for(&Cluster::from_objects(objects), options)
}

/// [`findings`] over a cluster already read.
pub fn findings_for(cluster: &Cluster, options: &Options) -> Vec<Finding> {
    let engine = Engine::new(cluster);
    let facts = facts(&engine, options);
    let workloads = &cluster.workloads;
    let index: BTreeMap<String, usize> = workloads
        .iter()
        .enumerate()
        .map(|(i, w)| (w.key(), i))
        .collect();
    let isolates_in = |ns: &str, dir: Direction| {
        cluster.policies.iter().any(|p| {
            p.namespace == ns
                && match dir {
                    Direction::Ingress => p.affects_ingress,
                    Direction::Egress => p.affects_egress,
                }
        })
    };
    let at_workload = |i: usize, kind: &Kind, message: String| {
        let w = &workloads[i];
        finding(&w.source, &w.namespace, "metadata.name", kind, message)
    };
    let mut out = Vec::new();
    for (ns, r) in &facts.report.namespaces {
        if isolates_in(ns, Direction::Ingress) {
            for k in &r.not_isolated_ingress {
                out.push(at_workload(
                    index[k],
                    &NOT_ISOLATED_INGRESS,
                    format!(
                        "{k} accepts traffic from anywhere: namespace {ns} has ingress NetworkPolicies, but none of them selects this workload"
                    ),
                ));
            }
        }
        if isolates_in(ns, Direction::Egress) {
            for k in &r.not_isolated_egress {
                out.push(at_workload(
                    index[k],
                    &NOT_ISOLATED_EGRESS,
                    format!(
                        "{k} may connect anywhere: namespace {ns} has egress NetworkPolicies, but none of them selects this workload"
                    ),
                ));
            }
        }
        if !r.default_deny_ingress
            && let Some(first) = cluster.policies.iter().find(|p| &p.namespace == ns)
        {
            out.push(finding(
                &first.source,
                ns,
                "metadata.name",
                &NO_DEFAULT_DENY_INGRESS,
                format!(
                    "namespace {ns} has NetworkPolicies but no default-deny for ingress (a policy with `podSelector: {{}}`, policyTypes Ingress and no rules); pods no policy selects accept any traffic"
                ),
            ));
        }
        for e in &r.exposed {
            let i = index[&e.workload];
            let Some(edge) = facts.edge.get(&i) else {
                continue;
            };
            out.push(at_workload(
                i,
                &EXPOSED_OUTSIDE_CLUSTER,
                format!(
                    "{} is reachable from outside the cluster via {}",
                    e.workload,
                    edge.join("; ")
                ),
            ));
        }
        for (k, c) in &r.metadata_egress {
            let i = index[k];
            let peer = Peer::Workload(&workloads[i]);
            let metadata_ip = IpSet::from_cidr(METADATA_ADDRESS).unwrap_or_default();
            // The metadata services (AWS, GCP, Azure, OpenStack) answer on HTTP port 80.
            let http = engine
                .connection(peer, Peer::Ip(&metadata_ip))
                .contains(Protocol::Tcp, 80);
            // Reported where a policy restricts egress but leaves the metadata address
            // open; egress open to every address is its own finding (a rule allowing all
            // egress, STK608), and unrestricted egress is the missing default-deny.
            let restricted = engine.is_isolated(peer, Direction::Egress)
                || engine.admin_governs(peer, Direction::Egress);
            if !http || !restricted || engine.connection(peer, Peer::Ip(&IpSet::all())).is_all() {
                continue;
            }
            let why: Vec<String> =
                crate::explain::reasons(&engine, peer, Peer::Ip(&metadata_ip), Direction::Egress)
                    .into_iter()
                    .filter(|r| r.contains(" allows "))
                    .collect();
            out.push(at_workload(
                i,
                &METADATA_EGRESS,
                format!(
                    "{k} may connect to the cloud metadata address {METADATA_ADDRESS} ({c}){}",
                    if why.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", why.join("; "))
                    }
                ),
            ));
        }
        for p in &r.data_paths {
            out.push(at_workload(
                index[&p.path[0]],
                &DATA_STORE_PATH,
                format!(
                    "exposed workload reaches a data store: {}",
                    p.path.join(" => ")
                ),
            ));
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, &a.check).cmp(&(&b.file, b.line, &b.check)));
    out
}
