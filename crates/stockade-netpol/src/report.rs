//! The exposure report (`stockade netpol report`) and the same facts as scan findings
//! (STK850-STK855).

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::fmt::Write as _;

use serde::Serialize;
use stockade_model::{Finding, Object, ObjectRef, Severity};

use crate::Analysis;
use crate::cluster::Workload;
use crate::eval::{Direction, Endpoint, Engine, Peer};
use crate::ip::IpSet;
use crate::selector::Selector;

/// The cloud metadata address (AWS, GCP, Azure, OpenStack).
pub const METADATA_ADDRESS: &str = "169.254.169.254";

/// Report options.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// Workloads holding data (`app=postgres`); paths from exposed workloads to them are
    /// reported. `None`: no data-store analysis.
    pub data_store: Option<Selector>,
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

/// Workloads exposed at the edge: backends of LoadBalancer/NodePort Services and of
/// Ingress/Route objects, with how.
fn edge_exposed(engine: &Engine<'_>) -> BTreeMap<usize, Vec<String>> {
    let cluster = engine.cluster();
    let mut out: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for svc in &cluster.services {
        if !matches!(svc.service_type.as_str(), "LoadBalancer" | "NodePort") {
            continue;
        }
        for (i, w) in cluster.workloads.iter().enumerate() {
            if w.namespace == svc.namespace && svc.selector.matches(&w.labels) {
                out.entry(i)
                    .or_default()
                    .push(format!("Service {} ({})", svc.name, svc.service_type));
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
    out
}

fn default_deny(engine: &Engine<'_>, ns: &str, dir: Direction) -> bool {
    engine.cluster().policies.iter().any(|p| {
        let (affects, rules) = match dir {
            Direction::Ingress => (p.affects_ingress, &p.ingress),
            Direction::Egress => (p.affects_egress, &p.egress),
        };
        p.namespace == ns && affects && rules.is_empty() && p.pod_selector.is_empty()
    })
}

/// Builds the report.
pub fn report(analysis: &Analysis, options: &Options) -> Report {
    let engine = Engine::new(&analysis.cluster);
    let cluster = &analysis.cluster;
    let mut report = Report::default();
    let metadata = IpSet::from_cidr(METADATA_ADDRESS).unwrap_or_default();

    let mut from_outside: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &analysis.connections {
        if let (Endpoint::External(ip), Endpoint::Workload(w)) = (&c.src, &c.dst) {
            from_outside
                .entry(w.clone())
                .or_default()
                .push(format!("external addresses {ip} ({})", c.conn));
        }
    }
    let edge = edge_exposed(&engine);

    for (i, w) in cluster.workloads.iter().enumerate() {
        let key = w.key();
        let r = report
            .namespaces
            .entry(w.namespace.clone())
            .or_insert_with(|| NamespaceReport {
                default_deny_ingress: default_deny(&engine, &w.namespace, Direction::Ingress),
                default_deny_egress: default_deny(&engine, &w.namespace, Direction::Egress),
                ..Default::default()
            });
        let peer = Peer::Workload(w);
        if !engine.is_isolated(peer, Direction::Ingress) {
            r.not_isolated_ingress.push(key.clone());
        }
        if !engine.is_isolated(peer, Direction::Egress) {
            r.not_isolated_egress.push(key.clone());
        }
        let mut via = from_outside.remove(&key).unwrap_or_default();
        via.extend(edge.get(&i).cloned().unwrap_or_default());
        if !via.is_empty() {
            r.exposed.push(Exposure {
                workload: key.clone(),
                via,
            });
        }
        let md = engine.connection(peer, Peer::Ip(&metadata));
        if !md.is_empty() {
            r.metadata_egress.push((key.clone(), md.to_string()));
        }
    }

    if let Some(sel) = &options.data_store {
        for path in data_paths(analysis, &edge, sel, &cluster.workloads) {
            let ns = path[0].split('/').next().unwrap_or("").to_string();
            report
                .namespaces
                .entry(ns)
                .or_default()
                .data_paths
                .push(DataPath { path });
        }
    }
    report
}

/// Shortest paths (over allowed workload-to-workload connections) from each edge-exposed
/// workload to each data store.
fn data_paths(
    analysis: &Analysis,
    edge: &BTreeMap<usize, Vec<String>>,
    data_store: &Selector,
    workloads: &[Workload],
) -> Vec<Vec<String>> {
    let mut graph: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for c in &analysis.connections {
        if let (Endpoint::Workload(s), Endpoint::Workload(d)) = (&c.src, &c.dst) {
            graph.entry(s).or_default().push(d);
        }
    }
    let stores: BTreeSet<String> = workloads
        .iter()
        .filter(|w| data_store.matches(&w.labels))
        .map(Workload::key)
        .collect();
    let mut out = Vec::new();
    for &i in edge.keys() {
        let start = workloads[i].key();
        let mut prev: BTreeMap<&str, &str> = BTreeMap::new();
        let mut queue = VecDeque::from([start.as_str()]);
        let mut seen = BTreeSet::from([start.as_str()]);
        while let Some(n) = queue.pop_front() {
            for &m in graph.get(n).map(Vec::as_slice).unwrap_or(&[]) {
                if seen.insert(m) {
                    prev.insert(m, n);
                    queue.push_back(m);
                }
            }
        }
        for store in &stores {
            if store == &start || !seen.contains(store.as_str()) {
                continue;
            }
            let mut path = vec![store.clone()];
            let mut cur = store.as_str();
            while let Some(&p) = prev.get(cur) {
                path.push(p.to_string());
                cur = p;
            }
            path.reverse();
            out.push(path);
        }
    }
    out
}

fn finding(
    w: &Workload,
    id: &'static str,
    name: &'static str,
    severity: Severity,
    message: String,
    remediation: &'static str,
) -> Finding {
    Finding {
        check: Cow::Borrowed(id),
        name: Cow::Borrowed(name),
        severity,
        message,
        file: w.source.file.clone(),
        template: None,
        line: w.source.line,
        column: w.source.column,
        object: ObjectRef {
            api_version: w.source.api_version.clone(),
            kind: w.source.kind.clone(),
            namespace: Some(w.namespace.clone()),
            name: w.source.name.clone(),
        },
        container: None,
        path: String::new(),
        remediation: Cow::Borrowed(remediation),
        aliases: &[],
    }
}

/// The report's facts as scan findings, over the objects of one scan:
///
/// - STK850 `workload-not-isolated-ingress` (medium): no NetworkPolicy selects it for ingress.
/// - STK851 `workload-not-isolated-egress` (low): no NetworkPolicy selects it for egress.
/// - STK852 `namespace-without-default-deny` (low): reported on the namespace's first
///   workload when no policy selects all its pods with no ingress rule.
/// - STK853 `workload-exposed-outside-cluster` (medium): reachable via a LoadBalancer/NodePort
///   Service or an Ingress/Route that policies do not block.
/// - STK854 `egress-to-cloud-metadata` (high): may connect to 169.254.169.254.
/// - STK855 `exposed-path-to-data-store` (high): an exposed workload reaches a data store
///   (only with `options.data_store`).
///
/// Pure: no I/O; sorted by file and line.
pub fn findings(objects: &[Object], options: &Options) -> Vec<Finding> {
    let analysis = Analysis::from_objects(objects);
    let report = report(&analysis, options);
    let by_key: BTreeMap<String, &Workload> = analysis
        .cluster
        .workloads
        .iter()
        .map(|w| (w.key(), w))
        .collect();
    let mut out = Vec::new();
    for (ns, r) in &report.namespaces {
        for k in &r.not_isolated_ingress {
            out.push(finding(
                by_key[k],
                "STK850",
                "workload-not-isolated-ingress",
                Severity::Medium,
                format!("{k} accepts traffic from anywhere: no NetworkPolicy selects it for ingress"),
                "Add a NetworkPolicy selecting the workload with policyTypes [Ingress] that allows only the expected sources.",
            ));
        }
        for k in &r.not_isolated_egress {
            out.push(finding(
                by_key[k],
                "STK851",
                "workload-not-isolated-egress",
                Severity::Low,
                format!("{k} may connect anywhere: no NetworkPolicy selects it for egress"),
                "Add a NetworkPolicy selecting the workload with policyTypes [Egress] that allows only the expected destinations (and DNS).",
            ));
        }
        if !r.default_deny_ingress
            && let Some(first) = analysis
                .cluster
                .workloads
                .iter()
                .find(|w| &w.namespace == ns)
        {
            out.push(finding(
                first,
                "STK852",
                "namespace-without-default-deny",
                Severity::Low,
                format!("namespace {ns} has no default-deny ingress NetworkPolicy"),
                "Add a NetworkPolicy with `podSelector: {}` and `policyTypes: [Ingress]` and no ingress rules, then allow what is needed.",
            ));
        }
        for e in &r.exposed {
            let edge: Vec<&String> = e
                .via
                .iter()
                .filter(|v| v.starts_with("Service") || v.starts_with("ingress-controller"))
                .collect();
            if edge.is_empty() {
                continue;
            }
            out.push(finding(
                by_key[&e.workload],
                "STK853",
                "workload-exposed-outside-cluster",
                Severity::Medium,
                format!(
                    "{} is reachable from outside the cluster via {}",
                    e.workload,
                    edge.iter().map(|s| s.as_str()).collect::<Vec<_>>().join("; ")
                ),
                "Make sure the exposure is intended; restrict ingress sources with a NetworkPolicy.",
            ));
        }
        for (k, c) in &r.metadata_egress {
            out.push(finding(
                by_key[k],
                "STK854",
                "egress-to-cloud-metadata",
                Severity::High,
                format!("{k} may connect to the cloud metadata address {METADATA_ADDRESS} ({c})"),
                "Isolate the workload for egress and exclude 169.254.169.254/32 from ipBlock rules (`except`).",
            ));
        }
        for p in &r.data_paths {
            out.push(finding(
                by_key[&p.path[0]],
                "STK855",
                "exposed-path-to-data-store",
                Severity::High,
                format!(
                    "exposed workload reaches a data store: {}",
                    p.path.join(" => ")
                ),
                "Restrict ingress to the data store to the workloads that need it.",
            ));
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, &a.check).cmp(&(&b.file, b.line, &b.check)));
    out
}
