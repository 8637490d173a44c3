//! The parts of a set of manifests that decide connectivity: namespaces, workloads, policies,
//! Services and the Ingress/Route objects that expose them.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use stockade_model::{Node, Object};

use crate::conn::Protocol;
use crate::ip::IpSet;
use crate::selector::{Labels, Selector};

/// The label every namespace carries with its own name.
pub const NS_NAME_LABEL: &str = "kubernetes.io/metadata.name";

/// Where an object was written.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Source {
    /// The file.
    pub file: Arc<str>,
    /// 1-based line of the object.
    pub line: u32,
    /// 1-based column of the object.
    pub column: u32,
    /// The object's `apiVersion`.
    pub api_version: String,
    /// The object's kind.
    pub kind: String,
    /// The object's name.
    pub name: String,
}

impl Source {
    fn of(obj: &Object) -> Self {
        Self {
            file: obj.file.clone(),
            line: obj.root.pos.line,
            column: obj.root.pos.col,
            api_version: obj.api_version.clone(),
            kind: obj.kind.clone(),
            name: obj.name.clone(),
        }
    }
}

/// A port a container declares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContainerPort {
    /// Its name, if any.
    pub name: Option<String>,
    /// `containerPort`.
    pub port: u32,
    /// Its protocol (TCP when omitted).
    pub protocol: Protocol,
}

/// A workload: an owner of pods (Deployment, StatefulSet, DaemonSet, Job, CronJob, ReplicaSet,
/// ReplicationController) or a bare Pod; pods of one owner share its template, so one stands for
/// all.
#[derive(Debug, Clone)]
pub struct Workload {
    /// Namespace (`default` when omitted).
    pub namespace: String,
    /// The owner's name (or the Pod's, for a bare Pod).
    pub name: String,
    /// The owner's kind (`Pod` for a bare Pod).
    pub kind: String,
    /// The pod template's labels.
    pub labels: Labels,
    /// Ports of the containers (init containers excluded, as upstream).
    pub ports: Vec<ContainerPort>,
    /// Where it was defined.
    pub source: Source,
}

impl Workload {
    /// `ns/name[Kind]`, the name outputs use.
    pub fn key(&self) -> String {
        format!("{}/{}[{}]", self.namespace, self.name, self.kind)
    }

    /// The container port called `name`: its protocol and number.
    pub fn named_port(&self, name: &str) -> Option<(Protocol, u32)> {
        self.ports
            .iter()
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| (p.protocol, p.port))
    }
}

/// A port number or a named port.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PortRef {
    /// A number.
    Number(u32),
    /// A container port name.
    Name(String),
}

impl PortRef {
    fn parse(node: &Node) -> Option<PortRef> {
        if let Some(n) = node.as_i64() {
            return Some(PortRef::Number(n.clamp(0, i64::from(u32::MAX)) as u32));
        }
        node.as_str().map(|s| PortRef::Name(s.to_string()))
    }
}

/// A peer in a NetworkPolicy rule.
#[derive(Debug, Clone)]
pub enum NpPeer {
    /// `podSelector` and/or `namespaceSelector` (`None` when absent).
    Pods {
        /// `namespaceSelector`: `None` means the policy's own namespace.
        namespaces: Option<Selector>,
        /// `podSelector`: `None` means all pods.
        pods: Option<Selector>,
    },
    /// `ipBlock`: the CIDR minus its exceptions.
    IpBlock(IpSet),
}

/// A port in a NetworkPolicy rule.
#[derive(Debug, Clone)]
pub struct NpPort {
    /// Protocol (TCP when omitted).
    pub protocol: Protocol,
    /// `port`; `None` means every port of the protocol.
    pub port: Option<PortRef>,
    /// `endPort`.
    pub end_port: Option<u32>,
}

/// One ingress or egress rule.
#[derive(Debug, Clone)]
pub struct NpRule {
    /// `from`/`to`; `None` (absent or empty) matches every peer.
    pub peers: Option<Vec<NpPeer>>,
    /// `ports`; empty matches every port.
    pub ports: Vec<NpPort>,
}

/// A `networking.k8s.io/v1` NetworkPolicy.
#[derive(Debug, Clone)]
pub struct NetworkPolicy {
    /// Namespace (`default` when omitted).
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.podSelector`.
    pub pod_selector: Selector,
    /// `spec.ingress`.
    pub ingress: Vec<NpRule>,
    /// `spec.egress`.
    pub egress: Vec<NpRule>,
    /// Whether it isolates its pods for ingress (`policyTypes`, defaulting to Ingress).
    pub affects_ingress: bool,
    /// Whether it isolates its pods for egress (`policyTypes`, defaulting to "has egress rules").
    pub affects_egress: bool,
    /// Where it was defined.
    pub source: Source,
}

impl NetworkPolicy {
    /// `ns/name`.
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.namespace, self.name)
    }
}

/// What an admin policy rule does with matching traffic.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Allow, whatever lower layers say.
    Allow,
    /// Deny, whatever lower layers say.
    Deny,
    /// Leave it to NetworkPolicies, then the baseline.
    Pass,
}

/// Pods an admin policy applies to or names as peers.
#[derive(Debug, Clone)]
pub enum AdminPeer {
    /// All pods in namespaces matching the selector.
    Namespaces(Selector),
    /// Pods matching `pods` in namespaces matching `namespaces`.
    Pods {
        /// `namespaceSelector`.
        namespaces: Selector,
        /// `podSelector`.
        pods: Selector,
    },
    /// `networks`: external addresses (egress only).
    Networks(IpSet),
    /// Something this analysis does not model (`nodes`): matches no peer.
    Unsupported,
}

/// A port in an admin policy rule.
#[derive(Debug, Clone)]
pub enum AdminPort {
    /// `portNumber`.
    Number(Protocol, u32),
    /// `namedPort`.
    Named(String),
    /// `portRange`.
    Range(Protocol, u32, u32),
}

/// A rule of an AdminNetworkPolicy or BaselineAdminNetworkPolicy.
#[derive(Debug, Clone)]
pub struct AdminRule {
    /// `name`.
    pub name: String,
    /// `action`.
    pub action: Action,
    /// `from`/`to`.
    pub peers: Vec<AdminPeer>,
    /// `ports`; `None` matches every port.
    pub ports: Option<Vec<AdminPort>>,
}

/// An AdminNetworkPolicy (`priority` set) or the BaselineAdminNetworkPolicy (`priority` None).
#[derive(Debug, Clone)]
pub struct AdminPolicy {
    /// Name.
    pub name: String,
    /// `spec.priority`; lower is evaluated first. `None` for the baseline.
    pub priority: Option<i64>,
    /// `spec.subject`.
    pub subject: AdminPeer,
    /// `spec.ingress`, in order.
    pub ingress: Vec<AdminRule>,
    /// `spec.egress`, in order.
    pub egress: Vec<AdminRule>,
    /// Where it was defined.
    pub source: Source,
}

/// A Service port.
#[derive(Debug, Clone)]
pub struct ServicePort {
    /// Its name.
    pub name: Option<String>,
    /// `port`.
    pub port: u32,
    /// `targetPort`, if set.
    pub target: Option<PortRef>,
}

/// A Service with a selector.
#[derive(Debug, Clone)]
pub struct Service {
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// `spec.selector`; Services without one are ignored.
    pub selector: Selector,
    /// `spec.type`.
    pub service_type: String,
    /// `spec.ports`.
    pub ports: Vec<ServicePort>,
}

/// An Ingress or Route: a way in from outside, to Services of its namespace.
#[derive(Debug, Clone)]
pub struct EntryPoint {
    /// `Ingress` or `Route`.
    pub kind: &'static str,
    /// Namespace.
    pub namespace: String,
    /// Name.
    pub name: String,
    /// Backends: Service name and the port asked for (`None` = all the Service's ports).
    pub backends: Vec<(String, Option<PortRef>)>,
}

/// Everything the analysis reads from a set of manifests.
#[derive(Debug, Clone, Default)]
pub struct Cluster {
    /// Namespace labels (with their name label), for namespaces that have an object.
    pub namespaces: BTreeMap<String, Labels>,
    /// Workloads, sorted by key, one per key. [`Cluster::workloads_in`] relies on the order and
    /// [`Cluster::select_in`] indexes them on first use: they are not changed after
    /// [`Cluster::from_objects`].
    pub workloads: Vec<Workload>,
    /// NetworkPolicies.
    pub policies: Vec<NetworkPolicy>,
    /// AdminNetworkPolicies, sorted by priority.
    pub admin_policies: Vec<AdminPolicy>,
    /// The BaselineAdminNetworkPolicy, if any.
    pub baseline: Option<AdminPolicy>,
    /// Services with selectors.
    pub services: Vec<Service>,
    /// Ingress and Route objects.
    pub entry_points: Vec<EntryPoint>,
    /// Problems with objects that were skipped or read in part.
    pub warnings: Vec<String>,
    /// Label key -> value -> indices of the workloads carrying it, built on first use.
    by_label: std::sync::OnceLock<LabelIndex>,
}

type LabelIndex = HashMap<String, HashMap<String, Vec<usize>>>;

fn namespace_of(obj: &Object) -> String {
    obj.namespace
        .clone()
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "default".to_string())
}

fn labels_of(meta: Option<&Node>) -> Labels {
    meta.and_then(|m| m.get("labels"))
        .map(|l| {
            l.entries()
                .iter()
                .map(|e| {
                    (
                        e.key.to_string(),
                        e.value.as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn protocol_at(node: &Node, key: &str) -> Protocol {
    node.str_at(key)
        .and_then(Protocol::parse)
        .unwrap_or(Protocol::Tcp)
}

fn container_ports(spec: &Node) -> Vec<ContainerPort> {
    let mut out = Vec::new();
    for c in spec.get("containers").map(Node::items).unwrap_or(&[]) {
        for p in c.get("ports").map(Node::items).unwrap_or(&[]) {
            let Some(port) = p.get("containerPort").and_then(Node::as_i64) else {
                continue;
            };
            out.push(ContainerPort {
                name: p.str_at("name").map(str::to_string),
                port: port.clamp(0, i64::from(u32::MAX)) as u32,
                protocol: protocol_at(p, "protocol"),
            });
        }
    }
    out
}

/// The workload kinds whose pod template sits at `spec.template`.
const TEMPLATE_KINDS: &[&str] = &[
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "Job",
    "ReplicationController",
];

impl Cluster {
    /// Reads the objects that matter; everything else is ignored.
    pub fn from_objects<'a>(objects: impl IntoIterator<Item = &'a Object>) -> Cluster {
        let mut c = Cluster::default();
        let mut workloads: BTreeMap<String, Workload> = BTreeMap::new();
        for obj in objects {
            let spec = obj.root.get("spec").unwrap_or(Node::null());
            match obj.kind.as_str() {
                "Namespace" => {
                    let mut labels = labels_of(Some(obj.metadata()));
                    labels.insert(NS_NAME_LABEL.to_string(), obj.name.clone());
                    c.namespaces.insert(obj.name.clone(), labels);
                }
                "Pod" => {
                    let meta = obj.metadata();
                    // The controlling owner (not a Node, for static pods) names the workload.
                    let owner = meta
                        .get("ownerReferences")
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .find(|o| o.get("controller").and_then(Node::as_bool) == Some(true))
                        .filter(|o| o.str_at("kind") != Some("Node"));
                    let (name, kind) = match owner {
                        Some(o) => (
                            o.str_at("name").unwrap_or("").to_string(),
                            o.str_at("kind").unwrap_or("").to_string(),
                        ),
                        None => (obj.name.clone(), "Pod".to_string()),
                    };
                    let w = Workload {
                        namespace: namespace_of(obj),
                        name,
                        kind,
                        labels: labels_of(Some(meta)),
                        ports: container_ports(spec),
                        source: Source::of(obj),
                    };
                    workloads.entry(w.key()).or_insert(w);
                }
                k if TEMPLATE_KINDS.contains(&k) || k == "CronJob" => {
                    let template = if k == "CronJob" {
                        spec.at(&["jobTemplate", "spec", "template"])
                    } else {
                        spec.get("template")
                    };
                    let Some(template) = template else {
                        c.warnings
                            .push(format!("{k} {}: no pod template", obj.name));
                        continue;
                    };
                    let w = Workload {
                        namespace: namespace_of(obj),
                        name: obj.name.clone(),
                        kind: k.to_string(),
                        labels: labels_of(template.get("metadata")),
                        ports: container_ports(template.get("spec").unwrap_or(Node::null())),
                        source: Source::of(obj),
                    };
                    workloads.entry(w.key()).or_insert(w);
                }
                "NetworkPolicy" if obj.group() == "networking.k8s.io" => {
                    c.policies.push(parse_netpol(obj, spec, &mut c.warnings));
                }
                "AdminNetworkPolicy" => {
                    let mut p = parse_admin(obj, spec, &mut c.warnings);
                    p.priority = Some(spec.get("priority").and_then(Node::as_i64).unwrap_or(0));
                    c.admin_policies.push(p);
                }
                "BaselineAdminNetworkPolicy" => {
                    let p = parse_admin(obj, spec, &mut c.warnings);
                    if c.baseline.is_some() {
                        c.warnings.push(format!(
                            "BaselineAdminNetworkPolicy {}: only one is allowed; ignored",
                            obj.name
                        ));
                    } else {
                        c.baseline = Some(p);
                    }
                }
                "Service" => {
                    if let Some(sel) = spec.get("selector").filter(|s| s.is_map()) {
                        c.services.push(Service {
                            namespace: namespace_of(obj),
                            name: obj.name.clone(),
                            selector: Selector::from_map(sel),
                            service_type: spec.str_at("type").unwrap_or("ClusterIP").to_string(),
                            ports: spec
                                .get("ports")
                                .map(Node::items)
                                .unwrap_or(&[])
                                .iter()
                                .map(|p| ServicePort {
                                    name: p.str_at("name").map(str::to_string),
                                    port: p.get("port").and_then(Node::as_i64).unwrap_or(0).max(0)
                                        as u32,
                                    target: p.get("targetPort").and_then(PortRef::parse),
                                })
                                .collect(),
                        });
                    }
                }
                "Ingress" if obj.group() == "networking.k8s.io" => {
                    let mut backends = Vec::new();
                    let svc = |b: &Node| {
                        b.get("service").map(|s| {
                            let port = s.get("port").and_then(|p| {
                                p.str_at("name")
                                    .map(|n| PortRef::Name(n.to_string()))
                                    .or_else(|| {
                                        p.get("number")
                                            .and_then(Node::as_i64)
                                            .map(|n| PortRef::Number(n.max(0) as u32))
                                    })
                            });
                            (s.str_at("name").unwrap_or("").to_string(), port)
                        })
                    };
                    if let Some(b) = spec.get("defaultBackend").and_then(svc) {
                        backends.push(b);
                    }
                    for rule in spec.get("rules").map(Node::items).unwrap_or(&[]) {
                        for path in rule.at(&["http", "paths"]).map(Node::items).unwrap_or(&[]) {
                            if let Some(b) = path.get("backend").and_then(svc) {
                                backends.push(b);
                            }
                        }
                    }
                    c.entry_points.push(EntryPoint {
                        kind: "Ingress",
                        namespace: namespace_of(obj),
                        name: obj.name.clone(),
                        backends,
                    });
                }
                "Route" if obj.group() == "route.openshift.io" => {
                    let port = spec.at(&["port", "targetPort"]).and_then(PortRef::parse);
                    let mut backends = Vec::new();
                    let targets = std::iter::once(spec.get("to").unwrap_or(Node::null())).chain(
                        spec.get("alternateBackends")
                            .map(Node::items)
                            .unwrap_or(&[]),
                    );
                    for t in targets {
                        let kind = t.str_at("kind").unwrap_or("");
                        if kind.is_empty() || kind == "Service" {
                            backends
                                .push((t.str_at("name").unwrap_or("").to_string(), port.clone()));
                        }
                    }
                    c.entry_points.push(EntryPoint {
                        kind: "Route",
                        namespace: namespace_of(obj),
                        name: obj.name.clone(),
                        backends,
                    });
                }
                _ => {}
            }
        }
        c.workloads = workloads.into_values().collect();
        c.admin_policies
            .sort_by_key(|p| p.priority.unwrap_or(i64::MAX));
        c
    }

    /// The indices of the workloads in namespace `ns`. Workloads are sorted by key
    /// (`ns/name[Kind]`), and a namespace name holds no `/`, so each namespace's workloads are
    /// one run, found by binary search: loops over a Service's or a policy's namespace do not
    /// walk every workload of the input.
    pub fn workloads_in(&self, ns: &str) -> std::ops::Range<usize> {
        use std::cmp::Ordering;
        // `a/` against `b/`, byte by byte: the order of keys whose namespaces differ.
        let cmp = |w: &Workload| {
            let (a, b) = (w.namespace.as_bytes(), ns.as_bytes());
            let n = a.len().min(b.len());
            // Past the common part, the shorter name goes on with its `/` (and then ends).
            a[..n]
                .cmp(&b[..n])
                .then_with(|| match a.len().cmp(&b.len()) {
                    Ordering::Equal => Ordering::Equal,
                    Ordering::Less => b'/'.cmp(&b[n]).then(Ordering::Less),
                    Ordering::Greater => a[n].cmp(&b'/').then(Ordering::Greater),
                })
        };
        let start = self.workloads.partition_point(|w| cmp(w).is_lt());
        let end = start + self.workloads[start..].partition_point(|w| cmp(w).is_eq());
        start..end
    }

    /// The indices of the workloads of namespace `ns` that `sel` selects, in order. Candidates
    /// come from the label index (the rarest of the selector's `matchLabels` pairs), so a
    /// namespace with many workloads is not walked once per selector.
    pub fn select_in(&self, ns: &str, sel: &Selector) -> Vec<usize> {
        self.select_among(self.workloads_in(ns), sel)
    }

    /// The indices in `range` (one namespace's, from [`Self::workloads_in`]) of the workloads
    /// that `sel` selects, in order.
    pub fn select_among(&self, range: std::ops::Range<usize>, sel: &Selector) -> Vec<usize> {
        let index = self.by_label.get_or_init(|| {
            let mut index = LabelIndex::new();
            for (i, w) in self.workloads.iter().enumerate() {
                for (k, v) in &w.labels {
                    index
                        .entry(k.clone())
                        .or_default()
                        .entry(v.clone())
                        .or_default()
                        .push(i);
                }
            }
            index
        });
        let mut rarest: Option<&[usize]> = None;
        for (k, v) in &sel.labels {
            let list = index
                .get(k.as_str())
                .and_then(|values| values.get(v.as_str()))
                .map_or(&[][..], Vec::as_slice);
            if rarest.is_none_or(|r| list.len() < r.len()) {
                rarest = Some(list);
            }
        }
        let matches = |&i: &usize| sel.matches(&self.workloads[i].labels);
        match rarest {
            Some(list) => {
                let lo = list.partition_point(|&i| i < range.start);
                let hi = list.partition_point(|&i| i < range.end);
                list[lo..hi].iter().copied().filter(matches).collect()
            }
            None => range.filter(matches).collect(),
        }
    }

    /// The labels of a namespace: its object's, or just its name label when it has none.
    pub fn namespace_labels(&self, ns: &str) -> Labels {
        self.namespaces
            .get(ns)
            .cloned()
            .unwrap_or_else(|| Labels::from([(NS_NAME_LABEL.to_string(), ns.to_string())]))
    }
}

fn parse_selector_opt(node: &Node, key: &str) -> Option<Selector> {
    node.get(key)
        .filter(|n| !n.is_null() || n.is_map())
        .map(Selector::parse)
}

fn parse_ip_block(node: &Node, warnings: &mut Vec<String>, what: &str) -> IpSet {
    let cidr = node.str_at("cidr").unwrap_or("");
    let Some(mut set) = IpSet::from_cidr(cidr) else {
        warnings.push(format!(
            "{what}: ipBlock `{cidr}` is not an IPv4 CIDR; ignored"
        ));
        return IpSet::empty();
    };
    for ex in node.get("except").map(Node::items).unwrap_or(&[]) {
        if let Some(hole) = ex.as_str().and_then(IpSet::from_cidr) {
            set = set.subtract(&hole);
        }
    }
    set
}

fn parse_netpol(obj: &Object, spec: &Node, warnings: &mut Vec<String>) -> NetworkPolicy {
    let what = format!("NetworkPolicy {}/{}", namespace_of(obj), obj.name);
    let rules = |key: &str, peers_key: &str, warnings: &mut Vec<String>| -> Vec<NpRule> {
        spec.get(key)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .map(|r| {
                let peers = r
                    .get(peers_key)
                    .map(Node::items)
                    .filter(|p| !p.is_empty())
                    .map(|items| {
                        items
                            .iter()
                            .map(|p| match p.get("ipBlock") {
                                Some(b) => NpPeer::IpBlock(parse_ip_block(b, warnings, &what)),
                                None => NpPeer::Pods {
                                    namespaces: parse_selector_opt(p, "namespaceSelector"),
                                    pods: parse_selector_opt(p, "podSelector"),
                                },
                            })
                            .collect()
                    });
                let ports = r
                    .get("ports")
                    .map(Node::items)
                    .unwrap_or(&[])
                    .iter()
                    .map(|p| NpPort {
                        protocol: protocol_at(p, "protocol"),
                        port: p.get("port").and_then(PortRef::parse),
                        end_port: p
                            .get("endPort")
                            .and_then(Node::as_i64)
                            .map(|n| n.clamp(0, i64::from(u32::MAX)) as u32),
                    })
                    .collect();
                NpRule { peers, ports }
            })
            .collect()
    };
    let ingress = rules("ingress", "from", warnings);
    let egress = rules("egress", "to", warnings);
    let types: Vec<&str> = spec
        .get("policyTypes")
        .map(Node::items)
        .unwrap_or(&[])
        .iter()
        .filter_map(Node::as_str)
        .collect();
    let (affects_ingress, affects_egress) = if types.is_empty() {
        (
            true,
            spec.get("egress").is_some_and(|e| !e.items().is_empty()),
        )
    } else {
        (types.contains(&"Ingress"), types.contains(&"Egress"))
    };
    NetworkPolicy {
        namespace: namespace_of(obj),
        name: obj.name.clone(),
        pod_selector: spec
            .get("podSelector")
            .map(Selector::parse)
            .unwrap_or_default(),
        ingress,
        egress,
        affects_ingress,
        affects_egress,
        source: Source::of(obj),
    }
}

fn parse_admin_peer(p: &Node) -> AdminPeer {
    if let Some(ns) = p.get("namespaces") {
        return AdminPeer::Namespaces(Selector::parse(ns));
    }
    if let Some(pods) = p.get("pods") {
        return AdminPeer::Pods {
            namespaces: pods
                .get("namespaceSelector")
                .map(Selector::parse)
                .unwrap_or_default(),
            pods: pods
                .get("podSelector")
                .map(Selector::parse)
                .unwrap_or_default(),
        };
    }
    if let Some(nets) = p.get("networks") {
        let mut set = IpSet::empty();
        for n in nets.items() {
            if let Some(b) = n.as_str().and_then(IpSet::from_cidr) {
                set = set.union(&b);
            }
        }
        return AdminPeer::Networks(set);
    }
    AdminPeer::Unsupported
}

fn parse_admin(obj: &Object, spec: &Node, warnings: &mut Vec<String>) -> AdminPolicy {
    let rules = |key: &str, peers_key: &str, warnings: &mut Vec<String>| -> Vec<AdminRule> {
        spec.get(key)
            .map(Node::items)
            .unwrap_or(&[])
            .iter()
            .filter_map(|r| {
                let action = match r.str_at("action").unwrap_or("") {
                    "Allow" => Action::Allow,
                    "Deny" => Action::Deny,
                    "Pass" => Action::Pass,
                    other => {
                        warnings.push(format!(
                            "{} {}: unknown action `{other}`; rule ignored",
                            obj.kind, obj.name
                        ));
                        return None;
                    }
                };
                let ports = r.get("ports").map(|ps| {
                    ps.items()
                        .iter()
                        .filter_map(|p| {
                            if let Some(n) = p.get("portNumber") {
                                let port = n.get("port").and_then(Node::as_i64)?;
                                Some(AdminPort::Number(
                                    protocol_at(n, "protocol"),
                                    port.max(0) as u32,
                                ))
                            } else if let Some(n) = p.get("namedPort").and_then(Node::as_str) {
                                Some(AdminPort::Named(n.to_string()))
                            } else if let Some(r) = p.get("portRange") {
                                let s = r.get("start").and_then(Node::as_i64)?;
                                let e = r.get("end").and_then(Node::as_i64)?;
                                Some(AdminPort::Range(
                                    protocol_at(r, "protocol"),
                                    s.max(0) as u32,
                                    e.max(0) as u32,
                                ))
                            } else {
                                None
                            }
                        })
                        .collect()
                });
                Some(AdminRule {
                    name: r.str_at("name").unwrap_or("").to_string(),
                    action,
                    peers: r
                        .get(peers_key)
                        .map(Node::items)
                        .unwrap_or(&[])
                        .iter()
                        .map(parse_admin_peer)
                        .collect(),
                    ports,
                })
            })
            .collect()
    };
    let ingress = rules("ingress", "from", warnings);
    let egress = rules("egress", "to", warnings);
    AdminPolicy {
        name: obj.name.clone(),
        priority: None,
        subject: spec
            .get("subject")
            .map(parse_admin_peer)
            .unwrap_or(AdminPeer::Unsupported),
        ingress,
        egress,
        source: Source::of(obj),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `select_in` (namespace run by binary search, candidates from the label index) gives
    /// exactly what walking every workload gives, for namespaces that prefix each other.
    #[test]
    fn select_in_equals_the_walk() {
        let mut yaml = String::new();
        for (i, ns) in ["a", "a-b", "a.b", "ab", "b", "", "a"].iter().enumerate() {
            for (j, labels) in ["{app: web, tier: fe}", "{app: web}", "{app: db}", "{}"]
                .iter()
                .enumerate()
            {
                let ns = if ns.is_empty() {
                    String::new()
                } else {
                    format!(", namespace: {ns}")
                };
                yaml.push_str(&format!(
                    "apiVersion: v1\nkind: Pod\nmetadata: {{name: p{i}-{j}{ns}, labels: {labels}}}\nspec: {{containers: [{{name: c, image: x}}]}}\n---\n"
                ));
            }
        }
        let loaded = stockade_model::load("t.yaml", yaml.as_bytes());
        assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
        let c = Cluster::from_objects(&loaded.objects);
        assert_eq!(c.workloads.len(), 28);
        let selectors = [
            "{}",
            "{matchLabels: {app: web}}",
            "{matchLabels: {app: web, tier: fe}}",
            "{matchLabels: {app: nothing}}",
            "{matchExpressions: [{key: app, operator: In, values: [db, web]}]}",
            "{matchLabels: {app: web}, matchExpressions: [{key: tier, operator: DoesNotExist}]}",
        ];
        for sel in selectors {
            let doc = format!("apiVersion: v1\nkind: X\nmetadata: {{name: x}}\nsel: {sel}\n");
            let loaded = stockade_model::load("s.yaml", doc.as_bytes());
            let node = loaded.objects[0].root.get("sel").unwrap();
            let sel = Selector::parse(node);
            for ns in ["a", "a-b", "a.b", "ab", "b", "default", "none", "a/"] {
                let walk: Vec<usize> = (0..c.workloads.len())
                    .filter(|&i| {
                        c.workloads[i].namespace == ns && sel.matches(&c.workloads[i].labels)
                    })
                    .collect();
                assert_eq!(c.select_in(ns, &sel), walk, "{ns} {sel:?}");
            }
        }
        // Every namespace's workloads are one run.
        assert_eq!(c.workloads_in("a").len(), 8);
        assert_eq!(c.workloads_in("default").len(), 4);
        assert!(c.workloads_in("none").is_empty());
    }
}
